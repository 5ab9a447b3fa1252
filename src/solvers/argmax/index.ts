/**
 * The `argmax()` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { argmaxOneHot } from './kernel.js'

export { argmaxOneHot } from './kernel.js'

/** The `argmax()` solver record: `theta [n] -> float32 [n]`, one-hot. */
export type Argmax = Solver<'argmax'>

/**
 * The argmax solver: `argmax()(theta)` is the one-hot vector of the largest entry of `theta`,
 * i.e. `argmax <theta, z>` over the `n` one-hot vectors `z in {0,1}^n`, `sum(z) = 1` (the MAP
 * state of a categorical distribution with logits `theta`).
 *
 * Guarantees: exact, and unique: ties go to the lower index. `+Infinity` and `-Infinity` are
 * ordinary values (an all `-Infinity` instance selects index 0); NaN throws an `ArgumentError`
 * naming the instance and the index. One O(n) pass per instance on TypedArrays
 * (`argmaxOneHot`), no allocation.
 *
 * Shapes: `([n]) -> [n]`; `batched: ([N, n]) -> [N, n]`; `vmap` over it is one kernel call.
 * Throws an `ArgumentError` when `theta` is not of rank 1 (rank 2 for `batched`), not
 * float32/int32, has no entries (`n = 0`), or contains NaN.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const solver = solvers.argmax()
 * solver(tf.tensor1d([0.3, 0.9, 0.9, -1]))                   // [0, 1, 0, 0] (tie: lower index)
 * vmap(solver)(tf.tensor2d([[1, 2, 3], [3, 2, 1]]))          // [[0, 0, 1], [1, 0, 0]]
 * solver.batched(tf.tensor2d([[1, 2, 3], [3, 2, 1]]))        // the same, without vmap
 * ```
 */
export function argmax(): Argmax {
  return define({
    name: 'argmax',
    instanceRank: 1,
    axes: ['n'],
    origin: { module: import.meta.url, export: 'argmax', args: [] },
    check: ([n], fn) => {
      if (n! < 1) throw new ArgumentError(`${fn}: theta must have at least one entry (n >= 1) to select one, but got n = ${n}`)
    },
    kernel: (theta, out, count, [n]) => {
      const bad = argmaxOneHot(theta, count, n!, out)
      if (bad >= 0) {
        const inst = Math.floor(bad / n!)
        throw new ArgumentError(
          `argmax: theta must not contain NaN (NaN has no order) but got NaN at instance ${inst}, index ${bad - inst * n!}`,
        )
      }
    },
  }) as Argmax
}
