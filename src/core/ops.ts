/**
 * `ops`: vmap-aware tensor operations with the names and signatures of the matching `tf.*`
 * ops, so that code moves from `tf.` to `ops.` and nothing else changes. Outside `vmap` each
 * op is its tf op plus one loop over its operands; inside `vmap` each runs its batch rule,
 * one tf call for the whole batch (never a loop over examples).
 *
 * Every rule calls the `ops` version of what it needs (never raw `tf`), so that the values it
 * receives, which may be tracers of an outer `vmap`, are batched in turn. The ops live in
 * `ops/` by kind; their rules are built by the factories of `batch_rules.ts`, and
 * `ops/def.ts` keeps the table of every op's primitive.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { ops, vmap } from 'imle'
 * const f = (x: tf.Tensor) => ops.sum(ops.mul(x, x))   // [n] -> []
 * vmap(f)(tf.ones([8, 3]))                              // [8, 3] -> [8]
 * ```
 *
 * @module
 */
export type { Axis, Operand } from './ops/def.js'
export type { Pad, PoolPad, Pair, Rounding } from './ops/nn.js'
// Named re-exports (not `export *`): `batch_rules.ts` and this module import each other, and
// named re-exports stay live through the cycle under every module loader (CJS included).
export {
  // Unary: [...s] -> [...s]
  neg, abs, exp, expm1, log, log1p, sqrt, rsqrt, square, reciprocal, sin, cos, tanh, sigmoid,
  softplus, relu, elu, leakyRelu, floor, ceil, round, sign, logicalNot, zerosLike, onesLike,
  clipByValue, cast, stopGradient,
  // Binary with broadcasting: ([...a], [...b]) -> [...broadcast(a, b)]
  add, sub, mul, div, pow, maximum, minimum, squaredDifference, equal, notEqual, greater,
  greaterEqual, less, lessEqual, logicalAnd, logicalOr, where,
} from './ops/elementwise.js'
export { sum, mean, max, min, prod, logSumExp, any, all, argMax, argMin } from './ops/reduction.js'
export {
  reshape, transpose, expandDims, squeeze, concat, stack, unstack, slice, gather, tile, broadcastTo,
  pad, reverse,
} from './ops/shape.js'
export { matMul, dot } from './ops/linalg.js'
export { oneHot, softmax, logSoftmax, topk, conv1d, conv2d, depthwiseConv2d, maxPool, avgPool } from './ops/nn.js'
