/**
 * The argmax kernel: for each row of a `[batch, n]` score matrix, the one-hot vector of its
 * largest entry. Pure TypedArray code (no tfjs), so it runs unchanged in a worker.
 *
 * Ties go to the lower index: the row is scanned once in index order and an entry replaces the
 * current best only when it is strictly larger. `+Infinity` and `-Infinity` are ordinary values
 * (an all `-Infinity` row selects index 0); NaN has no place in the order, and the kernel stops
 * at the first one and reports it, at no cost to the common path. O(n) per row, no allocation.
 *
 * @module
 */

/**
 * Writes, for each of the `batch` rows of `theta` (row-major `[batch, n]`), the one-hot vector
 * of the row's largest entry into the same row of `out`: a single 1 at the first index holding
 * the maximum, zeros elsewhere. Requires `n >= 1`, `theta.length` and `out.length >= batch * n`.
 * Returns -1, or the flat index of a NaN in `theta`, where it stops (rows before it are written,
 * the rest of `out` is left as it was).
 *
 * Shapes: `([batch, n]) -> [batch, n]`, flat row-major. Exact; O(batch * n).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const out = new Float32Array(4)
 * solvers.argmaxOneHot(Float32Array.of(0.5, 2, -1, 2), 1, 4, out)   // -1; out = [0, 1, 0, 0]
 * ```
 */
export function argmaxOneHot(theta: Float32Array, batch: number, n: number, out: Float32Array): number {
  for (let b = 0; b < batch; b++) {
    const off = b * n
    let best = off
    let bestV = theta[off]!
    if (bestV !== bestV) return off
    for (let i = off + 1; i < off + n; i++) {
      const v = theta[i]!
      // A tie keeps the earlier (lower) index: only a strictly larger v wins. Written
      // `!(v <= bestV)` so that a NaN, which fails every comparison, is caught in this branch.
      if (!(v <= bestV)) {
        if (v !== v) return i
        best = i
        bestV = v
      }
    }
    out.fill(0, off, off + n)
    out[best] = 1
  }
  return -1
}
