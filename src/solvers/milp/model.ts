/**
 * The model of a `milp` solver: its type, the one check that turns what a caller wrote into a
 * normalised model (every message names `milp(model.<field>)`, the value and the fix), and its
 * CPLEX LP text, written once per model; only the objective line changes per instance.
 *
 * @module
 */
import { ArgumentError, describe as show } from '../../core/errors.js'

/**
 * A mixed-integer linear program over `n` variables `z`, maximising `<theta, z>` (theta is the
 * solver's input, one per instance) subject to
 * `A z <= b`, `Aeq z = beq`, `lower <= z <= upper`, and `z_i` integer where `integer` says so.
 *
 * Defaults describe binary variables, the natural feasible set of a perturb-and-MAP solver:
 * `lower` 0, `upper` 1, every variable integer. Give `upper: Infinity` for non-negative
 * integers, `lower: -Infinity` for a free variable, `integer: false` (or a mask) for
 * continuous variables. Shapes: `A [m, n]`, `b [m]`, `Aeq [p, n]`, `beq [p]`; `lower`, `upper`
 * and `integer` are one value for every variable or an array of `n`. All numbers are finite
 * except infinite bounds. `n` comes from the first of `A`, `Aeq`, `lower`, `upper`, `integer`
 * that gives it (`A: []` is a model without inequalities).
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * // Pick at most 2 of 4 items, and item 0 only together with item 1 (z0 <= z1).
 * const model: solvers.MilpModel = { A: [[1, 1, 1, 1], [1, -1, 0, 0]], b: [2, 0] }
 * ```
 */
export interface MilpModel {
  /** Inequality constraints `A z <= b`: `[m, n]`, finite. `[]` for none. */
  readonly A: readonly (readonly number[])[]
  /** Right-hand sides of the inequalities: `[m]`, finite. */
  readonly b: readonly number[]
  /** Equality constraints `Aeq z = beq`: `[p, n]`, finite. Default none. */
  readonly Aeq?: readonly (readonly number[])[]
  /** Right-hand sides of the equalities: `[p]`, finite. */
  readonly beq?: readonly number[]
  /** Lower bounds: one for all or `[n]`; finite or `-Infinity`. Default 0. */
  readonly lower?: number | readonly number[]
  /** Upper bounds: one for all or `[n]`; finite or `Infinity`. Default 1. */
  readonly upper?: number | readonly number[]
  /** Which variables are integer: one for all or `[n]`. Default `true` (all integer). */
  readonly integer?: boolean | readonly boolean[]
}

/** A checked model: dense float64 data and the LP text of everything but the objective. */
export interface PreparedModel {
  readonly n: number
  /** Which variables are integer. */
  readonly integer: Uint8Array
  /** The LP text that follows the objective line (constraints, bounds, integrality, `End`). */
  readonly tail: string
  /** A deep, frozen copy of the model as given: what `origin` sends to a worker. */
  readonly model: MilpModel
}

const FIELDS = ['A', 'b', 'Aeq', 'beq', 'lower', 'upper', 'integer'] as const

const fail = (field: string, message: string): never => {
  throw new ArgumentError(`milp(model${field === '' ? '' : `.${field}`}): ${message}`)
}

/** A `[rows, ?]` matrix of finite numbers, its rows all of the same length. */
function checkMatrix(field: string, value: unknown): number[][] {
  if (!Array.isArray(value) || !value.every(Array.isArray)) {
    return fail(field, `expected an array of rows (number[][], shape [rows, n]) but got ${show(value)}`)
  }
  const rows = value as unknown[][]
  const width = rows[0]?.length ?? 0
  rows.forEach((row, i) => {
    if (row.length !== width) fail(field, `every row must have the length of row 0 (${width}) but row ${i} has ${row.length} entries`)
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `entries must be finite numbers but got ${show(v)} at [${i}, ${j}]`)
    })
  })
  return rows as number[][]
}

/** A vector of finite numbers, one per row of `rowsOf`. */
function checkRhs(field: string, value: unknown, rows: number, rowsOf: string): number[] {
  if (!Array.isArray(value)) return fail(field, `expected an array of numbers, one per row of model.${rowsOf}, but got ${show(value)}`)
  if (value.length !== rows) {
    fail(field, `must have one entry per row of model.${rowsOf} (${rows}) but has ${value.length}; give as many right-hand sides as constraints`)
  }
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `entries must be finite numbers but got ${show(v)} at index ${i}`)
  })
  return value as number[]
}

/** `lower`/`upper`/`integer`: a scalar, or an array of `n` (`n` undefined: any length sets it). */
function checkPerVariable<T>(field: string, value: unknown, n: number | undefined, ok: (v: unknown) => v is T, what: string): T | T[] {
  if (!Array.isArray(value)) {
    if (!ok(value)) fail(field, `expected ${what}, or an array of them (one per variable), but got ${show(value)}`)
    return value as T
  }
  if (n !== undefined && value.length !== n) fail(field, `must have one entry per variable (n = ${n}) but has ${value.length}`)
  value.forEach((v, i) => {
    if (!ok(v)) fail(field, `expected ${what} at every index but got ${show(v)} at index ${i}`)
  })
  return value as T[]
}

const isLower = (v: unknown): v is number => typeof v === 'number' && (Number.isFinite(v) || v === -Infinity)
const isUpper = (v: unknown): v is number => typeof v === 'number' && (Number.isFinite(v) || v === Infinity)
const isBool = (v: unknown): v is boolean => typeof v === 'boolean'

/**
 * A number as LP text: JavaScript's shortest decimal that reads back as the same float64
 * (`0.1` for 0.1, `0.10000000149011612` for float32 0.1, `1e-7`, `1.5e+21`), so HiGHS sees
 * exactly the value given. Finite numbers only.
 */
export const lpNumber = (v: number): string => String(v === 0 ? 0 : v)

/** ` + 3 x0 - 0.5 x2`: the terms of a linear form (zeros left out; `0 x0` if all are zero). */
function terms(row: readonly number[]): string {
  let s = ''
  for (let j = 0; j < row.length; j++) {
    const a = row[j]!
    if (a !== 0) s += a < 0 ? ` - ${lpNumber(-a)} x${j}` : ` + ${lpNumber(a)} x${j}`
  }
  return s === '' ? ' 0 x0' : s
}

/**
 * Checks `model` (see `MilpModel`) and prepares it; throws an `ArgumentError` naming the field
 * (`milp(model.b): must have one entry per row of model.A (3) but has 2; ...`).
 */
export function prepareModel(model: unknown): PreparedModel {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    return fail('', `expected a model object { A, b, Aeq?, beq?, lower?, upper?, integer? } but got ${show(model)}`)
  }
  const given = model as Record<string, unknown>
  const unknown = Object.keys(given).filter((k) => !(FIELDS as readonly string[]).includes(k))
  if (unknown.length > 0) {
    fail('', `unknown field ${unknown.map((k) => `'${k}'`).join(', ')}; the fields are ${FIELDS.map((k) => `'${k}'`).join(', ')}`)
  }
  if (given['A'] === undefined) fail('A', `is required: the inequality constraints A z <= b as number[][] ([m, n]); [] for none`)
  const A = checkMatrix('A', given['A'])
  const b = checkRhs('b', given['b'], A.length, 'A')
  if ((given['Aeq'] === undefined) !== (given['beq'] === undefined)) {
    fail(given['beq'] === undefined ? 'beq' : 'Aeq', 'model.Aeq and model.beq go together: give both or neither')
  }
  const Aeq = given['Aeq'] === undefined ? [] : checkMatrix('Aeq', given['Aeq'])
  const beq = given['beq'] === undefined ? [] : checkRhs('beq', given['beq'], Aeq.length, 'Aeq')
  // The number of variables: from the first field that gives it.
  const sized: [string, unknown][] = [
    ['A', A[0]],
    ['Aeq', Aeq[0]],
    ['lower', given['lower']],
    ['upper', given['upper']],
    ['integer', given['integer']],
  ]
  const source = sized.find(([, v]) => Array.isArray(v))
  if (source === undefined) {
    return fail('', 'the number of variables n is unknown: give model.A (or model.Aeq) at least one row, or lower, upper or integer as an array of n')
  }
  const n = (source[1] as unknown[]).length
  if (n === 0) fail(source[0], 'the model must have at least one variable but this gives n = 0')
  if (Aeq.length > 0 && Aeq[0]!.length !== n) {
    fail('Aeq', `rows must have n = ${n} entries (the number of variables, from model.${source[0]}) but have ${Aeq[0]!.length}`)
  }
  const lo = checkPerVariable('lower', given['lower'] ?? 0, n, isLower, 'a finite number or -Infinity')
  const up = checkPerVariable('upper', given['upper'] ?? 1, n, isUpper, 'a finite number or Infinity')
  const int = checkPerVariable('integer', given['integer'] ?? true, n, isBool, 'a boolean')
  const at = <T>(v: T | T[], j: number): T => (Array.isArray(v) ? v[j]! : v)
  for (let j = 0; j < n; j++) {
    if (at(lo, j) > at(up, j)) {
      fail('lower', `lower[${j}] = ${at(lo, j)} exceeds upper[${j}] = ${at(up, j)}; every lower bound must be <= its upper bound`)
    }
  }
  const integer = Uint8Array.from({ length: n }, (_, j) => (at(int, j) ? 1 : 0))
  // The LP text after the objective: constraints, bounds, integrality.
  const rows: string[] = []
  A.forEach((row, i) => rows.push(` c${i}:${terms(row)} <= ${lpNumber(b[i]!)}\n`))
  Aeq.forEach((row, i) => rows.push(` e${i}:${terms(row)} = ${lpNumber(beq[i]!)}\n`))
  const bounds: string[] = []
  for (let j = 0; j < n; j++) {
    const l = at(lo, j)
    const u = at(up, j)
    bounds.push(
      l === -Infinity && u === Infinity
        ? ` x${j} free\n`
        : ` ${l === -Infinity ? '-inf' : lpNumber(l)} <= x${j} <= ${u === Infinity ? '+inf' : lpNumber(u)}\n`,
    )
  }
  const generals = Array.from({ length: n }, (_, j) => j).filter((j) => integer[j] === 1)
  const tail =
    (rows.length > 0 ? `Subject To\n${rows.join('')}` : '') +
    `Bounds\n${bounds.join('')}` +
    (generals.length > 0 ? `Generals\n${generals.map((j) => ` x${j}\n`).join('')}` : '') +
    'End\n'
  const copy = (v: unknown): unknown => (Array.isArray(v) ? Object.freeze(v.map(copy)) : v)
  const frozen = Object.freeze(
    Object.fromEntries(FIELDS.filter((k) => given[k] !== undefined).map((k) => [k, copy(given[k])])),
  ) as unknown as MilpModel
  return { n, integer, tail, model: frozen }
}
