/**
 * I-MLE (Niepert, Minervini, Franceschi, NeurIPS 2021) on the shared perturb-and-MAP path: its
 * rules are the backward pass `mean_s (z_s - z'_s)` times the target's gradient scale, with
 * `z'_s = map(theta'_s + tau' eps_s)` solved in one batched call on the forward pass's noise,
 * and the torch-imle presentation of the output (`[...s]` for one sample, `[S, ...s]` otherwise).
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOrThrow, NonNegative, PositiveInt, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import type { Noise } from '../../distributions/noise/noise.js'
import type { Target } from '../../distributions/target.js'
import type { Estimator, MapFn } from './estimator.js'
import { layerOf, scaled, type Layer } from './perturb_and_map.js'

/**
 * The codec of `imle`'s options (after defaults): `nbSamples` `S` (default 1),
 * `inputNoiseTemperature` `tau` of the forward noise (default 1) and
 * `targetNoiseTemperature` `tau'` of the same noise in the backward pass (default 1).
 *
 * @example
 * ```ts
 * import { ImleConfig } from 'imle'
 * ImleConfig.decode({ nbSamples: 5, inputNoiseTemperature: 1, targetNoiseTemperature: 1 })   // Right(...)
 * ImleConfig.is({ nbSamples: 0, inputNoiseTemperature: 1, targetNoiseTemperature: 1 })       // false
 * ```
 */
export const ImleConfig = t.type({
  nbSamples: PositiveInt,
  inputNoiseTemperature: NonNegative,
  targetNoiseTemperature: NonNegative,
})
/** The decoded options of `imle`. */
export type ImleConfig = t.TypeOf<typeof ImleConfig>
/** Options of `imle`, derived from `ImleConfig`: every field optional. */
export type ImleOptions = OptionsOf<typeof ImleConfig>

/** The I-MLE estimator's rules (see `imleEstimator`). */
export type ImleEstimator = Estimator<'imle', { readonly target: Target; readonly targetNoiseTemperature: number }>

/**
 * The rules of I-MLE for a target distribution and the backward noise temperature `tau'`:
 * `backward = gradientScale * mean_s (z_s - map(target.params(theta, dz)_s + tau' eps_s))`, and
 * the output `[...s]` when `S = 1`, `[S, ...s]` otherwise. `imle` is `perturbAndMap` with these.
 *
 * @example
 * ```ts
 * import { estimators, noise, solvers, target } from 'imle'
 * const rules = estimators.imleEstimator(target.standard({ beta: 10 }), 1)
 * const layer = estimators.perturbAndMap(solvers.topK(3), noise.gumbel(), rules, { nbSamples: 2 })
 * ```
 */
export function imleEstimator(target: Target, targetNoiseTemperature: number): ImleEstimator {
  if (typeof target !== 'object' || target === null || typeof target.params !== 'function') {
    throw new ArgumentError(`imle(target): target must be a target record with params(theta, dy) (target.standard(), ...) but got ${target === null ? 'null' : typeof target}`)
  }
  const scale = target.gradientScale
  return {
    _tag: 'imle',
    config: { target, targetNoiseTemperature },
    backward: ({ theta, eps, z, dz, solve }) => {
      const thetaPrime = target.params(theta, dz) // [S, ...s]
      const zPrime = solve(ops.add(thetaPrime, scaled(eps, targetNoiseTemperature))) // [S, ...s]
      const g = ops.mean(ops.sub(z, zPrime), 0) // [...s]
      return scale === 1 ? g : ops.mul(g, scale)
    },
    output: (z, S) => (S === 1 ? ops.squeeze(z, [0]) : z), // [...s] or [S, ...s]
  }
}

/**
 * Makes a differentiable layer from a MAP solver with I-MLE.
 *
 * The returned `layer(theta, key)` (theta: `[...s]`, key: a PRNG key `[2]`):
 * - forward: draws `eps ~ noise` of shape `[S, ...s]` once from `key`, and returns
 *   `z_s = map(theta + inputNoiseTemperature * eps_s)`, of shape `[...s]` when `S = 1` and
 *   `[S, ...s]` otherwise (no averaging);
 * - backward, with `dy_s = dL/dz_s`: `theta'_s = target.params(theta, dy_s)` (for the standard
 *   target `alpha * theta - beta * dy_s`), `z'_s = map(theta'_s + targetNoiseTemperature * eps_s)`
 *   with the same `eps`, and `dL/dtheta = mean_s (z_s - z'_s)` times `target.gradientScale`.
 *
 * All `S` instances (and, under `vmap`, all `B * S`) are solved in one batched call of `map`
 * and the noise is drawn in one vectorized call (the shared path, `estimators.perturbAndMap`).
 *
 * @example
 * ```ts
 * import { imle, noise, target, solvers, vmap, random } from 'imle'
 * const layer = imle(solvers.topK(10), noise.sumOfGamma({ k: 10, nbIterations: 100 }),
 *                    target.standard({ alpha: 1, beta: 10 }), { nbSamples: 5 })
 * const z = layer(theta, random.key(0))                           // [n] -> [5, n]
 * const zs = vmap(layer)(thetas, random.split(random.key(0), 8))  // [8, n] -> [8, 5, n]
 * ```
 */
export function imle(map: MapFn, noise: Noise, target: Target, options: ImleOptions = {}): Layer {
  const config = decodeOrThrow('imle', ImleConfig, { nbSamples: 1, inputNoiseTemperature: 1, targetNoiseTemperature: 1, ...options })
  return layerOf('imle', map, noise, imleEstimator(target, config.targetNoiseTemperature), config.nbSamples, config.inputNoiseTemperature)
}
