/**
 * The `milp` kernel: each instance's objective, scaled by a power of two so that its largest
 * entry is about 1 (exact, and the maximiser is the same; HiGHS's tolerances are absolute and
 * it fails on costs near float32's range), becomes the first line of the model's LP text,
 * HiGHS solves it (a fresh native solver per instance, so an instance's answer does not depend
 * on what was solved before it, nor in which thread), and its values are written out, integer
 * variables rounded to exact integers.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import type { Highs } from './highs.js'
import { lpNumber, type PreparedModel } from './model.js'

/**
 * HiGHS's options for every solve: silent, and no early stop on the MIP gap (its defaults stop
 * within a relative gap of 1e-4), so the answer is optimal up to HiGHS's feasibility
 * tolerances.
 */
const OPTIONS = { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0 } as const

/** How far from an integer HiGHS may return an integer variable (its integrality tolerance is 1e-6). */
export const INTEGRALITY_TOLERANCE = 1e-5

/**
 * Solves the `count` instances of `theta` (row-major `[count, n]`) for `model` and writes each
 * maximiser into the same row of `out`. Throws an `ArgumentError` naming the instance (counted
 * from 0 in this call) when `theta` has a non-finite entry, or the instance is infeasible,
 * unbounded, or HiGHS fails.
 */
export function milpSolve(highs: Highs, model: PreparedModel, theta: Float32Array, count: number, out: Float32Array): void {
  const { n, integer, tail } = model
  for (let r = 0; r < count; r++) {
    const off = r * n
    let top = 0
    for (let j = 0; j < n; j++) {
      const v = theta[off + j]!
      if (!Number.isFinite(v)) {
        throw new ArgumentError(`milp: theta must be finite but got ${v} at instance ${r}, index ${j}`)
      }
      top = Math.max(top, Math.abs(v))
    }
    // A power of two brings the largest |theta| near 1: exact in float64, the same maximiser.
    const scale = top === 0 ? 1 : 2 ** -Math.floor(Math.log2(top))
    let objective = 'Maximize\n obj:'
    for (let j = 0; j < n; j++) {
      const v = theta[off + j]! * scale
      objective += v < 0 ? ` - ${lpNumber(-v)} x${j}` : ` + ${lpNumber(v)} x${j}`
    }
    let result: ReturnType<Highs['solve']>
    try {
      result = highs.solve(`${objective}\n${tail}`, OPTIONS)
    } catch (e) {
      throw new ArgumentError(`milp: HiGHS failed on instance ${r}: ${e instanceof Error ? e.message : String(e)}`)
    }
    const status = result.Status
    if (status !== 'Optimal') throw statusError(status, r)
    for (let j = 0; j < n; j++) {
      const v = result.Columns[`x${j}`]?.Primal
      if (v === undefined || !Number.isFinite(v)) {
        throw new ArgumentError(`milp: HiGHS returned no finite value for variable ${j} of instance ${r} (got ${v})`)
      }
      if (integer[j] === 1) {
        const k = Math.round(v)
        if (Math.abs(v - k) > INTEGRALITY_TOLERANCE) {
          throw new ArgumentError(`milp: HiGHS returned ${v} for the integer variable ${j} of instance ${r}, not within ${INTEGRALITY_TOLERANCE} of an integer`)
        }
        out[off + j] = k === 0 ? 0 : k // no -0
      } else {
        out[off + j] = v
      }
    }
  }
}

/** The error for an instance HiGHS did not solve to optimality. */
function statusError(status: string, r: number): ArgumentError {
  const why =
    status === 'Infeasible'
      ? 'is infeasible: no z satisfies A z <= b, Aeq z = beq, the bounds and the integrality constraints; check the model'
      : status === 'Unbounded'
        ? 'is unbounded: <theta, z> grows without bound over the feasible set; bound the variables (model.lower, model.upper)'
        : status === 'Primal infeasible or unbounded'
          ? 'is infeasible or unbounded; check the constraints, and bound the variables (model.lower, model.upper)'
          : 'was not solved to optimality'
  return new ArgumentError(`milp: instance ${r} ${why} (HiGHS status '${status}')`)
}
