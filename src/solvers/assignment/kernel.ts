/**
 * The linear assignment kernel: for each `[n, m]` score matrix of a batch (`n <= m`), the 0/1
 * matrix that assigns every row to its own column with the largest total score, by the
 * Hungarian algorithm in its shortest-augmenting-path form with dual potentials. Pure
 * TypedArray code (no tfjs), so it runs unchanged in a worker; the `matching` solver reuses it
 * for bipartite graphs.
 *
 * Algorithm. Costs are `a_ij = -theta_ij` (minimised). Rows are added one at a time; for each,
 * a Dijkstra-like search over the columns, on the reduced costs `a_ij - u_i - v_j >= 0`, finds
 * the cheapest augmenting path from the new row to a free column, the potentials `u`, `v` are
 * moved so that the reduced costs stay nonnegative and vanish on the matched pairs, and the
 * matching is flipped along the path. Each row costs O(n m), so O(n^2 m) per instance, O(n^3)
 * for a square one. The arithmetic is float64; the scratch (potentials, the column labels and
 * the search state, O(n + m)) is allocated once per kernel call and reused by every instance.
 *
 * Guarantees. Optimal in exact arithmetic (the complementary slackness of the final
 * potentials); in float64, optimal up to rounding of the potentials, and exactly optimal for
 * integer scores (the potentials are then sums and differences of integers). Ties: among tied
 * optima the result is a deterministic function of the scores (the same on every backend and at
 * every position in a batch), but which optimum is returned is not specified.
 *
 * @module
 */

/**
 * Writes, for each of the `batch` instances of `theta` (row-major `[batch, n, m]`, `1 <= n <=
 * m`), an optimal assignment into the same place of `out`: a 0/1 `[n, m]` matrix with exactly
 * one 1 in each row and at most one in each column (a permutation matrix when `n = m`) that
 * maximises `<theta, P>`. Ties: deterministic, unspecified (see the module notes). `out` must be
 * zeroed (as a solver's output is). Returns -1, or the flat index of the first entry of an
 * instance that is not finite (NaN or `±Infinity`), where it stops.
 *
 * Shapes: `([batch, n, m]) -> [batch, n, m]`, flat row-major. Time O(n^2 m) an instance.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const out = new Float32Array(4)
 * // theta [[1, 3], [2, 1]]: the swap scores 3 + 2 = 5, the identity 1 + 1 = 2.
 * solvers.assignmentMask(Float32Array.of(1, 3, 2, 1), 1, 2, 2, out)   // -1; out = [0, 1, 1, 0]
 * ```
 */
export function assignmentMask(theta: Float32Array, batch: number, n: number, m: number, out: Float32Array): number {
  const size = n * m
  // 1-based rows and columns; column 0 is the virtual start of each search.
  const u = new Float64Array(n + 1) // row potentials
  const v = new Float64Array(m + 1) // column potentials
  const minv = new Float64Array(m + 1) // cheapest reduced cost from the search tree to each column
  const match = new Int32Array(m + 1) // match[j]: the row assigned to column j, 0 if free
  const way = new Int32Array(m + 1) // way[j]: the column before j on the cheapest path
  const used = new Uint8Array(m + 1) // columns already in the search tree
  for (let b = 0; b < batch; b++) {
    const off = b * size
    for (let k = 0; k < size; k++) {
      const x = theta[off + k]!
      if (x - x !== 0) return off + k // NaN and ±Infinity
    }
    u.fill(0)
    v.fill(0)
    match.fill(0)
    for (let i = 1; i <= n; i++) {
      match[0] = i
      let j0 = 0
      minv.fill(Infinity)
      used.fill(0)
      do {
        used[j0] = 1
        const i0 = match[j0]!
        const rowOff = off + (i0 - 1) * m - 1
        const ui = u[i0]!
        let delta = Infinity
        let j1 = 0
        for (let j = 1; j <= m; j++) {
          if (used[j] === 1) continue
          const cur = -theta[rowOff + j]! - ui - v[j]!
          if (cur < minv[j]!) {
            minv[j] = cur
            way[j] = j0
          }
          if (minv[j]! < delta) {
            delta = minv[j]!
            j1 = j
          }
        }
        // m >= n leaves a free column unvisited, and every reduced cost is finite, so j1 > 0.
        for (let j = 0; j <= m; j++) {
          if (used[j] === 1) {
            u[match[j]!]! += delta
            v[j]! -= delta
          } else {
            minv[j]! -= delta
          }
        }
        j0 = j1
      } while (match[j0] !== 0)
      // Flip the matching along the path back to the virtual column 0.
      do {
        const j1 = way[j0]!
        match[j0] = match[j1]!
        j0 = j1
      } while (j0 !== 0)
    }
    for (let j = 1; j <= m; j++) {
      const i = match[j]!
      if (i !== 0) out[off + (i - 1) * m + (j - 1)] = 1
    }
  }
  return -1
}
