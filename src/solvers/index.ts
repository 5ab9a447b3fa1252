/**
 * MAP solvers as records: the protocol and `define` (`solver.ts`), and the built-ins, one
 * folder each (kernel + record): `topK(k)` and `gridShortestPath(options)`. Each is a function
 * `theta -> argmax_z <theta, z>` over its feasible set, with a `_tag`, its options, a `batched`
 * entry point and its objective. Under `vmap` (nested or not) a solver runs its native
 * TypedArray kernel once for the whole batch.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * vmap(solvers.topK(10))(tf.randomNormal([32, 400]))              // [32, 400], 10 ones a row
 * solvers.gridShortestPath()(tf.neg(tf.randomUniform([12, 12])))  // [12, 12] path mask
 * ```
 *
 * @module
 */
export { define, isSolver, type Solver, type SolverDefinition } from './solver.js'
export { topK, topKMask, type TopK } from './top_k/index.js'
export {
  gridShortestPath,
  gridShortestPathMask,
  GridShortestPathConfig,
  type GridShortestPath,
  type Neighbourhood,
} from './grid_shortest_path/index.js'
export { decode, kernelCalls, names } from './registry.js'
