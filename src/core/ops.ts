/**
 * `ops`: vmap-aware tensor operations with the names and signatures of the matching `tf.*`
 * ops, so that code moves from `tf.` to `ops.` and nothing else changes. Outside `vmap` each
 * op is its tf op plus one loop over its operands; inside `vmap` each runs its batch rule,
 * one tf call for the whole batch.
 *
 * Every rule calls the `ops` version of what it needs (never raw `tf`), so that the values it
 * receives, which may be tracers of an outer `vmap`, are batched in turn.
 *
 * @example
 * ```ts
 * import { ops, vmap } from 'imle'
 * const f = (x: tf.Tensor) => ops.sum(ops.mul(x, x))   // [n] -> []
 * vmap(f)(tf.ones([8, 3]))                              // [8, 3] -> [8]
 * ```
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import {

  bdimToFront,
  broadcastRule,
  normalizeAxis,
  reduceRule,
  unaryRule,
  type ReduceParams,
} from './batch_rules.js'
import { bind, type BatchRule, type Primitive } from './tracer.js'

/** A tensor operand: a tensor (or tracer) or anything tfjs converts to one. */
export type Operand = tf.Tensor | tf.TensorLike

const one = (t: tf.Tensor | tf.Tensor[]): tf.Tensor => t as tf.Tensor

/**
 * Defines an op from its tf implementation and a rule factory that receives the op itself
 * (for the recursive call on lower levels).
 */
function defOp<P, F extends (...args: never[]) => unknown>(
  name: string,
  impl: Primitive<P>['impl'],
  makeRule: () => BatchRule<P>,
  api: (bindIt: (args: readonly unknown[], params: P) => tf.Tensor | tf.Tensor[]) => F,
): F {
  let rule: BatchRule<P> | undefined
  const p: Primitive<P> = { name, impl, rule: (a, params, size) => (rule ??= makeRule())(a, params, size) }
  return api((args, params) => bind(p, args, params))
}

// ---------------------------------------------------------------------------------------------
// Elementwise unary math. Shapes: [...s] -> [...s].

const unary = (name: string, tfFn: (x: tf.Tensor) => tf.Tensor): ((x: Operand) => tf.Tensor) => {
  const op: (x: Operand) => tf.Tensor = defOp<undefined, (x: Operand) => tf.Tensor>(
    name,
    ([x]) => tfFn(x),
    () => unaryRule((x) => op(x)),
    (b) => (x) => one(b([x], undefined)),
  )
  return op
}

/** Elementwise `-x`, as `tf.neg`. `[...s] -> [...s]` */
export const neg = unary('neg', tf.neg)
/** Elementwise `|x|`, as `tf.abs`. `[...s] -> [...s]` */
export const abs = unary('abs', tf.abs)
/** Elementwise `e^x`, as `tf.exp`. `[...s] -> [...s]` */
export const exp = unary('exp', tf.exp)
/** Elementwise natural log, as `tf.log`. `[...s] -> [...s]` */
export const log = unary('log', tf.log)
/** Elementwise `log(1 + x)`, as `tf.log1p`. `[...s] -> [...s]` */
export const log1p = unary('log1p', tf.log1p)
/** Elementwise square root, as `tf.sqrt`. `[...s] -> [...s]` */
export const sqrt = unary('sqrt', tf.sqrt)
/** Elementwise `x^2`, as `tf.square`. `[...s] -> [...s]` */
export const square = unary('square', tf.square)
/** Elementwise sine, as `tf.sin`. `[...s] -> [...s]` */
export const sin = unary('sin', tf.sin)
/** Elementwise cosine, as `tf.cos`. `[...s] -> [...s]` */
export const cos = unary('cos', tf.cos)
/** Elementwise hyperbolic tangent, as `tf.tanh`. `[...s] -> [...s]` */
export const tanh = unary('tanh', tf.tanh)
/** Elementwise logistic sigmoid, as `tf.sigmoid`. `[...s] -> [...s]` */
export const sigmoid = unary('sigmoid', tf.sigmoid)
/** Elementwise `max(x, 0)`, as `tf.relu`. `[...s] -> [...s]` */
export const relu = unary('relu', tf.relu)
/** Elementwise logical not of a bool tensor, as `tf.logicalNot`. `[...s] -> [...s]` */
export const logicalNot = unary('logicalNot', tf.logicalNot)

/** `tf.zerosLike`. `[...s] -> [...s]` */
export const zerosLike = unary('zerosLike', tf.zerosLike)
/** `tf.onesLike`. `[...s] -> [...s]` */
export const onesLike = unary('onesLike', tf.onesLike)

/** Elementwise clip to `[min, max]`, as `tf.clipByValue`. `[...s] -> [...s]` */
export const clipByValue: (x: Operand, min: number, max: number) => tf.Tensor = defOp<
  { min: number; max: number },
  (x: Operand, min: number, max: number) => tf.Tensor
>(
  'clipByValue',
  ([x], { min, max }) => tf.clipByValue(x, min, max),
  () => unaryRule((x, { min, max }) => clipByValue(x, min, max)),
  (b) => (x, min, max) => one(b([x], { min, max })),
)

/** Casts to `dtype`, as `tf.cast`. `[...s] -> [...s]` */
export const cast: (x: Operand, dtype: tf.DataType) => tf.Tensor = defOp<
  tf.DataType,
  (x: Operand, dtype: tf.DataType) => tf.Tensor
>(
  'cast',
  ([x], dtype) => tf.cast(x, dtype),
  () => unaryRule((x, dtype) => cast(x, dtype)),
  (b) => (x, dtype) => one(b([x], dtype)),
)

// ---------------------------------------------------------------------------------------------
// Broadcasting binary math and comparisons. Shapes: ([...a], [...b]) -> broadcast(a, b).

const binary = (name: string, tfFn: (a: Operand, b: Operand) => tf.Tensor): ((a: Operand, b: Operand) => tf.Tensor) => {
  const op: (a: Operand, b: Operand) => tf.Tensor = defOp<undefined, (a: Operand, b: Operand) => tf.Tensor>(
    name,
    ([a, b]) => tfFn(a, b),
    () => broadcastRule(([a, b]) => op(a!, b!)),
    (bind2) => (a, b) => one(bind2([a, b], undefined)),
  )
  return op
}

/** `a + b` with broadcasting, as `tf.add`. */
export const add = binary('add', tf.add)
/** `a - b` with broadcasting, as `tf.sub`. */
export const sub = binary('sub', tf.sub)
/** `a * b` with broadcasting, as `tf.mul`. */
export const mul = binary('mul', tf.mul)
/** `a / b` with broadcasting, as `tf.div`. */
export const div = binary('div', tf.div)
/** `a ^ b` with broadcasting, as `tf.pow`. */
export const pow = binary('pow', tf.pow)
/** Elementwise maximum with broadcasting, as `tf.maximum`. */
export const maximum = binary('maximum', tf.maximum)
/** Elementwise minimum with broadcasting, as `tf.minimum`. */
export const minimum = binary('minimum', tf.minimum)
/** `(a - b)^2` with broadcasting, as `tf.squaredDifference`. */
export const squaredDifference = binary('squaredDifference', tf.squaredDifference)
/** `a == b` (bool), as `tf.equal`. */
export const equal = binary('equal', tf.equal)
/** `a != b` (bool), as `tf.notEqual`. */
export const notEqual = binary('notEqual', tf.notEqual)
/** `a > b` (bool), as `tf.greater`. */
export const greater = binary('greater', tf.greater)
/** `a >= b` (bool), as `tf.greaterEqual`. */
export const greaterEqual = binary('greaterEqual', tf.greaterEqual)
/** `a < b` (bool), as `tf.less`. */
export const less = binary('less', tf.less)
/** `a <= b` (bool), as `tf.lessEqual`. */
export const lessEqual = binary('lessEqual', tf.lessEqual)
/** Logical and of bool tensors, as `tf.logicalAnd`. */
export const logicalAnd = binary('logicalAnd', tf.logicalAnd)
/** Logical or of bool tensors, as `tf.logicalOr`. */
export const logicalOr = binary('logicalOr', tf.logicalOr)

/** `condition ? a : b` elementwise with broadcasting, as `tf.where`. */
export const where: (condition: Operand, a: Operand, b: Operand) => tf.Tensor = defOp<
  undefined,
  (condition: Operand, a: Operand, b: Operand) => tf.Tensor
>(
  'where',
  ([c, a, b]) => tf.where(c, a, b),
  () => broadcastRule(([c, a, b]) => where(c!, a!, b!)),
  (b) => (c, x, y) => one(b([c, x, y], undefined)),
)

// ---------------------------------------------------------------------------------------------
// Reductions. Shapes: [...s] -> s without `axis` (kept as 1 with `keepDims`).

type Axis = number | number[] | null | undefined

const reduction = (
  name: string,
  tfFn: (x: tf.Tensor, axis: number[] | undefined, keepDims: boolean) => tf.Tensor,
): ((x: Operand, axis?: Axis, keepDims?: boolean) => tf.Tensor) => {
  const op: (x: Operand, axis?: Axis, keepDims?: boolean) => tf.Tensor = defOp<
    ReduceParams,
    (x: Operand, axis?: Axis, keepDims?: boolean) => tf.Tensor
  >(
    name,
    ([x], { axis, keepDims = false }) => tfFn(x, axis === null || axis === undefined ? undefined : [...(typeof axis === 'number' ? [axis] : axis)], keepDims),
    () => reduceRule(name, (x, axis, keepDims) => op(x, axis, keepDims)),
    (b) => (x, axis, keepDims) => one(b([x], { axis, keepDims })),
  )
  return op
}

/** Sum over `axis` (all when omitted), as `tf.sum`. */
export const sum = reduction('sum', (x, a, k) => tf.sum(x, a, k))
/** Mean over `axis`, as `tf.mean`. */
export const mean = reduction('mean', (x, a, k) => tf.mean(x, a, k))
/** Maximum over `axis`, as `tf.max`. */
export const max = reduction('max', (x, a, k) => tf.max(x, a, k))
/** Minimum over `axis`, as `tf.min`. */
export const min = reduction('min', (x, a, k) => tf.min(x, a, k))
/** Product over `axis`, as `tf.prod`. */
export const prod = reduction('prod', (x, a, k) => tf.prod(x, a, k))
/** `log(sum(exp(x)))` over `axis`, computed stably, as `tf.logSumExp`. */
export const logSumExp = reduction('logSumExp', (x, a, k) => tf.logSumExp(x, a, k))
/** Logical any over `axis`, as `tf.any`. */
export const any = reduction('any', (x, a, k) => tf.any(x, a, k))
/** Logical all over `axis`, as `tf.all`. */
export const all = reduction('all', (x, a, k) => tf.all(x, a, k))

// ---------------------------------------------------------------------------------------------
// Shape ops.

/** Reshapes to `shape` (one entry may be -1), as `tf.reshape`. */
export const reshape: (x: Operand, shape: readonly number[]) => tf.Tensor = defOp<
  readonly number[],
  (x: Operand, shape: readonly number[]) => tf.Tensor
>(
  'reshape',
  ([x], shape) => tf.reshape(x, [...shape]),
  () => ([x], shape) => {
    const b = x!
    if (b.bdim === null) return { value: reshape(b.value, shape), bdim: null }
    const v = bdimToFront(b) // [B, ...s]
    return { value: reshape(v, [v.shape[0]!, ...shape]), bdim: 0 } // [B, ...shape]
  },
  (b) => (x, shape) => one(b([x], shape)),
)

/** Permutes axes (reverses them when `perm` is omitted), as `tf.transpose`. */
export const transpose: (x: Operand, perm?: readonly number[]) => tf.Tensor = defOp<
  readonly number[] | undefined,
  (x: Operand, perm?: readonly number[]) => tf.Tensor
>(
  'transpose',
  ([x], perm) => tf.transpose(x, perm === undefined ? undefined : [...perm]),
  () => ([x], perm) => {
    const b = x!
    if (b.bdim === null) return { value: transpose(b.value, perm), bdim: null }
    const r = b.value.rank - 1
    const p = perm ?? [...Array(r).keys()].reverse()
    // The batch axis stays where it is; per-example axes are permuted around it.
    const physical = p.map((a) => (a < b.bdim! ? a : a + 1))
    physical.splice(b.bdim!, 0, b.bdim!)
    return { value: transpose(b.value, physical), bdim: b.bdim }
  },
  (b) => (x, perm) => one(b([x], perm)),
)

/** Inserts a length-1 axis at `axis` (negative counts from the end), as `tf.expandDims`. */
export const expandDims: (x: Operand, axis?: number) => tf.Tensor = defOp<number, (x: Operand, axis?: number) => tf.Tensor>(
  'expandDims',
  ([x], axis) => tf.expandDims(x, axis),
  () => ([x], axis) => {
    const b = x!
    if (b.bdim === null) return { value: expandDims(b.value, axis), bdim: null }
    const a = normalizeAxis('ops.expandDims', axis, b.value.rank) // per-example rank + 1 = value rank
    const phys = a < b.bdim ? a : a + 1
    return { value: expandDims(b.value, phys), bdim: phys <= b.bdim ? b.bdim + 1 : b.bdim }
  },
  (b) => (x, axis = 0) => one(b([x], axis)),
)

/** Broadcasts to `shape`, as `tf.broadcastTo`. */
export const broadcastTo: (x: Operand, shape: readonly number[]) => tf.Tensor = defOp<
  readonly number[],
  (x: Operand, shape: readonly number[]) => tf.Tensor
>(
  'broadcastTo',
  ([x], shape) => tf.broadcastTo(x, [...shape]),
  () => ([x], shape, size) => {
    const b = x!
    if (b.bdim === null) return { value: broadcastTo(b.value, shape), bdim: null }
    const v = bdimToFront(b) // [B, ...s]
    const r = v.rank - 1
    const aligned = r < shape.length ? reshape(v, [size, ...Array(shape.length - r).fill(1), ...v.shape.slice(1)]) : v
    return { value: broadcastTo(aligned, [size, ...shape]), bdim: 0 } // [B, ...shape]
  },
  (b) => (x, shape) => one(b([x], shape)),
)

