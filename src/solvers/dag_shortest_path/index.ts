/**
 * The `dagShortestPath(options)` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, PositiveInt, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { dagArcCount, dagShortestPathMask } from './kernel.js'

export { dagArcCount, dagShortestPathArcs, dagShortestPathMask } from './kernel.js'

/**
 * The codec of `dagShortestPath`'s options: `grid`, the `[h, w]` node grid (positive
 * integers; `[1, 1]` has no arcs and gives the empty path). As JSON:
 * `{ "type": "dagShortestPath", "grid": [5, 5] }`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.DagShortestPathConfig.is({ grid: [5, 5] })   // true
 * solvers.DagShortestPathConfig.is({ grid: [5, 0] })   // false
 * ```
 */
export const DagShortestPathConfig = t.type({ grid: t.tuple([PositiveInt, PositiveInt], '[h, w] (positive integers)') })
/** The decoded options of `dagShortestPath`. */
export type DagShortestPathConfig = t.TypeOf<typeof DagShortestPathConfig>

/** The `dagShortestPath` solver record: `theta [m] -> float32 [m]`, the 0/1 arcs of a path. */
export interface DagShortestPath extends Solver<'dagShortestPath'> {
  /** The node grid `[h, w]`; `theta` has one entry per arc, `h * (w - 1) + (h - 1) * w`. */
  readonly grid: readonly [h: number, w: number]
}

/** `arc a (node u -> node v)` for arc `a` of a grid `w` nodes wide, in PyEPO's order. */
function describeArc(a: number, w: number): string {
  const i = Math.floor(a / (2 * w - 1))
  const c = a - i * (2 * w - 1) // < w - 1: a right arc from column c; else a down arc from column c - (w - 1)
  const from = c < w - 1 ? i * w + c : i * w + c - (w - 1)
  return `arc ${a} (node ${from} -> node ${c < w - 1 ? from + 1 : from + w})`
}

/**
 * The DAG shortest-path solver, PyEPO's shortest-path problem: `dagShortestPath({ grid: [h, w] })`
 * solves, on an `h x w` grid of nodes with arcs going right and down only, for the path from
 * the top-left node to the bottom-right node that maximises `<theta, z>`, `z` the 0/1 vector
 * of its arcs: `theta` is MINUS the arc costs, in PyEPO's arc order (row by row: the right arcs
 * of a row, then the down arcs below it; `dagShortestPathArcs(h, w)` lists them as node pairs),
 * so PyEPO's `shortestPathModel(grid)` solution for costs `c` is (up to ties) this solver's
 * output for `theta = -c`. Dynamic programming over the DAG (`dagShortestPathMask`), O(h * w)
 * per instance, one `h * w` scratch array per kernel call.
 *
 * Guarantees: exact for any signs of `theta` (every path has `h + w - 2` arcs; no shift is
 * needed or made). Ties: among the optimal paths, the one whose list of arc indices is
 * lexicographically smallest, i.e. from each node the path goes right when right is at least
 * as good as down. `-Infinity` is an ordinary value that forbids an arc: a path through it is
 * chosen only when every path is forbidden, and then all paths tie at `-Infinity` and the tie
 * rule picks the top row then the last column. NaN and `+Infinity` throw an `ArgumentError`
 * naming the instance, the arc and its nodes (the first bad arc of the first bad instance).
 *
 * Shapes, `m = h * (w - 1) + (h - 1) * w`: `([m]) -> [m]`; `batched: ([N, m]) -> [N, m]`;
 * `vmap` over it is one kernel call. Throws a `ConfigError` for bad options (`grid` missing or
 * not two positive integers), an `ArgumentError` when `theta` is not of rank 1 (rank 2 for
 * `batched`), not float32/int32, or not of length `m`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const solver = solvers.dagShortestPath({ grid: [2, 2] })   // arcs [0->1, 0->2, 1->3, 2->3]
 * solver(tf.neg(tf.tensor1d([5, 1, 1, 1])))                  // [0, 1, 0, 1]: 0 -> 2 -> 3
 * solver(tf.neg(tf.tensor1d([1, 1, 1, 1])))                  // [1, 0, 1, 0]: tie, right first
 * vmap(solvers.dagShortestPath({ grid: [5, 5] }))(tf.neg(tf.randomUniform([32, 40])))   // [32, 40]
 * ```
 */
export const dagShortestPath = configured<typeof DagShortestPathConfig, DagShortestPath, OptionsOf<typeof DagShortestPathConfig, 'grid'>>(
  'dagShortestPath',
  DagShortestPathConfig,
  {},
  ({ grid: [h, w] }): DagShortestPath => {
    const m = dagArcCount(h, w)
    return define(
      {
        name: 'dagShortestPath',
        instanceRank: 1,
        axes: ['m'],
        origin: { module: import.meta.url, export: 'dagShortestPath', args: [{ grid: [h, w] }] },
        check: ([len], fn) => {
          if (len !== m) {
            throw new ArgumentError(
              `${fn}: an instance of theta must have shape [${m}], one score per arc of the ${h}x${w} grid ` +
                `(options.grid [${h}, ${w}] has h * (w - 1) + (h - 1) * w = ${m} arcs), but got [${len}]`,
            )
          }
        },
        kernel: (theta, out, count) => {
          let bad = dagShortestPathMask(theta, count, h, w, out)
          if (bad >= 0) {
            const inst = Math.floor(bad / m)
            // The kernel reads an instance from the sink backwards: name its first bad arc.
            for (let a = inst * m; a < bad; a++) {
              if (!(theta[a]! < Infinity)) {
                bad = a
                break
              }
            }
            throw new ArgumentError(
              `dagShortestPath: theta must not contain NaN or +Infinity (-Infinity is allowed: it forbids the arc) ` +
                `but got ${theta[bad]} at instance ${inst}, ${describeArc(bad - inst * m, w)}`,
            )
          }
        },
      },
      { grid: Object.freeze([h, w] as const) },
    ) as DagShortestPath
  },
)
