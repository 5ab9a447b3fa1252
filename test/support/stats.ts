/**
 * Shared numeric helpers for the statistical tests: sample moments, the 5-standard-error moment
 * check, and the Gumbel CDF with its finite-s counterpart. Not a suite: the test pattern runs
 * `*.test.ts` files only.
 *
 * @module
 */
import * as assert from 'uvu/assert'
import { sumOfGammaCumulant, sumOfGammaMoments } from '../../src/distributions/sum_of_gamma/index.js'

/** The Euler-Mascheroni constant: the mean of Gumbel(0, 1). */
export const EULER_GAMMA = 0.5772156649015329

/** The Gumbel(0, 1) CDF `exp(-exp(-x))`. */
export const gumbelCdf = (x: number): number => Math.exp(-Math.exp(-x))

/**
 * `Pr[eps_1 + ... + eps_k <= x] = (1 - e^{-x}/s)^s` for Sum-of-Gamma noise with integer k: the
 * law of the maximum of s Exp(1) variables minus ln s. It tends to `gumbelCdf` as s grows.
 */
export function sumOfKCdf(s: number, x: number): number {
  const y = Math.exp(-x) / s
  return y >= 1 ? 0 : Math.exp(s * Math.log1p(-y))
}

/**
 * `max |sumOfKCdf(s, x) - gumbelCdf(x)|` over `x = -ln s, -ln s + 1e-3, ...` below 20: the
 * finite-s bias, about `2 e^{-2} / s` (at `e^{-x} = 2`).
 */
export function gumbelBias(s: number): number {
  let bias = 0
  for (let x = -Math.log(s); x < 20; x += 1e-3) bias = Math.max(bias, Math.abs(sumOfKCdf(s, x) - gumbelCdf(x)))
  return bias
}

/**
 * Sample mean and variance, accumulated in float64: the variance divides by `n - ddof`, so the
 * default `ddof = 1` gives the unbiased sample variance and `ddof = 0` the population variance.
 */
export function meanVar(x: ArrayLike<number>, ddof = 1): { mean: number; variance: number } {
  const n = x.length
  let m = 0
  for (let i = 0; i < n; i++) m += x[i]!
  m /= n
  let v = 0
  for (let i = 0; i < n; i++) v += (x[i]! - m) ** 2
  return { mean: m, variance: v / (n - ddof) }
}

/**
 * Asserts the sample mean and (unbiased) variance are within 5 standard errors of `mean` and
 * `variance`: `sqrt(variance / n)` for the mean and `sqrt((mu4 - variance^2) / n)` for the
 * variance, with `mu4` the fourth central moment.
 */
export function assertMoments(x: ArrayLike<number>, mean: number, variance: number, mu4: number, msg: string): void {
  const n = x.length
  const got = meanVar(x)
  const zm = (got.mean - mean) / Math.sqrt(variance / n)
  const zv = (got.variance - variance) / Math.sqrt((mu4 - variance * variance) / n)
  assert.ok(Math.abs(zm) < 5, `${msg}: mean ${got.mean} vs ${mean} (${zm.toFixed(2)} standard errors)`)
  assert.ok(Math.abs(zv) < 5, `${msg}: variance ${got.variance} vs ${variance} (${zv.toFixed(2)} standard errors)`)
}

/**
 * The mean, variance and fourth central moment `kappa_4 + 3 kappa_2^2` of Sum-of-Gamma noise
 * with parameters (k, s): the last three arguments of `assertMoments`.
 */
export function sumOfGammaMoments4(k: number, s: number): [number, number, number] {
  const { mean, variance } = sumOfGammaMoments(k, s)
  return [mean, variance, sumOfGammaCumulant(k, s, 4) + 3 * variance * variance]
}
