/**
 * The 0/1 knapsack kernel: for each instance of a batch of item scores, the 0/1 mask of the
 * item set of largest total score whose integer weights fit under every capacity, found by
 * dynamic programming over the remaining capacity. Pure TypedArray code (no tfjs), so it runs
 * unchanged in a worker.
 *
 * The table. With `m` constraints, capacities `C_i` and weights `w_ij >= 0`, the capacities are
 * first clipped to `c_i = min(C_i, sum_j w_ij)` (a capacity above the total weight never binds),
 * and a state is a vector of remaining capacities `r` in the box `[0, c_0] x ... x [0, c_{m-1}]`,
 * numbered in mixed radix (dimension `m - 1` fastest), so there are `S = prod_i (c_i + 1)`
 * states. `f_j(r)` is the best score of a set of the items `0..j-1` fitting in `r`; one
 * Float64Array of `S` values holds `f_j`, updated in place for item `j` by scanning the states
 * where the item fits in decreasing order (so `f_j(r - w_j)` is read before it is overwritten),
 * and one byte per (item, state) records whether taking item `j` is a STRICT improvement at that
 * state. Reconstruction walks back from the last item at the full capacity. Time O(n S) per
 * instance, memory `8 S + n S` bytes per kernel call, reused by every instance.
 *
 * Ties. Walking back from the last item, an item is taken only where taking it is strictly
 * better than leaving it out, given the decisions on the items after it. So among the optimal
 * sets the result is the one whose indicator, read as the binary number `sum_j z_j 2^j`, is
 * smallest: later items are left out first, a lower index wins among equally good items, and an
 * item with `theta <= 0` (including `-Infinity`) is never taken. The rule holds for the float64
 * values the table computes, which are exact when the partial sums are (integer scores up to
 * 2^53 in total, for instance); for general scores optimality is up to float64 rounding.
 *
 * @module
 */

/**
 * Writes, for each of the `batch` instances of `theta` (row-major `[batch, n]`, one score per
 * item), the 0/1 mask of an optimal knapsack into the same row of `out`:
 * `argmax_z <theta, z>` over `z in {0,1}^n` with `sum_j weights[i*n + j] z_j <= capacity[i]`
 * for every constraint `i`. `weights` is row-major `[m, n]`, `capacity` has length `m >= 1`,
 * both nonnegative integers (unchecked here); the table of `n * prod_i (min(capacity_i,
 * sum_j weights_ij) + 1)` bytes must be allocatable (the `knapsack` record checks a limit).
 * Ties: among optimal sets, the smallest `sum_j z_j 2^j` (see the module notes), so `theta <= 0`
 * is never taken. Returns -1, or the flat index of the first NaN or `+Infinity` in an instance,
 * where it stops (`-Infinity` is allowed: such an item is never taken).
 *
 * Shapes: `([batch, n]) -> [batch, n]`, flat row-major.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const out = new Float32Array(3)
 * // weights [2, 3, 4], capacity 5: {0, 1} (score 5) beats {2} (score 4).
 * solvers.knapsackMask(Float32Array.of(2, 3, 4), 1, Int32Array.of(2, 3, 4), Int32Array.of(5), out)   // -1; out = [1, 1, 0]
 * ```
 */
export function knapsackMask(
  theta: Float32Array,
  batch: number,
  weights: Int32Array,
  capacity: Int32Array,
  out: Float32Array,
): number {
  const m = capacity.length
  const n = weights.length / m
  const last = m - 1
  // Clipped capacities, mixed-radix strides, and each item's offset in state numbering.
  const cap = new Int32Array(m)
  for (let i = 0; i < m; i++) {
    let total = 0
    for (let j = 0; j < n; j++) total += weights[i * n + j]!
    cap[i] = Math.min(capacity[i]!, total)
  }
  const stride = new Int32Array(m)
  let states = 1
  for (let i = last; i >= 0; i--) {
    stride[i] = states
    states *= cap[i]! + 1
  }
  const shift = new Int32Array(n) // sum_i w_ij stride_i: state r - w_j is state index s - shift[j]
  const fits = new Uint8Array(n) // whether item j fits in the full capacity on its own
  for (let j = 0; j < n; j++) {
    let s = 0
    let ok = 1
    for (let i = 0; i < m; i++) {
      const w = weights[i * n + j]!
      if (w > cap[i]!) ok = 0
      s += w * stride[i]!
    }
    shift[j] = s
    fits[j] = ok
  }
  // Scratch, allocated once and reused by every instance.
  const f = new Float64Array(states) // f_j(r), updated in place item by item
  const take = new Uint8Array(n * states) // take[j * S + s]: item j strictly improves at state s
  const digit = new Int32Array(m) // the odometer over the remaining capacities
  for (let b = 0; b < batch; b++) {
    const row = b * n
    for (let j = 0; j < n; j++) {
      const v = theta[row + j]!
      if (v !== v || v === Infinity) return row + j
    }
    f.fill(0)
    for (let j = 0; j < n; j++) {
      const t = theta[row + j]!
      // An item with t <= 0 never strictly improves (f is nondecreasing in r): skip it, and
      // the walk back below skips it too, so its row of `take` is never read.
      if (!(t > 0) || fits[j] === 0) continue
      const base = j * states
      const sh = shift[j]!
      const wLast = weights[last * n + j]!
      const capLast = cap[last]!
      // Scan the box r_i in [w_ij, c_i] in decreasing state order: the last dimension in the
      // inner loop, the others by an odometer whose leading part of the index is `head`.
      let head = 0
      for (let i = 0; i < last; i++) {
        digit[i] = cap[i]!
        head += cap[i]! * stride[i]!
      }
      for (;;) {
        for (let d = capLast; d >= wLast; d--) {
          const s = head + d
          const cand = t + f[s - sh]!
          if (cand > f[s]!) {
            f[s] = cand
            take[base + s] = 1
          } else {
            take[base + s] = 0
          }
        }
        let i = last - 1
        for (; i >= 0; i--) {
          if (digit[i]! > weights[i * n + j]!) {
            digit[i]!--
            head -= stride[i]!
            break
          }
          head += (cap[i]! - digit[i]!) * stride[i]!
          digit[i] = cap[i]!
        }
        if (i < 0) break
      }
    }
    // Walk back from the last item at the full capacity. A state where item j does not fit
    // lies outside its box, whose row of `take` is never written and stays 0; an item skipped
    // above may hold another instance's decisions, so it is skipped here too.
    let s = states - 1
    for (let j = n - 1; j >= 0; j--) {
      if (!(theta[row + j]! > 0) || take[j * states + s] === 0) continue
      out[row + j] = 1
      s -= shift[j]!
    }
  }
  return -1
}

