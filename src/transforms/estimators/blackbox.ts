/**
 * Blackbox differentiation (Vlastelica et al., ICLR 2020) as a special case of the shared
 * path: I-MLE with zero noise, `alpha = 1`, `beta = lambda` and the gradient divided by
 * `lambda`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { configured, Positive } from '../../core/config.js'
import * as random from '../../core/random/index.js'
import { none } from '../../distributions/noise/none.js'
import { standard } from '../../distributions/target/index.js'
import type { MapFn } from './estimator.js'
import { imleEstimator } from './imle.js'
import { isSolver } from '../../solvers/solver.js'
import { checkTheta, layerOf, perturbDefaults, type Layer } from './perturb_and_map.js'

/**
 * The codec of `blackbox`'s options: `lambda`, the interpolation strength (finite, > 0).
 *
 * @example
 * ```ts
 * estimators.BlackboxConfig.is({ lambda: 10 })   // true
 * ```
 */
export const BlackboxConfig = t.type({ lambda: Positive })

/** A blackbox layer: `theta [...s] -> z [...s]`; the key is optional (there is no noise). */
export interface BlackboxLayer extends Omit<Layer, never> {
  (theta: tf.Tensor, key?: tf.Tensor): tf.Tensor
}

let constantKey: tf.Tensor | undefined

/**
 * Blackbox backpropagation: forward `z = map(theta)`; backward, with `dy = dL/dz`,
 * `dL/dtheta = (z - map(theta - lambda dy)) / lambda`. Vlastelica et al. write costs `w` and
 * perturb them to `w + lambda dy`; in the max convention (`theta = -w`) that is the formula
 * above, which is exactly `imle(map, noise.none(), target.standard({ alpha: 1, beta: lambda,
 * scaleGradient: true }))`, and it is computed that way. One solver call in each pass.
 *
 * Shapes: `(theta [...s]) -> [...s]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { blackbox, grad, ops, solvers } from 'imle'
 * const layer = blackbox(solvers.topK(1), { lambda: 2 })
 * grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th), tf.tensor1d([0, -1]))))(tf.tensor1d([1, 0]))   // [0.5, -0.5]
 * ```
 */
export const blackbox = (map: MapFn, options: { readonly lambda: number }): BlackboxLayer => make(options)(map)

const make = configured('blackbox', BlackboxConfig, {}, ({ lambda }) => (map: MapFn): BlackboxLayer => {
  const rules = imleEstimator(standard({ alpha: 1, beta: lambda, scaleGradient: true }), { targetNoiseTemperature: 0 })
  const inner = layerOf('blackbox', map, none(), rules, perturbDefaults)
  const rank = isSolver(map) ? map.instanceRank : undefined
  const layer = (theta: tf.Tensor, key?: tf.Tensor): tf.Tensor => {
    if (key !== undefined) return inner(theta, key)
    checkTheta('blackbox', theta, rank) // before the shared key is made: a refused call allocates nothing
    return inner(theta, (constantKey ??= tf.keep(random.key(0))))
  }
  return Object.assign(layer, { map: inner.map, state: inner.state, setState: inner.setState })
})
