/**
 * The one perturb-and-MAP path every estimator shares. Forward: the noise for all `S` samples
 * is drawn from the key in one vectorized call, and all `S` perturbed instances (under `vmap`,
 * all `B * S`) are solved in one batched solver call. Backward: the estimator's rule receives
 * the residuals (`theta`, the very same noise, the MAP states) and the cotangent. This module
 * owns the single `customVjp`; the sample axis is always kept internally.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOrThrow, NonNegative, PositiveInt, type OptionsOf } from '../../core/config.js'
import { toCanonical } from '../../core/batching.js'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import { checkKey } from '../../core/random/keyed.js'
import { activeFrames } from '../../core/tracer.js'
import type { Noise } from '../../distributions/noise/noise.js'
import { isSolver } from '../../solvers/solver.js'
import { customVjp } from '../custom_vjp.js'
import { vmap } from '../vmap.js'
import type { Estimator, MapFn } from './estimator.js'

/**
 * The codec of the options every perturbation estimator shares (after defaults): `nbSamples`
 * `S` (default 1) and the forward noise temperature `inputNoiseTemperature` `tau` (default 1).
 *
 * @example
 * ```ts
 * estimators.PerturbConfig.is({ nbSamples: 5, inputNoiseTemperature: 1 })   // true
 * ```
 */
export const PerturbConfig = t.type({ nbSamples: PositiveInt, inputNoiseTemperature: NonNegative })
/** The decoded shared options. */
export type PerturbConfig = t.TypeOf<typeof PerturbConfig>
/** The shared options a caller passes: every field optional. */
export type PerturbOptions = OptionsOf<typeof PerturbConfig>

/**
 * A perturb-and-MAP layer: `(theta [...s], key int32 [2]) -> output` (the estimator's
 * `output`), with the estimator's state (`undefined` unless it adapts): `state()` reads it,
 * `setState(s)` replaces it (to reset, or to restore a saved run).
 */
export interface Layer<State = undefined> {
  (theta: tf.Tensor, key: tf.Tensor): tf.Tensor
  readonly state: () => State
  readonly setState: (state: State) => void
}

/** `eps * tau`, without an op when `tau = 1`. */
export const scaled = (eps: tf.Tensor, tau: number): tf.Tensor => (tau === 1 ? eps : ops.mul(eps, tau))

/** The solver over a leading sample axis, `[S, ...s] -> [S, ...s]`: a solver record's own batched call, or `vmap`. */
export const solveSamples = (map: MapFn): ((theta: tf.Tensor) => tf.Tensor) => (isSolver(map) ? map.batched : vmap(map))

/**
 * Makes a layer from a MAP solver, a noise distribution and an estimator's rules.
 *
 * Forward, `layer(theta, key)`: `eps ~ noise` of shape `[S, ...s]` drawn once from `key`,
 * `z_s = map(theta + tau eps_s)` for all `s` in one batched call, output `estimator.output(z)`
 * (default `z`, `[S, ...s]`). Backward: `estimator.backward` with the same `eps`.
 *
 * @example
 * ```ts
 * import { estimators, noise, ops, random, solvers } from 'imle'
 * const ste: estimators.Estimator = { _tag: 'ste', config: {}, backward: ({ dz }) => ops.mean(dz, 0) }
 * const layer = estimators.perturbAndMap(solvers.topK(2), noise.gumbel(), ste, { nbSamples: 4 })
 * layer(tf.randomNormal([6]), random.key(0))   // [4, 6]
 * ```
 */
export function perturbAndMap<State = undefined>(
  map: MapFn,
  noise: Noise,
  estimator: Estimator<string, unknown, State>,
  options: PerturbOptions = {},
): Layer<State> {
  const { nbSamples: S, inputNoiseTemperature: tau } = decodeOrThrow('perturbAndMap', PerturbConfig, {
    nbSamples: 1,
    inputNoiseTemperature: 1,
    ...options,
  })
  return layerOf(`${estimator._tag}`, map, noise, estimator, S, tau)
}

/** The layer of `perturbAndMap`, for decoded options; `fn` names the public factory in errors. */
export function layerOf<State>(fn: string, map: MapFn, noise: Noise, estimator: Estimator<string, unknown, State>, S: number, tau: number): Layer<State> {
  checkRecords(fn, map, noise, estimator)
  const solve = solveSamples(map) // [S, ...s] -> [S, ...s]
  const { adapt } = estimator
  let state = adapt?.initial as State
  type Residuals = { readonly theta: tf.Tensor; readonly eps: tf.Tensor; readonly z: tf.Tensor }
  const core = customVjp(
    (theta: tf.Tensor, key: tf.Tensor): readonly [tf.Tensor, Residuals] => {
      const eps = noise.sample(key, [S, ...theta.shape]) // [S, ...s]
      const z = solve(ops.add(theta, scaled(eps, tau))) // [S, ...s]
      return [z, { theta, eps, z }]
    },
    ({ theta, eps, z }: Residuals, dz: tf.Tensor) => {
      const ctx = { theta, eps, z, dz, solve, nbSamples: S, inputNoiseTemperature: tau, state }
      const grad = estimator.backward(ctx) // [...s]
      if (adapt !== undefined) {
        // The statistics of the whole batch, on the host: [B_1, ..., B_n, ...o].
        const stats = toCanonical(ops.cast(adapt.observe(ctx, grad), 'float32'), activeFrames())
        state = adapt.update(state, stats.dataSync() as Float32Array, stats.shape)
      }
      return [grad, null] as const
    },
  )
  const present = estimator.output
  const rank = isSolver(map) ? map.instanceRank : undefined
  const layer = (theta: tf.Tensor, key: tf.Tensor): tf.Tensor => {
    checkTheta(fn, theta, rank)
    checkKey(fn, key)
    const z = core(theta, key) // [S, ...s]
    return present === undefined ? z : present(z, S)
  }
  return Object.assign(layer, {
    state: () => state,
    setState: (next: State) => {
      state = next
    },
  })
}

function checkRecords<State>(fn: string, map: MapFn, noise: Noise, estimator: Estimator<string, unknown, State>): void {
  if (typeof map !== 'function') throw new ArgumentError(`${fn}(map): map must be a function (a MAP solver) but got ${typeof map}`)
  if (typeof noise !== 'object' || noise === null || typeof noise.sample !== 'function') {
    throw new ArgumentError(`${fn}(noise): noise must be a noise record with a sample(key, shape) function (noise.gumbel(), ...) but got ${noise === null ? 'null' : typeof noise}`)
  }
  if (typeof estimator !== 'object' || estimator === null || typeof estimator.backward !== 'function') {
    throw new ArgumentError(`${fn}(estimator): estimator must be a record with a backward(ctx) function but got ${estimator === null ? 'null' : typeof estimator}`)
  }
}

function checkTheta(fn: string, theta: unknown, rank: number | undefined): asserts theta is tf.Tensor {
  if (!(theta instanceof tf.Tensor)) throw new ArgumentError(`${fn}(theta): theta must be a tf.Tensor but got ${typeof theta}`)
  if (theta.rank < 1) {
    throw new ArgumentError(`${fn}(theta): theta must have rank >= 1 (one instance of the solver's input) but got a scalar`)
  }
  if (rank !== undefined && theta.rank !== rank) {
    throw new ArgumentError(
      `${fn}(theta): theta must be one instance of the solver, of rank ${rank}, but got shape [${theta.shape.join(', ')}]` +
        (theta.rank === rank + 1 ? '; for a batch of instances use vmap(layer) with one key per instance' : ''),
    )
  }
  if (theta.dtype !== 'float32') throw new ArgumentError(`${fn}(theta): theta must be float32 but got ${theta.dtype}`)
}
