/**
 * Stochastic gradient descent with optional momentum (heavy ball or Nesterov) and coupled
 * weight decay, as optax's `chain(add_decayed_weights, trace, scale_by_learning_rate)`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, NonNegative } from '../core/config.js'
import { ArgumentError, ConfigError } from '../core/errors.js'
import * as tree from '../core/tree.js'
import { checkLike, checkParams, LearningRate, learningRateAt, type Optimizer } from './base.js'

/**
 * The state of `sgd`: the number of updates done, and the momentum trace (same structure as
 * params; `null` without momentum).
 */
export interface SgdState<P> {
  readonly count: number
  readonly trace: P | null
}

/** A momentum in `[0, 1)`. */
const Momentum = t.refinement(t.number, (n) => n >= 0 && n < 1, 'a number in [0, 1)')

/**
 * The codec of `sgd`'s options.
 *
 * @example
 * ```ts
 * optim.SgdConfig.decode({ learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 })   // Right(...)
 * ```
 */
export const SgdConfig = t.type({ learningRate: LearningRate, momentum: Momentum, nesterov: t.boolean, weightDecay: NonNegative })
/** The decoded options of `sgd`. */
export type SgdConfig = t.TypeOf<typeof SgdConfig>

/** The options of `sgd`: `learningRate` is required. */
export interface SgdOptions {
  /** A positive number or a schedule `(step) => number` (`optim.schedules`). */
  readonly learningRate: LearningRate
  /** The momentum `m` in `[0, 1)`; 0 (the default) keeps no trace. */
  readonly momentum?: number
  /** Nesterov momentum (needs `momentum > 0`); default false. */
  readonly nesterov?: boolean
  /** Coupled (L2) weight decay `wd >= 0`, added to the gradient before the momentum; default 0. */
  readonly weightDecay?: number
}

/**
 * SGD. With `g` the gradient, `p` the parameters, `m` the momentum, `wd` the weight decay and
 * `lr_t = learningRate(t)` for the update after `t` earlier ones (optax's formulas):
 *
 * - `g' = g + wd p` (coupled weight decay, optax's `add_decayed_weights`; needs `params`);
 * - `trace_t = g' + m trace_{t-1}` (`trace_0 = 0`; optax's `trace`);
 * - the update is `-lr_t trace_t`, or `-lr_t (g' + m trace_t)` with `nesterov`; without
 *   momentum, `-lr_t g'`.
 *
 * `update` returns the updates to *add* to the parameters (apply with `applyUpdates`). The
 * caller owns the tensors of the returned state and disposes the previous one.
 *
 * Shapes: `init: P -> SgdState<P>`, `update: (P, SgdState<P>, P?) -> [P, SgdState<P>]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, ops, optim } from 'imle'
 * type Params = { w: tf.Tensor }
 * const loss = (p: Params) => ops.sum(ops.square(p.w))   // Params -> []
 * let params: Params = { w: tf.ones([3]) }
 * const opt = optim.sgd<Params>({ learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4 })
 * let state = opt.init(params)
 * const [updates, next] = opt.update(grad(loss)(params), state, params)   // one step
 * params = optim.applyUpdates(params, updates)
 * state = next
 * ```
 */
export function sgd<P>(options: SgdOptions): Optimizer<SgdState<P>, P> {
  const fn = 'optim.sgd'
  const c = decodeOptionsOrThrow(fn, SgdConfig, { momentum: 0, nesterov: false, weightDecay: 0 }, options)
  if (c.nesterov && c.momentum === 0) {
    throw new ConfigError(`${fn}(options.nesterov): nesterov needs a momentum > 0 but got momentum 0; pass momentum (0.9 is usual) or drop nesterov`)
  }
  const { momentum: m, nesterov, weightDecay: wd } = c
  return {
    _tag: 'sgd',
    init: (params) => {
      checkParams(`${fn}.init`, params)
      return { count: 0, trace: m > 0 ? (tree.map((p) => tf.zerosLike(p), params) as P) : null }
    },
    update: (grads, state, params) => {
      if (state.trace !== null) checkLike(`${fn}.update`, 'grads', grads, 'the parameters (state.trace)', state.trace)
      if (wd > 0) {
        if (params === undefined) {
          throw new ArgumentError(`${fn}.update(params): weightDecay ${wd} needs the parameters; call update(grads, state, params)`)
        }
        checkLike(`${fn}.update`, 'params', params, 'grads', grads)
      }
      const lr = learningRateAt(`${fn}.update`, c.learningRate, state.count)
      return tf.tidy(() => {
        const g = (wd > 0 ? tree.map((gi, p) => tf.add(gi, tf.mul(p, wd)), grads, params) : grads) as P
        const trace = state.trace === null ? null : (tree.map((gi, tr) => tf.add(gi, tf.mul(tr, m)), g, state.trace) as P)
        const direction = (trace === null ? g : nesterov ? tree.map((gi, tr) => tf.add(gi, tf.mul(tr, m)), g, trace) : trace) as P
        const updates = tree.map((d) => tf.mul(d, -lr), direction) as P
        return [updates, { count: state.count + 1, trace }] as unknown as tf.TensorContainer
      }) as unknown as readonly [P, SgdState<P>]
    },
  }
}
