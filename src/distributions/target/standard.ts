/**
 * The standard I-MLE target.
 *
 * @module
 */
import * as t from 'io-ts'
import type * as tf from '@tensorflow/tfjs-core'
import { configured, Finite, NonNegative } from '../../core/config.js'
import { ArgumentError, ConfigError } from '../../core/errors.js'
import { fmtShape } from '../../core/folded.js'
import * as ops from '../../core/ops.js'
import type { Target } from './target.js'

/**
 * The codec of `target.standard`'s options (after defaults): `alpha` (weight of `theta`,
 * default 1), `beta` (step along `-dL/dz`, >= 0, default 1), `scaleGradient` (divide the gradient by
 * `beta`, default false).
 *
 * @example
 * ```ts
 * target.StandardTargetConfig.decode({ alpha: 1, beta: 10, scaleGradient: false })   // Right(...)
 * ```
 */
export const StandardTargetConfig = t.type({
  alpha: Finite,
  beta: NonNegative,
  scaleGradient: t.boolean,
})
/** The decoded options of `target.standard`. */
export type StandardTargetConfig = t.TypeOf<typeof StandardTargetConfig>

/** The standard target (see `standard`). */
export type StandardTarget = Target<'standard', StandardTargetConfig>

/**
 * The standard I-MLE target `theta' = alpha * theta - beta * dL/dz`; with `scaleGradient` the
 * gradient is divided by `beta` (so that a small `beta` gives a finite-difference estimate).
 * Throws a `ConfigError` for non-finite options, a negative or denormal `beta`, or `scaleGradient` with `beta = 0`.
 *
 * @example
 * ```ts
 * import { target } from 'imle'
 * const tgt = target.standard({ alpha: 1, beta: 10 })
 * ```
 */
export const standard = configured(
  'target.standard',
  StandardTargetConfig,
  { alpha: 1 as Finite, beta: 1 as NonNegative, scaleGradient: false },
  (config): StandardTarget => {
    if (config.scaleGradient && config.beta === 0) {
      throw new ConfigError('target.standard(options.beta): scaleGradient divides the gradient by beta, so beta must not be 0')
    }
    return {
      _tag: 'standard',
      config,
      params: (theta, dy) => {
        checkCotangent(theta, dy)
        return ops.sub(config.alpha === 1 ? theta : ops.mul(theta, config.alpha), ops.mul(dy, config.beta)) // [S, ...s]
      },
      gradientScale: config.scaleGradient ? 1 / config.beta : 1,
    }
  },
)


/** Throws unless `dy`'s trailing shape is `theta`'s (`dy` is `[S, ...s]` or `[...s]` for `theta [...s]`). */
function checkCotangent(theta: tf.Tensor, dy: tf.Tensor): void {
  const lead = dy.rank - theta.rank
  if (lead < 0 || lead > 1 || theta.shape.some((d, i) => d !== dy.shape[lead + i])) {
    throw new ArgumentError(
      `target.standard.params(theta, dy): dy must have shape [S, ...s] or [...s] for theta of shape [...s] = ${fmtShape(theta.shape)} but got ${fmtShape(dy.shape)}`,
    )
  }
}
