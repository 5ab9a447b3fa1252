/**
 * User-defined noise.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import type { Elementwise, Noise, Sampler } from './noise.js'

/** A user-defined noise distribution. */
export type CustomNoise = Noise<'custom', Record<string, never>>

/** The optional density of a custom noise: elementwise `logProb` and its derivative. */
export interface CustomDensity {
  readonly logProb?: Elementwise
  readonly gradLogProb?: Elementwise
}

/**
 * A user-defined noise distribution from `sample(key, shape) -> Tensor [...shape]`, which
 * should be a pure function of the key (use `random` or `callback` inside it, so that it can
 * be vmapped), with its density if it has one.
 *
 * @example
 * ```ts
 * import { noise, random, ops } from 'imle'
 * const logistic = noise.custom((key, shape) => {
 *   const u = random.uniform(key, shape)
 *   return ops.sub(ops.log(u), ops.log1p(ops.neg(u)))
 * }, { logProb: (x) => ops.sub(ops.neg(x), ops.mul(ops.softplus(ops.neg(x)), 2)) })
 * ```
 */
export const custom = (sample: Sampler, density: CustomDensity = {}): CustomNoise => {
  if (typeof sample !== 'function') {
    throw new ArgumentError(`noise.custom(sample): sample must be a function (key, shape) => Tensor but got ${typeof sample}`)
  }
  for (const k of ['logProb', 'gradLogProb'] as const) {
    const f = density[k]
    if (f !== undefined && typeof f !== 'function') throw new ArgumentError(`noise.custom(density.${k}): expected a function but got ${typeof f}`)
  }
  return { _tag: 'custom', config: {}, sample, ...density }
}
