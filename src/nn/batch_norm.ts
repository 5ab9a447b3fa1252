/**
 * `batchNorm`: batch normalisation (Ioffe and Szegedy, 2015) over the last (feature) axis,
 * the one stateful layer: its running statistics are explicit state, threaded by the caller.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, Positive } from '../core/config.js'
import { ArgumentError, describe } from '../core/errors.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import { InitializerCodec, ones, zeros, type Initializer } from './initializers.js'
import { badInput, checkApplyOptions, checkInShape, checkTensor, tidy, type ApplyOptions, type Layer, type StepOptions } from './layer.js'

/** The parameters of `batchNorm`: scale `gamma` and shift `beta`, both `[C]`. */
export interface BatchNormParams {
  readonly gamma: tf.Tensor
  readonly beta: tf.Tensor
}

/** The state of `batchNorm`: running mean and (biased) variance of the features, both `[C]`. */
export interface BatchNormState {
  readonly mean: tf.Tensor
  readonly variance: tf.Tensor
}

/** A decay rate in `[0, 1)`. */
const Momentum = t.refinement(t.number, (n) => n >= 0 && n < 1, 'a number in [0, 1)')

/**
 * The codec of `batchNorm`'s options.
 *
 * @example
 * ```ts
 * nn.BatchNormConfig.is({ momentum: 0.9, eps: 1e-5, gammaInit: nn.ones(), betaInit: nn.zeros() })   // true
 * ```
 */
export const BatchNormConfig = t.type({ momentum: Momentum, eps: Positive, gammaInit: InitializerCodec, betaInit: InitializerCodec })
/** The decoded options of `batchNorm`. */
export type BatchNormConfig = t.TypeOf<typeof BatchNormConfig>

/**
 * Batch normalisation over the last axis: `y = gamma (x - m) / sqrt(v + eps) + beta`, with
 * `m`, `v` the mean and biased variance of each feature over every other axis (the batch, and
 * the spatial axes of an image) in training mode, and the running statistics of the state in
 * evaluation mode.
 *
 * State: `initState(params)` gives `{ mean: 0, variance: 1 }` (`[C]` each). In training mode
 * `applyWithState` returns the state updated as `momentum * old + (1 - momentum) * batch`
 * (flax's convention); in evaluation mode it returns a copy of the state. The state carries no
 * gradient (`ops.stopGradient`). `apply` in evaluation mode needs `options.state`.
 *
 * Shapes: `init(key, [...s, C]) -> [...s, C]`; `apply: [B, ...s, C] -> [B, ...s, C]`.
 * Options: `momentum` (default 0.99), `eps` (default 1e-5), `gammaInit` (default `ones()`),
 * `betaInit` (default `zeros()`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const bn = nn.batchNorm({ momentum: 0.9 })
 * const [params] = bn.init(random.key(0), [4])
 * let state = bn.initState(params)                                              // { mean: [4], variance: [4] }
 * const xs = tf.randomNormal([32, 4])
 * const [y, next] = bn.applyWithState(params, state, xs, { training: true })  // y: [32, 4], batch statistics
 * state = next                                                                // running statistics updated
 * const yEval = bn.apply(params, xs, { state })                                // evaluation: running statistics
 * ```
 */
export function batchNorm(
  options: Partial<{ momentum: number; eps: number; gammaInit: Initializer; betaInit: Initializer }> = {},
): Layer<BatchNormParams, BatchNormState> {
  const fn = 'nn.batchNorm'
  const c = decodeOptionsOrThrow(fn, BatchNormConfig, { momentum: 0.99, eps: 1e-5, gammaInit: ones(), betaInit: zeros() }, options)

  const features = (inShape: unknown, where: string): number => {
    const s = checkInShape(where, inShape)
    if (s.length === 0) checkInShape(where, inShape, 1, 'a shape [...s, C] of rank >= 1 (features on the last axis)')
    return s[s.length - 1]!
  }

  /** Checks `x` against `gamma` `[C]`; returns the axes to reduce (all but the last). */
  const axesOf = (where: string, x: unknown, gamma: tf.Tensor): number[] => {
    const xt = checkTensor(where, x)
    const nC = gamma.shape[0]!
    if (xt.rank < 2 || xt.shape[xt.rank - 1] !== nC) badInput(where, `[B, ...s, ${nC}] (a batch of examples with ${nC} features last)`, xt)
    return Array.from({ length: xt.rank - 1 }, (_, i) => i)
  }

  const checkState = (where: string, state: unknown, nC: number): BatchNormState => {
    const s = state as BatchNormState | undefined
    const ok = (v: unknown): boolean => v !== null && typeof v === 'object' && (v as tf.Tensor).rank === 1 && (v as tf.Tensor).shape[0] === nC
    if (s === undefined || s === null || typeof s !== 'object' || !ok(s.mean) || !ok(s.variance)) {
      throw new ArgumentError(
        `${where}: evaluation mode (training false) normalises with the running statistics, so the state must be ` +
          `{ mean: [${nC}], variance: [${nC}] } (from initState or applyWithState) but got ` +
          (s === undefined ? 'undefined; pass options.state, or training: true for batch statistics' : describe(s)),
      )
    }
    return s
  }

  /** `[y, batch mean, batch variance]` in training mode; `y` from `stats` otherwise. */
  const normalise = (p: BatchNormParams, x: tf.Tensor, axes: number[], stats: BatchNormState | null): [tf.Tensor, tf.Tensor, tf.Tensor] => {
    const mean = stats === null ? ops.mean(x, axes) : stats.mean // [C]
    const variance = stats === null ? ops.mean(ops.square(ops.sub(x, mean)), axes) : stats.variance // [C]
    const scale = ops.mul(p.gamma, ops.rsqrt(ops.add(variance, c.eps))) // [C]
    const y = ops.add(ops.mul(ops.sub(x, mean), scale), p.beta) // [B, ...s, C]
    return [y, mean, variance]
  }

  return {
    _tag: 'batchNorm',
    init: (key, inShape) =>
      tidy(() => {
        const nC = features(inShape, `${fn}.init`)
        const fans = { fanIn: nC, fanOut: nC }
        const params: BatchNormParams = {
          gamma: c.gammaInit.init(random.foldIn(key, 0), [nC], fans), // [C]
          beta: c.betaInit.init(random.foldIn(key, 1), [nC], fans), // [C]
        }
        return [params, [...(inShape as readonly number[])]] as const
      }),
    initState: (params) => {
      const gamma = (params as Partial<BatchNormParams> | undefined)?.gamma
      if (!(gamma instanceof tf.Tensor) || gamma.rank !== 1) {
        throw new ArgumentError(`${fn}.initState(params): expected the parameters of batchNorm ({ gamma: [C], beta: [C] }, from init) but got ${describe(params)}`)
      }
      const nC = gamma.shape[0]!
      return { mean: tf.zeros([nC]), variance: tf.ones([nC]) } // [C] each
    },
    apply: (params, x, options?: ApplyOptions<BatchNormState>) => {
      const where = `${fn}.apply`
      const o = checkApplyOptions(where, options)
      const axes = axesOf(where, x, params.gamma)
      const stats = o.training ? null : checkState(`${where}(options.state)`, options?.state, params.gamma.shape[0]!)
      return tidy(() => normalise(params, x, axes, stats)[0])
    },
    applyWithState: (params, state, x, options?: StepOptions) => {
      const where = `${fn}.applyWithState`
      const o = checkApplyOptions(where, options)
      const axes = axesOf(where, x, params.gamma)
      const s = checkState(`${where}(state)`, state, params.gamma.shape[0]!)
      return tidy(() => {
        if (!o.training) {
          const [y] = normalise(params, x, axes, s)
          return [y, { mean: ops.stopGradient(s.mean), variance: ops.stopGradient(s.variance) }] as const
        }
        const [y, m, v] = normalise(params, x, axes, null)
        const update = (old: tf.Tensor, batch: tf.Tensor): tf.Tensor =>
          ops.stopGradient(ops.add(ops.mul(old, c.momentum), ops.mul(batch, 1 - c.momentum))) // [C]
        return [y, { mean: update(s.mean, m), variance: update(s.variance, v) }] as const
      })
    },
  }
}
