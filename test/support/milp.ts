/**
 * Brute force for `milp` models with few integer variables (every integer point of the bounds
 * box enumerated) and at most one continuous variable (the last; for each integer point its
 * feasible interval is computed exactly and the best end taken), and the feasibility check.
 */
import type { MilpModel } from '../../src/solvers/milp/index.js'

const at = <T>(v: T | readonly T[] | undefined, j: number, d: T): T => (v === undefined ? d : Array.isArray(v) ? (v as readonly T[])[j]! : (v as T))

/** The number of variables of `model`. */
export const sizeOfModel = (m: MilpModel): number =>
  m.A[0]?.length ?? m.Aeq?.[0]?.length ?? [m.lower, m.upper, m.integer].find(Array.isArray)?.length ?? NaN

/** Whether `z` satisfies every constraint, bound and integrality of `m`, within `tol`. */
export function isFeasible(m: MilpModel, z: ArrayLike<number>, tol = 1e-9): boolean {
  const n = sizeOfModel(m)
  const dot = (row: readonly number[]): number => row.reduce((s, a, j) => s + a * z[j]!, 0)
  for (let j = 0; j < n; j++) {
    if (z[j]! < at(m.lower, j, 0) - tol || z[j]! > at(m.upper, j, 1) + tol) return false
    if (at(m.integer, j, true) && z[j] !== Math.round(z[j]!)) return false
  }
  if (m.A.some((row, i) => dot(row) > m.b[i]! + tol * (1 + Math.abs(m.b[i]!)))) return false
  return !(m.Aeq ?? []).some((row, i) => Math.abs(dot(row) - m.beq![i]!) > tol * (1 + Math.abs(m.beq![i]!)))
}

/** The best objective and one maximiser, or `undefined` when the model is infeasible. */
export interface Brute {
  readonly best: number
  readonly z: readonly number[]
}

/**
 * Maximises `<theta, z>` over `m` by enumeration: the integer variables over their (finite,
 * small) bounds box, and at most one continuous variable, the last, in closed form.
 */
export function bruteForce(m: MilpModel, theta: ArrayLike<number>): Brute | undefined {
  const n = sizeOfModel(m)
  const integer = Array.from({ length: n }, (_, j) => at(m.integer, j, true))
  const cont = integer.indexOf(false)
  if (cont !== -1 && (cont !== n - 1 || integer.slice(0, -1).some((x) => !x))) throw new Error('bruteForce: at most one continuous variable, the last')
  const k = cont === -1 ? n : n - 1
  const lo = Array.from({ length: k }, (_, j) => Math.ceil(at(m.lower, j, 0)))
  const hi = Array.from({ length: k }, (_, j) => Math.floor(at(m.upper, j, 1)))
  if (lo.some((l, j) => !Number.isFinite(l) || !Number.isFinite(hi[j]!))) throw new Error('bruteForce: integer bounds must be finite')
  let best: Brute | undefined
  const z = lo.slice()
  if (lo.some((l, j) => l > hi[j]!)) return undefined
  for (;;) {
    const point = completed(m, z, cont, theta)
    if (point !== undefined) {
      const value = point.reduce((s, v, j) => s + theta[j]! * v, 0)
      if (best === undefined || value > best.best) best = { best: value, z: point }
    }
    let j = k - 1
    for (; j >= 0; j--) {
      if (z[j]! < hi[j]!) {
        z[j]!++
        break
      }
      z[j] = lo[j]!
    }
    if (j < 0) return best
  }
}

/** `zi` completed by the best value of the continuous variable `cont` (if any), or undefined if infeasible. */
function completed(m: MilpModel, zi: readonly number[], cont: number, theta: ArrayLike<number>): number[] | undefined {
  if (cont === -1) return isFeasible(m, zi) ? zi.slice() : undefined
  let lo = at(m.lower, cont, 0)
  let hi = at(m.upper, cont, 1)
  const rest = (row: readonly number[]): number => zi.reduce((s, v, j) => s + row[j]! * v, 0)
  let fixed: number | undefined
  for (const [i, row] of m.A.entries()) {
    const a = row[cont]!
    const r = m.b[i]! - rest(row)
    if (a > 0) hi = Math.min(hi, r / a)
    else if (a < 0) lo = Math.max(lo, r / a)
    else if (r < 0) return undefined
  }
  for (const [i, row] of (m.Aeq ?? []).entries()) {
    const a = row[cont]!
    const r = m.beq![i]! - rest(row)
    if (a !== 0) {
      if (fixed !== undefined && Math.abs(fixed - r / a) > 1e-9) return undefined
      fixed = r / a
    } else if (r !== 0) return undefined
  }
  if (fixed !== undefined) {
    if (fixed < lo - 1e-9 || fixed > hi + 1e-9) return undefined
    return [...zi, fixed]
  }
  if (lo > hi) return undefined
  const c = theta[cont]!
  const y = c > 0 ? hi : c < 0 ? lo : Number.isFinite(lo) ? lo : Number.isFinite(hi) ? hi : 0
  if (!Number.isFinite(y)) throw new Error('bruteForce: the continuous variable is unbounded')
  return [...zi, y]
}
