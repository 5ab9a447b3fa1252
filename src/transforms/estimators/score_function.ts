/**
 * The score-function estimator (REINFORCE, Williams 1992) with a baseline, for a law with an
 * exact sampler and a differentiable log-probability: the layer draws `S` samples, and its
 * backward pass turns the cotangent into `mean_s (f_s - b_s) grad_theta log p(z_s; theta)`.
 * Unlike perturb-and-MAP it needs no solver, only the law's sampler and log-probability.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, Finite, show, PositiveInt, type OptionsOf } from '../../core/config.js'
import { ArgumentError, ConfigError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import { checkKey, type Key } from '../../core/random/keyed.js'
import * as kSubset from '../k_subset.js'
import { customVjp } from '../custom_vjp.js'
import { grad } from '../grad.js'

/**
 * The codec of `scoreFunction`'s options (after defaults): `nbSamples` `S` (default 1) and the
 * `baseline` (default `'none'`): `'none'` (0), `'mean'` (leave-one-out: sample `s` is centred
 * by the mean of the other samples' values, which keeps the estimate unbiased; needs
 * `S >= 2`), or a fixed number.
 *
 * @example
 * ```ts
 * ScoreFunctionConfig.is({ nbSamples: 8, baseline: 'mean' })   // true
 * ScoreFunctionConfig.is({ nbSamples: 8, baseline: 'median' }) // false
 * ```
 */
export const ScoreFunctionConfig = t.type({
  nbSamples: PositiveInt,
  baseline: t.union([t.literal('none'), t.literal('mean'), Finite]),
})
/** The decoded options of `scoreFunction`. */
export type ScoreFunctionConfig = t.TypeOf<typeof ScoreFunctionConfig>
/** Options of `scoreFunction`, derived from `ScoreFunctionConfig`: every field optional. */
export type ScoreFunctionOptions = OptionsOf<typeof ScoreFunctionConfig>

/**
 * An exact sampler: `S` samples of the law with parameters `theta`, from `key`, not
 * differentiated. Shapes: `([...s], key [2], S) -> [S, ...o]`.
 */
export type ScoreFunctionSampler = (theta: tf.Tensor, key: Key, nbSamples: number) => tf.Tensor

/**
 * The log-probability of samples, differentiable in `theta` with `ops` (or a `customVjp`).
 * It may carry its vector-Jacobian product in `theta`, `vjp(theta, z, c) = sum_s c_s
 * d logProb(theta, z)_s / d theta`, which the backward pass then uses instead of `grad`.
 * Shapes: `([...s], [S, ...o]) -> [S]`; `vjp: ([...s], [S, ...o], [S]) -> [...s]`.
 */
export interface ScoreFunctionLogProb {
  (theta: tf.Tensor, z: tf.Tensor): tf.Tensor
  readonly vjp?: (theta: tf.Tensor, z: tf.Tensor, c: tf.Tensor) => tf.Tensor
}

/** A score-function layer: `(theta [...s], key [2]) -> z [S, ...o]`, with its decoded options. */
export interface ScoreFunctionLayer {
  (theta: tf.Tensor, key: Key): tf.Tensor
  readonly config: ScoreFunctionConfig
  /** The MAP state for evaluation, no key, no gradient (when the layer was given a `map`). */
  readonly map: (theta: tf.Tensor) => tf.Tensor
}

/** The defaults of the score function's options. */
export const scoreFunctionDefaults = { nbSamples: 1, baseline: 'none' } as const

/**
 * The per-sample weights `c_s = (f_s - b_s) / S` of the score-function estimate
 * `sum_s c_s grad log p(z_s)`, from `f [S]`. Leave-one-out: `f_s - mean_{t != s} f_t` is
 * `S / (S - 1) (f_s - mean f)`, so `c_s = (f_s - mean f) / (S - 1)`.
 */
function weights(f: tf.Tensor, S: number, baseline: ScoreFunctionConfig['baseline']): tf.Tensor {
  if (baseline === 'none') return ops.div(f, S) // [S]
  if (baseline === 'mean') return ops.div(ops.sub(f, ops.mean(f)), S - 1) // [S]
  return ops.div(ops.sub(f, baseline), S) // [S]
}

/**
 * Makes a differentiable sampling layer with the score-function (REINFORCE) estimator.
 *
 * Forward, `layer(theta, key)`: `z = sampler(theta, key, S)`, `[S, ...o]` (one sampler call;
 * under `vmap`, one call for the whole batch). Backward, for the cotangent `dz [S, ...o]`:
 * with `f_s = <dz_s, z_s>` (the value of a loss linear in `z`, and the first-order value of any
 * other), `dtheta = mean_s (f_s - b_s) grad_theta logProb(theta, z)_s`, the gradient taken with
 * `grad` over `logProb` once for all samples (or by `logProb.vjp` when it has one). For a loss
 * `L(z) = <w, z>` this is an unbiased estimate of `grad_theta E[L(z)]` with `baseline`
 * `'none'`, a number, or `'mean'` (each sample's baseline is the mean of the *other* samples'
 * `f`, independent of that sample, so the estimate stays unbiased; it removes the variance
 * that a large mean of `f` causes). Works under `vmap` and `grad`.
 *
 * Options are decoded with `ScoreFunctionConfig`: a bad one is a `ConfigError` naming it,
 * `scoreFunction(options.nbSamples): expected PositiveInt but got 0`.
 *
 * @example
 * ```ts
 * import { kSubset, random, scoreFunction } from 'imle'
 * const layer = scoreFunction(
 *   (th, key, S) => kSubset.sample(th, 2, key, { nbSamples: S }),   // [S, n]
 *   (th, z) => kSubset.logProb(th, 2, z),                            // [S]
 *   { nbSamples: 64, baseline: 'mean' },
 * )
 * const z = layer(theta, random.key(0))   // [64, n]
 * ```
 */
export function scoreFunction(
  sampler: ScoreFunctionSampler,
  logProb: ScoreFunctionLogProb,
  options: ScoreFunctionOptions = {},
  map?: (theta: tf.Tensor) => tf.Tensor,
): ScoreFunctionLayer {
  return make('scoreFunction', sampler, logProb, options, map)
}

/**
 * `scoreFunction` for the exact k-subset law (`kSubset.sample`, `kSubset.logProb`): a layer
 * `(theta [n], key) -> z [S, n]` whose gradient is the score-function estimate.
 *
 * @example
 * ```ts
 * import { kSubsetScoreFunction, ops, grad, random } from 'imle'
 * const layer = kSubsetScoreFunction(2, { nbSamples: 100, baseline: 'mean' })
 * const g = grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, random.key(0)), w)))(theta)   // [n]
 * ```
 */
export function kSubsetScoreFunction(k: number, options: ScoreFunctionOptions = {}): ScoreFunctionLayer {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
    throw new ArgumentError(`kSubsetScoreFunction(k): k must be a non-negative integer but got ${String(k)}`)
  }
  // d logProb_s / d theta = z_s - marginals(theta), so the vjp is sum_s c_s z_s - (sum_s c_s) mu.
  const logProb = Object.assign((theta: tf.Tensor, z: tf.Tensor) => kSubset.logProb(theta, k, z), {
    vjp: (theta: tf.Tensor, z: tf.Tensor, c: tf.Tensor) =>
      ops.sub(ops.sum(ops.mul(ops.expandDims(c, -1), z), 0), ops.mul(ops.sum(c), kSubset.marginals(theta, k))), // [n]
  })
  const sampler: ScoreFunctionSampler = (theta, key, S) => kSubset.sample(theta, k, key, { nbSamples: S }) // [S, n]
  return make('kSubsetScoreFunction', sampler, logProb, options, kSubset.layer(k).map)
}

function make(
  fn: string,
  sampler: ScoreFunctionSampler,
  logProb: ScoreFunctionLogProb,
  options: ScoreFunctionOptions,
  map?: (theta: tf.Tensor) => tf.Tensor,
): ScoreFunctionLayer {
  const config = decodeOptionsOrThrow(fn, ScoreFunctionConfig, scoreFunctionDefaults, options)
  const { nbSamples: S, baseline } = config
  if (baseline === 'mean' && S < 2) {
    throw new ConfigError(`${fn}(options.baseline): 'mean' (leave-one-out) needs nbSamples >= 2 but got nbSamples ${S}; use 'none' or a number`)
  }
  const got = (x: unknown): string => (x === null ? 'null' : `${typeof x} ${show(x)}`)
  if (typeof sampler !== 'function') throw new ArgumentError(`${fn}(sampler): sampler must be a function (theta, key, S) -> [S, ...o] but got ${got(sampler)}`)
  if (typeof logProb !== 'function') throw new ArgumentError(`${fn}(logProb): logProb must be a function (theta, z) -> [S] but got ${got(logProb)}`)
  if (map !== undefined && typeof map !== 'function') throw new ArgumentError(`${fn}(map): map must be a function theta -> z (a MAP solver) or undefined but got ${got(map)}`)
  const vjp = logProb.vjp
  type Residuals = { readonly theta: tf.Tensor; readonly z: tf.Tensor }
  const core = customVjp(
    (theta: tf.Tensor, key: Key): readonly [tf.Tensor, Residuals] => {
      const raw = sampler(theta, key, S) // [S, ...o]
      if (!(raw instanceof tf.Tensor) || raw.rank < 1 || raw.shape[0] !== S) {
        throw new ArgumentError(
          `${fn}(sampler): the sampler must return a tensor of shape [${S}, ...] (nbSamples first; [${[S, ...theta.shape].join(', ')}] for samples shaped like theta) but returned ` +
            (raw instanceof tf.Tensor ? `shape [${raw.shape.join(', ')}]` : typeof raw),
        )
      }
      const z = raw.dtype === 'float32' ? raw : ops.cast(raw, 'float32') // [S, ...o]
      return [z, { theta, z }]
    },
    ({ theta, z }: Residuals, dz: tf.Tensor) => {
      const axes = Array.from({ length: z.rank - 1 }, (_, i) => i + 1)
      const prod = ops.mul(dz, z) // [S, ...o]
      const f = axes.length === 0 ? prod : ops.sum(prod, axes) // [S]
      const c = weights(f, S, baseline) // [S]
      const g = vjp === undefined ? grad((th: tf.Tensor) => ops.sum(ops.mul(logProb(th, z), c)))(theta) : vjp(theta, z, c) // [...s]
      return [g, null] as const
    },
  )
  const layer = (theta: tf.Tensor, key: Key): tf.Tensor => {
    if (!(theta instanceof tf.Tensor) || theta.dtype !== 'float32') {
      throw new ArgumentError(`${fn}(theta): theta must be a float32 tf.Tensor but got ${theta instanceof tf.Tensor ? `dtype ${theta.dtype}` : typeof theta}`)
    }
    checkKey(`${fn}(key)`, key)
    return core(theta, key) // [S, ...o]
  }
  const mapOnly =
    map ??
    ((): tf.Tensor => {
      throw new ArgumentError(`${fn}.map: this layer has no MAP solver; pass one as scoreFunction's fourth argument`)
    })
  return Object.assign(layer, { config, map: mapOnly })
}
