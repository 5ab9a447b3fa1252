/**
 * Continuous relaxations of k-subset selection: functions `(theta [n], key) -> [n]` whose
 * output is a soft k-subset of the `n` items, differentiable in `theta` with plain `grad` (no
 * solver, no custom gradient) and batched with `vmap`. They are written with `ops` and draw
 * their Gumbel noise from explicit keys: the same key gives the same noise on every backend,
 * and so the same sample up to float32 rounding.
 *
 * - `gumbelSoftmaxSubset(k, tau)`: L2X's max of `k` Gumbel-softmax samples (Chen et al., 2018);
 *   entries in `[0, 1]`, sum in `[1, k]`.
 * - `softSub(k, tau)`: Xie and Ermon's `k` rounds of relaxed top-1 (2019); sum exactly `k`,
 *   the k-hot top-k of the perturbed logits as `tau -> 0`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { random, relax, vmap } from 'imle'
 * const theta = tf.tensor1d([0.1, 2, -1, 0.7])
 * relax.softSub(2, 0.5)(theta, random.key(0))                   // [4], sums to 2
 * relax.gumbelSoftmaxSubset(2, 0.5)(theta, random.key(0))       // [4], in [0, 1]
 * vmap(relax.softSub(2, 0.5), { inAxes: [null, 0] })(theta, random.split(random.key(1), 3)) // [3, 4]
 * ```
 *
 * @module
 */
export { gumbelSoftmaxSubset, type GumbelSoftmaxSubset } from './gumbel_softmax_subset.js'
export { softSub, type SoftSub } from './soft_sub.js'
export { RelaxConfig, type RelaxOptions, type SubsetRelaxation } from './relaxation.js'
