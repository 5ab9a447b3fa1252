/**
 * Parameter-free layers: elementwise activations (`relu`, `sigmoid`, `tanh`, `softplus`) and
 * `flatten`. Each is a layer value (as stax's `Relu`), not a factory.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as ops from '../core/ops.js'
import { badInput, checkInShape, checkTensor, stateless, type Layer } from './layer.js'

const elementwise = (tag: string, f: (x: tf.Tensor) => tf.Tensor): Layer<undefined> =>
  stateless<undefined>(
    tag,
    (_key, inShape) => [undefined, [...checkInShape(`nn.${tag}.init`, inShape)]],
    (_params, x) => {
      checkTensor(`nn.${tag}.apply`, x)
      if (x.rank < 1) badInput(`nn.${tag}.apply`, '[B, ...s] (a batch: rank >= 1)', x)
      return f(x) // [B, ...s]
    },
  )

/**
 * `max(x, 0)` elementwise. Shapes: `[B, ...s] -> [B, ...s]`.
 *
 * @example
 * ```ts
 * nn.relu.apply(undefined, tf.tensor2d([[-1, 2]]))   // [[0, 2]]
 * ```
 */
export const relu: Layer<undefined> = elementwise('relu', ops.relu)

/**
 * The logistic sigmoid `1 / (1 + e^-x)` elementwise. Shapes: `[B, ...s] -> [B, ...s]`.
 *
 * @example
 * ```ts
 * nn.sigmoid.apply(undefined, tf.tensor2d([[0]]))   // [[0.5]]
 * ```
 */
export const sigmoid: Layer<undefined> = elementwise('sigmoid', ops.sigmoid)

/**
 * The hyperbolic tangent elementwise. Shapes: `[B, ...s] -> [B, ...s]`.
 *
 * @example
 * ```ts
 * nn.tanh.apply(undefined, tf.tensor2d([[0]]))   // [[0]]
 * ```
 */
export const tanh: Layer<undefined> = elementwise('tanh', ops.tanh)

/**
 * `log(1 + e^x)` elementwise. Shapes: `[B, ...s] -> [B, ...s]`.
 *
 * @example
 * ```ts
 * nn.softplus.apply(undefined, tf.tensor2d([[0]]))   // [[0.6931]]
 * ```
 */
export const softplus: Layer<undefined> = elementwise('softplus', ops.softplus)

/**
 * Flattens each example to a vector, keeping the batch axis.
 * Shapes: `init(key, [...s]) -> [prod(s)]`; `apply: [B, ...s] -> [B, prod(s)]`.
 *
 * @example
 * ```ts
 * nn.flatten.apply(undefined, tf.ones([2, 3, 4])).shape   // [2, 12]
 * ```
 */
export const flatten: Layer<undefined> = stateless<undefined>(
  'flatten',
  (_key, inShape) => [undefined, [checkInShape('nn.flatten.init', inShape).reduce((a, b) => a * b, 1)]],
  (_params, x) => {
    checkTensor('nn.flatten.apply', x)
    if (x.rank < 1) badInput('nn.flatten.apply', '[B, ...s] (a batch: rank >= 1)', x)
    return ops.reshape(x, [x.shape[0]!, -1]) // [B, prod(s)]
  },
)
