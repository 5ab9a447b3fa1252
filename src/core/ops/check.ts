/**
 * Checks of an op's operands against each other and its parameters, run before the op binds
 * (`defOp`'s `check`). They see the operands as the caller passed them: under `vmap` a batched
 * operand is a tracer whose `shape` is the per-example shape, so their messages speak of the
 * per-example shapes the caller wrote code for, not of the batched shapes tfjs would report.
 * Each check is a few comparisons of shapes (no tensor is made or read); a case it leaves
 * alone (an operand that is not a tensor, an axis out of range) is left to the op's own checks.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError, describe, VmapError } from '../errors.js'
import { BatchTracer } from '../tracer.js'

/** `[a, b]` written as a shape. */
export const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`

/** Whether any of `xs` is a batched value (a vmap tracer). */
export const anyBatched = (xs: readonly unknown[]): boolean => {
  for (const x of xs) if (x instanceof BatchTracer) return true
  return false
}

/** `'per-example shape'` when any of `xs` is batched, else `'shape'`. */
export const shapeWord = (xs: readonly unknown[]): string => (anyBatched(xs) ? 'per-example shape' : 'shape')

const SCALAR: readonly number[] = []

/**
 * The (per-example) shape of an operand: a tensor's, `[]` for a number or boolean, `null`
 * otherwise (a nested array is left to tfjs). Read by duck typing: tfjs's `instanceof Tensor`
 * is a duck-typed check that costs more than the whole of a check here.
 */
export const shapeOf = (x: unknown): readonly number[] | null => {
  if (typeof x === 'number' || typeof x === 'boolean') return SCALAR
  if (typeof x !== 'object' || x === null) return null
  const s = (x as { shape?: unknown }).shape
  return Array.isArray(s) && typeof (x as { dtype?: unknown }).dtype === 'string' ? (s as number[]) : null
}

/** The product of the entries of `shape`. */
const sizeOf = (shape: readonly number[]): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** `x` is a tensor or a TensorLike, not `undefined` or `null`. */
export function checkOperand(fn: string, arg: string, x: unknown): void {
  if (x === undefined || x === null) {
    throw new ArgumentError(`${fn}(${arg}): expected a tensor (or a number or nested array) but got ${describe(x)}`)
  }
}

/** The operands' shapes broadcast (numpy rules: right-aligned, each axis equal or 1). */
export function checkBroadcast(fn: string, xs: readonly unknown[]): void {
  let rank = 0
  for (let i = 0; i < xs.length; i++) {
    const s = shapeOf(xs[i])
    if (s === null) return
    if (s.length > rank) rank = s.length
  }
  for (let k = 1; k <= rank; k++) {
    let d = 1
    for (let i = 0; i < xs.length; i++) {
      const s = shapeOf(xs[i])!
      const n = s.length >= k ? s[s.length - k]! : 1
      if (n === 1) continue
      if (d !== 1 && n !== d) {
        const shapes = xs.map((y) => fmt(shapeOf(y)!)).join(' and ')
        throw new ArgumentError(
          `${fn}: operands of ${shapeWord(xs)}s ${shapes} do not broadcast (numpy rules: aligned from the last axis, ` +
            `each axis must be equal or 1)`,
        )
      }
      d = n
    }
  }
}

/** `shape` (at most one -1) has as many elements as `x`. */
export function checkReshape(fn: string, x: unknown, shape: readonly number[]): void {
  const s = shapeOf(x)
  if (s === null || !Array.isArray(shape)) return
  let n = 1
  let free = false
  for (const d of shape) {
    if (d === -1 && !free) free = true
    else if (!Number.isInteger(d) || d < 0) return // a malformed shape: the op's own error
    else n *= d
  }
  const size = sizeOf(s)
  if (free ? (n === 0 ? size === 0 : size % n === 0) : n === size) return
  throw new ArgumentError(
    `${fn}(shape): cannot reshape a tensor of ${shapeWord([x])} ${fmt(s)} (${size} elements) into ${fmt(shape)} ` +
      `(${free ? `a multiple of ${n}` : n} elements)`,
  )
}

/** Every tensor of `xs` has the same rank, and the same size on every axis but `axis` (concat) or on every axis (stack). */
export function checkJoin(fn: string, xs: readonly unknown[], axis: number | null): void {
  if (!Array.isArray(xs) || xs.length === 0 || !xs.every((x) => typeof x === 'object' && shapeOf(x) !== null)) return
  const ts = xs as tf.Tensor[]
  const first = ts[0]!.shape
  const r = first.length
  const word = shapeWord(ts)
  for (let i = 1; i < ts.length; i++) {
    const s = ts[i]!.shape
    if (s.length !== r) {
      throw new ArgumentError(
        `${fn}: tensors[${i}] has ${word} ${fmt(s)} (rank ${s.length}) but tensors[0] has ${fmt(first)} (rank ${r}); ` +
          `every tensor must have the same rank`,
      )
    }
  }
  if (axis !== null && (!Number.isInteger(axis) || axis < -r || axis >= r)) return // the op's own axis error
  const a = axis === null ? -1 : axis < 0 ? axis + r : axis
  for (let i = 1; i < ts.length; i++) {
    const s = ts[i]!.shape
    for (let j = 0; j < r; j++) {
      if (j !== a && s[j] !== first[j]) {
        throw new ArgumentError(
          `${fn}: tensors[${i}] has ${word} ${fmt(s)} but tensors[0] has ${fmt(first)}; ` +
            (axis === null ? 'every tensor must have the same shape' : `they must agree on every axis but the joined axis ${axis}`),
        )
      }
    }
  }
}

/** Matrix operands of rank >= 2 whose inner dimensions agree (`matMul`). */
export function checkMatMul(fn: string, a: unknown, b: unknown, transposeA: boolean, transposeB: boolean): void {
  const sa = shapeOf(a)
  const sb = shapeOf(b)
  if (sa === null || sb === null) return
  const batched = anyBatched([a, b])
  if (sa.length < 2 || sb.length < 2) {
    const E = batched ? VmapError : ArgumentError
    throw new E(
      `${fn}(a, b): a and b must have rank >= 2${batched ? ' per example' : ''} but got ${shapeWord([a, b])}s ${fmt(sa)} and ${fmt(sb)} ` +
        `(ranks ${sa.length} and ${sb.length}); use ops.dot for vectors`,
    )
  }
  const ka = transposeA ? sa[sa.length - 2]! : sa[sa.length - 1]!
  const kb = transposeB ? sb[sb.length - 1]! : sb[sb.length - 2]!
  if (ka !== kb) {
    throw new ArgumentError(
      `${fn}: the inner dimensions of a (${shapeWord([a, b])} ${fmt(sa)}${transposeA ? ', transposed' : ''}) and b ` +
        `(${fmt(sb)}${transposeB ? ', transposed' : ''}) differ: ${ka} vs ${kb}`,
    )
  }
}

/** Vector or matrix operands whose inner dimensions agree (`dot`). */
export function checkDot(fn: string, a: unknown, b: unknown): void {
  const sa = shapeOf(a)
  const sb = shapeOf(b)
  if (sa === null || sb === null || sa.length < 1 || sa.length > 2 || sb.length < 1 || sb.length > 2) return // the op's rank error
  const ka = sa[sa.length - 1]!
  const kb = sb[0]!
  if (ka !== kb) {
    throw new ArgumentError(
      `${fn}(t1, t2): the inner dimensions differ: t1 has ${shapeWord([a, b])} ${fmt(sa)} and t2 has ${fmt(sb)} (${ka} vs ${kb})`,
    )
  }
}

/** Reduction axes in range are listed once each (`sum(x, [0, 0])` is refused, as in numpy). */
export function checkAxesOnce(fn: string, x: unknown, axis: unknown): void {
  if (!Array.isArray(axis) || axis.length < 2) return
  const s = shapeOf(x)
  if (s === null) return
  const r = s.length
  const seen: number[] = []
  for (const a of axis as unknown[]) {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -r || a >= r) return // the op's own axis error
    const n = a < 0 ? a + r : a
    if (seen.includes(n)) {
      throw new ArgumentError(
        `${fn}(axis): axis ${n} is listed more than once in ${fmt(axis as number[])} (${shapeWord([x])} ${fmt(s)}); list each axis once`,
      )
    }
    seen.push(n)
  }
}
