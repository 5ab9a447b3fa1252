/**
 * Optimisers in the shape of optax's `GradientTransformation`: a typed record of two pure
 * functions, `init(params) -> state` and `update(grads, state) -> [updates, state]`, built by
 * a factory whose options are decoded by an io-ts codec. State is explicit data (a pytree of
 * tensors and numbers), never hidden in the record.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, Positive } from '../core/config.js'
import * as tree from '../core/tree.js'
import { checkLike, checkParams, LearningRate, learningRateAt, type Optimizer } from './base.js'

/** The state of `adam`: step count and first/second moment estimates (same structure as params). */
export interface AdamState<P> {
  readonly count: number
  readonly mu: P
  readonly nu: P
}

/** A decay rate in `[0, 1)`: `b = 1` divides by `1 - b^t = 0` (Adam's bias correction). */
const Decay = t.refinement(t.number, (n) => n >= 0 && n < 1, 'a number in [0, 1)')

/**
 * The codec of `adam`'s options (`learningRate`: a positive number or a schedule).
 *
 * @example
 * ```ts
 * optim.AdamConfig.decode({ learningRate: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8 })   // Right(...)
 * ```
 */
export const AdamConfig = t.type({ learningRate: LearningRate, b1: Decay, b2: Decay, eps: Positive })
/** The decoded options of `adam`. */
export type AdamConfig = t.TypeOf<typeof AdamConfig>

/**
 * Adam (Kingma and Ba, 2015). `update` returns the updates to *add* to the parameters
 * (already negated and scaled by the learning rate), as optax does; apply with `applyUpdates`.
 * `learningRate` is a number or a schedule (`optim.schedules`): the update after `count`
 * earlier ones uses `learningRate(count)`, as optax's `scale_by_learning_rate`.
 * The caller owns the tensors of the returned state and disposes the previous one.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, ops, optim } from 'imle'
 * type Params = { w: tf.Tensor }
 * const loss = (p: Params) => ops.sum(ops.square(p.w))   // Params -> []
 * let params: Params = { w: tf.ones([3]) }
 * const opt = optim.adam<Params>({ learningRate: 0.05 })
 * let state = opt.init(params)
 * const [updates, next] = opt.update(grad(loss)(params), state)   // one step
 * params = optim.applyUpdates(params, updates)
 * state = next
 * ```
 */
export function adam<P>(options: Partial<{ learningRate: LearningRate; b1: number; b2: number; eps: number }> = {}): Optimizer<AdamState<P>, P> {
  const c = decodeOptionsOrThrow('optim.adam', AdamConfig, { learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8 }, options)
  return {
    _tag: 'adam',
    init: (params) => {
      checkParams('optim.adam.init', params)
      return {
        count: 0,
        mu: tree.map((p) => tf.zerosLike(p), params) as P,
        nu: tree.map((p) => tf.zerosLike(p), params) as P,
      }
    },
    update: (grads, state) => {
      checkLike('optim.adam.update', 'grads', grads, 'the parameters (state.mu)', state.mu)
      const lr = learningRateAt('optim.adam.update', c.learningRate, state.count)
      return tf.tidy(() => {
        const count = state.count + 1
        const mu = tree.map((m, g) => tf.add(tf.mul(m, c.b1), tf.mul(g, 1 - c.b1)), state.mu, grads) as P
        const nu = tree.map((v, g) => tf.add(tf.mul(v, c.b2), tf.mul(tf.square(g), 1 - c.b2)), state.nu, grads) as P
        const bc1 = 1 - c.b1 ** count
        const bc2 = 1 - c.b2 ** count
        const updates = tree.map(
          (m, v) => tf.mul(tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), c.eps)), -lr),
          mu,
          nu,
        ) as P
        return [updates, { count, mu, nu }] as unknown as tf.TensorContainer
      }) as unknown as readonly [P, AdamState<P>]
    },
  }
}
