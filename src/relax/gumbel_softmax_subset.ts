/**
 * The Concrete k-subset relaxation of L2X (Chen, Song, Wainwright, Jordan, "Learning to
 * Explain: An Information-Theoretic Perspective on Model Interpretation", ICML 2018): the
 * elementwise max of `k` independent Gumbel-softmax samples.
 *
 * @module
 */
import * as ops from '../core/ops.js'
import { subsetRelaxation, type RelaxOptions, type SubsetRelaxation } from './relaxation.js'

/** The record `relax.gumbelSoftmaxSubset(k, tau)` returns. */
export type GumbelSoftmaxSubset = SubsetRelaxation<'gumbelSoftmaxSubset'>

/**
 * L2X's Concrete k-subset relaxation: draws `k` independent Gumbel-softmax (Concrete) samples
 * over the `n` logits, `c_j = softmax((theta + g_j) / tau)`, and returns their elementwise max
 * `max_j c_j`, which is in `[0, 1]` with a sum in `[1, k]`.
 *
 * `theta` is the vector of unnormalised logits, as in L2X's code (the output of a dense layer),
 * i.e. the log-probabilities `log p` of the categorical distribution `p = softmax(theta)` up to
 * an additive constant (the paper writes `log p_i`); adding a constant to `theta` changes
 * nothing. The noise is `g = random.gumbel(key, [S, k, n])` (`S = nbSamples ?? 1`), row
 * `g[s, j]` perturbing the `j`-th sample of the `s`-th draw, so a fixed key gives fixed draws.
 *
 * Temperature limits: as `tau -> 0`, each `c_j` tends to the one-hot `argmax(theta + g_j)`
 * (a Gumbel-max sample of `p`) and the output to their union: `k` draws *with replacement*,
 * so a mask with between 1 and `k` ones, not in general a k-hot vector (use `relax.softSub`
 * for that). As `tau -> infinity` every entry tends to `1 / n`.
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
 * const select3 = relax.gumbelSoftmaxSubset(3, 0.5)
 * const logits = tf.tensor1d([2, 0.5, -1, 1, 0, 3])
 * const mask = select3(logits, random.key(0))                                   // [6] in [0, 1]
 * const masks = vmap(select3)(tf.stack([logits, logits]), random.split(random.key(1), 2)) // [2, 6]
 * const dLogits = grad((l: tf.Tensor) => ops.sum(ops.mul(select3(l, random.key(0)), logits)))(logits) // [6]
 * relax.gumbelSoftmaxSubset(3, 0.5, { nbSamples: 8 })(logits, random.key(2))   // [8, 6]
 * ```
 */
export function gumbelSoftmaxSubset(k: number, tau: number, options: RelaxOptions = {}): GumbelSoftmaxSubset {
  return subsetRelaxation(
    'gumbelSoftmaxSubset',
    k,
    tau,
    options,
    (S, n) => [S, k, n],
    (theta, g) => {
      const c = ops.softmax(ops.div(ops.add(theta, g), tau)) // [S, k, n]: k Concrete samples
      return ops.max(c, 1) // [S, n]
    },
  )
}

