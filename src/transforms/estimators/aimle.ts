/**
 * AIMLE (Minervini, Franceschi, Niepert, "Adaptive Perturbation-Based Gradient Estimation for
 * Discrete Latent Variable Models", AAAI 2023): I-MLE with the adaptive target and symmetric
 * perturbations, torch-adaptive-imle's recommended configuration, as one named factory.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOptionsOrThrow, type OptionsOf } from '../../core/config.js'
import type { Noise } from '../../distributions/noise/noise.js'
import { adaptive, AdaptiveTargetConfig, type AdaptiveState } from '../../distributions/target/adaptive.js'
import type { MapFn } from './estimator.js'
import { ImleConfig, imleDefaults, imleEstimator } from './imle.js'
import { layerOf, type Layer } from './perturb_and_map.js'

/**
 * The codec of `aimle`'s options: those of `imle` (`ImleConfig`, with `symmetric` true by
 * default) and those of `target.adaptive` (`AdaptiveTargetConfig`), in one flat record.
 *
 * @example
 * ```ts
 * estimators.AimleConfig.props.targetNorm.is(10)   // true
 * ```
 */
export const AimleConfig = t.type({ ...ImleConfig.props, ...AdaptiveTargetConfig.props })
/** Options of `aimle`, derived from `AimleConfig`: every field optional. */
export type AimleOptions = OptionsOf<typeof AimleConfig>

/** The defaults of `aimle`'s options: `imle`'s with `symmetric: true`, and `target.adaptive`'s. */
export const aimleDefaults = { ...imleDefaults, symmetric: true, ...adaptive.defaults }

/**
 * AIMLE: `imle(map, noise, target.adaptive(...), { symmetric: true, ... })`. The layer's state
 * is the adaptive target's (`layer.state().beta`, the history of `beta`, ...); save it with
 * `JSON.stringify(layer.state())` and restore it with `layer.setState` and `target.decodeState`.
 *
 * Shapes: `(theta [...s], key [2]) -> [...s]` for one sample, `[S, ...s]` for `S`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { aimle, noise, random, solvers } from 'imle'
 * const layer = aimle(solvers.topK(10), noise.sumOfGamma({ k: 10 }), { nbSamples: 5, targetNorm: 10 })
 * layer(tf.randomNormal([100]), random.key(0))   // [5, 100]
 * layer.state().beta                             // 1 until a backward pass adapts it
 * ```
 */
export function aimle(map: MapFn, noise: Noise, options: AimleOptions = {}): Layer<AdaptiveState> {
  const c = decodeOptionsOrThrow('aimle', AimleConfig, aimleDefaults, options)
  const { nbSamples, nbMarginalSamples, inputNoiseTemperature, sense, reduce, targetNoiseTemperature, symmetric, ...targetOptions } = c
  const rules = imleEstimator(adaptive(targetOptions), { targetNoiseTemperature, symmetric })
  return layerOf('aimle', map, noise, rules, { nbSamples, nbMarginalSamples, inputNoiseTemperature, sense, reduce })
}
