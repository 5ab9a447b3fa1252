/**
 * The exact sampler of Sum-of-Gamma noise, as torch-imle draws it: `s` Gamma variates per
 * value from a caller-supplied source. Derivation: `docs/derivations/sum_of_gamma.md`, section
 * "The exact sampler".
 *
 * @module
 */
import { checkKS } from './checks.js'

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
