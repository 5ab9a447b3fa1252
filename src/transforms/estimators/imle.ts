/**
 * I-MLE (Niepert, Minervini, Franceschi, NeurIPS 2021) on the shared perturb-and-MAP path: its
 * rules are the backward pass `mean_s (z_s - z'_s)` times the target's gradient scale, with
 * `z'_s = map(theta'_s + tau' eps_s)` solved in one batched call on the forward pass's noise,
 * and the torch-imle presentation of the output (`[...s]` for one sample, `[S, ...s]` otherwise).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, NonNegative, show, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { fmtShape } from '../../core/folded.js'
import * as ops from '../../core/ops.js'
import type { Noise } from '../../distributions/noise/noise.js'
import type { Target } from '../../distributions/target/target.js'
import type { Estimator, MapFn } from './estimator.js'
import { layerOf, meanRows, PerturbConfig, perturbDefaults, type Layer } from './perturb_and_map.js'

/**
 * The codec of `imle`'s options (after defaults): the shared ones (`estimators.PerturbConfig`:
 * `nbSamples`, `nbMarginalSamples`, `inputNoiseTemperature`, `sense`, `reduce`), the temperature
 * `targetNoiseTemperature` `tau'` of the same noise in the backward pass (default 1), and
 * `symmetric` (default false): central differences of the target's two directions.
 *
 * @example
 * ```ts
 * import { ImleConfig } from 'imle'
 * ImleConfig.is({ nbSamples: 5, nbMarginalSamples: 1, inputNoiseTemperature: 1, sense: 'max', reduce: 'none', targetNoiseTemperature: 1, symmetric: false })   // true
 * ```
 */
export const ImleConfig = t.type({ ...PerturbConfig.props, targetNoiseTemperature: NonNegative, symmetric: t.boolean })
/** The decoded options of `imle`. */
export type ImleConfig = t.TypeOf<typeof ImleConfig>
/** Options of `imle`, derived from `ImleConfig`: every field optional. */
export type ImleOptions = OptionsOf<typeof ImleConfig>

/** The I-MLE estimator's rules (see `imleEstimator`); `State` is the target's (AIMLE's adaptive one). */
export type ImleEstimator<State = undefined> = Estimator<
  'imle',
  { readonly target: Target<string, unknown, State>; readonly targetNoiseTemperature: number; readonly symmetric: boolean },
  State
>

/**
 * The rules of I-MLE for a target distribution, the backward noise temperature `tau'` and the
 * symmetric flag, with `z'(d) = perturbed(target.params(theta, d, state), tau')` (the saved
 * noise) and `mu` the mean over each sample's `M` marginal rows (μ–μ):
 * - the per-sample differences `D = mu(z) - mu(z'(dz))`, or, symmetric,
 *   `D = (mu(z'(-dz)) - mu(z'(dz))) / 2` (central differences: for the standard target,
 *   `MAP(theta + beta dz + tau' eps)` minus `MAP(theta - beta dz + tau' eps)`; two solver calls);
 * - `backward = mean_s target.process(theta, dz, D)_s`, by default `gradientScale * mean_s D_s`;
 * - a target that adapts (`target.adaptive`) gets `target.adapt.observe(D)` as its per-example
 *   statistics after each backward pass; its state lives in the layer (`layer.state()`).
 *
 * `imle` is `perturbAndMap` with these rules.
 *
 * @example
 * ```ts
 * import { estimators, noise, solvers, target } from 'imle'
 * const rules = estimators.imleEstimator(target.standard({ beta: 10 }), { targetNoiseTemperature: 1 })
 * const layer = estimators.perturbAndMap(solvers.topK(3), noise.gumbel(), rules, { nbSamples: 2 })
 * ```
 */
export function imleEstimator<State = undefined>(
  target: Target<string, unknown, State>,
  { targetNoiseTemperature = 1, symmetric = false }: { readonly targetNoiseTemperature?: number; readonly symmetric?: boolean } = {},
): ImleEstimator<State> {
  if (typeof target !== 'object' || target === null || typeof target.params !== 'function') {
    throw new ArgumentError(`imle(target): target must be a target record with params(theta, dy) (target.standard(), ...) but got ${target === null ? 'null' : typeof target}`)
  }
  const { process, adapt } = target
  const scale = target.gradientScale
  return {
    _tag: 'imle',
    config: { target, targetNoiseTemperature, symmetric },
    backward: ({ theta, z, dz, perturbed, marginal, state }) => {
      // z'(d): the MAP states of target.params(theta, d) under the saved noise, [S * M, ...s].
      const towards = (d: tf.Tensor): tf.Tensor => perturbed(checkParams(target.params(theta, d, state), theta, d), targetNoiseTemperature)
      const [left, right] = symmetric ? [towards(ops.neg(dz)), towards(dz)] : [z, towards(dz)]
      const half = symmetric ? 0.5 : 1
      const diffs = ops.sub(marginal(left), marginal(right)) // [S, ...s]: mu-mu, averaged before differencing
      const grad =
        process === undefined
          ? scaleBy(meanRows(diffs), scale * half) // [...s]
          : meanRows(process(theta, dz, symmetric ? ops.mul(diffs, half) : diffs, state)) // [...s]
      return adapt === undefined ? grad : { grad, stats: adapt.observe(diffs) }
    },
    ...(adapt === undefined ? {} : { adapt: { initial: adapt.initial, update: adapt.update, ...(adapt.decode === undefined ? {} : { decode: adapt.decode }) } }),
  }
}

const scaleBy = (g: tf.Tensor, c: number): tf.Tensor => (c === 1 ? g : ops.mul(g, c))

/** `thetaPrime`, what `target.params(theta, dy)` returned, once checked: float32, of the shape of `dy` `[R, ...s]` or of `theta` `[...s]`. */
function checkParams(thetaPrime: unknown, theta: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i])
  if (!(thetaPrime instanceof tf.Tensor) || thetaPrime.dtype !== 'float32' || !(same(thetaPrime.shape, dy.shape) || same(thetaPrime.shape, theta.shape))) {
    const got = thetaPrime instanceof tf.Tensor ? `a ${thetaPrime.dtype} tensor of shape ${fmtShape(thetaPrime.shape)}` : `${typeof thetaPrime} ${show(thetaPrime)}`
    throw new ArgumentError(
      `imle(target): target.params(theta, dy) must return a float32 tensor of shape ${fmtShape(dy.shape)} (or ${fmtShape(theta.shape)}, the shape of theta) but returned ${got}`,
    )
  }
  return thetaPrime
}

/** The defaults of `imle`'s options. */
export const imleDefaults = { ...perturbDefaults, targetNoiseTemperature: 1 as NonNegative, symmetric: false }

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
 * The other options (`ImleConfig`): `nbMarginalSamples` `M` draws `M` perturbations per sample
 * (all returned) and averages each sample's `M` MAP states before differencing (μ–μ); `symmetric` takes central differences of the target's
 * two directions; `sense: 'min'` minimises `<theta, z>`; `reduce: 'mean'` returns the mean over
 * samples. `layer.map(theta)` is the unperturbed MAP state for evaluation.
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
export function imle<State = undefined>(map: MapFn, noise: Noise, target: Target<string, unknown, State>, options: ImleOptions = {}): Layer<State> {
  const { targetNoiseTemperature, symmetric, ...shared } = decodeOptionsOrThrow('imle', ImleConfig, imleDefaults, options)
  return layerOf('imle', map, noise, imleEstimator(target, { targetNoiseTemperature, symmetric }), shared)
}
