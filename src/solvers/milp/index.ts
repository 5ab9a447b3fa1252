/**
 * The `milp(model)` solver record: a generic mixed-integer linear program (`model.ts`) solved
 * by HiGHS (`highs.ts`, loaded once by `loadMilp`) one instance at a time (`kernel.ts`).
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { loadMilp, requireHighs } from './highs.js'
import { milpSolve } from './kernel.js'
import { prepareModel, type MilpModel } from './model.js'

export { loadMilp } from './highs.js'
export type { MilpModel } from './model.js'

/** The `milp(model)` solver record: `theta [n] -> float32 [n]`, the maximiser of `<theta, z>`. */
export interface Milp extends Solver<'milp'> {
  /** The number of variables. */
  readonly n: number
  /** The model, as given (a frozen copy). */
  readonly model: MilpModel
}

/**
 * A MAP solver over the feasible set of a mixed-integer linear program: `milp(model)(theta)`
 * is `argmax <theta, z>` subject to `A z <= b`, `Aeq z = beq`, `lower <= z <= upper` and the
 * integrality of `model.integer` (defaults: binary variables; see `MilpModel`). Solved by
 * HiGHS (WebAssembly, the optional peer package `highs`), which must be loaded first, once:
 * `await solvers.loadMilp()` (or any milp record's `load()`); after that every call is
 * synchronous, so it runs inside `imle`'s backward pass.
 *
 * Guarantees: the output is optimal up to HiGHS's tolerances (no early stop on the MIP gap;
 * feasibility 1e-7, integrality 1e-6). Integer variables come out as exact integers (HiGHS's
 * values, within 1e-5 of an integer, are rounded); continuous ones are HiGHS's values in
 * float32, so an LP relaxation need not give 0/1 vectors. Each instance is solved by a fresh
 * HiGHS instance, so the result does not depend on the batch it is in. Ties go to whichever
 * optimum HiGHS finds. `theta` reaches HiGHS exactly: scaled by a power of two so that its
 * largest entry is about 1 (exact, the same maximiser, and robust to HiGHS's absolute
 * tolerances over float32's whole range), then written as the shortest decimal that reads back
 * as the same number. Cost: one HiGHS solve per instance, whose set-up dominates small models:
 * about 1 to 15 ms for 6 to 64 binary variables (Node 20, on a shared 2-core machine);
 * `solvers.parallel` spreads a batch over worker threads.
 *
 * Shapes: `([n]) -> [n]`; `batched: ([N, n]) -> [N, n]`; `vmap` over it is one kernel call.
 * Throws an `ArgumentError` for a bad model (naming the field: `milp(model.b): ...`), for a
 * `theta` whose length is not `n` or with a non-finite entry, for an infeasible or unbounded
 * instance (naming it), and when HiGHS is not loaded; `loadMilp` rejects with a
 * `BackendError` when the package `highs` is not installed.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * await solvers.loadMilp()
 * // A knapsack: weights 3, 4, 2, capacity 5.
 * const knapsack = solvers.milp({ A: [[3, 4, 2]], b: [5] })
 * knapsack(tf.tensor1d([4, 5, 3]))                              // [1, 0, 1]
 * vmap(knapsack)(tf.tensor2d([[4, 5, 3], [1, 9, 1]]))           // [[1, 0, 1], [0, 1, 0]]
 * // General integers in [0, 3] with z0 + z1 <= 4, and a continuous z2 in [-1, 1].
 * const mixed = solvers.milp({ A: [[1, 1, 0]], b: [4], upper: 3, lower: [0, 0, -1], integer: [true, true, false] })
 * mixed(tf.tensor1d([2, 1, -1]))                                // [3, 1, -1]
 * ```
 */
export function milp(model: MilpModel): Milp {
  const prepared = prepareModel(model)
  const { n } = prepared
  return define(
    {
      name: 'milp',
      instanceRank: 1,
      axes: ['n'],
      check: ([len], fn) => {
        if (len !== n) throw new ArgumentError(`${fn}: theta must have n = ${n} entries (the model's number of variables) but has ${len}`)
      },
      kernel: (theta, out, count) => milpSolve(requireHighs('milp'), prepared, theta, count, out),
      load: loadMilp,
      ready: () => void requireHighs('milp'),
      origin: { module: import.meta.url, export: 'milp', args: [prepared.model] },
    },
    { n, model: prepared.model },
  ) as Milp
}
