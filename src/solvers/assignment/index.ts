/**
 * The `assignment()` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { assignmentMask } from './kernel.js'

export { assignmentMask } from './kernel.js'

/** The `assignment` solver record: `theta [n, m] -> float32 [n, m]`, one 1 per row, at most one per column. */
export type Assignment = Solver<'assignment'>

/**
 * The `ArgumentError` for a non-finite entry at flat index `bad` of a batch of `[n, m]`
 * instances, naming the instance, the row and the column; `fn` names the solver. Shared with
 * the bipartite `matching`; not part of the public API.
 *
 * @internal
 */
export function nonFiniteScoreError(fn: string, theta: Float32Array, bad: number, n: number, m: number): ArgumentError {
  const inst = Math.floor(bad / (n * m))
  const k = bad - inst * n * m
  const row = Math.floor(k / m)
  return new ArgumentError(
    `${fn}: theta must be finite but got ${theta[bad]} at instance ${inst}, row ${row}, column ${k - row * m}; ` +
      'to forbid a pair, give it a large negative finite score',
  )
}

/**
 * The linear assignment solver: `assignment()(theta)` is the 0/1 matrix `P` that assigns every
 * row of the `[n, m]` score matrix to its own column (`n <= m`; a permutation matrix when
 * square) and maximises `<theta, P>`, by the Hungarian algorithm (shortest augmenting paths
 * with dual potentials, float64, `assignmentMask`).
 *
 * Guarantees. Exact: the result is always a valid assignment, and optimal (in float64, up to
 * rounding of the potentials; exactly for integer scores). Ties: among tied optima the result is
 * deterministic (a function of the scores alone: the same on every backend, in every batch
 * position), but which optimum is returned is not specified. Rectangular `n < m` is supported
 * (every row gets a column; `m - n` columns stay empty); `n > m` is refused (transpose `theta`).
 * NaN and `±Infinity` throw (forbid a pair with a large negative finite score). Time O(n^2 m)
 * per instance (O(n^3) square; measured on Node 20: about 0.5 ms for n = 100, 2 to 10 ms for
 * n = 200).
 *
 * Shapes: `([n, m]) -> [n, m]`; `batched: ([N, n, m]) -> [N, n, m]`; `vmap` over it is one
 * kernel call. Takes no options (a `ConfigError` for any). Throws an `ArgumentError` when
 * `theta` is not of rank 2 (rank 3 for `batched`), has `n = 0` or `n > m`, or has an entry that
 * is not finite (the message names the first).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const solver = solvers.assignment()
 * solver(tf.tensor2d([[1, 3], [2, 1]]))                 // [[0, 1], [1, 0]]: 3 + 2 beats 1 + 1
 * solver(tf.tensor2d([[1, 9, 0]]))                      // [[0, 1, 0]]: n = 1 <= m = 3
 * vmap(solver)(tf.randomNormal([8, 5, 5]))              // [8, 5, 5] permutation matrices, one kernel call
 * ```
 */
export const assignment = configured(
  'assignment',
  t.type({}),
  {},
  (): Assignment =>
    define({
      name: 'assignment',
      instanceRank: 2,
      axes: ['n', 'm'],
      check: ([n, m], fn) => {
        if (n! < 1 || n! > m!) {
          throw new ArgumentError(
            `${fn}: an instance of theta must be an [n, m] matrix with 1 <= n <= m (each row gets its own column) ` +
              `but got [${n}, ${m}]${n! > m! ? '; transpose theta to assign the columns to rows' : ''}`,
          )
        }
      },
      kernel: (theta, out, count, [n, m]) => {
        const bad = assignmentMask(theta, count, n!, m!, out)
        if (bad >= 0) throw nonFiniteScoreError('assignment', theta, bad, n!, m!)
      },
      origin: { module: import.meta.url, export: 'assignment', args: [{}] },
    }),
)
