/**
 * `<a, b>` over an instance's axes, the one inner product the losses use.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as ops from '../core/ops.js'

/** `<a, b>` summed over the last `rank` axes: `([...lead, ...s], [...lead, ...s]) -> [...lead]`. */
export const inner = (a: tf.Tensor, b: tf.Tensor, rank: number): tf.Tensor => {
  const prod = ops.mul(a, b) // [...lead, ...s]
  return ops.sum(prod, Array.from({ length: rank }, (_, i) => prod.rank - rank + i)) // [...lead]
}
