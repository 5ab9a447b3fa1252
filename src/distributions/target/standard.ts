/**
 * The standard I-MLE target.
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, Finite } from '../../core/config.js'
import { ConfigError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import type { Target } from './target.js'

/**
 * The codec of `target.standard`'s options (after defaults): `alpha` (weight of `theta`,
 * default 1), `beta` (step along `-dL/dz`, default 1), `scaleGradient` (divide the gradient by
 * `beta`, default false).
 *
 * @example
 * ```ts
 * target.StandardTargetConfig.decode({ alpha: 1, beta: 10, scaleGradient: false })   // Right(...)
 * ```
 */
export const StandardTargetConfig = t.type({
  alpha: Finite,
  beta: Finite,
  scaleGradient: t.boolean,
})
/** The decoded options of `target.standard`. */
export type StandardTargetConfig = t.TypeOf<typeof StandardTargetConfig>

/** The standard target (see `standard`). */
export type StandardTarget = Target<'standard', StandardTargetConfig>

/**
 * The standard I-MLE target `theta' = alpha * theta - beta * dL/dz`; with `scaleGradient` the
 * gradient is divided by `beta` (so that a small `beta` gives a finite-difference estimate).
 * Throws a `ConfigError` for non-finite options, or `scaleGradient` with `beta = 0`.
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
  { alpha: 1 as Finite, beta: 1 as Finite, scaleGradient: false },
  (config): StandardTarget => {
    if (config.scaleGradient && config.beta === 0) {
      throw new ConfigError('target.standard(options.beta): scaleGradient divides the gradient by beta, so beta must not be 0')
    }
    return {
      _tag: 'standard',
      config,
      params: (theta, dy) => ops.sub(config.alpha === 1 ? theta : ops.mul(theta, config.alpha), ops.mul(dy, config.beta)), // [S, ...s]
      gradientScale: config.scaleGradient ? 1 / config.beta : 1,
    }
  },
)

