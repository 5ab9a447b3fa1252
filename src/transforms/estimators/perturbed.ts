/**
 * The perturbed optimiser (Berthet et al., "Learning with differentiable perturbed optimizers",
 * NeurIPS 2020; PyEPO's DPO, InferOpt's PerturbedAdditive/Multiplicative) on the shared path:
 * forward the Monte-Carlo mean of the perturbed MAP states, backward the Monte-Carlo
 * Jacobian–vector product through the noise's density.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOptionsOrThrow, Positive, show, PositiveInt, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import type { Noise } from '../../distributions/noise/noise.js'
import type { Estimator, MapFn } from './estimator.js'
import { layerOf, PerturbConfig, perturbDefaults, type Layer } from './perturb_and_map.js'

/**
 * The codec of `perturbed`'s options (after defaults): `nbSamples` (default 1), `sigma` the
 * noise scale (default 1), `multiplicative` (default false), `sense` (default `'max'`) and
 * `reduce` (default `'mean'`, the perturbed optimiser's output `E[MAP(theta + sigma Z)]`).
 *
 * @example
 * ```ts
 * estimators.PerturbedConfig.is({ nbSamples: 10, sigma: 0.5, multiplicative: false, sense: 'max', reduce: 'mean' })   // true
 * ```
 */
export const PerturbedConfig = t.type({
  nbSamples: PositiveInt,
  sigma: Positive,
  multiplicative: t.boolean,
  sense: PerturbConfig.props.sense,
  reduce: PerturbConfig.props.reduce,
})
/** The defaults of `perturbed`'s options. */
export const perturbedDefaults = { nbSamples: 1 as PositiveInt, sigma: 1 as Positive, multiplicative: false, sense: 'max' as const, reduce: 'mean' as const }

/** Options of `perturbed`, derived from `PerturbedConfig`: every field optional. */
export type PerturbedOptions = OptionsOf<typeof PerturbedConfig>

/** The perturbed optimiser's rules (see `perturbedEstimator`). */
export type PerturbedEstimator = Estimator<'perturbed', { readonly sigma: number; readonly multiplicative: boolean }>

/**
 * The perturbed optimiser's rules, for noise `Z` with density `p` (it must have
 * `gradLogProb`):
 * - additive, `theta' = theta + sigma Z`: with the Monte-Carlo output `y = mean_r z_r`, the
 *   Jacobian is `E[MAP(theta + sigma Z) grad nu(Z)^T] / sigma`, `nu = -log p`, so the backward
 *   rule is `dL/dtheta = (1 / sigma) sum_r <z_r, dz_r> (-gradLogProb(Z_r))` (with `reduce:
 *   'mean'`, `dz_r = dy / R`: the mean over rows). For Gaussian noise `-gradLogProb(Z) = Z`.
 * - multiplicative, `theta' = theta * exp(sigma Z - sigma^2 / 2)` (with the `1/2` that keeps
 *   `E[theta'] = theta` for Gaussian `Z`): the same estimate in `log |theta|`, divided by
 *   `theta` (entries of `theta` must be non-zero).
 * No solver call in the backward pass.
 *
 * @example
 * ```ts
 * import { estimators, noise, solvers } from 'imle'
 * const rules = estimators.perturbedEstimator({ sigma: 0.5, multiplicative: false })
 * const layer = estimators.perturbAndMap(solvers.topK(2), noise.normal(), rules, { nbSamples: 8, inputNoiseTemperature: 0.5, reduce: 'mean' })
 * ```
 */
export function perturbedEstimator({ sigma, multiplicative }: { readonly sigma: number; readonly multiplicative: boolean }): PerturbedEstimator {
  if (!PerturbedConfig.props.sigma.is(sigma)) {
    throw new ArgumentError(`perturbedEstimator(sigma): sigma must be a finite number > 0 (at least 2^-126, a normal float32) but got ${show(sigma)}`)
  }
  if (typeof multiplicative !== 'boolean') throw new ArgumentError(`perturbedEstimator(multiplicative): multiplicative must be a boolean but got ${show(multiplicative)}`)
  return {
    _tag: 'perturbed',
    config: { sigma, multiplicative },
    ...(multiplicative
      ? { perturb: (theta, scaledNoise) => ops.mul(theta, ops.exp(ops.sub(scaledNoise, (sigma * sigma) / 2))) } // theta e^(sigma Z - sigma^2/2)
      : {}),
    backward: ({ theta, eps, z, dz, noise }) => {
      const score = noise.gradLogProb
      if (score === undefined) throw new ArgumentError(`perturbed(noise): the noise '${noise._tag}' has no gradLogProb`)
      const axes = Array.from({ length: z.rank - 1 }, (_, i) => i + 1)
      const weight = ops.sum(ops.mul(z, dz), axes) // [R]: <z_r, dz_r>
      const w = ops.reshape(weight, [weight.shape[0]!, ...axes.map(() => 1)]) // [R, 1, ...]
      const g = ops.div(ops.sum(ops.mul(w, ops.neg(score(eps))), 0), sigma) // [...s]
      return multiplicative ? ops.div(g, theta) : g
    },
  }
}

/**
 * The perturbed optimiser as a layer: forward `mean_s MAP(theta + sigma Z_s)` (or
 * `MAP(theta * exp(sigma Z_s - sigma^2 / 2))` with `multiplicative`), `Z` from `noise` (Gaussian
 * with `noise.normal()`, as Berthet et al.; any noise with `gradLogProb`), backward the
 * Monte-Carlo Jacobian–vector product (see `perturbedEstimator`). With `reduce: 'none'` the
 * layer returns the `S` samples. One solver call per forward pass, none backward.
 *
 * Shapes: `(theta [...s], key [2]) -> [...s]` (`[S, ...s]` with `reduce: 'none'`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { noise, perturbed, random, solvers } from 'imle'
 * const layer = perturbed(solvers.topK(2), noise.normal(), { nbSamples: 100, sigma: 0.5 })
 * layer(tf.tensor1d([1, 0.9, -1]), random.key(0))   // [3]: the smoothed top-2, entries in [0, 1] summing to 2
 * ```
 */
export function perturbed(map: MapFn, noise: Noise, options: PerturbedOptions = {}): Layer {
  const { sigma, multiplicative, ...shared } = decodeOptionsOrThrow('perturbed', PerturbedConfig, perturbedDefaults, options)
  if (typeof noise === 'object' && noise !== null && typeof noise.gradLogProb !== 'function') {
    throw new ArgumentError(
      `perturbed(noise): the noise must have a density with gradLogProb (noise.normal(), noise.gumbel(), or noise.custom with one) but '${noise._tag}' has none`,
    )
  }
  return layerOf('perturbed', map, noise, perturbedEstimator({ sigma, multiplicative }), {
    ...perturbDefaults,
    ...shared,
    inputNoiseTemperature: sigma as number as typeof perturbDefaults.inputNoiseTemperature,
  })
}
