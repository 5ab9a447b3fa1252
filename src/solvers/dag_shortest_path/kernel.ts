/**
 * The DAG shortest-path kernel, PyEPO's shortest-path problem: an `h x w` grid of nodes
 * (node `v = i * w + j` at row `i`, column `j`), arcs going right and down only, source the
 * top-left node 0, sink the bottom-right node `h * w - 1`. Pure TypedArray code (no tfjs), so it
 * runs unchanged in a worker.
 *
 * Arc order (PyEPO's, `_get_grid_arcs` in `pkg/pyepo/model/utils.py`, formerly
 * `shortestPathModel._getArcs`): row by row, first the `w - 1` right arcs of row `i` from left
 * to right, then (except after the last row) the `w` down arcs from row `i` to row `i + 1`
 * from left to right. So the right arc out of `(i, j)` has index `i * (2w - 1) + j`, the down
 * arc `i * (2w - 1) + (w - 1) + j`, and there are `h * (w - 1) + (h - 1) * w` arcs.
 *
 * The MAP convention of the solvers: `theta` scores arcs (minus the arc costs) and the path
 * maximises the sum of `theta` over its arcs. Every source-sink path has `h + w - 2` arcs and
 * the graph is acyclic, so dynamic programming is exact whatever the signs: `g[v]`, the best
 * score from `v` to the sink, is computed in reverse row-major order (both successors of a node
 * come after it), then the path is traced forward from the source. Ties: at each node the path
 * takes the right arc when it is at least as good as the down arc, which selects, among the
 * optimal paths, the one whose list of arc indices is lexicographically smallest (arc indices
 * increase along any path, and the right arc out of a node has the lower index). O(h * w) per
 * instance, one Float64Array scratch per kernel call.
 *
 * Non-finite scores: `-Infinity` is an ordinary value that forbids an arc: a path through it
 * scores `-Infinity`, so it is chosen only when every path is forbidden, and then all paths tie
 * and the tie rule gives the top row then the last column. (The trace checks for that case:
 * following the suffix scores would pick a path that is best after its forbidden arcs, which
 * is not what the tie rule says.) `+Infinity` and NaN would make sums NaN
 * (`+Infinity - Infinity`) and are reported.
 *
 * @module
 */

/**
 * The number of arcs of PyEPO's `h x w` grid: `h * (w - 1) + (h - 1) * w`, the length of
 * `theta` for `dagShortestPath({ grid: [h, w] })`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.dagArcCount(5, 5)   // 40
 * ```
 */
export const dagArcCount = (h: number, w: number): number => h * (w - 1) + (h - 1) * w

/**
 * The arcs of PyEPO's `h x w` grid in PyEPO's order (see the module notes), as
 * `[from, to]` node pairs with node `i * w + j` at row `i`, column `j`: entry `a` is the arc
 * that entry `a` of `theta` and of the solver's output refer to.
 *
 * Shapes: `(h, w) -> [h * (w - 1) + (h - 1) * w]` pairs.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.dagShortestPathArcs(2, 3)   // [[0, 1], [1, 2], [0, 3], [1, 4], [2, 5], [3, 4], [4, 5]]
 * ```
 */
export function dagShortestPathArcs(h: number, w: number): [from: number, to: number][] {
  const arcs: [number, number][] = []
  for (let i = 0; i < h; i++) {
    for (let j = 0; j + 1 < w; j++) arcs.push([i * w + j, i * w + j + 1])
    if (i + 1 < h) for (let j = 0; j < w; j++) arcs.push([i * w + j, (i + 1) * w + j])
  }
  return arcs
}

/**
 * Writes, for each of the `batch` instances of `theta` (row-major `[batch, m]`, `m` the arc
 * count of the `h x w` grid, scores = minus the arc costs, in PyEPO's arc order), the 0/1 arc
 * vector of a source-sink path of maximum total score into the same row of `out`; among
 * optimal paths, the one with the lexicographically smallest arc-index list (right before down
 * at every tie). Requires `h, w >= 1`, `theta.length` and `out.length >= batch * m`. Returns -1,
 * or the flat index of a NaN or `+Infinity` of the first instance holding one (not necessarily
 * the first of that instance: the scores are read from the sink backwards), where it stops
 * (earlier instances are written). A 1x1 grid has no arcs: its path is empty.
 *
 * Shapes: `([batch, m]) -> [batch, m]`, flat row-major. Exact; O(batch * h * w).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * // 2x2 grid, arcs [0->1, 0->2, 1->3, 2->3]: the path 0 -> 2 -> 3 scores -1 - 1 = -2.
 * const out = new Float32Array(4)
 * solvers.dagShortestPathMask(Float32Array.of(-5, -1, -1, -1), 1, 2, 2, out)   // -1
 * out                                                                          // [0, 1, 0, 1]
 * ```
 */
export function dagShortestPathMask(theta: Float32Array, batch: number, h: number, w: number, out: Float32Array): number {
  const m = dagArcCount(h, w)
  const stride = 2 * w - 1 // arcs per row of nodes: w - 1 right arcs, then w down arcs
  const sink = h * w - 1
  // g[v]: the best score of a path from node v to the sink. Allocated once.
  const g = new Float64Array(h * w)
  for (let b = 0; b < batch; b++) {
    const off = b * m
    g[sink] = 0
    for (let i = h - 1; i >= 0; i--) {
      const row = off + i * stride
      for (let j = w - 1; j >= 0; j--) {
        const v = i * w + j
        if (v === sink) continue
        let best = -Infinity
        if (j + 1 < w) {
          const s = theta[row + j]!
          // `!(s < Infinity)` is NaN or +Infinity: both make sums undefined.
          if (!(s < Infinity)) return row + j
          best = s + g[v + 1]!
        }
        if (i + 1 < h) {
          const s = theta[row + w - 1 + j]!
          if (!(s < Infinity)) return row + w - 1 + j
          const down = s + g[v + w]!
          // The larger of the two (which one wins a tie does not matter: the trace decides).
          if (j + 1 === w || down > best) best = down
        }
        g[v] = best
      }
    }
    out.fill(0, off, off + m)
    // Trace from the source, right whenever right is at least as good as down. When every
    // path is forbidden (g[0] is -Infinity) all paths tie, and the smallest arc list is the
    // top row then the last column: right whenever possible.
    const forbidden = g[0] === -Infinity
    let i = 0
    let j = 0
    while (i * w + j !== sink) {
      const row = off + i * stride
      const v = i * w + j
      if (j + 1 < w && (i + 1 === h || forbidden || theta[row + j]! + g[v + 1]! >= theta[row + w - 1 + j]! + g[v + w]!)) {
        out[row + j] = 1
        j++
      } else {
        out[row + w - 1 + j] = 1
        i++
      }
    }
  }
  return -1
}
