/**
 * The `matching(options)` solver record: bipartite graphs on the assignment kernel
 * (`../assignment/kernel.ts`), general graphs on the subset DP kernel (`kernel.ts`).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { nonFiniteScoreError } from '../assignment/index.js'
import { assignmentMask } from '../assignment/kernel.js'
import { define, type Solver, type SolverDefinition } from '../solver.js'
import { checkEdgeScores, edgeName } from '../spanning_tree/index.js'
import { matchingMask } from './kernel.js'

export { matchingMask } from './kernel.js'

/** The most nodes the general (non-bipartite) matching takes: 25 to 30 ms an instance at 24. */
const MAX_NODES = 24

/**
 * The codec of `matching`'s options: `nodes`, the number of nodes (per side when bipartite; an
 * even number <= 24 otherwise; the factory checks the value), and `bipartite` (default false).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.MatchingConfig.is({ nodes: 6, bipartite: false })   // true
 * ```
 */
export const MatchingConfig = t.type({ nodes: t.number, bipartite: t.boolean })
/** The decoded options of `matching`. */
export type MatchingConfig = t.TypeOf<typeof MatchingConfig>

/**
 * The `matching` solver record: bipartite, `theta [n, n] -> float32 [n, n]` (a permutation
 * matrix); general, `theta [E] -> float32 [E]` (the mask of `nodes / 2` edges).
 */
export interface Matching extends Solver<'matching'> {
  /** The number of nodes: per side when bipartite, of the whole graph otherwise. */
  readonly nodes: number
  /** Whether the graph is the complete bipartite graph on `nodes + nodes` nodes. */
  readonly bipartite: boolean
}

/**
 * The maximum-weight perfect matching solver, on a complete graph.
 *
 * - `matching({ nodes: n, bipartite: true })(theta)`, `theta [n, n]` scoring the pairs (left
 *   node `i`, right node `j`): the permutation matrix `P` maximising `<theta, P>`, i.e. the
 *   assignment problem, by the Hungarian algorithm (the `assignment` solver's kernel,
 *   `assignmentMask`). Exact (float64; exactly for integer scores); O(n^3) per instance. Ties:
 *   deterministic (a function of the scores alone), but which optimum is not specified.
 * - `matching({ nodes })(theta)`, general graphs: `theta [E]` scores the
 *   `E = nodes (nodes - 1) / 2` edges in the order of `completeGraphEdges(nodes)` (the
 *   `spanningTree` order), `nodes` even, `2 <= nodes <= 24`; the result is the mask of the
 *   `nodes / 2` edges of a perfect matching maximising `<theta, z>`, exactly, by dynamic
 *   programming over the vertex subsets reached from the full set (`matchingMask`: `F(n+1)`
 *   of them, Fibonacci; measured on Node 20: 2 to 5 ms an instance at 20 nodes, 25 to 30 ms
 *   at the limit of 24). Ties:
 *   among maximum matchings, the one whose partner array `mate[0..n)` is lexicographically
 *   smallest (exactly so when the partial sums are exact, e.g. integer scores).
 *
 * NaN and `±Infinity` throw in both modes (forbid a pair with a large negative finite score).
 *
 * Shapes: bipartite `([n, n]) -> [n, n]`, general `([E]) -> [E]`, each with `batched` over a
 * leading `N`; `vmap` over it is one kernel call. Throws a `ConfigError` when an option has the
 * wrong type or is unknown, and an `ArgumentError` when `nodes` is not a positive integer (not
 * an even integer in [2, 24] for general graphs), or at a call when `theta` has another shape
 * or an entry that is not finite (the message names the first).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const general = solvers.matching({ nodes: 4 })        // edges (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
 * general(tf.tensor1d([1, 4, 0, 0, 4, 1]))              // [0, 1, 0, 0, 1, 0]: {(0, 2), (1, 3)}
 * general(tf.tensor1d([1, 1, 1, 1, 1, 1]))              // [1, 0, 0, 0, 0, 1]: ties to mate[0] = 1
 * const bipartite = solvers.matching({ nodes: 2, bipartite: true })
 * bipartite(tf.tensor2d([[1, 3], [2, 1]]))              // [[0, 1], [1, 0]]
 * vmap(solvers.matching({ nodes: 10 }))(tf.randomNormal([8, 45]))   // [8, 45], 5 edges a row
 * ```
 */
export const matching = configured<typeof MatchingConfig, Matching, OptionsOf<typeof MatchingConfig, 'nodes'>>(
  'matching',
  MatchingConfig,
  { bipartite: false },
  ({ nodes, bipartite }): Matching => {
    if (bipartite) {
      if (!Number.isInteger(nodes) || nodes < 1) {
        throw new ArgumentError(`matching(options.nodes): nodes must be an integer >= 1 (the nodes per side) but got ${nodes}`)
      }
    } else if (!Number.isInteger(nodes) || nodes < 2 || nodes > MAX_NODES || nodes % 2 !== 0) {
      throw new ArgumentError(
        `matching(options.nodes): nodes must be an even integer in [2, ${MAX_NODES}] for a general graph ` +
          `(a perfect matching pairs every node; the exact subset DP grows like 1.618^nodes) but got ${nodes}` +
          (Number.isInteger(nodes) && nodes > MAX_NODES ? '; for a bipartite graph pass bipartite: true' : ''),
      )
    }
    const edges = (nodes * (nodes - 1)) / 2
    const origin = { module: import.meta.url, export: 'matching', args: [{ nodes, bipartite }] }
    const definition: SolverDefinition = bipartite
      ? {
          name: 'matching',
          origin,
          instanceRank: 2,
          axes: ['n', 'n'],
          check: (shape, fn) => {
            if (shape[0] !== nodes || shape[1] !== nodes) {
              throw new ArgumentError(
                `${fn}: an instance of theta must have shape [${nodes}, ${nodes}] (a score per pair of a left and a right node) ` +
                  `but got [${shape.join(', ')}]`,
              )
            }
          },
          kernel: (theta, out, count) => {
            const bad = assignmentMask(theta, count, nodes, nodes, out)
            if (bad >= 0) throw nonFiniteScoreError('matching', theta, bad, nodes, nodes)
          },
        }
      : {
          name: 'matching',
          origin,
          instanceRank: 1,
          axes: ['E'],
          check: checkEdgeScores(nodes),
          kernel: (theta, out, count) => {
            const bad = matchingMask(theta, count, nodes, out)
            if (bad >= 0) {
              const inst = Math.floor(bad / edges)
              const k = bad - inst * edges
              throw new ArgumentError(
                `matching: theta must be finite but got ${theta[bad]} at instance ${inst}, edge ${k} ${edgeName(nodes, k)}; ` +
                  'to forbid an edge, give it a large negative finite score',
              )
            }
          },
        }
    return define(definition, { nodes, bipartite }) as Matching
  },
)
