/**
 * The exact cumulants and moments of I-MLE's Sum-of-Gamma noise
 * `eps = (sum_{i=1..s} G_i - ln s) / k`, `G_i ~ Gamma(shape 1/k, scale k/i)`. Derivation:
 * `docs/derivations/sum_of_gamma.md`, section "The law".
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { checkKS } from './checks.js'

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
