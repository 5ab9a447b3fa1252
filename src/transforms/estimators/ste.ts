/**
 * Straight-through (Bengio et al. 2013; torch-adaptive-imle's STE) on the shared
 * perturb-and-MAP path: forward the perturbed MAP states, backward the identity.
 *
 * @module
 */
import { decodeOptionsOrThrow, type OptionsOf } from '../../core/config.js'
import type { Noise } from '../../distributions/noise/noise.js'
import type { Estimator, MapFn } from './estimator.js'
import { layerOf, meanRows, PerturbConfig, perturbDefaults, type Layer } from './perturb_and_map.js'

/** The straight-through estimator's rules. */
export type SteEstimator = Estimator<'ste', Record<string, never>>

/**
 * The straight-through rules: the gradient with respect to `theta` is the cotangent of the MAP
 * states, averaged over the rows: `mean_r dz_r` (`[S * M, ...s] -> [...s]`). No solver call in
 * the backward pass. Biased (the MAP map is piecewise constant), cheap, and often a strong
 * baseline.
 *
 * @example
 * ```ts
 * import { estimators, noise, solvers } from 'imle'
 * const layer = estimators.perturbAndMap(solvers.topK(3), noise.gumbel(), estimators.steEstimator)
 * ```
 */
export const steEstimator: SteEstimator = {
  _tag: 'ste',
  config: {},
  backward: ({ dz }) => meanRows(dz), // [...s]
}

/** Options of `ste`: the shared perturbation options (`estimators.PerturbConfig`). */
export type SteOptions = OptionsOf<typeof PerturbConfig>

/**
 * A straight-through layer: forward `z = map(theta + tau eps)` for `S` samples (the temperature
 * `tau` is `inputNoiseTemperature`; `noise.none()` gives the plain MAP state), backward
 * `dL/dtheta = mean_s dL/dz_s`.
 *
 * Shapes: `(theta [...s], key [2]) -> [...s]` for one sample, `[S, ...s]` for `S`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, noise, ops, random, solvers, ste } from 'imle'
 * const layer = ste(solvers.topK(2), noise.gumbel(), { inputNoiseTemperature: 0.5 })
 * grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, random.key(0)), tf.tensor1d([1, 2, 3]))))(tf.zeros([3]))   // [1, 2, 3]
 * ```
 */
export function ste(map: MapFn, noise: Noise, options: SteOptions = {}): Layer {
  return layerOf('ste', map, noise, steEstimator, decodeOptionsOrThrow('ste', PerturbConfig, perturbDefaults, options))
}

