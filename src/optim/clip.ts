/**
 * Gradient transformations that compose with the optimisers (optax's `clip_by_global_norm`,
 * `clip` and `chain`): each is an `Optimizer` record, so `chain(clipByGlobalNorm(1), sgd(...))`
 * is one too.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOrThrow } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import * as tree from '../core/tree.js'
import { type Optimizer, type StateOf } from './base.js'

/** The state of a stateless transformation (the clips): an empty record. */
export type EmptyState = Readonly<Record<string, never>>

const PositiveFinite = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0, 'a finite number > 0')

/**
 * The global norm of a pytree of tensors: `sqrt(sum over leaves of sum(x^2))`, a scalar.
 *
 * Shapes: `P -> []`.
 *
 * @example
 * ```ts
 * optim.globalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) })   // 5
 * ```
 */
export function globalNorm(x: unknown): tf.Tensor {
  const leaves = tree.leaves(x)
  return tf.tidy(() => tf.sqrt(tf.addN(leaves.map((l) => tf.sum(tf.square(l)))))) // []
}

/**
 * Scales the updates so that their global norm is at most `maxNorm` (optax's
 * `clip_by_global_norm`): `u * maxNorm / max(norm, maxNorm)`, `norm = globalNorm(u)`.
 * Stateless.
 *
 * Shapes: `update: (P, {}) -> [P, {}]`.
 *
 * @example
 * ```ts
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.sgd<tf.Tensor>({ learningRate: 0.1 }))
 * ```
 */
export function clipByGlobalNorm<P>(maxNorm: number): Optimizer<EmptyState, P> {
  const fn = 'optim.clipByGlobalNorm'
  const max = decodeOrThrow(fn, PositiveFinite, maxNorm, 'maxNorm')
  return {
    _tag: 'clipByGlobalNorm',
    init: () => ({}),
    update: (grads, state) => {
      checkTree(`${fn}.update`, grads)
      const updates = tf.tidy(() => {
        const norm = globalNorm(grads) // []
        const scale = tf.div(max, tf.maximum(norm, max)) // []
        return tree.map((g) => tf.mul(g, scale), grads) as unknown as tf.TensorContainer
      }) as unknown as P
      return [updates, state]
    },
  }
}

/**
 * Clips every entry of the updates to `[-maxDelta, maxDelta]` (optax's `clip`). Stateless.
 *
 * Shapes: `update: (P, {}) -> [P, {}]`.
 *
 * @example
 * ```ts
 * const opt = optim.chain(optim.clipByValue(0.5), optim.adam<tf.Tensor>({ learningRate: 0.01 }))
 * ```
 */
export function clipByValue<P>(maxDelta: number): Optimizer<EmptyState, P> {
  const fn = 'optim.clipByValue'
  const v = decodeOrThrow(fn, PositiveFinite, maxDelta, 'maxDelta')
  return {
    _tag: 'clipByValue',
    init: () => ({}),
    update: (grads, state) => {
      checkTree(`${fn}.update`, grads)
      return [tree.map((g) => tf.clipByValue(g, -v, v), grads) as P, state]
    },
  }
}

/** The state of `chain(...ts)`: the tuple of the transformations' states. */
export type ChainState<T extends readonly unknown[]> = { readonly [K in keyof T]: StateOf<T[K]> }

/** The params type of `chain(...ts)`: that of its last transformation (usually the optimiser). */
export type ChainParams<T extends readonly unknown[]> = T extends readonly [...unknown[], Optimizer<any, infer P>] ? P : never

/**
 * Applies transformations in order (optax's `chain`): the updates of one are the gradients of
 * the next, and the state is the tuple of their states. `params` is passed to each. The params type
 * is that of the last transformation (give it explicitly there: `sgd<Params>(...)`).
 *
 * Shapes: `update: (P, [S_1, ..., S_n], P?) -> [P, [S_1, ..., S_n]]`.
 *
 * @example
 * ```ts
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.sgd<tf.Tensor>({ learningRate: 0.1, momentum: 0.9 }))
 * let state = opt.init(tf.ones([3]))                         // [{}, { count: 0, trace }]
 * const [updates, next] = opt.update(tf.ones([3]), state)
 * ```
 */
export function chain<T extends readonly [...Optimizer<any, any>[], Optimizer<any, any>]>(...transforms: T): Optimizer<ChainState<T>, ChainParams<T>> {
  type P = ChainParams<T>
  transforms.forEach((tr, i) => {
    const o = tr as unknown as Record<string, unknown> | null
    if (typeof o !== 'object' || o === null || typeof o['init'] !== 'function' || typeof o['update'] !== 'function') {
      throw new ArgumentError(`optim.chain(transforms[${i}]): expected an optimiser or transformation { init, update } but got ${typeof tr}`)
    }
  })
  return {
    _tag: 'chain',
    init: (params) => transforms.map((tr) => tr.init(params)) as unknown as ChainState<T>,
    update: (grads, state, params) => {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new ArgumentError(`optim.chain.update(state): expected the tuple of ${transforms.length} states that init returned but got ${Array.isArray(state) ? `${state.length} states` : typeof state}`)
      }
      return tf.tidy(() => {
        let u = grads
        const next: unknown[] = []
        transforms.forEach((tr, i) => {
          const [ui, si] = tr.update(u, state[i], params)
          u = ui
          next.push(si)
        })
        return [u, next] as unknown as tf.TensorContainer
      }) as unknown as readonly [P, ChainState<T>]
    },
  }
}

/** Throws an `ArgumentError` naming `fn` unless `grads` holds at least one tensor. */
function checkTree(fn: string, grads: unknown): void {
  if (tree.leaves(grads).length === 0) throw new ArgumentError(`${fn}(grads): grads must be a tensor or a pytree of float32 tensors but got no tensor leaf`)
}
