/**
 * The relaxed k-subset sampler of Xie and Ermon ("Reparameterizable Subset Sampling via
 * Continuous Relaxations", IJCAI 2019): Gumbel-perturbed log-weights, then `k` rounds of
 * relaxed top-1, each round softly removing what the previous one selected.
 *
 * @module
 */
import * as ops from '../core/ops.js'
import { subsetRelaxation, type RelaxOptions, type SubsetRelaxation } from './relaxation.js'

/** The record `relax.softSub(k, tau)` returns. */
export type SoftSub = SubsetRelaxation<'softSub'>

/**
 * The clamp of `1 - a` before its logarithm: the smallest normal float32 (`2^-126`, numpy's
 * `finfo(float32).tiny`, as in the authors' code), so a fully selected entry gets `log(2^-126)
 * ~ -87.3` added to its key instead of `-Infinity`.
 */
const TINY = 2 ** -126

/**
 * Xie and Ermon's relaxed k-subset sample. With `keys = theta + g` (`g` standard Gumbel, drawn
 * from the key) it runs `k` rounds of relaxed top-1,
 *
 *     a_1 = softmax(keys_1 / tau),            keys_1 = keys
 *     a_j = softmax(keys_j / tau),            keys_j = keys_{j-1} + log(max(1 - a_{j-1}, 2^-126))
 *
 * and returns `sum_j a_j`. Each `a_j` sums to 1, so the output sums to `k` (up to float
 * error); its entries are `>= 0` but, away from `tau -> 0`, not bounded by 1 (for `n = k = 2`
 * and `tau = 1` it is `[1/2 + p, 3/2 - p]` with `p = sigmoid(keys_0 - keys_1)`).
 *
 * `theta` holds log-weights (the paper's `log w`: log-probabilities up to an additive
 * constant, which changes nothing): the top-k of `keys = theta + g` is a sample of `k` items
 * without replacement with probabilities proportional to `w = exp(theta)` (the Gumbel-top-k
 * trick, the paper's weighted reservoir sampling), and the rounds relax that top-k. The noise is
 * `g = random.gumbel(key, [S, n])` (`S = nbSamples ?? 1`), row `s` for sample `s`.
 *
 * Temperature limits: as `tau -> 0` the output tends to the k-hot mask of the top-k of
 * `theta + g` when the top `k + 1` keys are distinct and, because of the clamp, the largest
 * and the k-th largest differ by less than `-log(2^-126) ~ 87.3` (beyond that a removed entry
 * can win a later round again); at a small finite `tau` the float32 output is that mask, to
 * within `1e-6`, once the gaps between those keys exceed about `20 tau`. As
 * `tau -> infinity` every entry tends to `k / n`.
 *
 * Shapes: `(theta [n], key int32 [2]) -> [n]`; with `{ nbSamples: S }`, `-> [S, n]`. Works
 * under `vmap` (batched `theta`, keys or both) and `grad` (with respect to `theta`).
 * Throws an `ArgumentError` when `k` is not a positive integer or `tau` not a finite number
 * `> 0`, and at a call when `k > n` or `theta` is not a float32 `[n]`; a `ConfigError` for bad
 * options.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, ops, random, relax, vmap } from 'imle'
 * const select2 = relax.softSub(2, 0.1)
 * const logWeights = tf.tensor1d([1, 0, 2, -1, 0.5])
 * const z = select2(logWeights, random.key(0))                                  // [5], sums to 2
 * const zs = vmap(select2, { inAxes: [null, 0] })(logWeights, random.split(random.key(1), 4)) // [4, 5]
 * const g = grad((l: tf.Tensor) => ops.sum(ops.square(select2(l, random.key(0)))))(logWeights) // [5]
 * relax.softSub(2, 0.1, { nbSamples: 8 })(logWeights, random.key(2))            // [8, 5]
 * ```
 */
export function softSub(k: number, tau: number, options: RelaxOptions = {}): SoftSub {
  return subsetRelaxation(
    'softSub',
    k,
    tau,
    options,
    (S, n) => [S, n],
    (theta, g) => {
      let keys = ops.add(theta, g) // [S, n]
      let a = ops.softmax(ops.div(keys, tau)) // [S, n]
      let total = a // [S, n]
      for (let j = 1; j < k; j++) {
        keys = ops.add(keys, ops.log(ops.maximum(ops.sub(1, a), TINY))) // [S, n]
        a = ops.softmax(ops.div(keys, tau)) // [S, n]
        total = ops.add(total, a) // [S, n]
      }
      return total
    },
  )
}
