/**
 * The `spanningTree(options)` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { spanningTreeMask } from './kernel.js'

export { completeGraphEdges, edgeIndex, spanningTreeMask } from './kernel.js'

/**
 * The codec of `spanningTree`'s options: `nodes`, the number of nodes of the complete graph
 * (an integer >= 2; the factory checks the value).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.SpanningTreeConfig.is({ nodes: 5 })   // true
 * ```
 */
export const SpanningTreeConfig = t.type({ nodes: t.number })
/** The decoded options of `spanningTree`. */
export type SpanningTreeConfig = t.TypeOf<typeof SpanningTreeConfig>

/** The `spanningTree` solver record: `theta [E] -> float32 [E]`, the mask of `nodes - 1` tree edges. */
export interface SpanningTree extends Solver<'spanningTree'> {
  /** The number of nodes of the complete graph; `E = nodes (nodes - 1) / 2`. */
  readonly nodes: number
}

/**
 * The `check` of a solver whose instance is one score per edge of the complete graph on
 * `nodes` nodes (`theta [E]`, `E = nodes (nodes - 1) / 2`): an `ArgumentError` naming the call
 * for another shape. Shared with the general `matching`; not part of the public API.
 *
 * @internal
 */
export const checkEdgeScores = (nodes: number) => (shape: readonly number[], fn: string): void => {
  const edges = (nodes * (nodes - 1)) / 2
  if (shape[0] !== edges) {
    throw new ArgumentError(
      `${fn}: an instance of theta must have shape [E] = [${edges}] (one score per edge of the complete graph on ` +
        `${nodes} nodes, in the order of completeGraphEdges(${nodes})) but got [${shape.join(', ')}]`,
    )
  }
}

/**
 * The edge `(i, j)` of index `k` in the order of `completeGraphEdges(nodes)`, as text for
 * messages (`'(1, 3)'`). Shared with the general `matching`; not part of the public API.
 *
 * @internal
 */
export function edgeName(nodes: number, k: number): string {
  let i = 0
  let first = 0
  while (k >= first + nodes - 1 - i) {
    first += nodes - 1 - i
    i++
  }
  return `(${i}, ${i + 1 + k - first})`
}

/**
 * The maximum-weight spanning tree solver: `spanningTree({ nodes })(theta)` is the 0/1 mask,
 * over the `E = nodes (nodes - 1) / 2` edges of the complete graph in the order of
 * `completeGraphEdges(nodes)` (`(0, 1), (0, 2), ..., (n-2, n-1)`), of the spanning tree that
 * maximises `<theta, z>`, by Kruskal's algorithm (`spanningTreeMask`). A score of `-Infinity`
 * keeps an edge out unless it is needed to connect the tree.
 *
 * Guarantees. Exact (comparisons only): the mask always has `nodes - 1` edges forming a tree,
 * of maximum total score. Ties: edges are ranked by score descending, then by the lower edge
 * index, and Kruskal's tree in that order is returned, i.e. among the maximum spanning trees,
 * the one whose edges listed best first in that order come first lexicographically. `±Infinity`
 * are ordinary scores; NaN throws. Time O(E + k log E) per instance for the `k` edges scanned,
 * O(n^2 log n) at worst.
 *
 * Shapes: `([E]) -> [E]`; `batched: ([N, E]) -> [N, E]`; `vmap` over it is one kernel call.
 * Throws a `ConfigError` when `nodes` is missing or not a number, and an `ArgumentError` when
 * `nodes` is not an integer >= 2, or at a call when `theta` does not have shape `[E]` (`[N, E]`
 * for `batched`) or contains NaN.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const solver = solvers.spanningTree({ nodes: 3 })     // edges (0, 1), (0, 2), (1, 2)
 * solver(tf.tensor1d([5, 1, 3]))                        // [1, 0, 1]
 * solver(tf.tensor1d([2, 2, 2]))                        // [1, 1, 0]: ties to the lower edge index
 * vmap(solvers.spanningTree({ nodes: 6 }))(tf.randomNormal([16, 15]))   // [16, 15], 5 edges a row
 * ```
 */
export const spanningTree = configured<typeof SpanningTreeConfig, SpanningTree, OptionsOf<typeof SpanningTreeConfig, 'nodes'>>(
  'spanningTree',
  SpanningTreeConfig,
  {},
  ({ nodes }): SpanningTree => {
    if (!Number.isInteger(nodes) || nodes < 2) {
      throw new ArgumentError(
        `spanningTree(options.nodes): nodes must be an integer >= 2 (the nodes of the complete graph) but got ${nodes}`,
      )
    }
    const edges = (nodes * (nodes - 1)) / 2
    return define(
      {
        name: 'spanningTree',
        instanceRank: 1,
        axes: ['E'],
        check: checkEdgeScores(nodes),
        kernel: (theta, out, count) => {
          const bad = spanningTreeMask(theta, count, nodes, out)
          if (bad >= 0) {
            const inst = Math.floor(bad / edges)
            const k = bad - inst * edges
            throw new ArgumentError(
              `spanningTree: theta must not contain NaN (NaN has no rank) but got NaN at instance ${inst}, ` +
                `edge ${k} ${edgeName(nodes, k)}`,
            )
          }
        },
        origin: { module: import.meta.url, export: 'spanningTree', args: [{ nodes }] },
      },
      { nodes },
    ) as SpanningTree
  },
)
