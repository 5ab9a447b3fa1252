/**
 * The metrics of learning to explain, on the host: L2X's median rank of the true features,
 * the precision of the selected subset, and agreement rates.
 *
 * @module
 */
import { fillUniform } from '../../core/random/fill.js'

/**
 * L2X's median rank (`create_rank` and `compute_median_rank` of its `synthetic/explain.py`):
 * for each example, the features are ranked by decreasing score (rank 1 the highest), ties
 * broken by a uniform random order; the example's value is the median of the ranks of its
 * relevant features. L2X scores with the test-time explanation itself, the k-hot MAP mask, so
 * the selected features take ranks 1..k in random order: when the selected subset is exactly
 * the relevant one, the value is `(k + 1) / 2`, the ideal. Returns the mean and the standard
 * deviation over examples (L2X prints both). The tie-breaking order comes from key words
 * `key` (deterministic).
 *
 * Shapes: `scores [n, d]`, `relevant [n, d]` (0/1) -> numbers.
 *
 * @example
 * ```ts
 * medianRank(Float32Array.of(1, 1, 0, 0), Uint8Array.of(1, 1, 0, 0), 1, 4, [0, 0])   // { mean: 1.5, std: 0 }
 * ```
 */
export function medianRank(scores: ArrayLike<number>, relevant: ArrayLike<number>, n: number, d: number, key: readonly [number, number]): { mean: number; std: number } {
  const u = new Float64Array(n * d)
  fillUniform(key[0], key[1], u)
  const order = new Int32Array(d)
  const rank = new Int32Array(d)
  const ranks: number[] = []
  let sum = 0
  let sum2 = 0
  for (let i = 0; i < n; i++) {
    const off = i * d
    for (let j = 0; j < d; j++) order[j] = j
    order.sort((a, b) => scores[off + b]! - scores[off + a]! || u[off + a]! - u[off + b]!)
    for (let r = 0; r < d; r++) rank[order[r]!] = r + 1
    ranks.length = 0
    for (let j = 0; j < d; j++) if (relevant[off + j] === 1) ranks.push(rank[j]!)
    ranks.sort((a, b) => a - b)
    const m = ranks.length
    const med = m === 0 ? NaN : m % 2 === 1 ? ranks[(m - 1) / 2]! : (ranks[m / 2 - 1]! + ranks[m / 2]!) / 2
    sum += med
    sum2 += med * med
  }
  const mean = sum / n
  return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) }
}

/**
 * The mean over examples of `|selected ∩ relevant| / |selected|`: the precision of the
 * explanation (the I-MLE paper's subset precision, here against the known relevant features).
 *
 * Shapes: `mask [n, d]`, `relevant [n, d]` (0/1) -> a number in [0, 1].
 *
 * @example
 * ```ts
 * subsetPrecision(Float32Array.of(1, 1, 0, 0), Uint8Array.of(1, 0, 1, 0), 1, 4)   // 0.5
 * ```
 */
export function subsetPrecision(mask: ArrayLike<number>, relevant: ArrayLike<number>, n: number, d: number): number {
  let total = 0
  for (let i = 0; i < n; i++) {
    let hit = 0
    let sel = 0
    for (let j = i * d; j < (i + 1) * d; j++) {
      if (mask[j]! > 0.5) {
        sel++
        if (relevant[j] === 1) hit++
      }
    }
    total += sel === 0 ? 0 : hit / sel
  }
  return total / n
}

/**
 * The fraction of positions where two label arrays agree.
 *
 * @example
 * ```ts
 * agreement(Int32Array.of(0, 1, 1), Int32Array.of(0, 1, 0))   // 0.666...
 * ```
 */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++
  return same / a.length
}

/**
 * Mean and sample standard deviation (0 for one value).
 *
 * @example
 * ```ts
 * meanStd([1, 3])   // { mean: 2, std: 1.414..., n: 2 }
 * ```
 */
export function meanStd(xs: readonly number[]): { readonly mean: number; readonly std: number; readonly n: number } {
  const n = xs.length
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0
  return { mean, std, n }
}
