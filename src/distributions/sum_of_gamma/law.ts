/**
 * The exact law of Sum-of-Gamma noise by Moschopoulos' series: `eps + (ln s)/k` is a
 * negative-binomial mixture of Gammas at rate `s`. Builds the series (`sumOfGammaLaw`) and
 * evaluates the CDF, survival function and density from it as sums of positive terms.
 * Derivation and accuracy: `docs/derivations/sum_of_gamma.md`, section "The exact CDF".
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { checkKS } from './checks.js'
import { gammaQ, lgamma } from './special.js'

/**
 * Sum-of-Gamma noise as a negative-binomial mixture of Gammas (see
 * `docs/derivations/sum_of_gamma.md`):
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
/** The side of `evaluateLaw` that computes `F(X) = Pr[eps + shift <= X]`. */
export const LOWER = 0
/** The side of `evaluateLaw` that computes `1 - F(X)`. */
export const UPPER = 1

/**
 * For `X = eps + shift > 0`: `res[0] = F(X)` (side `LOWER`) or `1 - F(X)` (side `UPPER`), and
 * `res[1] = F'(X)`. Positive sums over a window of `j` around the mode of `d_j(rho, sX)`, cut
 * when a geometric bound on the rest is below `SUM_TOL` of the sum; see
 * `docs/derivations/sum_of_gamma.md`, "Sums without cancellation". For the sibling modules only
 * (the quantile solve); not re-exported by `index.ts`.
 */
export function evaluateLaw(law: SumOfGammaLaw, X: number, side: number, res: Float64Array): void {
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
