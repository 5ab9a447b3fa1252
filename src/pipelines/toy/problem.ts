/**
 * The toy study's problem (the I-MLE paper's synthetic experiment): top-k with `n = 10`,
 * `k = 5`, initial parameters `theta0 ~ N(0, 1)` and a target `b = |N(0, 1)|` per repetition,
 * both drawn from explicit keys, so a seed gives the same problems on every backend.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import { normal, split } from '../../core/random/index.js'
import { checkKey, type Key } from '../../core/random/keyed.js'

/**
 * The number of items `n` of the toy problem.
 *
 * @example
 * ```ts
 * toy.problem(random.key(0), 4).theta0.shape   // [4, toy.N] = [4, 10]
 * ```
 */
export const N = 10
/**
 * The subset size `k` of the toy problem: `C(10, 5) = 252` feasible states.
 *
 * @example
 * ```ts
 * toy.states(toy.N, toy.K).count   // 252
 * ```
 */
export const K = 5

/** A batch of toy problems: one row per repetition. */
export interface ToyProblem {
  /** `[R, n]` float32: the initial parameters, `N(0, 1)`. */
  readonly theta0: tf.Tensor
  /** `[R, n]` float32: the targets, `|N(0, 1)|`. */
  readonly b: tf.Tensor
}

/**
 * Draws `repetitions` toy problems from `key`: the key is split in two, `theta0 = normal(k0,
 * [R, n])` and `b = |normal(k1, [R, n])|`. Deterministic in the key; repetition `r` depends on
 * `R` (one draw of shape `[R, n]`). The caller owns (and disposes) the two tensors.
 *
 * Shapes: `(key [2], R) -> { theta0 [R, n], b [R, n] }`.
 *
 * @example
 * ```ts
 * import { random } from 'imle'
 * const { theta0, b } = toy.problem(random.key(0), 100)   // [100, 10] each
 * ```
 */
export function problem(key: Key, repetitions: number, n: number = N): ToyProblem {
  checkKey('toy.problem(key)', key)
  if (!Number.isInteger(repetitions) || repetitions < 1) {
    throw new ArgumentError(`toy.problem(repetitions): repetitions must be a positive integer but got ${String(repetitions)}`)
  }
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`toy.problem(n): n must be a positive integer but got ${String(n)}`)
  return tf.tidy(() => {
    const [k0, k1] = tf.unstack(split(key, 2)) // [2] each
    const theta0 = normal(k0!, [repetitions, n]) // [R, n]
    const b = ops.abs(normal(k1!, [repetitions, n])) // [R, n]
    return { theta0, b }
  })
}
