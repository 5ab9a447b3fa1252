/**
 * Kolmogorov-Smirnov statistics on TypedArrays, for checking samplers against a CDF or against
 * each other. Critical values are the asymptotic ones, `c(alpha) = sqrt(-ln(alpha / 2) / 2)`
 * (`c(0.001) = 1.9495`), times `1/sqrt(n)` (one sample) or `sqrt((n + m) / (n m))` (two samples).
 * Test support: used by the sampler tests, not part of the package.
 *
 * @module
 */
import { ArgumentError } from '../../src/core/errors.js'

/** A Kolmogorov-Smirnov test: the statistic, its critical value at `alpha`, the verdict. */
export interface KsTest {
  /** `sup_x |F_n(x) - F(x)|` (one sample) or `sup_x |F_n(x) - G_m(x)|` (two samples). */
  readonly statistic: number
  /** The asymptotic critical value at level `alpha`. */
  readonly critical: number
  readonly alpha: number
  /** `statistic > critical`: the hypothesis of equal laws is rejected at level `alpha`. */
  readonly reject: boolean
}

/**
 * The asymptotic Kolmogorov constant `c(alpha) = sqrt(-ln(alpha / 2) / 2)`, so that
 * `Pr[sqrt(n) D_n > c(alpha)] -> alpha`. This keeps the first term of Kolmogorov's series
 * `alpha = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 c^2)`; the next term changes `alpha` by
 * `2 (alpha/2)^4`, below `1e-12` at `alpha = 0.001`. `ksConstant(0.001) = 1.9495`.
 *
 * Shapes: `number -> number`.
 *
 * @example
 * ```ts
 * ksConstant(0.001)   // 1.9495
 * ```
 */
export function ksConstant(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) {
    throw new ArgumentError(`ksConstant(alpha): alpha must lie in (0, 1) but got ${String(alpha)}`)
  }
  return Math.sqrt(-0.5 * Math.log(alpha / 2))
}

/**
 * The asymptotic critical value of the KS statistic at level `alpha`: `c(alpha) / sqrt(n)` for
 * one sample of size `n`, `c(alpha) sqrt((n + m) / (n m))` for two samples of sizes `n`, `m`.
 *
 * Shapes: scalars `(alpha, n, m?) -> number`.
 *
 * @example
 * ```ts
 * ksCritical(0.001, 20000, 20000)   // 1.9495 * sqrt(2 / 20000) ~= 0.0195
 * ```
 */
export function ksCritical(alpha: number, n: number, m?: number): number {
  checkSize('ksCritical', 'n', n)
  if (m === undefined) return ksConstant(alpha) / Math.sqrt(n)
  checkSize('ksCritical', 'm', m)
  return ksConstant(alpha) * Math.sqrt((n + m) / (n * m))
}

/**
 * The one-sample KS statistic `D_n = sup_x |F_n(x) - cdf(x)|` of an ascending sample, computed
 * at the jumps: `max_i max(i/n - cdf(x_i), cdf(x_i) - (i-1)/n)` (ties are handled exactly).
 *
 * Shapes: `sortedSample: [n]` ascending, `cdf: number -> number`; returns a number.
 *
 * @example
 * ```ts
 * const x = new Float64Array([-0.5, 0.1, 0.3, 1.2, 2.0])   // ascending
 * ksStatistic(x, (t) => Math.exp(-Math.exp(-t)))           // distance to Gumbel(0, 1)
 * ```
 */
export function ksStatistic(sortedSample: ArrayLike<number>, cdf: (x: number) => number): number {
  const n = sortedSample.length
  checkSize('ksStatistic', 'sortedSample.length', n)
  let d = 0
  let prev = -Infinity
  for (let i = 0; i < n; i++) {
    const x = sortedSample[i]!
    if (!(x >= prev)) {
      throw new ArgumentError(
        `ksStatistic(sortedSample, cdf): sortedSample must be ascending and free of NaN but ` +
          `sortedSample[${i}] = ${String(x)} follows ${String(prev)}; sort it first`,
      )
    }
    prev = x
    const F = cdf(x)
    const lo = F - i / n // cdf(x) - F_n(x^-)
    const hi = (i + 1) / n - F // F_n(x) - cdf(x)
    if (lo > d) d = lo
    if (hi > d) d = hi
  }
  return d
}

/**
 * The one-sample KS test of an ascending sample against `cdf` at level `alpha` (default 0.001).
 *
 * Shapes: `sortedSample: [n]` ascending; returns a `KsTest`.
 *
 * @example
 * ```ts
 * const sorted = Float64Array.from({ length: 1000 }, () => -Math.log(-Math.log(Math.random() || 0.5))).sort()
 * const { reject } = ksOneSample(sorted, (t) => Math.exp(-Math.exp(-t)))   // Gumbel: false, mostly
 * ```
 */
export function ksOneSample(sortedSample: ArrayLike<number>, cdf: (x: number) => number, alpha = 0.001): KsTest {
  const statistic = ksStatistic(sortedSample, cdf)
  const critical = ksCritical(alpha, sortedSample.length)
  return { statistic, critical, alpha, reject: statistic > critical }
}

/**
 * The two-sample KS test `D = sup_x |F_a(x) - F_b(x)|` at level `alpha` (default 0.001). Sorts
 * copies of the samples; the inputs are not modified. Ties across samples are handled exactly
 * (both empirical CDFs jump before they are compared).
 *
 * Shapes: `a: [n]`, `b: [m]`; returns a `KsTest` with critical value
 * `c(alpha) sqrt((n + m) / (n m))`.
 *
 * @example
 * ```ts
 * const a = Float64Array.from({ length: 2000 }, () => Math.random())
 * const b = Float64Array.from({ length: 3000 }, () => Math.random() ** 2)
 * const { statistic, critical, reject } = ksTwoSample(a, b)   // ~0.25 > ~0.056: true
 * ```
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 0.001): KsTest {
  const n = a.length
  const m = b.length
  checkSize('ksTwoSample', 'a.length', n)
  checkSize('ksTwoSample', 'b.length', m)
  const x = Float64Array.from(a).sort()
  const y = Float64Array.from(b).sort()
  if (Number.isNaN(x[n - 1]!) || Number.isNaN(y[m - 1]!)) {
    throw new ArgumentError(`ksTwoSample(a, b): the samples must not contain NaN`)
  }
  let i = 0
  let j = 0
  let d = 0
  while (i < n && j < m) {
    const v = Math.min(x[i]!, y[j]!)
    while (i < n && x[i]! === v) i++
    while (j < m && y[j]! === v) j++
    const diff = Math.abs(i / n - j / m)
    if (diff > d) d = diff
  }
  const critical = ksCritical(alpha, n, m)
  return { statistic: d, critical, alpha, reject: d > critical }
}

function checkSize(fn: string, name: string, n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new ArgumentError(`${fn}: ${name} must be an integer >= 1 but got ${String(n)}`)
  }
}
