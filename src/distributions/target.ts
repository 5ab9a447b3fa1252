/**
 * Target distributions of I-MLE: how the backward pass builds the target parameters
 * `theta'` from `theta` and the gradient of the loss with respect to the solver's output.
 * Typed records built by factories whose options are io-ts codecs.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeOrThrow, decodeWith, Finite } from '../core/codecs.js'
import { ConfigError } from '../core/errors.js'
import * as ops from '../core/ops.js'

/**
 * The codec of `target.standard`'s options; absent fields take their defaults.
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

/** What callers may pass to `target.standard`: every field optional. */
export interface StandardTargetOptions {
  /** Weight of `theta` in the target. Default 1. */
  readonly alpha?: number
  /** Step size along `-dL/dz`. Default 1. */
  readonly beta?: number
  /** Divide the gradient by `beta`. Default false. */
  readonly scaleGradient?: boolean
}

/**
 * A target distribution: a typed record of pure functions with no hidden state.
 * `params(theta, dy)` returns `theta'` (shapes: `([...s], [S, ...s]) -> [S, ...s]`), and
 * `gradientScale` multiplies the final gradient.
 */
export interface TargetDistribution {
  readonly _tag: 'standard'
  readonly config: StandardTargetConfig
  readonly params: (theta: tf.Tensor, dy: tf.Tensor) => tf.Tensor
  readonly gradientScale: number
}

const defaults: StandardTargetConfig = { alpha: 1, beta: 1, scaleGradient: false } as StandardTargetConfig

const make = (config: StandardTargetConfig): TargetDistribution => ({
  _tag: 'standard',
  config,
  params: (theta, dy) => ops.sub(config.alpha === 1 ? theta : ops.mul(theta, config.alpha), ops.mul(dy, config.beta)), // [S, ...s]
  gradientScale: config.scaleGradient ? 1 / config.beta : 1,
})

/**
 * The standard I-MLE target `theta' = alpha * theta - beta * dL/dz`; with `scaleGradient` the
 * gradient is divided by `beta` (so that a small `beta` gives a finite-difference estimate).
 * Throws a `ConfigError` for non-finite options.
 *
 * @example
 * ```ts
 * import { target } from 'imle'
 * const tgt = target.standard({ alpha: 1, beta: 10 })
 * ```
 */
export function standard(options: StandardTargetOptions = {}): TargetDistribution {
  const config = decodeOrThrow('target.standard', StandardTargetConfig, { ...defaults, ...options })
  if (config.scaleGradient && config.beta === 0) {
    throw new ConfigError('target.standard: scaleGradient divides the gradient by beta, so beta must not be 0')
  }
  return make(config)
}

/**
 * The JSON form of a target config, as read from a file or the command line.
 *
 * @example
 * ```ts
 * target.TargetJson.is({ type: 'standard', beta: 10 })   // true
 * ```
 */
export const TargetJson = t.intersection([t.type({ type: t.literal('standard') }), t.partial({ alpha: t.number, beta: t.number, scaleGradient: t.boolean })])

/**
 * Decodes a target config from JSON (`{ "type": "standard", "alpha": 1, "beta": 10 }`).
 *
 * @example
 * ```ts
 * import { target } from 'imle'
 * const r = target.decode(JSON.parse('{"type":"standard","beta":10}'))   // Either<ConfigError, TargetDistribution>
 * ```
 */
export function decode(json: unknown): E.Either<ConfigError, TargetDistribution> {
  return E.flatMap(decodeWith('target.decode', TargetJson, json), ({ type: _type, ...opts }) =>
    E.tryCatch(
      () => standard(opts),
      (e) => e as ConfigError,
    ),
  )
}
