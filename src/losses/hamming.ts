/**
 * The Hamming loss between (possibly relaxed) 0/1 states.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { show } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
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
export const hamming = (z: tf.Tensor, y: tf.Tensor): tf.Tensor => {
  const describe = (x: unknown): string => (x instanceof tf.Tensor ? `shape ${fmtShape(x.shape)}` : `${typeof x} ${show(x)}`)
  const trailing = z instanceof tf.Tensor && y instanceof tf.Tensor && y.rank <= z.rank && y.shape.every((d, i) => d === z.shape[z.rank - y.rank + i])
  if (!trailing) {
    throw new ArgumentError(
      `losses.hamming(z, y): z must be a tensor [...lead, ...s] and y a tensor [...s] (its trailing shape) but got z ${describe(z)} and y ${describe(y)}`,
    )
  }
  return ops.mean(ops.sub(ops.add(z, y), ops.mul(ops.mul(z, y), 2))) // []
}
