/**
 * Reductions. Rules: `reduceRule` (axes shifted past the batch axis) and `argReduceRule`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { argReduceRule, reduceRule, type ReduceParams } from '../batch_rules.js'
import { checkAxesOnce } from './check.js'
import { defOp, one, type Axis, type Operand } from './def.js'

type Reduction = (x: Operand, axis?: Axis, keepDims?: boolean) => tf.Tensor

const reduction = (name: string, tfFn: (x: tf.Tensor, axis: number[] | undefined, keepDims: boolean) => tf.Tensor): Reduction => {
  const op: Reduction = defOp<ReduceParams, Reduction>(
    name,
    ([x], { axis, keepDims = false }) =>
      tfFn(x, axis === null || axis === undefined ? undefined : typeof axis === 'number' ? [axis] : [...axis], keepDims),
    () => reduceRule(`ops.${name}`, (x, axis, keepDims) => op(x, axis, keepDims)),
    (b) => (x, axis, keepDims) => one(b([x], { axis, keepDims })),
    ([x], { axis }) => checkAxesOnce(`ops.${name}`, x, axis),
  )
  return op
}

/**
 * Sum over `axis` (every axis when omitted), as `tf.sum`. `[...s] -> s without axis` (kept as 1
 * with `keepDims`)
 * @example
 * ```ts
 * ops.sum(tf.tensor2d([[1, 2], [3, 4]]), 1)   // [3, 7]
 * ```
 */
export const sum = reduction('sum', (x, a, k) => tf.sum(x, a, k))
/**
 * Mean over `axis`, as `tf.mean`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.mean(tf.tensor2d([[1, 2], [3, 4]]), 0)   // [2, 3]
 * ```
 */
export const mean = reduction('mean', (x, a, k) => tf.mean(x, a, k))
/**
 * Maximum over `axis`, as `tf.max`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.max(tf.tensor2d([[1, 2], [3, 4]]), -1, true)   // [[2], [4]]
 * ```
 */
export const max = reduction('max', (x, a, k) => tf.max(x, a, k))
/**
 * Minimum over `axis`, as `tf.min`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.min(tf.tensor2d([[1, 2], [3, 4]]))   // 1
 * ```
 */
export const min = reduction('min', (x, a, k) => tf.min(x, a, k))
/**
 * Product over `axis`, as `tf.prod`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.prod(tf.tensor2d([[1, 2], [3, 4]]), 1)   // [2, 12]
 * ```
 */
export const prod = reduction('prod', (x, a, k) => tf.prod(x, a, k))
/**
 * `log(sum(exp(x)))` over `axis`, computed stably, as `tf.logSumExp`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.logSumExp(tf.tensor1d([0, 0]))   // 0.6931
 * ```
 */
export const logSumExp = reduction('logSumExp', (x, a, k) => tf.logSumExp(x, a, k))
/**
 * Logical or over `axis` of a bool tensor, as `tf.any`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.any(tf.tensor1d([true, false], 'bool'))   // true
 * ```
 */
export const any = reduction('any', (x, a, k) => tf.any(x, a, k))
/**
 * Logical and over `axis` of a bool tensor, as `tf.all`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.all(tf.tensor1d([true, false], 'bool'))   // false
 * ```
 */
export const all = reduction('all', (x, a, k) => tf.all(x, a, k))

type ArgReduction = (x: Operand, axis?: number) => tf.Tensor

const argReduction = (name: string, tfFn: (x: tf.Tensor, axis: number) => tf.Tensor): ArgReduction => {
  const op: ArgReduction = defOp<number, ArgReduction>(
    name,
    ([x], axis) => tfFn(x, axis),
    () => argReduceRule(`ops.${name}`, (x, axis) => op(x, axis)),
    (b) =>
      (x, axis = 0) =>
        one(b([x], axis)),
  )
  return op
}

/**
 * Index (int32) of the maximum along one `axis` (default 0), as `tf.argMax`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.argMax(tf.tensor2d([[1, 5], [7, 2]]), 1)   // [1, 0]
 * ```
 */
export const argMax = argReduction('argMax', (x, a) => tf.argMax(x, a))
/**
 * Index (int32) of the minimum along one `axis` (default 0), as `tf.argMin`. `[...s] -> s without axis`
 * @example
 * ```ts
 * ops.argMin(tf.tensor2d([[1, 5], [7, 2]]), 1)   // [0, 1]
 * ```
 */
export const argMin = argReduction('argMin', (x, a) => tf.argMin(x, a))
