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
import { decodeOptionsOrThrow, Positive, show } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import * as tree from '../core/tree.js'

/** The state of `adam`: step count and first/second moment estimates (same structure as params). */
export interface AdamState<P> {
  readonly count: number
  readonly mu: P
  readonly nu: P
}

/** An optimiser: `init` and `update` over pytrees of float32 tensors. */
export interface Optimizer<S, P> {
  readonly _tag: string
  readonly init: (params: P) => S
  readonly update: (grads: P, state: S) => readonly [P, S]
}

/** A decay rate in `[0, 1)`: `b = 1` divides by `1 - b^t = 0` (Adam's bias correction). */
const Decay = t.refinement(t.number, (n) => n >= 0 && n < 1, 'a number in [0, 1)')

/**
 * The codec of `adam`'s options.
 *
 * @example
 * ```ts
 * optim.AdamConfig.decode({ learningRate: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8 })   // Right(...)
 * ```
 */
export const AdamConfig = t.type({ learningRate: Positive, b1: Decay, b2: Decay, eps: Positive })
/** The decoded options of `adam`. */
export type AdamConfig = t.TypeOf<typeof AdamConfig>

/**
 * Adam (Kingma and Ba, 2015). `update` returns the updates to *add* to the parameters
 * (already negated and scaled by the learning rate), as optax does; apply with `applyUpdates`.
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
export function adam<P>(options: Partial<{ learningRate: number; b1: number; b2: number; eps: number }> = {}): Optimizer<AdamState<P>, P> {
  const c = decodeOptionsOrThrow('optim.adam', AdamConfig, { learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8 }, options)
  return {
    _tag: 'adam',
    init: (params) => {
      if (tree.leaves(params).length === 0) {
        throw new ArgumentError(`optim.adam.init(params): params must be a tensor or a pytree of float32 tensors but got ${show(params)} (no tensor leaf)`)
      }
      return {
        count: 0,
        mu: tree.map((p) => tf.zerosLike(p), params) as P,
        nu: tree.map((p) => tf.zerosLike(p), params) as P,
      }
    },
    update: (grads, state) => {
      checkLike('optim.adam.update', 'grads', grads, 'the parameters (state.mu)', state.mu)
      return tf.tidy(() => {
        const count = state.count + 1
        const mu = tree.map((m, g) => tf.add(tf.mul(m, c.b1), tf.mul(g, 1 - c.b1)), state.mu, grads) as P
        const nu = tree.map((v, g) => tf.add(tf.mul(v, c.b2), tf.mul(tf.square(g), 1 - c.b2)), state.nu, grads) as P
        const bc1 = 1 - c.b1 ** count
        const bc2 = 1 - c.b2 ** count
        const updates = tree.map(
          (m, v) => tf.mul(tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), c.eps)), -c.learningRate),
          mu,
          nu,
        ) as P
        return [updates, { count, mu, nu }] as unknown as tf.TensorContainer
      }) as unknown as readonly [P, AdamState<P>]
    },
  }
}

/**
 * Throws unless `value` (the argument `arg` of `fn`) has the structure of `like` (a
 * `TreeMismatchError` naming the key path) and each tensor leaf its shape (an `ArgumentError`).
 */
function checkLike(fn: string, arg: string, value: unknown, likeName: string, like: unknown): void {
  const [ls, def] = tree.flatten(value)
  const [rs, likeDef] = tree.flatten(like)
  tree.assertSameStructure(`${fn}(${arg}) against ${likeName}`, likeDef, def)
  for (let i = 0; i < ls.length; i++) {
    const [a, b] = [ls[i]!, rs[i]!]
    if (a.shape.length !== b.shape.length || a.shape.some((d, j) => d !== b.shape[j])) {
      throw new ArgumentError(`${fn}(${arg}): tensor leaf ${i} has shape ${fmtShape(a.shape)} but in ${likeName} it has shape ${fmtShape(b.shape)}`)
    }
  }
}

/**
 * `params + updates`, leaf by leaf.
 *
 * @example
 * ```ts
 * params = optim.applyUpdates(params, updates)
 * ```
 */
export const applyUpdates = <P>(params: P, updates: P): P => {
  checkLike('optim.applyUpdates', 'updates', updates, 'params', params)
  return tree.map((p, u) => tf.add(p, u), params, updates) as P
}
