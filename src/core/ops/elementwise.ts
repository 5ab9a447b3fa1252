/**
 * Elementwise ops: unary math, casts, and binary math and comparisons with numpy broadcasting.
 * Rules: `unaryRule` (the batch axis stays put) and `broadcastRule`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { broadcastRule, unaryRule } from '../batch_rules.js'
import { ArgumentError, describe } from '../errors.js'
import { checkBroadcast, checkOperand } from './check.js'
import { defOp, one, type Operand } from './def.js'

// ---------------------------------------------------------------------------------------------
// Unary. Shapes: [...s] -> [...s].

type Unary = (x: Operand) => tf.Tensor

const unary = (name: string, tfFn: (x: tf.Tensor) => tf.Tensor): Unary => {
  const op: Unary = defOp<undefined, Unary>(
    name,
    ([x]) => tfFn(x),
    () => unaryRule((x) => op(x)),
    (b) => (x) => one(b([x], undefined)),
    ([x]) => checkOperand(`ops.${name}`, 'x', x),
  )
  return op
}

/**
 * Elementwise `-x`, as `tf.neg`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.neg(tf.tensor1d([1, -2]))   // [-1, 2]
 * ```
 */
export const neg = unary('neg', tf.neg)
/**
 * Elementwise `|x|`, as `tf.abs`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.abs(tf.tensor1d([1, -2]))   // [1, 2]
 * ```
 */
export const abs = unary('abs', tf.abs)
/**
 * Elementwise `e^x`, as `tf.exp`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.exp(tf.tensor1d([0, 1]))   // [1, 2.7183]
 * ```
 */
export const exp = unary('exp', tf.exp)
/**
 * Elementwise `e^x - 1`, accurate near 0, as `tf.expm1`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.expm1(tf.tensor1d([0, 1]))   // [0, 1.7183]
 * ```
 */
export const expm1 = unary('expm1', tf.expm1)
/**
 * Elementwise natural log, as `tf.log`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.log(tf.tensor1d([1, Math.E]))   // [0, 1]
 * ```
 */
export const log = unary('log', tf.log)
/**
 * Elementwise `log(1 + x)`, accurate near 0, as `tf.log1p`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.log1p(tf.tensor1d([0, Math.E - 1]))   // [0, 1]
 * ```
 */
export const log1p = unary('log1p', tf.log1p)
/**
 * Elementwise square root, as `tf.sqrt`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.sqrt(tf.tensor1d([4, 9]))   // [2, 3]
 * ```
 */
export const sqrt = unary('sqrt', tf.sqrt)
/**
 * Elementwise `1 / sqrt(x)`, as `tf.rsqrt`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.rsqrt(tf.tensor1d([4, 16]))   // [0.5, 0.25]
 * ```
 */
export const rsqrt = unary('rsqrt', tf.rsqrt)
/**
 * Elementwise `x^2`, as `tf.square`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.square(tf.tensor1d([2, -3]))   // [4, 9]
 * ```
 */
export const square = unary('square', tf.square)
/**
 * Elementwise `1 / x`, as `tf.reciprocal`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.reciprocal(tf.tensor1d([2, 4]))   // [0.5, 0.25]
 * ```
 */
export const reciprocal = unary('reciprocal', tf.reciprocal)
/**
 * Elementwise sine, as `tf.sin`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.sin(tf.tensor1d([0, Math.PI / 2]))   // [0, 1]
 * ```
 */
export const sin = unary('sin', tf.sin)
/**
 * Elementwise cosine, as `tf.cos`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.cos(tf.tensor1d([0, Math.PI]))   // [1, -1]
 * ```
 */
export const cos = unary('cos', tf.cos)
/**
 * Elementwise hyperbolic tangent, as `tf.tanh`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.tanh(tf.tensor1d([0, 100]))   // [0, 1]
 * ```
 */
export const tanh = unary('tanh', tf.tanh)
/**
 * Elementwise logistic sigmoid `1 / (1 + e^-x)`, as `tf.sigmoid`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.sigmoid(tf.tensor1d([0]))   // [0.5]
 * ```
 */
export const sigmoid = unary('sigmoid', tf.sigmoid)
/**
 * Elementwise `log(1 + e^x)`, as `tf.softplus`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.softplus(tf.tensor1d([0]))   // [0.6931]
 * ```
 */
export const softplus = unary('softplus', tf.softplus)
/**
 * Elementwise `max(x, 0)`, as `tf.relu`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.relu(tf.tensor1d([-1, 2]))   // [0, 2]
 * ```
 */
export const relu = unary('relu', tf.relu)
/**
 * Elementwise `x > 0 ? x : e^x - 1`, as `tf.elu`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.elu(tf.tensor1d([-1, 2]))   // [-0.6321, 2]
 * ```
 */
export const elu = unary('elu', tf.elu)
/**
 * Elementwise largest integer `<= x`, as `tf.floor`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.floor(tf.tensor1d([1.5, -1.5]))   // [1, -2]
 * ```
 */
export const floor = unary('floor', tf.floor)
/**
 * Elementwise smallest integer `>= x`, as `tf.ceil`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.ceil(tf.tensor1d([1.5, -1.5]))   // [2, -1]
 * ```
 */
export const ceil = unary('ceil', tf.ceil)
/**
 * Elementwise rounding, half to even, as `tf.round`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.round(tf.tensor1d([0.5, 1.5, 1.7]))   // [0, 2, 2]
 * ```
 */
export const round = unary('round', tf.round)
/**
 * Elementwise sign (-1, 0 or 1), as `tf.sign`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.sign(tf.tensor1d([-3, 0, 2]))   // [-1, 0, 1]
 * ```
 */
export const sign = unary('sign', tf.sign)
/**
 * Elementwise logical not of a bool tensor, as `tf.logicalNot`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.logicalNot(tf.tensor1d([true, false], 'bool'))   // [false, true]
 * ```
 */
export const logicalNot = unary('logicalNot', tf.logicalNot)
/**
 * Zeros of the shape and dtype of `x`, as `tf.zerosLike`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.zerosLike(tf.tensor1d([3, 4]))   // [0, 0]
 * ```
 */
export const zerosLike = unary('zerosLike', tf.zerosLike)
/**
 * Ones of the shape and dtype of `x`, as `tf.onesLike`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.onesLike(tf.tensor1d([3, 4]))   // [1, 1]
 * ```
 */
export const onesLike = unary('onesLike', tf.onesLike)

/** Identity forward, zero cotangent backward: tfjs has no such kernel, so a `customGrad`. */
const stopGradientImpl = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
}))

/**
 * The identity with a zero gradient, as JAX's `lax.stop_gradient`: `grad` treats the result
 * as a constant (running statistics, targets of a loss, straight-through tricks). Works under
 * `grad` and `vmap`, nested either way. Non-float tensors are copied (they carry no gradient).
 * `[...s] -> [...s]`
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, ops } from 'imle'
 * const f = (v: tf.Tensor) => ops.sum(ops.mul(v, ops.stopGradient(v)))   // [n] -> []
 * grad(f)(tf.tensor1d([1, 2]))   // [1, 2], not [2, 4]: the second factor is a constant
 * ```
 */
export const stopGradient = unary('stopGradient', (x) => (x.dtype === 'float32' ? (stopGradientImpl(x) as tf.Tensor) : tf.clone(x)))

/**
 * Elementwise `x > 0 ? x : alpha * x`, as `tf.leakyRelu`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.leakyRelu(tf.tensor1d([-1, 2]), 0.1)   // [-0.1, 2]
 * ```
 */
export const leakyRelu: (x: Operand, alpha?: number) => tf.Tensor = defOp<number, (x: Operand, alpha?: number) => tf.Tensor>(
  'leakyRelu',
  ([x], alpha) => tf.leakyRelu(x, alpha),
  () => unaryRule((x, alpha) => leakyRelu(x, alpha)),
  (b) =>
    (x, alpha = 0.2) =>
      one(b([x], alpha)),
  (_, alpha) => {
    if (typeof alpha !== 'number') throw new ArgumentError(`ops.leakyRelu(alpha): expected a number but got ${describe(alpha)}`)
  },
)

/**
 * Elementwise clip to `[min, max]`, as `tf.clipByValue`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.clipByValue(tf.tensor1d([-2, 0.5, 3]), 0, 1)   // [0, 0.5, 1]
 * ```
 */
export const clipByValue: (x: Operand, min: number, max: number) => tf.Tensor = defOp<
  { min: number; max: number },
  (x: Operand, min: number, max: number) => tf.Tensor
>(
  'clipByValue',
  ([x], { min, max }) => tf.clipByValue(x, min, max),
  () => unaryRule((x, { min, max }) => clipByValue(x, min, max)),
  (b) => (x, min, max) => one(b([x], { min, max })),
)

/**
 * Casts to `dtype`, as `tf.cast`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.cast(tf.tensor1d([1.7, -1.7]), 'int32')   // [1, -1]
 * ```
 */
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
// Binary, with numpy broadcasting. Shapes: ([...a], [...b]) -> [...broadcast(a, b)].

type Binary = (a: Operand, b: Operand) => tf.Tensor

const binary = (name: string, tfFn: (a: Operand, b: Operand) => tf.Tensor): Binary => {
  const op: Binary = defOp<undefined, Binary>(
    name,
    ([a, b]) => tfFn(a, b),
    () => broadcastRule(([a, b]) => op(a!, b!)),
    (bind2) => (a, b) => one(bind2([a, b], undefined)),
    (args) => checkBroadcast(`ops.${name}`, args),
  )
  return op
}

/**
 * `a + b` with broadcasting, as `tf.add`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.add(tf.ones([2, 3]), tf.tensor1d([1, 2, 3]))   // [[2, 3, 4], [2, 3, 4]]
 * ```
 */
export const add = binary('add', tf.add)
/**
 * `a - b` with broadcasting, as `tf.sub`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.sub(tf.tensor1d([3, 4]), 1)   // [2, 3]
 * ```
 */
export const sub = binary('sub', tf.sub)
/**
 * `a * b` with broadcasting, as `tf.mul`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.mul(tf.tensor1d([1, 2]), tf.tensor2d([[1], [10]]))   // [[1, 2], [10, 20]]
 * ```
 */
export const mul = binary('mul', tf.mul)
/**
 * `a / b` with broadcasting, as `tf.div`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.div(tf.tensor1d([3, 4]), 2)   // [1.5, 2]
 * ```
 */
export const div = binary('div', tf.div)
/**
 * `a ^ b` with broadcasting, as `tf.pow`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.pow(tf.tensor1d([2, 3]), 2)   // [4, 9]
 * ```
 */
export const pow = binary('pow', tf.pow)
/**
 * Elementwise maximum with broadcasting, as `tf.maximum`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.maximum(tf.tensor1d([1, 5]), 3)   // [3, 5]
 * ```
 */
export const maximum = binary('maximum', tf.maximum)
/**
 * Elementwise minimum with broadcasting, as `tf.minimum`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.minimum(tf.tensor1d([1, 5]), 3)   // [1, 3]
 * ```
 */
export const minimum = binary('minimum', tf.minimum)
/**
 * `(a - b)^2` with broadcasting, as `tf.squaredDifference`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.squaredDifference(tf.tensor1d([1, 5]), 3)   // [4, 4]
 * ```
 */
export const squaredDifference = binary('squaredDifference', tf.squaredDifference)
/**
 * `a == b` (bool) with broadcasting, as `tf.equal`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.equal(tf.tensor1d([1, 2]), 2)   // [false, true]
 * ```
 */
export const equal = binary('equal', tf.equal)
/**
 * `a != b` (bool) with broadcasting, as `tf.notEqual`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.notEqual(tf.tensor1d([1, 2]), 2)   // [true, false]
 * ```
 */
export const notEqual = binary('notEqual', tf.notEqual)
/**
 * `a > b` (bool) with broadcasting, as `tf.greater`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.greater(tf.tensor1d([1, 3]), 2)   // [false, true]
 * ```
 */
export const greater = binary('greater', tf.greater)
/**
 * `a >= b` (bool) with broadcasting, as `tf.greaterEqual`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.greaterEqual(tf.tensor1d([1, 2]), 2)   // [false, true]
 * ```
 */
export const greaterEqual = binary('greaterEqual', tf.greaterEqual)
/**
 * `a < b` (bool) with broadcasting, as `tf.less`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.less(tf.tensor1d([1, 3]), 2)   // [true, false]
 * ```
 */
export const less = binary('less', tf.less)
/**
 * `a <= b` (bool) with broadcasting, as `tf.lessEqual`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.lessEqual(tf.tensor1d([2, 3]), 2)   // [true, false]
 * ```
 */
export const lessEqual = binary('lessEqual', tf.lessEqual)
/**
 * Logical and of bool tensors with broadcasting, as `tf.logicalAnd`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.logicalAnd(tf.tensor1d([true, false], 'bool'), true)   // [true, false]
 * ```
 */
export const logicalAnd = binary('logicalAnd', tf.logicalAnd)
/**
 * Logical or of bool tensors with broadcasting, as `tf.logicalOr`. `([...a], [...b]) -> [...broadcast(a, b)]`
 * @example
 * ```ts
 * ops.logicalOr(tf.tensor1d([true, false], 'bool'), false)   // [true, false]
 * ```
 */
export const logicalOr = binary('logicalOr', tf.logicalOr)

/**
 * `condition ? a : b` elementwise with broadcasting, as `tf.where`.
 * `([...c], [...a], [...b]) -> [...broadcast(c, a, b)]`
 * @example
 * ```ts
 * ops.where(tf.tensor1d([true, false], 'bool'), tf.tensor1d([1, 2]), 0)   // [1, 0]
 * ```
 */
export const where: (condition: Operand, a: Operand, b: Operand) => tf.Tensor = defOp<
  undefined,
  (condition: Operand, a: Operand, b: Operand) => tf.Tensor
>(
  'where',
  ([c, a, b]) => tf.where(c, a, b),
  () => broadcastRule(([c, a, b]) => where(c!, a!, b!)),
  (b) => (c, x, y) => one(b([c, x, y], undefined)),
  (args) => checkBroadcast('ops.where', args),
)
