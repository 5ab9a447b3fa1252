/**
 * The solvers that JSON configs can name: `{ "type": "topK", "k": 10 }`,
 * `{ "type": "gridShortestPath", "neighbourhood": 4 }`, `{ "type": "argmax" }`,
 * `{ "type": "dagShortestPath", "grid": [5, 5] }`, `{ "type": "knapsack", "weights": [...],
 * "capacity": 10 }`, ... (`milp` and `parallel` are built in code: a model is not a config).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, PositiveInt, registry } from '../core/config.js'
import { kernelCalls as calls } from '../core/kernel.js'
import { argmax } from './argmax/index.js'
import { assignment } from './assignment/index.js'
import { dagShortestPath } from './dag_shortest_path/index.js'
import { gridShortestPath } from './grid_shortest_path/index.js'
import { knapsack } from './knapsack/index.js'
import { matching } from './matching/index.js'
import { ranking } from './ranking/index.js'
import type { Solver } from './solver.js'
import { spanningTree } from './spanning_tree/index.js'
import { topK } from './top_k/index.js'

const solvers = registry<Solver>('solvers.decode', {
  topK: configured('topK', t.type({ k: PositiveInt }), {}, ({ k }) => topK(k)),
  argmax: configured('argmax', t.type({}), {}, () => argmax()),
  ranking: configured('ranking', t.type({}), {}, () => ranking()),
  gridShortestPath,
  dagShortestPath,
  knapsack,
  assignment,
  spanningTree,
  matching,
})

/**
 * The solver names JSON configs may use (the `type` field).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.names   // ['topK', 'argmax', 'ranking', 'gridShortestPath', 'dagShortestPath', 'knapsack', ...]
 * ```
 */
export const names: readonly string[] = solvers.names

/**
 * Builds a solver from a JSON config (`{ "type": "topK", "k": 10 }`); failures name the bad
 * field (`solvers.decode(json.k): expected PositiveInt but got 0`).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const r = solvers.decode({ type: 'gridShortestPath', neighbourhood: 4 })   // Right(GridShortestPath)
 * ```
 */
export const decode = solvers.decode

/**
 * How many times each solver's kernel has run, by name (`kernelCalls.topK`; a user-defined
 * solver under its own name, 0 before its first run): one per call outside `vmap`, one per
 * `batched` call, and one per `vmap(solver)` call whatever the nesting. The same counters as
 * the library-wide `kernelCalls`, typed with the built-in names.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const before = solvers.kernelCalls.topK
 * vmap(vmap(solvers.topK(2)))(tf.randomNormal([4, 8, 10]))   // [4, 8, 10]
 * solvers.kernelCalls.topK - before                          // 1
 * ```
 */
export const kernelCalls = calls as Readonly<Record<BuiltInName, number>> & Readonly<Record<string, number>>

/** The names of the built-in solvers' kernels. */
type BuiltInName =
  | 'topK'
  | 'argmax'
  | 'ranking'
  | 'gridShortestPath'
  | 'dagShortestPath'
  | 'knapsack'
  | 'assignment'
  | 'spanningTree'
  | 'matching'
  | 'milp'
