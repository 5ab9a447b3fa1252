/**
 * The `topK(k)` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { topKMask } from './kernel.js'

export { topKMask } from './kernel.js'

/** The `topK(k)` solver record: `theta [n] -> float32 [n]` with exactly `k` ones. */
export interface TopK extends Solver<'topK'> {
  /** How many entries are selected. */
  readonly k: number
}

/**
 * The top-k solver: `topK(k)(theta)` is the k-hot mask of the `k` largest entries of `theta`,
 * i.e. `argmax <theta, z>` over `z in {0,1}^n` with `sum(z) = k`. Ties are broken by the lower
 * index, so the mask is unique and always has exactly `k` ones. `±Infinity` entries are
 * ranked as usual (`-Infinity` excludes an entry unless fewer than `k` remain); NaN throws an
 * `ArgumentError`. Runs an O(n log k) heap pass per instance on TypedArrays (`topKMask`).
 *
 * Shapes: `([n]) -> [n]`; `batched: ([N, n]) -> [N, n]`; `vmap` over it is one kernel call.
 * Throws an `ArgumentError` when `k` is not a positive integer, or when at a call `k > n`,
 * `theta` is not of rank 1 (rank 2 for `batched`) or not float32/int32.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const top2 = solvers.topK(2)
 * top2(tf.tensor1d([0.3, 0.1, 0.3, 0.2]))                   // [1, 0, 1, 0] (tie: lower index)
 * vmap(top2)(tf.tensor2d([[1, 2, 3], [3, 2, 1]]))           // [[0, 1, 1], [1, 1, 0]]
 * top2.batched(tf.tensor2d([[1, 2, 3], [3, 2, 1]]))         // the same, without vmap
 * ```
 */
export function topK(k: number): TopK {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new ArgumentError(`topK(k): k must be an integer >= 1 but got ${typeof k === 'number' ? k : `${typeof k} ${String(k)}`}`)
  }
  return define(
    {
      name: 'topK',
      instanceRank: 1,
      axes: ['n'],
      check: ([n]) => {
        if (k > n!) throw new ArgumentError(`topK(k): k must be an integer in [1, ${n}] (the last dimension) but got ${k}`)
      },
      kernel: (theta, out, count, [n]) => {
        const bad = topKMask(theta, count, n!, k, out)
        if (bad >= 0) {
          const inst = Math.floor(bad / n!)
          throw new ArgumentError(
            `topK: theta must not contain NaN (NaN has no rank) but got NaN at instance ${inst}, index ${bad - inst * n!}`,
          )
        }
      },
      origin: { module: import.meta.url, export: 'topK', args: [k] },
    },
    { k },
  ) as TopK
}
