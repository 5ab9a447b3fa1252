/**
 * The perturbed Fenchel–Young loss (Berthet et al. 2020; PyEPO's PFY, InferOpt's
 * FenchelYoungLoss), with its true value, not only a surrogate with the right gradient.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, Positive, PositiveInt, type OptionsOf } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import * as ops from '../core/ops.js'
import { checkKey } from '../core/random/keyed.js'
import { checkNoise, type Noise } from '../distributions/noise/noise.js'
import type { MapFn } from '../transforms/estimators/estimator.js'
import { PerturbConfig, solveSamples } from '../transforms/estimators/perturb_and_map.js'
import { inner } from './inner.js'

/**
 * The codec of `fenchelYoung`'s options (after defaults): `nbSamples` (default 1), `sigma`
 * the noise scale (default 1), `sense` (default `'max'`).
 *
 * @example
 * ```ts
 * losses.FenchelYoungConfig.is({ nbSamples: 10, sigma: 1, sense: 'max' })   // true
 * ```
 */
export const FenchelYoungConfig = t.type({ nbSamples: PositiveInt, sigma: Positive, sense: PerturbConfig.props.sense })
/** Options of `fenchelYoung`, derived from `FenchelYoungConfig`: every field optional. */
export type FenchelYoungOptions = OptionsOf<typeof FenchelYoungConfig>

/**
 * The perturbed Fenchel–Young loss `L(theta; y) = F(theta) + Omega(y) - <theta, y>`, with
 * `F(theta) = E[max_z <theta + sigma Z, z>]` and `Omega = F*`, for a target `y` that is a
 * feasible 0/1 solution (a vertex of the polytope). For such `y`,
 * `Omega(y) = -sigma E[<Z, y>]` (the supremum is reached as `theta` grows along a direction
 * that makes `y` the unique maximiser), so
 * `L(theta; y) = E[ max_z <theta + sigma Z, z> - <theta + sigma Z, y> ]`,
 * the expectation of a non-negative gap. The returned value is its Monte-Carlo estimate over
 * `S` draws (each term >= 0; zero only when every perturbed MAP state equals `y`), and its
 * gradient is `mean_s (z_s - y)`, `z_s = MAP(theta + sigma Z_s)` (Danskin: the MAP states are
 * constants), the perturbed optimiser's `y*(theta) - y`. With `sense: 'min'` `theta` are costs
 * and `L = E[<theta + sigma Z, y> - min_z <theta + sigma Z, z>]`.
 *
 * PyEPO's PFY loss returns a surrogate whose value is not this loss (PyEPO #46); InferOpt
 * returns `F(theta) - <theta, y>`, which equals it for centred noise only.
 *
 * Shapes: `(theta [...s], yTrue [...s], key [2]) -> []`; `vmap` it over a batch.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, losses, noise, random, solvers } from 'imle'
 * const fy = losses.fenchelYoung(solvers.topK(2), noise.normal(), { nbSamples: 20, sigma: 0.5 })
 * const y = tf.tensor1d([1, 1, 0, 0])
 * fy(tf.tensor1d([2, 1, 0, -1]), y, random.key(0))                                  // [] >= 0
 * grad((th: tf.Tensor) => fy(th, y, random.key(0)))(tf.tensor1d([2, 1, 0, -1]))     // [4]: mean_s z_s - y
 * ```
 */
export function fenchelYoung(map: MapFn, noise: Noise, options: FenchelYoungOptions = {}): (theta: tf.Tensor, yTrue: tf.Tensor, key: tf.Tensor) => tf.Tensor {
  const { nbSamples: S, sigma, sense } = decodeOptionsOrThrow('losses.fenchelYoung', FenchelYoungConfig, { nbSamples: 1, sigma: 1, sense: 'max' }, options)
  if (typeof map !== 'function') throw new ArgumentError(`losses.fenchelYoung(map): map must be a function (a MAP solver) but got ${typeof map}`)
  checkNoise('losses.fenchelYoung', noise)
  const solve = solveSamples(map) // [S, ...s] -> [S, ...s]
  return (theta, yTrue, key) => {
    checkShapes('losses.fenchelYoung', theta, yTrue)
    checkKey('losses.fenchelYoung(key)', key)
    const eps = noise.sample(key, [S, ...theta.shape]) // [S, ...s]
    const perturbed = ops.add(theta, ops.mul(eps, sigma)) // [S, ...s]
    const z = solve(sense === 'min' ? ops.neg(perturbed) : perturbed) // [S, ...s]
    const gap = inner(perturbed, ops.sub(z, yTrue), yTrue.rank) // [S]: <theta + sigma Z_s, z_s - y>
    return ops.mul(ops.mean(gap), sense === 'min' ? -1 : 1) // []
  }
}

/** Throws unless `theta` and `yTrue` are float tensors of one shape. */
export function checkShapes(fn: string, theta: unknown, yTrue: unknown, names: readonly [string, string] = ['theta', 'yTrue']): asserts theta is tf.Tensor {
  const shape = (x: unknown): string => (x !== null && typeof x === 'object' && 'shape' in x ? `[${(x as tf.Tensor).shape.join(', ')}]` : typeof x)
  const ok = (x: unknown): x is tf.Tensor => x !== null && typeof x === 'object' && 'shape' in x && 'dtype' in x
  if (!ok(theta) || !ok(yTrue) || theta.shape.length !== yTrue.shape.length || theta.shape.some((d, i) => d !== yTrue.shape[i])) {
    throw new ArgumentError(`${fn}(${names[0]}, ${names[1]}): both must be tensors of one shape (one instance) but got ${shape(theta)} and ${shape(yTrue)}`)
  }
}
