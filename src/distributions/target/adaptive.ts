/**
 * AIMLE's adaptive target (Minervini, Franceschi, Niepert, AAAI 2023; torch-adaptive-imle's
 * `AdaptiveTargetDistribution`): the step `lambda` along `-dL/dz` is set relative to the norms
 * of `theta` and `dL/dz`, and its scale `beta` is adapted so that the gradients keep a target
 * number of non-zero entries per sample. The only stateful target: its state is a plain record
 * the layer holds (`layer.state()`), and `decodeState` reads one back from JSON.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { configured, decodeOrThrow, decodeWith, Finite, NonNegative, UnitInterval } from '../../core/config.js'
import type { ConfigError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import type { Target } from './target.js'

/**
 * The codec of `target.adaptive`'s options (after defaults, torch-adaptive-imle's):
 * `initialAlpha` 1 (weight of `theta`), `initialBeta` 1 (the initial scale of `lambda`),
 * `initialGradNorm` 1 (the initial running number of non-zero gradient entries per sample),
 * `betaUpdateStep` 1e-4, `betaUpdateMomentum` 0, `gradNormDecayRate` 0.9 and `targetNorm` 1
 * (the number of non-zero entries per sample that `beta` steers towards).
 *
 * @example
 * ```ts
 * target.AdaptiveTargetConfig.is({ initialAlpha: 1, initialBeta: 1, initialGradNorm: 1, betaUpdateStep: 1e-3,
 *   betaUpdateMomentum: 0, gradNormDecayRate: 0.9, targetNorm: 1 })   // true
 * ```
 */
export const AdaptiveTargetConfig = t.type({
  initialAlpha: Finite,
  initialBeta: NonNegative,
  initialGradNorm: NonNegative,
  betaUpdateStep: NonNegative,
  betaUpdateMomentum: UnitInterval,
  gradNormDecayRate: UnitInterval,
  targetNorm: NonNegative,
})
/** The decoded options of `target.adaptive`. */
export type AdaptiveTargetConfig = t.TypeOf<typeof AdaptiveTargetConfig>

/**
 * The codec of the adaptive target's state: `beta`, the running average `gradNorm` of the
 * number of non-zero gradient entries per sample, the last update of `beta`
 * (`previousBetaUpdate`, for the momentum) and `betaHistory`, `beta` after every backward pass.
 *
 * @example
 * ```ts
 * target.AdaptiveState.is({ beta: 1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: [] })   // true
 * ```
 */
export const AdaptiveState = t.type({
  beta: NonNegative,
  gradNorm: NonNegative,
  previousBetaUpdate: Finite,
  betaHistory: t.readonlyArray(NonNegative),
})
/** The adaptive target's state (plain numbers). */
export type AdaptiveState = t.OutputOf<typeof AdaptiveState>

/** The adaptive target record (see `adaptive`). */
export type AdaptiveTarget = Target<'adaptive', AdaptiveTargetConfig, AdaptiveState>

/**
 * Reads an adaptive target's state from JSON (as `JSON.stringify(layer.state())` wrote it), to
 * restore a run with `layer.setState`; errors name the bad field.
 *
 * @example
 * ```ts
 * import { target } from 'imle'
 * const r = target.decodeState(JSON.parse('{"beta":0.5,"gradNorm":1.2,"previousBetaUpdate":0,"betaHistory":[1,0.5]}'))   // Right(state)
 * ```
 */
export const decodeState = (json: unknown): E.Either<ConfigError, AdaptiveState> => decodeWith('target.decodeState', AdaptiveState, json, 'json')

/**
 * AIMLE's adaptive target. With `lambda = beta ||theta_S|| / ||dy||` per instance, where
 * `theta_S` is `theta` repeated over the `S` samples (as the per-sample cotangents `dy [S, ...s]`
 * are) and both norms are taken over the instance's entries:
 * - `params(theta, dy, state) = alpha theta - lambda dy` (0 step when `dy = 0`);
 * - the gradient differences are divided by `lambda` (`process`), so `beta` sets the size of
 *   the finite difference and not the size of the gradient;
 * - after each backward pass the state moves: `gradNorm <- decay gradNorm + (1 - decay) nnz`,
 *   `nnz` the mean number of non-zero entries of a sample's gradient over the batch, then
 *   `beta <- max(0, beta + u)` with `u = momentum u' + (gradNorm < targetNorm ? +step : -step)`.
 *
 * Differences from torch-adaptive-imle, on purpose: the norms are per instance (under `vmap`
 * examples stay independent; torch takes them over the whole batch), and `theta`'s norm is
 * taken on the same (repeated) tensor in `params` and in the rescaling (torch uses the
 * repeated tensor in one and the unrepeated in the other, off by `sqrt(S)`); the sparsity
 * statistic is a count of non-zero entries per sample (PyEPO divides by the dimension, which
 * makes `lambda` drift with the problem size).
 *
 * @example
 * ```ts
 * import { imle, noise, solvers, target } from 'imle'
 * const layer = imle(solvers.topK(10), noise.sumOfGamma({ k: 10 }), target.adaptive({ targetNorm: 10 }), { symmetric: true })
 * layer.state().beta   // 1, then adapted by every backward pass
 * ```
 */
export const adaptive = configured(
  'target.adaptive',
  AdaptiveTargetConfig,
  {
    initialAlpha: 1 as Finite,
    initialBeta: 1 as NonNegative,
    initialGradNorm: 1 as NonNegative,
    betaUpdateStep: 1e-4 as NonNegative,
    betaUpdateMomentum: 0 as UnitInterval,
    gradNormDecayRate: 0.9 as UnitInterval,
    targetNorm: 1 as NonNegative,
  },
  (config): AdaptiveTarget => {
    const initial: AdaptiveState = { beta: config.initialBeta, gradNorm: config.initialGradNorm, previousBetaUpdate: 0, betaHistory: [] }
    // lambda per instance: beta sqrt(S) ||theta|| / ||dy||, 0 where dy = 0 ([] per instance).
    const lambda = (theta: tf.Tensor, dy: tf.Tensor, state: AdaptiveState): tf.Tensor => {
      const S = dy.shape[0]!
      const thetaNorm = ops.mul(ops.sqrt(ops.sum(ops.square(theta))), Math.sqrt(S)) // []
      const dyNorm = ops.sqrt(ops.sum(ops.square(dy))) // []
      const positive = ops.greater(dyNorm, 0)
      return ops.where(positive, ops.div(ops.mul(thetaNorm, state.beta), ops.where(positive, dyNorm, ops.onesLike(dyNorm))), ops.zerosLike(dyNorm)) // []
    }
    return {
      _tag: 'adaptive',
      config,
      gradientScale: 1,
      params: (theta, dy, state = initial) => ops.sub(ops.mul(theta, config.initialAlpha), ops.mul(dy, lambda(theta, dy, state))), // [S, ...s]
      process: (theta, dy, diffs, state = initial) => {
        const l = lambda(theta, dy, state) // []
        return ops.div(diffs, ops.where(ops.greater(l, 0), l, ops.onesLike(l))) // [S, ...s]
      },
      adapt: {
        initial,
        // The mean over samples of each sample's number of non-zero entries: [] per instance.
        observe: (diffs) => ops.mean(ops.sum(ops.cast(ops.notEqual(diffs, 0), 'float32'), diffs.shape.slice(1).map((_, i) => i + 1)), 0),
        decode: (fn, state) => decodeOrThrow(fn, AdaptiveState, state, 'state'),
        update: (state, stats) => {
          let nnz = 0
          for (const v of stats) nnz += v
          nnz /= Math.max(stats.length, 1)
          const gradNorm = config.gradNormDecayRate * state.gradNorm + (1 - config.gradNormDecayRate) * nnz
          const step = (gradNorm < config.targetNorm ? 1 : -1) * config.betaUpdateStep
          const update = config.betaUpdateMomentum * state.previousBetaUpdate + step
          const beta = Math.max(state.beta + update, 0)
          return { beta, gradNorm, previousBetaUpdate: update, betaHistory: [...state.betaHistory, beta] }
        },
      },
    }
  },
)
