/**
 * The law of I-MLE's Sum-of-Gamma noise, on TypedArrays: exact moments, an exact sampler, an
 * exact CDF, and a fast quantile-table sampler.
 *
 * ## The law
 *
 * With `k > 0` and `s = nbIterations >= 1`, one noise value is
 *
 * ```
 * eps = (sum_{i=1..s} G_i - ln s) / k,      G_i ~ Gamma(shape 1/k, scale k/i) independent.
 * ```
 *
 * This is torch-imle's `SumOfGammaNoiseDistribution`, which draws
 * `Gamma(concentration=1/k, rate=i/k)` (rate `i/k` is scale `k/i`), sums over `i = 1..s`,
 * subtracts `log(s)` and divides by `k`. Moments: `E[G_i] = (1/k)(k/i) = 1/i` and
 * `Var[G_i] = (1/k)(k/i)^2 = k/i^2`, so
 *
 * ```
 * E[eps]   = (H_s - ln s) / k                  (H_s = sum_{i<=s} 1/i)
 * Var[eps] = (1/k^2) sum_i k/i^2 = (sum_{i<=s} 1/i^2) / k
 * ```
 *
 * which are the two moments the I-MLE paper states. Writing `G_i = (k/i) g_i` with
 * `g_i ~ Gamma(1/k, 1)` gives `eps = sum_i g_i / i - (ln s)/k`: one Gamma(1/k, scale 1) stream
 * scaled by `1/i` is all the exact sampler needs. The sum of `k` independent copies (integer
 * `k`) is `sum_i E_i / i - ln s` with `E_i ~ Exp(1)`, which by Rényi's representation is the
 * maximum of `s` standard exponentials minus `ln s`: its CDF is exactly `(1 - e^{-x}/s)^s`,
 * which tends to the Gumbel CDF `exp(-e^{-x})` as `s -> inf` (sup distance about `0.27/s`).
 *
 * ## The exact CDF: a negative-binomial mixture of Gammas
 *
 * Let `X = eps + (ln s)/k = sum_i Gamma(a, rate i)` with `a = 1/k`. Every `Gamma(a, rate i)`
 * with `i <= s` equals in law `Gamma(a + N_i, rate s)` with `N_i ~ NegBin(a, p = i/s)` (compare
 * Laplace transforms: `(1 + t/i)^{-a} = (s/(s+t))^a (p / (1 - (1-p) s/(s+t)))^a`). Hence
 *
 * ```
 * X ~ Gamma(rho + K, rate s),   rho = s/k,   K = sum_{i<s} N_i,
 * F(X) = sum_n w_n P(rho + n, s X),   w_n = Pr[K = n]
 * ```
 *
 * (Moschopoulos' series). The pmf of `K` has the generating function
 * `prod_i (p_i / (1 - q_i z))^a`, `q_i = 1 - i/s`, and satisfies
 * `n w_n = a sum_i A_i(n)` with `A_i(n) = q_i (A_i(n-1) + w_{n-1})`: all terms are positive and
 * the recursion costs `O(s)` per coefficient. It is run until the remaining tail of `K` is below
 * `1e-22` (about `50 s` coefficients; the tail decays like `(1 - 1/s)^n`). Swapping the sums
 * with `P(b, y) = sum_{j>=0} d_j(b, y)`, `d_j = y^{b+j} e^{-y} / Gamma(b+j+1)`, gives
 *
 * ```
 * F(X) = sum_{j>=0} d_j(rho, sX) Pr[K <= j]
 * 1 - F(X) = Q(rho, sX) + sum_{j>=0} d_j(rho, sX) Pr[K > j]
 * ```
 *
 * Both are sums of positive terms over a window of `O(sqrt(sX))` indices around the mode of
 * `d_j`, free of cancellation: `F` keeps its relative accuracy in the left tail and `1 - F` in
 * the right tail. The error is about `1e-13` relative for `s <= 10` and up to `1e-11` for
 * `s = 100` (from `lgamma` of arguments near `sX`); checked against the closed form at `k = 1`
 * and against a Gil-Pelaez inversion of the characteristic function.
 *
 * ## The quantile table
 *
 * `sumOfGammaTable(k, s)` solves `F(X) = u` (or `1 - F(X) = 1 - u` above the median) by
 * safeguarded Newton steps on `ln F` or `-ln(1 - F)`, each knot starting from the previous one
 * (about one series evaluation per knot), to relative accuracy about `1e-13` in `u`. The
 * quantile function is stored as monotone cubic Hermite cells (exact slopes `1/f`, with the
 * Fritsch-Carlson limiter):
 * - bulk: `4096` cells equally spaced in `u` over `[2^-10, 1 - 2^-10]`, `eps` against `u`;
 * - left tail: `4` cells per octave of `u` from `2^-10` down to `2^-64`, `ln X` against `log2 u`;
 * - right tail: `4` cells per octave of `1 - u` from `2^-10` down to `2^-56`, `eps` against
 *   `log2(1 - u)`.
 * Beyond the last knots the last local slope is continued (power law `X ~ u^(1/rho_local)` on
 * the left, tending to the exact exponent `1/rho`; exponential on the right). These regions
 * have probability `2^-64` and `2^-56`: 53-bit uniforms never reach the right one.
 *
 * Measured accuracy (`bench/sum_of_gamma.ts`, tested): the CDF of the table sampler is within
 * `5e-8` of the exact CDF everywhere (`sup_u |F(Q(u)) - u|`, attained at the bulk's edges), and
 * within `1e-7` relative in both tails down to `2^-50`. Build: 2-9 ms for `s <= 100` once the
 * JIT is warm (30-45 ms for the very first call in a process), 70 ms for `s = 1000`. Sampling:
 * about 5 ms per million values. Float32 outputs cannot resolve the singular left end of the
 * density when `s < k` (`eps` values within one float32 ulp of `-shift`); that is a limit of the
 * output type, shared with the exact sampler.
 *
 * The one piece of module state is the table cache of `sumOfGammaTable`: a pure memoization of
 * a deterministic function of `(k, s)`, bounded to `32` entries.
 *
 * @module
 */
import { ArgumentError } from '../core/errors.js'

// ------------------------------------------------------------------------------------------
// Arguments
// ------------------------------------------------------------------------------------------

function checkKS(fn: string, k: number, s: number): void {
  if (!(typeof k === 'number' && Number.isFinite(k) && k > 0)) {
    throw new ArgumentError(`${fn}(k, s): k must be a finite number > 0 but got ${String(k)}`)
  }
  if (!(Number.isInteger(s) && s >= 1)) {
    throw new ArgumentError(
      `${fn}(k, s): s (nbIterations) must be an integer >= 1 but got ${String(s)}`,
    )
  }
}

// ------------------------------------------------------------------------------------------
// Moments
// ------------------------------------------------------------------------------------------

/** The mean and variance of Sum-of-Gamma noise. */
export interface SumOfGammaMoments {
  /** `(H_s - ln s) / k`. */
  readonly mean: number
  /** `(sum_{i<=s} 1/i^2) / k`. */
  readonly variance: number
}

/**
 * The `r`-th cumulant of `eps`: `kappa_1 = (H_s - ln s)/k` and, for `r >= 2`,
 * `kappa_r = (r-1)!/k * sum_{i<=s} i^{-r}` (each `G_i/k ~ Gamma(1/k, scale 1/i)` contributes
 * `(1/k)(r-1)! i^{-r}`). The fourth central moment is `kappa_4 + 3 kappa_2^2`.
 *
 * Shapes: scalars `(k, s, r) -> number`.
 *
 * @example
 * ```ts
 * const k4 = sumOfGammaCumulant(10, 100, 4)   // 6/10 * sum 1/i^4 ~= 0.649
 * ```
 */
export function sumOfGammaCumulant(k: number, s: number, r: number): number {
  checkKS('sumOfGammaCumulant', k, s)
  if (!(Number.isInteger(r) && r >= 1)) {
    throw new ArgumentError(`sumOfGammaCumulant(k, s, r): r must be an integer >= 1 but got ${String(r)}`)
  }
  let sum = 0
  for (let i = s; i >= 1; i--) sum += Math.pow(i, -r) // smallest terms first
  if (r === 1) return (sum - Math.log(s)) / k
  let fact = 1
  for (let j = 2; j < r; j++) fact *= j
  return (fact * sum) / k
}

/**
 * The exact mean `(H_s - ln s)/k` and variance `(sum_{i<=s} 1/i^2)/k` of Sum-of-Gamma noise
 * with parameters `k` and `s = nbIterations`.
 *
 * Shapes: scalars `(k, s) -> { mean, variance }`.
 *
 * @example
 * ```ts
 * const { mean, variance } = sumOfGammaMoments(10, 100)   // ~0.0577, ~0.1635
 * ```
 */
export function sumOfGammaMoments(k: number, s: number): SumOfGammaMoments {
  checkKS('sumOfGammaMoments', k, s)
  return { mean: sumOfGammaCumulant(k, s, 1), variance: sumOfGammaCumulant(k, s, 2) }
}

// ------------------------------------------------------------------------------------------
// Exact sampler
// ------------------------------------------------------------------------------------------

/**
 * A source of Gamma variates: fills `out` with independent `Gamma(shape, scale 1)` values.
 * `iteration` (`1..s`) says which term of the sum the values are for, so that a keyed source
 * can derive one subkey per term (for example `fillGamma(foldIn(key, iteration), shape, out)`).
 */
export type FillGamma = (shape: number, out: Float64Array, iteration: number) => void

/**
 * Draws Sum-of-Gamma noise exactly, as torch-imle does: `s` Gamma variates per value,
 * `eps = sum_{i=1..s} g_i / i - (ln s)/k` with `g_i ~ Gamma(1/k, 1)` from `fillGamma`.
 * Calls `fillGamma(1/k, buffer, i)` once for each `i = 1..s` with a buffer of `out.length`
 * values; all arithmetic is in float64, rounded once into `out`. Cost `O(s * out.length)`.
 *
 * Shapes: `out: [n]` is filled and returned.
 *
 * @example
 * ```ts
 * // k = 1 needs Gamma(1, 1) = Exp(1) variates; a keyed source would fold `iteration` into its key.
 * const fill: FillGamma = (_shape, buf) => {
 *   for (let j = 0; j < buf.length; j++) buf[j] = -Math.log1p(-Math.random())
 * }
 * const eps = sampleSumOfGammaExact(1, 10, new Float32Array(1000), fill)   // [1000]
 * ```
 */
export function sampleSumOfGammaExact<T extends Float32Array | Float64Array>(
  k: number,
  s: number,
  out: T,
  fillGamma: FillGamma,
): T {
  checkKS('sampleSumOfGammaExact', k, s)
  const n = out.length
  const shape = 1 / k
  const acc = new Float64Array(n)
  const buf = new Float64Array(n)
  for (let i = 1; i <= s; i++) {
    fillGamma(shape, buf, i)
    const inv = 1 / i
    for (let j = 0; j < n; j++) acc[j]! += buf[j]! * inv
  }
  const shift = Math.log(s) / k
  for (let j = 0; j < n; j++) out[j] = acc[j]! - shift
  return out
}

// ------------------------------------------------------------------------------------------
// Special functions (private)
// ------------------------------------------------------------------------------------------

const HALF_LOG_2PI = 0.9189385332046728

/** `ln Gamma(x)` for `x > 0`: Stirling series at `x >= 10` (error < 1e-16 relative to terms). */
function lgamma(x: number): number {
  let prod = 1
  while (x < 10) {
    prod *= x
    x += 1
  }
  const r = 1 / x
  const r2 = r * r
  const series =
    r *
    (1 / 12 +
      r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 / 156))))))
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - Math.log(prod)
}

/** The regularized upper incomplete Gamma function `Q(a, x)`, `a > 0`. */
function gammaQ(a: number, x: number): number {
  if (!(x > 0)) return 1
  const logPre = a * Math.log(x) - x - lgamma(a)
  if (x < a + 1) {
    // P(a, x) = x^a e^{-x} / Gamma(a) * sum_n x^n / (a (a+1) ... (a+n))
    let ap = a
    let del = 1 / a
    let sum = del
    for (let n = 0; n < 100000; n++) {
      ap += 1
      del *= x / ap
      sum += del
      if (del < sum * 1e-17) break
    }
    return 1 - sum * Math.exp(logPre)
  }
  // Continued fraction (modified Lentz), as in Numerical Recipes' gcf.
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-16) break
  }
  return Math.exp(logPre) * h
}

// ------------------------------------------------------------------------------------------
// The exact law
// ------------------------------------------------------------------------------------------

/**
 * Sum-of-Gamma noise as a negative-binomial mixture of Gammas (see the module notes):
 * `eps + shift ~ Gamma(rho + K, rate s)` with `Pr[K = n] = weights[n]`, `n <= nMax`.
 * Immutable by convention: do not write into its arrays.
 */
export interface SumOfGammaLaw {
  readonly _tag: 'SumOfGammaLaw'
  readonly k: number
  readonly s: number
  /** `(ln s) / k`: `eps = X - shift` with `X >= 0`. */
  readonly shift: number
  /** `s / k`, the total Gamma shape; the density of `X` behaves like `X^(rho-1)` near 0. */
  readonly rho: number
  /** The largest `n` kept; `Pr[K > nMax] <= truncation`. */
  readonly nMax: number
  /** `Pr[K = n]`, `[nMax + 1]`. */
  readonly weights: Float64Array
  /** `Pr[K <= n]`, `[nMax + 1]`. */
  readonly cdfK: Float64Array
  /** `Pr[K > n]` accumulated from the top (accurate when tiny), `[nMax + 1]`. */
  readonly sfK: Float64Array
  /**
   * `1 - sum(weights)` before renormalisation: the cut tail (below `1e-22`) plus rounding, so a
   * self-check of the series (`|truncation| < 1e-12` in practice).
   */
  readonly truncation: number
}

const K_TAIL_TOL = 1e-22

/**
 * Builds the exact series representation of the Sum-of-Gamma law for `(k, s)`, the basis of
 * `sumOfGammaCdf`, `sumOfGammaSf`, `sumOfGammaPdf` and the quantile table. Cost `O(s * nMax)`
 * with `nMax` about `s * (H_s / k + 50)`: under a millisecond for `s = 100`.
 *
 * Shapes: scalars `(k, s) -> SumOfGammaLaw` holding arrays `[nMax + 1]`.
 *
 * @example
 * ```ts
 * const law = sumOfGammaLaw(10, 100)
 * sumOfGammaCdf(law, 0)   // Pr[eps <= 0]
 * ```
 */
export function sumOfGammaLaw(k: number, s: number): SumOfGammaLaw {
  checkKS('sumOfGammaLaw', k, s)
  const a = 1 / k
  const m = s - 1 // components i = 1..s-1 (q_s = 0)
  const q = new Float64Array(m)
  for (let i = 1; i <= m; i++) q[i - 1] = 1 - i / s
  // log Pr[K = 0] = a * sum_{i<s} ln(i/s)
  let logW0 = 0
  for (let i = 1; i <= m; i++) logW0 += Math.log(i / s)
  logW0 *= a
  const q1 = m > 0 ? q[0]! : 0
  // Scaled recursion: delta_n = w_n * exp(-logScale); rescaled when large.
  let cap = 1024
  let delta = new Float64Array(cap)
  delta[0] = 1
  let logScale = logW0
  const A = new Float64Array(m)
  let total = Math.exp(logW0) // running sum of w_n (underflows harmlessly to 0 early on)
  let n = 0
  const MAX_N = 50_000_000
  while (m > 0) {
    n++
    if (n >= MAX_N) {
      throw new ArgumentError(
        `sumOfGammaLaw(k, s): the series for k=${k}, s=${s} needs more than ${MAX_N} terms; ` +
          `use sampleSumOfGammaExact for so many iterations`,
      )
    }
    if (n >= cap) {
      const grown = new Float64Array(cap * 2)
      grown.set(delta)
      delta = grown
      cap *= 2
    }
    const prev = delta[n - 1]!
    let sum = 0
    for (let i = 0; i < m; i++) {
      const v = q[i]! * (A[i]! + prev)
      A[i] = v
      sum += v
    }
    const dn = (a * sum) / n
    delta[n] = dn
    if (dn > 1e250) {
      for (let j = 0; j <= n; j++) delta[j]! *= 1e-250
      for (let i = 0; i < m; i++) A[i]! *= 1e-250
      logScale += 250 * Math.LN10
    }
    const wn = delta[n]! * Math.exp(logScale)
    total += wn
    // Stop past the mode once the geometric bound on the tail is below K_TAIL_TOL.
    const ratio = Math.max(q1, delta[n]! / delta[n - 1]!)
    if (delta[n]! < delta[n - 1]! && ratio < 1 && (wn * ratio) / (1 - ratio) < K_TAIL_TOL && n > 1) break
  }
  const nMax = n
  const weights = new Float64Array(nMax + 1)
  const scale = Math.exp(logScale)
  let W = 0
  for (let j = 0; j <= nMax; j++) {
    weights[j] = delta[j]! * scale
    W += weights[j]!
  }
  for (let j = 0; j <= nMax; j++) weights[j]! /= W
  const cdfK = new Float64Array(nMax + 1)
  const sfK = new Float64Array(nMax + 1)
  let c = 0
  for (let j = 0; j <= nMax; j++) {
    c += weights[j]!
    cdfK[j] = Math.min(c, 1)
  }
  let t = 0
  for (let j = nMax; j >= 0; j--) {
    sfK[j] = t // Pr[K > j]
    t += weights[j]!
  }
  return {
    _tag: 'SumOfGammaLaw',
    k,
    s,
    shift: Math.log(s) / k,
    rho: s / k,
    nMax,
    weights,
    cdfK,
    sfK,
    truncation: 1 - total,
  }
}

const SUM_TOL = 1e-16
const LOWER = 0
const UPPER = 1

/**
 * For `X = eps + shift > 0`: `res[0] = F(X)` (side `LOWER`) or `1 - F(X)` (side `UPPER`), and
 * `res[1] = F'(X)`. Positive sums over a window of `j` around the mode of `d_j(rho, sX)`, cut
 * when a geometric bound on the rest is below `SUM_TOL` of the sum; see the module notes.
 */
function evaluateLaw(law: SumOfGammaLaw, X: number, side: number, res: Float64Array): void {
  const { rho, s, nMax, weights: w, cdfK: C, sfK: S } = law
  const upper = side === UPPER
  const y = s * X
  const jStar = Math.max(0, Math.floor(y - rho))
  const dStar = Math.exp((rho + jStar) * Math.log(y) - y - lgamma(rho + jStar + 1))
  let acc = upper ? gammaQ(rho, y) : 0
  let f = 0
  // Upwards from the mode: d_{j+1} = d_j y / (rho + j + 1). Pr[K <= j] rises, Pr[K > j] falls.
  let d = dStar
  for (let j = jStar; ; j++) {
    const cj = j <= nMax ? (upper ? S[j]! : C[j]!) : upper ? 0 : 1
    acc += d * cj
    if (j < nMax) f += d * w[j + 1]!
    const ratio = y / (rho + j + 1)
    const next = d * ratio
    if (ratio < 1) {
      const bound = (next / (1 - ratio)) * (upper ? cj : 1)
      if (bound <= SUM_TOL * acc || next < 1e-300) break
    }
    d = next
  }
  // Downwards: d_j = d_{j+1} (rho + j + 1) / y.
  d = dStar
  let d0 = jStar === 0 ? dStar : 0
  for (let j = jStar - 1; j >= 0; j--) {
    d = (d * (rho + j + 1)) / y
    const cj = j <= nMax ? (upper ? S[j]! : C[j]!) : upper ? 0 : 1
    acc += d * cj
    if (j < nMax) f += d * w[j + 1]!
    if (j === 0) {
      d0 = d
      break
    }
    const ratio = (rho + j) / y
    const bound = ((d * ratio) / (1 - ratio)) * (upper ? 1 : cj)
    if (bound <= SUM_TOL * acc || d < 1e-300) break
  }
  // The j = -1 term of the density: w_0 d_{-1}, with d_{-1} = d_0 rho / y.
  f += w[0]! * d0 * (rho / y)
  res[0] = Math.min(acc, 1)
  res[1] = s * f
}

function evaluateAt(law: SumOfGammaLaw, x: number, side: number): Float64Array {
  const res = new Float64Array(2)
  const X = x + law.shift
  if (X > 0) evaluateLaw(law, X, side, res)
  else if (Number.isNaN(X)) res.fill(NaN)
  else {
    res[0] = side === UPPER ? 1 : 0
    const { rho, s } = law
    res[1] = X === 0 ? (rho < 1 ? Infinity : rho === 1 ? s * law.weights[0]! : 0) : 0
  }
  return res
}

/**
 * The exact CDF `Pr[eps <= x]` of Sum-of-Gamma noise (error below `1e-11`, relative in the
 * left tail).
 *
 * Shapes: `(law, x: number) -> number`.
 *
 * @example
 * ```ts
 * sumOfGammaCdf(sumOfGammaLaw(1, 10), 0)   // (1 - 1/10)^10 ~= 0.3487
 * ```
 */
export function sumOfGammaCdf(law: SumOfGammaLaw, x: number): number {
  return evaluateAt(law, x, LOWER)[0]!
}

/**
 * The exact survival function `Pr[eps > x]`, accurate in relative terms far into the right tail.
 *
 * Shapes: `(law, x: number) -> number`.
 *
 * @example
 * ```ts
 * sumOfGammaSf(sumOfGammaLaw(1, 10), 30)   // 1 - (1 - e^-30/10)^10 ~= 9.4e-14
 * ```
 */
export function sumOfGammaSf(law: SumOfGammaLaw, x: number): number {
  return evaluateAt(law, x, UPPER)[0]!
}

/**
 * The exact density of Sum-of-Gamma noise at `x` (infinite at the support's left end
 * `-shift` when `s < k`).
 *
 * Shapes: `(law, x: number) -> number`.
 *
 * @example
 * ```ts
 * sumOfGammaPdf(sumOfGammaLaw(10, 100), 0)
 * ```
 */
export function sumOfGammaPdf(law: SumOfGammaLaw, x: number): number {
  return evaluateAt(law, x, LOWER)[1]!
}

// ------------------------------------------------------------------------------------------
// The quantile table
// ------------------------------------------------------------------------------------------

/** Bulk cells; knots `u_i = U_LO + i * BULK_DU`, `i = 0..BULK_CELLS`. */
const BULK_CELLS = 4096
/** The bulk covers `[2^-TAIL_START, 1 - 2^-TAIL_START]`. */
const TAIL_START = 10
const U_LO = Math.pow(2, -TAIL_START)
const U_HI = 1 - U_LO
const BULK_DU = (U_HI - U_LO) / BULK_CELLS
const INV_BULK_DU = 1 / BULK_DU
/** Tail knots per octave of `u` (left) or `1 - u` (right). */
const PER_OCTAVE = 4
/** Left tail knots reach `u = 2^-LEFT_END`, right tail knots `1 - u = 2^-RIGHT_END`. */
const LEFT_END = 64
const RIGHT_END = 56
const LEFT_CELLS = (LEFT_END - TAIL_START) * PER_OCTAVE
const RIGHT_CELLS = (RIGHT_END - TAIL_START) * PER_OCTAVE
const LOG2E = 1 / Math.LN2

/**
 * A monotone quantile table of Sum-of-Gamma noise for one `(k, s)`, built by
 * `sumOfGammaTable`. Each region is a piecewise cubic in a local coordinate `t` (one unit per
 * cell), stored as 4 coefficients per cell: `value = c0 + tau (c1 + tau (c2 + tau c3))` with
 * `tau = t - floor(t)`. Immutable by convention: do not write into its arrays.
 */
export interface SumOfGammaTable {
  readonly _tag: 'SumOfGammaTable'
  readonly k: number
  readonly s: number
  /** `(ln s) / k`. */
  readonly shift: number
  /** `s / k`: the exponent of the left asymptote `F ~ c (eps + shift)^rho`. */
  readonly rho: number
  /** `eps` against `t = (u - 2^-10) * 4096 / (1 - 2^-9)`, `[4096 * 4]`. */
  readonly bulk: Float64Array
  /** `ln(eps + shift)` against `t = 4 (-log2(u) - 10)`, `[216 * 4]`. */
  readonly left: Float64Array
  /** `eps` against `t = 4 (-log2(1 - u) - 10)`, `[184 * 4]`. */
  readonly right: Float64Array
  /** `d ln(eps + shift) / dt` at the last left knot (`u = 2^-64`), used beyond it. */
  readonly leftSlope: number
  /** `d eps / dt` at the last right knot, used beyond it. */
  readonly rightSlope: number
}

/**
 * Writes the cubic Hermite cell through `(0, y0, m0)` and `(1, y1, m1)` at `coef[4 cell ..]`,
 * with the Fritsch-Carlson limiter so that the cell is monotone.
 */
function hermiteCell(coef: Float64Array, cell: number, y0: number, y1: number, m0: number, m1: number): void {
  const delta = y1 - y0
  if (delta === 0) {
    m0 = 0
    m1 = 0
  } else {
    let alpha = m0 / delta
    let beta = m1 / delta
    if (!(alpha >= 0)) alpha = 0
    if (!(beta >= 0)) beta = 0
    const r2 = alpha * alpha + beta * beta
    if (r2 > 9) {
      const tau = 3 / Math.sqrt(r2)
      alpha *= tau
      beta *= tau
    }
    m0 = alpha * delta
    m1 = beta * delta
  }
  const o = 4 * cell
  coef[o] = y0
  coef[o + 1] = m0
  coef[o + 2] = 3 * delta - 2 * m0 - m1
  coef[o + 3] = -2 * delta + m0 + m1
}

/**
 * One side of the quantile solve. The variable is `z = ln X` on the lower side
 * (`L = ln F`) and `X` on the upper side (`L = -ln(1 - F)`); `L` increases with it. Holds the
 * last evaluation so that the next knot starts with a Newton step from it.
 */
class Sweep {
  p = 0
  L = 0
  D = 1
  private readonly res = new Float64Array(2)
  constructor(
    private readonly law: SumOfGammaLaw,
    private readonly side: number,
  ) {}

  eval(v: number): void {
    const res = this.res
    const X = this.side === LOWER ? Math.exp(v) : v
    if (X > 0) evaluateLaw(this.law, X, this.side, res)
    else {
      res[0] = this.side === LOWER ? 0 : 1
      res[1] = 0
    }
    const P = res[0]!
    this.p = v
    if (this.side === LOWER) {
      this.L = P > 0 ? Math.log(P) : -Infinity
      this.D = P > 0 ? (X * res[1]!) / P : NaN
    } else {
      this.L = P > 0 ? -Math.log(P) : Infinity
      this.D = P > 0 ? res[1]! / P : NaN
    }
  }

  /**
   * Solves `L(v) = T` by safeguarded Newton from the last evaluation; returns `v` and leaves
   * `this.D` (at a point within `1e-7` of `v`) for the slope. Accepts the Newton-corrected point
   * once the correction is below `1e-7 max(1, |v|)`: its error is then about `1e-14`.
   */
  solve(T: number): number {
    let lo = -Infinity
    let hi = Infinity
    if (this.L < T) lo = this.p
    else hi = this.p
    let v = this.p + (T - this.L) / this.D
    if (!(v > lo && v < hi)) v = Number.isFinite(lo) ? lo + 1 : hi - 1
    for (let it = 0; it < 200; it++) {
      this.eval(v)
      const L = this.L
      if (L < T) lo = v
      else hi = v
      const c = (T - L) / this.D
      if (Math.abs(c) <= 1e-7 * Math.max(1, Math.abs(v))) return v + c
      let vn = v + c
      if (!(vn > lo && vn < hi)) {
        if (Number.isFinite(lo) && Number.isFinite(hi)) vn = 0.5 * (lo + hi)
        else if (Number.isFinite(lo)) vn = lo + Math.max(1, 2 * (v - lo))
        else vn = hi - Math.max(1, 2 * (hi - v))
      }
      if (hi - lo <= 1e-15 * Math.max(1, Math.abs(v))) return v
      v = vn
    }
    throw new ArgumentError(
      `buildSumOfGammaTable(k, s): the quantile solve did not converge for k=${this.law.k}, ` +
        `s=${this.law.s} (target ${T}); this is a bug, please report it with k and s`,
    )
  }
}

/**
 * Builds the quantile table of Sum-of-Gamma noise for `(k, s)` without the cache. Prefer
 * `sumOfGammaTable`, which memoizes this. 2-9 ms for `s <= 100` with a warm JIT, about 70 ms
 * for `s = 1000` (see `bench/sum_of_gamma.ts`); the series behind it costs `O(s^2)`, so seconds
 * for `s = 10^4`. The table's CDF is within `5e-8` of the exact one.
 *
 * Shapes: scalars `(k, s) -> SumOfGammaTable`.
 *
 * @example
 * ```ts
 * const table = buildSumOfGammaTable(10, 100)
 * ```
 */
export function buildSumOfGammaTable(k: number, s: number): SumOfGammaTable {
  checkKS('buildSumOfGammaTable', k, s)
  const law = sumOfGammaLaw(k, s)
  const shift = law.shift
  const lower = new Sweep(law, LOWER)
  const upper = new Sweep(law, UPPER)
  // The median, from the mean.
  lower.eval(Math.log(Math.max(sumOfGammaMoments(k, s).mean + shift, 1e-300)))
  const zMed = lower.solve(Math.log(0.5))
  upper.eval(Math.exp(zMed))

  // Knot values y and slopes m (per unit t) of each region.
  const by = new Float64Array(BULK_CELLS + 1)
  const bm = new Float64Array(BULK_CELLS + 1)
  const ly = new Float64Array(LEFT_CELLS + 1)
  const lm = new Float64Array(LEFT_CELLS + 1)
  const ry = new Float64Array(RIGHT_CELLS + 1)
  const rm = new Float64Array(RIGHT_CELLS + 1)
  const iMid = Math.floor((0.5 - U_LO) / BULK_DU) // the last bulk knot with u <= 1/2
  for (let i = iMid; i >= 0; i--) {
    const u = U_LO + i * BULK_DU
    const z = lower.solve(Math.log(u))
    const X = Math.exp(z)
    by[i] = X - shift
    bm[i] = (BULK_DU * X) / (lower.D * u) // dX/du = X / (D u)
  }
  for (let j = 0; j <= LEFT_CELLS; j++) {
    ly[j] = lower.solve(-(TAIL_START + j / PER_OCTAVE) * Math.LN2)
    lm[j] = -Math.LN2 / (PER_OCTAVE * lower.D) // dz/dt
  }
  upper.eval(Math.exp(zMed))
  for (let i = iMid + 1; i <= BULK_CELLS; i++) {
    const v = 1 - (U_LO + i * BULK_DU)
    const X = upper.solve(-Math.log(v))
    by[i] = X - shift
    bm[i] = BULK_DU / (upper.D * v) // dX/du = 1 / (D v)
  }
  for (let j = 0; j <= RIGHT_CELLS; j++) {
    ry[j] = upper.solve((TAIL_START + j / PER_OCTAVE) * Math.LN2) - shift
    rm[j] = Math.LN2 / (PER_OCTAVE * upper.D) // dX/dt
  }
  const bulk = new Float64Array(4 * BULK_CELLS)
  const left = new Float64Array(4 * LEFT_CELLS)
  const right = new Float64Array(4 * RIGHT_CELLS)
  for (let i = 0; i < BULK_CELLS; i++) hermiteCell(bulk, i, by[i]!, Math.max(by[i + 1]!, by[i]!), bm[i]!, bm[i + 1]!)
  for (let j = 0; j < LEFT_CELLS; j++) hermiteCell(left, j, ly[j]!, Math.min(ly[j + 1]!, ly[j]!), lm[j]!, lm[j + 1]!)
  for (let j = 0; j < RIGHT_CELLS; j++) hermiteCell(right, j, ry[j]!, Math.max(ry[j + 1]!, ry[j]!), rm[j]!, rm[j + 1]!)
  return {
    _tag: 'SumOfGammaTable',
    k,
    s,
    shift,
    rho: law.rho,
    bulk,
    left,
    right,
    leftSlope: Math.min(lm[LEFT_CELLS]!, 0),
    rightSlope: Math.max(rm[RIGHT_CELLS]!, 0),
  }
}

const TABLE_CACHE_SIZE = 32
/** Memoized tables by `k|s`: the module's only state, a pure cache of a deterministic build. */
const tableCache = new Map<string, SumOfGammaTable>()

/**
 * The quantile table of Sum-of-Gamma noise for `(k, s)`, built once and memoized (up to 32
 * tables, oldest evicted first). The cache is the one piece of state in this module and is
 * pure memoization: a table depends only on `(k, s)`.
 *
 * Shapes: scalars `(k, s) -> SumOfGammaTable`.
 *
 * @example
 * ```ts
 * const table = sumOfGammaTable(10, 100)
 * const uniforms = Float64Array.from({ length: 1000 }, () => Math.random() || 0.5)   // in (0, 1)
 * const eps = sampleSumOfGammaTable(table, uniforms, new Float32Array(1000))        // [1000]
 * ```
 */
export function sumOfGammaTable(k: number, s: number): SumOfGammaTable {
  checkKS('sumOfGammaTable', k, s)
  const key = `${k}|${s}`
  const hit = tableCache.get(key)
  if (hit !== undefined) return hit
  const table = buildSumOfGammaTable(k, s)
  if (tableCache.size >= TABLE_CACHE_SIZE) {
    const oldest = tableCache.keys().next()
    if (oldest.done !== true) tableCache.delete(oldest.value)
  }
  tableCache.set(key, table)
  return table
}

/**
 * Samples Sum-of-Gamma noise by inverse transform: `out[j] = Q(uniforms[j])` with `Q` the
 * table's quantile function. The uniforms must lie in the open interval `(0, 1)`; a value
 * outside it (or NaN) is an `ArgumentError`. A few nanoseconds per value. `out` may be
 * `uniforms` itself (element `j` is read before it is written).
 *
 * Shapes: `uniforms: [n]`, `out: [n]`; returns `out`.
 *
 * @example
 * ```ts
 * const table = sumOfGammaTable(10, 100)
 * const u = new Float64Array([0.1, 0.5, 0.9])
 * sampleSumOfGammaTable(table, u, new Float32Array(3))   // three quantiles of eps
 * ```
 */
export function sampleSumOfGammaTable<T extends Float32Array | Float64Array>(
  table: SumOfGammaTable,
  uniforms: Float32Array | Float64Array,
  out: T,
): T {
  if (uniforms.length !== out.length) {
    throw new ArgumentError(
      `sampleSumOfGammaTable(table, uniforms, out): out must have the length of uniforms ` +
        `(${uniforms.length}) but has length ${out.length}`,
    )
  }
  const { bulk, left, right, shift, leftSlope, rightSlope } = table
  const n = uniforms.length
  const leftEnd = left[4 * LEFT_CELLS - 4]! + left[4 * LEFT_CELLS - 3]! + left[4 * LEFT_CELLS - 2]! + left[4 * LEFT_CELLS - 1]!
  const rightEnd = right[4 * RIGHT_CELLS - 4]! + right[4 * RIGHT_CELLS - 3]! + right[4 * RIGHT_CELLS - 2]! + right[4 * RIGHT_CELLS - 1]!
  for (let i = 0; i < n; i++) {
    const u = uniforms[i]!
    if (u >= U_LO && u <= U_HI) {
      const t = (u - U_LO) * INV_BULK_DU
      let j = t | 0
      if (j >= BULK_CELLS) j = BULK_CELLS - 1
      const tau = t - j
      const o = 4 * j
      out[i] = bulk[o]! + tau * (bulk[o + 1]! + tau * (bulk[o + 2]! + tau * bulk[o + 3]!))
    } else if (u > 0 && u < U_LO) {
      const t = (-Math.log(u) * LOG2E - TAIL_START) * PER_OCTAVE
      let lx: number
      if (t >= LEFT_CELLS) lx = leftEnd + (t - LEFT_CELLS) * leftSlope
      else {
        const j = t | 0
        const tau = t - j
        const o = 4 * j
        lx = left[o]! + tau * (left[o + 1]! + tau * (left[o + 2]! + tau * left[o + 3]!))
      }
      out[i] = Math.exp(lx) - shift
    } else if (u > U_HI && u < 1) {
      const t = (-Math.log(1 - u) * LOG2E - TAIL_START) * PER_OCTAVE
      if (t >= RIGHT_CELLS) out[i] = rightEnd + (t - RIGHT_CELLS) * rightSlope
      else {
        const j = t | 0
        const tau = t - j
        const o = 4 * j
        out[i] = right[o]! + tau * (right[o + 1]! + tau * (right[o + 2]! + tau * right[o + 3]!))
      }
    } else {
      throw new ArgumentError(
        `sampleSumOfGammaTable(table, uniforms, out): uniforms must lie in (0, 1) but ` +
          `uniforms[${i}] is ${String(u)}`,
      )
    }
  }
  return out
}
