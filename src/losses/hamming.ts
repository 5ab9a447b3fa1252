/**
 * The Hamming loss between (possibly relaxed) 0/1 states.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as ops from '../core/ops.js'

/**
 * The mean Hamming loss `mean(z + y - 2 z y)` over every entry (for 0/1 values, the fraction
 * of entries where `z` and `y` differ; for relaxed `z` in `[0, 1]`, its linear extension):
 * the loss of the I-MLE paper's shortest-path experiment. `z` may carry leading sample or
 * batch axes; `y` broadcasts against it.
 *
 * Shapes: `([...lead, ...s], [...s]) -> []`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { losses } from 'imle'
 * losses.hamming(tf.tensor1d([1, 0, 1, 0]), tf.tensor1d([1, 1, 0, 0]))   // []: 0.5
 * ```
 */
export const hamming = (z: tf.Tensor, y: tf.Tensor): tf.Tensor => ops.mean(ops.sub(ops.add(z, y), ops.mul(ops.mul(z, y), 2))) // []
