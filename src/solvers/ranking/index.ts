/**
 * The `ranking()` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { ascendingRanks } from './kernel.js'

export { ascendingRanks } from './kernel.js'

/** The `ranking()` solver record: `theta [n] -> float32 [n]`, a permutation of 1..n. */
export type Ranking = Solver<'ranking'>

/**
 * The ranking solver (InferOpt.jl's `ranking`, `invperm(sortperm(theta))`): `ranking()(theta)`
 * gives each entry of `theta` its rank in increasing order, 1-based: the smallest entry gets 1
 * and the largest `n`. By the rearrangement inequality this is `argmax <theta, z>` over the
 * permutations `z` of `(1, 2, ..., n)`. The output is a float32 tensor of ranks, not a 0/1 mask.
 *
 * Guarantees: exact. Ties: equal values are ranked by index, the lower index getting the lower
 * rank (`ranking()([5, 5, 1])` is `[2, 3, 1]`), so the output is unique and always a
 * permutation of 1..n; every tie order is optimal. `+Infinity` and `-Infinity` are ordinary
 * values (ranked last and first); NaN throws an `ArgumentError` naming the instance and the
 * index. A stable merge sort per instance on TypedArrays (`ascendingRanks`), O(n log n), with
 * its scratch allocated once per kernel call. `n = 0` gives an empty output.
 *
 * Shapes: `([n]) -> [n]`; `batched: ([N, n]) -> [N, n]`; `vmap` over it is one kernel call.
 * Throws an `ArgumentError` when `theta` is not of rank 1 (rank 2 for `batched`), not
 * float32/int32, or contains NaN.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const solver = solvers.ranking()
 * solver(tf.tensor1d([0.3, -2, 0.3, 7]))               // [2, 1, 3, 4] (tie: lower index first)
 * vmap(solver)(tf.tensor2d([[1, 2, 3], [3, 1, 2]]))    // [[1, 2, 3], [3, 1, 2]]
 * const z = solver(tf.tensor1d([3, 1, 2]))             // [3, 1, 2]
 * solver.objective(tf.tensor1d([3, 1, 2]), z)          // []: 14, the best over permutations
 * ```
 */
export function ranking(): Ranking {
  return define({
    name: 'ranking',
    instanceRank: 1,
    axes: ['n'],
    origin: { module: import.meta.url, export: 'ranking', args: [] },
    kernel: (theta, out, count, [n]) => {
      const bad = ascendingRanks(theta, count, n!, out)
      if (bad >= 0) {
        const inst = Math.floor(bad / n!)
        throw new ArgumentError(
          `ranking: theta must not contain NaN (NaN has no rank) but got NaN at instance ${inst}, index ${bad - inst * n!}`,
        )
      }
    },
  }) as Ranking
}
