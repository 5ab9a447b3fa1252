/**
 * MAP solvers as records: the protocol and `define` (`solver.ts`), and the built-ins, one
 * folder each (kernel + record): `topK`, `argmax`, `ranking`, `gridShortestPath`,
 * `dagShortestPath`, `knapsack`, `assignment`, `spanningTree`, `matching`, and `milp` (HiGHS),
 * with `parallel` to spread a solver's batches over worker threads. Each is a function
 * `theta -> argmax_z <theta, z>` over its feasible set, with a `_tag`, its options, a `batched`
 * entry point and its objective. Under `vmap` (nested or not) a solver runs its native
 * TypedArray kernel once for the whole batch. The catalogue: `docs/solvers.md`.
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
export { define, isSolver, type Solver, type SolverDefinition, type SolverOrigin } from './solver.js'
export { topK, topKMask, type TopK } from './top_k/index.js'
export { argmax, argmaxOneHot, type Argmax } from './argmax/index.js'
export { ranking, ascendingRanks, type Ranking } from './ranking/index.js'
export {
  gridShortestPath,
  gridShortestPathMask,
  GridShortestPathConfig,
  type GridShortestPath,
  type Neighbourhood,
} from './grid_shortest_path/index.js'
export {
  dagShortestPath,
  dagShortestPathArcs,
  dagArcCount,
  dagShortestPathMask,
  DagShortestPathConfig,
  type DagShortestPath,
} from './dag_shortest_path/index.js'
export { knapsack, knapsackMask, KnapsackConfig, type Knapsack } from './knapsack/index.js'
export { assignment, assignmentMask, type Assignment } from './assignment/index.js'
export {
  spanningTree,
  spanningTreeMask,
  completeGraphEdges,
  edgeIndex,
  SpanningTreeConfig,
  type SpanningTree,
} from './spanning_tree/index.js'
export { matching, matchingMask, MatchingConfig, type Matching } from './matching/index.js'
export { milp, loadMilp, type Milp, type MilpModel } from './milp/index.js'
export { parallel, ParallelConfig, type Parallel, type ParallelOptions, type PoolStatus } from './parallel/index.js'
export { decode, kernelCalls, names } from './registry.js'
