/**
 * The `knapsack(options)` solver record, defined on its TypedArray kernel (`kernel.ts`).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, show, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { knapsackMask } from './kernel.js'

export { knapsackMask } from './kernel.js'

/** The most cells the knapsack decision table may have (one byte each, plus 8 bytes a state). */
const TABLE_LIMIT = 2 ** 25

/**
 * The codec of `knapsack`'s options: `weights`, one nonnegative integer weight per item
 * (`[n]`, one constraint) or per constraint and item (`[m, n]`), and `capacity`, a nonnegative
 * integer (one constraint) or one per constraint (`[m]`). The codec checks the types; the
 * factory checks the values (an `ArgumentError` names the bad entry).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.KnapsackConfig.is({ weights: [2, 3, 4], capacity: 5 })                  // true
 * solvers.KnapsackConfig.is({ weights: [[2, 3, 4], [1, 1, 1]], capacity: [5, 2] })  // true
 * ```
 */
export const KnapsackConfig = t.type({
  weights: t.union([t.readonlyArray(t.number), t.readonlyArray(t.readonlyArray(t.number))], 'number[] | number[][]'),
  capacity: t.union([t.number, t.readonlyArray(t.number)], 'number | number[]'),
})
/** The decoded options of `knapsack`. */
export type KnapsackConfig = t.TypeOf<typeof KnapsackConfig>

/** The `knapsack` solver record: `theta [n] -> float32 [n]`, the 0/1 mask of the chosen items. */
export interface Knapsack extends Solver<'knapsack'> {
  /** The item weights as given: `[n]` (one constraint) or `[m, n]`. A frozen copy. */
  readonly weights: KnapsackConfig['weights']
  /** The capacity as given: a number (one constraint) or `[m]`. A frozen copy. */
  readonly capacity: KnapsackConfig['capacity']
}

const FIX = 'scale your weights and capacities to integers by the same factor (e.g. round(w * 100))'

/** Throws unless `v` is a nonnegative integer; `where` names the option and the entry. */
function checkUnit(v: number, option: string, where: string): void {
  if (!Number.isInteger(v) || v < 0) {
    const noun = option === 'weights' ? 'weights' : 'capacities'
    throw new ArgumentError(`knapsack(options.${option}): ${noun} must be nonnegative integers but got ${v}${where}; ${FIX}`)
  }
}

/**
 * The options as `[m, n]` weights and `[m]` capacities (Int32Arrays, clipped: a capacity to the
 * total weight of its constraint, a weight to one more than its capacity, which changes no
 * feasible set), after checking every value; throws an `ArgumentError` naming the bad one.
 */
function normalise({ weights, capacity }: KnapsackConfig): { w: Int32Array; c: Int32Array } {
  const twoD = weights.length > 0 && Array.isArray(weights[0])
  const rows = (twoD ? weights : [weights]) as readonly (readonly number[])[]
  const m = rows.length
  const n = rows[0]!.length
  if (n === 0) throw new ArgumentError(`knapsack(options.weights): weights must list at least one item but got ${show(weights)}`)
  for (let i = 0; i < m; i++) {
    if (rows[i]!.length !== n) {
      throw new ArgumentError(
        `knapsack(options.weights): the rows of weights must all have n = ${n} entries (one per item) but row ${i} has ${rows[i]!.length}`,
      )
    }
  }
  let caps: readonly number[]
  if (twoD) {
    if (typeof capacity === 'number' || capacity.length !== m) {
      throw new ArgumentError(
        `knapsack(options.capacity): with weights of shape [${m}, ${n}] capacity must be an array of ${m} numbers ` +
          `(one per constraint) but got ${show(capacity)}`,
      )
    }
    caps = capacity
  } else {
    if (typeof capacity !== 'number') {
      throw new ArgumentError(
        `knapsack(options.capacity): with weights of shape [${n}] capacity must be a number but got ${show(capacity)}; ` +
          'for several constraints pass weights as an [m, n] array of arrays',
      )
    }
    caps = [capacity]
  }
  // Clipped capacities (as doubles first: the table size is checked before any Int32 store).
  const clipped: number[] = []
  for (let i = 0; i < m; i++) {
    let total = 0
    for (let j = 0; j < n; j++) {
      const v = rows[i]![j]!
      checkUnit(v, 'weights', twoD ? ` at constraint ${i}, item ${j}` : ` at item ${j}`)
      total += v
    }
    checkUnit(caps[i]!, 'capacity', twoD ? ` at constraint ${i}` : '')
    clipped.push(Math.min(caps[i]!, total))
  }
  const cells = clipped.reduce((a, ci) => a * (ci + 1), n)
  if (cells > TABLE_LIMIT) {
    throw new ArgumentError(
      `knapsack(options): the dynamic-programming table would have n x prod_i (min(capacity_i, total weight_i) + 1) = ` +
        `${n} x ${clipped.map((ci) => ci + 1).join(' x ')} = ${cells} cells, over the limit of ${TABLE_LIMIT} (2^25); ` +
        'use coarser integer units for the weights and capacities (divide them by a common factor and round)',
    )
  }
  const w = new Int32Array(m * n)
  const c = Int32Array.from(clipped)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[i * n + j] = Math.min(rows[i]![j]!, clipped[i]! + 1)
  return { w, c }
}

/** A frozen copy of an option (an array, or an array of arrays), so the record cannot change. */
const frozen = <A>(x: A): A =>
  (Array.isArray(x) ? Object.freeze(x.map((r: unknown) => (Array.isArray(r) ? Object.freeze(r.slice()) : r))) : x) as A

/**
 * The 0/1 knapsack solver: `knapsack({ weights, capacity })(theta)` is the 0/1 mask `z` of the
 * items that maximise `<theta, z>` subject to `W z <= capacity`, for one constraint
 * (`weights: number[]` of length `n`, `capacity: number`) or `m` of them (`weights: number[][]`
 * of shape `[m, n]`, `capacity: number[]` of length `m`). Weights and capacities are nonnegative
 * integers, and the problem is solved exactly by dynamic programming over the remaining
 * capacities (`knapsackMask`).
 *
 * Guarantees. Exact: the mask is always feasible and optimal (in float64, exactly so when the
 * partial sums of `theta` are exact, e.g. integer scores). Ties: among optimal sets, the one
 * whose indicator read as the binary number `sum_j z_j 2^j` is smallest; so an item whose
 * inclusion does not strictly improve the score is left out (`theta_j <= 0` is never taken), and
 * among equally good items the lower index wins. `-Infinity` excludes an item; NaN and
 * `+Infinity` throw. Cost: the capacities are clipped to the total weight of their constraint,
 * `c_i = min(capacity_i, sum_j w_ij)`, and the table has `n * prod_i (c_i + 1)` cells; each
 * instance takes time proportional to it (about 5 to 10 ns a cell), and it is limited to 2^25
 * cells (33,554,432: 0.17 s an instance at the limit measured on Node 20, 0.3 s on a loaded
 * machine), refused at construction with an `ArgumentError` naming the size.
 *
 * Shapes: `([n]) -> [n]`; `batched: ([N, n]) -> [N, n]`; `vmap` over it is one kernel call.
 * Throws a `ConfigError` when an option has the wrong type or is unknown, and an
 * `ArgumentError` when a weight or capacity is negative, fractional or not finite, the shapes
 * of `weights` and `capacity` disagree, the table is too large, or at a call when `theta` does
 * not have shape `[n]` (`[N, n]` for `batched`) or contains NaN or `+Infinity`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const solver = solvers.knapsack({ weights: [2, 3, 4], capacity: 5 })
 * solver(tf.tensor1d([2, 3, 4]))                        // [1, 1, 0]: score 5 beats {2} (4)
 * solver(tf.tensor1d([1, -1, 4]))                       // [0, 0, 1]
 * vmap(solver)(tf.randomNormal([16, 3]))                // [16, 3], one kernel call
 * const twoConstraints = solvers.knapsack({ weights: [[2, 3, 4], [1, 1, 1]], capacity: [9, 2] })
 * twoConstraints(tf.tensor1d([1, 1, 1]))                // [1, 1, 0]: at most two items; ties to the lower index
 * ```
 */
export const knapsack = configured<typeof KnapsackConfig, Knapsack, OptionsOf<typeof KnapsackConfig, 'weights' | 'capacity'>>(
  'knapsack',
  KnapsackConfig,
  {},
  (config): Knapsack => {
    const { w, c } = normalise(config)
    const n = w.length / c.length
    const weights = frozen(config.weights)
    const capacity = frozen(config.capacity)
    return define(
      {
        name: 'knapsack',
        instanceRank: 1,
        axes: ['n'],
        check: (shape, fn) => {
          if (shape[0] !== n) {
            throw new ArgumentError(
              `${fn}: an instance of theta must have shape [${n}] (one score per item of options.weights) but got [${shape.join(', ')}]`,
            )
          }
        },
        kernel: (theta, out, count) => {
          const bad = knapsackMask(theta, count, w, c, out)
          if (bad >= 0) {
            const inst = Math.floor(bad / n)
            throw new ArgumentError(
              `knapsack: theta must not contain NaN or +Infinity (-Infinity is allowed: the item is never taken) ` +
                `but got ${theta[bad]} at instance ${inst}, item ${bad - inst * n}`,
            )
          }
        },
        origin: { module: import.meta.url, export: 'knapsack', args: [{ weights, capacity }] },
      },
      { weights, capacity },
    ) as Knapsack
  },
)
