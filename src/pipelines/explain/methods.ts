/**
 * The k-subset selection methods of the learning-to-explain comparison (the I-MLE paper's
 * table): each turns the selector's scores `theta [B, n]` into a training-time mask the
 * predictor multiplies its input by, and at test time every method explains with the MAP
 * subset, the top-k of the scores.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOrThrow, NonNegative, Positive, PositiveInt } from '../../core/config.js'
import { gumbel, none, sumOfGamma } from '../../distributions/noise/index.js'
import { standard } from '../../distributions/target/index.js'
import { gumbelSoftmaxSubset } from '../../relax/gumbel_softmax_subset.js'
import { softSub } from '../../relax/soft_sub.js'
import { topK } from '../../solvers/top_k/index.js'
import { aimle } from '../../transforms/estimators/aimle.js'
import { imle } from '../../transforms/estimators/imle.js'
import { ste } from '../../transforms/estimators/ste.js'
import { marginals } from '../../transforms/k_subset.js'
import { vmap } from '../../transforms/vmap.js'

/**
 * The methods, in the order of the I-MLE paper's table (then AIMLE and the exact marginals).
 *
 * @example
 * ```ts
 * METHODS.length   // 8
 * ```
 */
export const METHODS = ['l2x', 'softsub', 'ste', 'imle-map', 'imle-gumbel', 'imle-sog', 'aimle', 'exact'] as const
/** A method name. */
export type ExplainMethod = (typeof METHODS)[number]

/**
 * The row labels of the results table.
 *
 * @example
 * ```ts
 * METHOD_LABELS['imle-sog']   // 'I-MLE SoG (tau = 30)'
 * ```
 */
export const METHOD_LABELS: { readonly [M in ExplainMethod]: string } = {
  l2x: 'L2X (t = 0.1)',
  softsub: 'SoftSub (t = 0.5)',
  ste: 'STE (tau = 30)',
  'imle-map': 'I-MLE MAP-MAP',
  'imle-gumbel': 'I-MLE Gumbel',
  'imle-sog': 'I-MLE SoG (tau = 30)',
  aimle: 'AIMLE (SoG, tau = 30)',
  exact: 'exact k-subset marginals',
}

/**
 * The codec of the methods' settings: the relaxations' temperatures (`l2xTemperature` 0.1,
 * `softSubTemperature` 0.5), the Sum-of-Gamma temperature `tau` of STE, I-MLE SoG and AIMLE
 * (30) and its number of terms (10), the Gumbel temperature of I-MLE Gumbel (1), I-MLE's
 * target step `beta` (10, in units of one example's loss: the objective sums over the batch),
 * and AIMLE's `targetNorm` (1, torch-adaptive-imle's default).
 *
 * @example
 * ```ts
 * MethodSettings.is({ l2xTemperature: 0.1, softSubTemperature: 0.5, sogTemperature: 30, sogIterations: 10, gumbelTemperature: 1, beta: 10, aimleTargetNorm: 1 })   // true
 * ```
 */
export const MethodSettings = t.type({
  l2xTemperature: Positive,
  softSubTemperature: Positive,
  sogTemperature: NonNegative,
  sogIterations: PositiveInt,
  gumbelTemperature: NonNegative,
  beta: Positive,
  aimleTargetNorm: Positive,
})
/** The decoded settings. */
export type MethodSettings = t.TypeOf<typeof MethodSettings>

/**
 * The default settings (the I-MLE paper's temperatures).
 *
 * @example
 * ```ts
 * selection('imle-sog', 4, { ...methodDefaults, beta: 100 })
 * ```
 */
export const methodDefaults: MethodSettings = decodeOrThrow('explain.methodDefaults', MethodSettings, {
  l2xTemperature: 0.1,
  softSubTemperature: 0.5,
  sogTemperature: 30,
  sogIterations: 10,
  gumbelTemperature: 1,
  beta: 10,
  aimleTargetNorm: 1,
})

/**
 * A selection: `train(theta [B, n], keys [B, 2]) -> mask [B, n]` (differentiable in `theta`:
 * soft for the relaxations and the exact marginals, k-hot for the perturb-and-MAP methods) and
 * `map(theta [B, n]) -> [B, n]`, the k-hot top-k used at test time.
 */
export interface Selection {
  readonly method: ExplainMethod
  readonly train: (theta: tf.Tensor, keys: tf.Tensor) => tf.Tensor
  readonly map: (theta: tf.Tensor) => tf.Tensor
}

/**
 * The selection of a method for subsets of size `k`. Build one per training run: AIMLE's
 * layer adapts its step and keeps that state.
 *
 * - `l2x`: `relax.gumbelSoftmaxSubset(k, t)`; `softsub`: `relax.softSub(k, t)`;
 * - `ste`: straight-through over top-k with Sum-of-Gamma noise (`noise.sumOfGamma({ k })`,
 *   temperature `tau`);
 * - `imle-map`: I-MLE with no noise (both temperatures 0), `target.standard({ beta })`;
 * - `imle-gumbel`: I-MLE with Gumbel noise; `imle-sog`: I-MLE with Sum-of-Gamma noise at `tau`;
 * - `aimle`: AIMLE (adaptive target, symmetric differences) with Sum-of-Gamma noise at `tau`;
 * - `exact`: the exact marginals of the k-subset law `p(z) ∝ exp(<theta, z>)`
 *   (`kSubset.marginals`, exact gradient `Cov(z) dy`): a soft mask, no sampling.
 *
 * Shapes: `train: ([B, n], [B, 2]) -> [B, n]`; `map: [B, n] -> [B, n]`.
 *
 * @example
 * ```ts
 * const sel = selection('imle-sog', 3)
 * const theta = tf.randomNormal([8, 10])
 * sel.train(theta, random.split(random.key(0), 8))   // [8, 10], three ones a row
 * sel.map(theta)                                      // [8, 10], the top-3 of each row
 * ```
 */
export function selection(method: ExplainMethod, k: number, settings: MethodSettings = methodDefaults): Selection {
  const top = topK(k)
  const map = (theta: tf.Tensor): tf.Tensor => top.batched(theta) // [B, n]
  const sog = sumOfGamma({ k, nbIterations: settings.sogIterations })
  const target = standard({ beta: settings.beta })
  const perKey = (f: (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor) => vmap(f) // ([B, n], [B, 2]) -> [B, n]
  const train = ((): Selection['train'] => {
    switch (method) {
      case 'l2x':
        return perKey(gumbelSoftmaxSubset(k, settings.l2xTemperature))
      case 'softsub':
        return perKey(softSub(k, settings.softSubTemperature))
      case 'ste':
        return perKey(ste(top, sog, { inputNoiseTemperature: settings.sogTemperature }))
      case 'imle-map':
        return perKey(imle(top, none(), target, { inputNoiseTemperature: 0, targetNoiseTemperature: 0 }))
      case 'imle-gumbel':
        return perKey(imle(top, gumbel(), target, { inputNoiseTemperature: settings.gumbelTemperature, targetNoiseTemperature: settings.gumbelTemperature }))
      case 'imle-sog':
        return perKey(imle(top, sog, target, { inputNoiseTemperature: settings.sogTemperature, targetNoiseTemperature: settings.sogTemperature }))
      case 'aimle':
        return perKey(aimle(top, sog, { inputNoiseTemperature: settings.sogTemperature, targetNoiseTemperature: settings.sogTemperature, targetNorm: settings.aimleTargetNorm }))
      case 'exact': {
        const exact = vmap((theta: tf.Tensor) => marginals(theta, k)) // [B, n] -> [B, n]
        return (theta) => exact(theta)
      }
    }
  })()
  return { method, train, map }
}
