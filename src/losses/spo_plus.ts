/**
 * The SPO+ loss (Elmachtoub and Grigas, "Smart 'Predict, then Optimize'", Management Science
 * 2022; PyEPO's SPOPlus, InferOpt's SPOPlusLoss) and the regret it bounds.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, type OptionsOf } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import * as ops from '../core/ops.js'
import type { MapFn } from '../transforms/estimators/estimator.js'
import { PerturbConfig } from '../transforms/estimators/perturb_and_map.js'
import { checkShapes } from './fenchel_young.js'
import { inner } from './inner.js'

/**
 * The codec of the options of `spoPlus` and `regret`: `sense` (default `'max'`).
 *
 * @example
 * ```ts
 * losses.SenseConfig.is({ sense: 'min' })   // true
 * ```
 */
export const SenseConfig = t.type({ sense: PerturbConfig.props.sense })
/** Options of `spoPlus` and `regret`. */
export type SenseOptions = OptionsOf<typeof SenseConfig>

const checkMap = (fn: string, map: MapFn): void => {
  if (typeof map !== 'function') throw new ArgumentError(`${fn}(map): map must be a function (a MAP solver) but got ${typeof map}`)
}

/**
 * SPO+, stated in both conventions (the solver always maximises; `sense` says what `theta`
 * means). With `z*` optimal for the true parameters and `z^ = map(2 thetaPred - thetaTrue)`:
 * - `'max'` (scores, maximised): `L = <2 thetaPred - thetaTrue, z^> - 2 <thetaPred, z*> + <thetaTrue, z*>`;
 * - `'min'` (costs `c`, minimised; Elmachtoub–Grigas's form):
 *   `L = max_w <c - 2 c^, w> + 2 <c^, w*> - <c, w*>`, with `argmax_w <c - 2 c^, w> = map(c - 2 c^)`.
 * Its gradient in `thetaPred` is `2 (z^ - z*)` (max; `2 (w* - w^)` min), convex in
 * `thetaPred`, and it upper-bounds the regret. One solver call.
 *
 * Shapes: `(thetaPred [...s], thetaTrue [...s], zTrue [...s]) -> []`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { losses, solvers } from 'imle'
 * const spo = losses.spoPlus(solvers.topK(1))
 * spo(tf.tensor1d([0, 1]), tf.tensor1d([1, 0]), tf.tensor1d([1, 0]))   // []: 3 >= regret 1
 * ```
 */
export function spoPlus(map: MapFn, options: SenseOptions = {}): (thetaPred: tf.Tensor, thetaTrue: tf.Tensor, zTrue: tf.Tensor) => tf.Tensor {
  const { sense } = decodeOptionsOrThrow('losses.spoPlus', SenseConfig, { sense: 'max' }, options)
  checkMap('losses.spoPlus', map)
  return (thetaPred, thetaTrue, zTrue) => {
    checkShapes('losses.spoPlus', thetaPred, thetaTrue, ['thetaPred', 'thetaTrue'])
    checkShapes('losses.spoPlus', thetaTrue, zTrue, ['thetaTrue', 'zTrue'])
    const r = zTrue.rank
    const twice = ops.mul(thetaPred, 2) // [...s]
    if (sense === 'max') {
      const dir = ops.sub(twice, thetaTrue) // 2 thetaPred - thetaTrue
      const zHat = map(dir) // a constant to autodiff: the gradient is Danskin's
      return ops.add(ops.sub(inner(dir, zHat, r), inner(twice, zTrue, r)), inner(thetaTrue, zTrue, r)) // []
    }
    const dir = ops.sub(thetaTrue, twice) // c - 2 c^
    const wHat = map(dir)
    return ops.sub(ops.add(inner(dir, wHat, r), inner(twice, zTrue, r)), inner(thetaTrue, zTrue, r)) // []
  }
}

/**
 * The regret of deciding with predicted parameters: the true objective lost by using
 * `map(thetaPred)` instead of the true optimum, `>= 0`. Max: `<thetaTrue, map(thetaTrue)> -
 * <thetaTrue, map(thetaPred)>`; min (costs): `<thetaTrue, map(-thetaPred)> - <thetaTrue,
 * map(-thetaTrue)>`. A metric: the solver's outputs are constants, so its gradient is 0.
 *
 * Shapes: `(thetaPred [...s], thetaTrue [...s]) -> []`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { losses, solvers } from 'imle'
 * losses.regret(solvers.topK(1))(tf.tensor1d([0, 1]), tf.tensor1d([1, 0]))   // []: 1
 * ```
 */
export function regret(map: MapFn, options: SenseOptions = {}): (thetaPred: tf.Tensor, thetaTrue: tf.Tensor) => tf.Tensor {
  const { sense } = decodeOptionsOrThrow('losses.regret', SenseConfig, { sense: 'max' }, options)
  checkMap('losses.regret', map)
  return (thetaPred, thetaTrue) => {
    checkShapes('losses.regret', thetaPred, thetaTrue, ['thetaPred', 'thetaTrue'])
    const r = thetaTrue.rank
    const decide = (x: tf.Tensor): tf.Tensor => map(sense === 'max' ? x : ops.neg(x))
    const gap = ops.sub(inner(thetaTrue, decide(thetaTrue), r), inner(thetaTrue, decide(thetaPred), r)) // []
    return sense === 'max' ? gap : ops.neg(gap)
  }
}
