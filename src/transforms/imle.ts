/**
 * `imle`: Implicit Maximum Likelihood Estimation (Niepert, Minervini, Franceschi, NeurIPS
 * 2021). Turns a MAP solver into a layer with a forward pass (perturb-and-MAP) and a backward
 * pass (the difference between the MAP states of the current and the target distribution,
 * perturbed by the same noise).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOrThrow, NonNegative, PositiveInt } from '../core/codecs.js'
import { ArgumentError } from '../core/errors.js'
import * as ops from '../core/ops.js'
import type { NoiseDistribution } from '../distributions/noise.js'
import type { TargetDistribution } from '../distributions/target.js'
import { customVjp } from './custom_vjp.js'
import { vmap } from './vmap.js'

/**
 * The codec of `imle`'s options (after defaults).
 *
 * @example
 * ```ts
 * import { ImleConfig } from 'imle'
 * ImleConfig.decode({ nbSamples: 5, inputNoiseTemperature: 1, targetNoiseTemperature: 1 })   // Right(...)
 * ImleConfig.is({ nbSamples: 0, inputNoiseTemperature: 1, targetNoiseTemperature: 1 })       // false
 * ```
 */
export const ImleConfig = t.type({
  nbSamples: PositiveInt,
  inputNoiseTemperature: NonNegative,
  targetNoiseTemperature: NonNegative,
})
/** The decoded options of `imle`. */
export type ImleConfig = t.TypeOf<typeof ImleConfig>

/** Options of `imle`; every field optional. */
export interface ImleOptions {
  /** Number of perturb-and-MAP samples `S` per instance. Default 1. */
  readonly nbSamples?: number
  /** Temperature `tau` of the noise in the forward pass. Default 1. */
  readonly inputNoiseTemperature?: number
  /** Temperature `tau'` of the (same) noise in the backward pass. Default 1. */
  readonly targetNoiseTemperature?: number
}

/** A MAP solver on one instance: `theta -> argmax_z <theta, z>` (same shape). */
export type MapFn = (theta: tf.Tensor) => tf.Tensor

/**
 * Makes a differentiable layer from a MAP solver with I-MLE.
 *
 * The returned `layer(theta, key)` (theta: `[...s]`, key: a PRNG key `[2]`):
 * - forward: draws `eps ~ noise` of shape `[S, ...s]` once from `key`, and returns
 *   `z_s = map(theta + inputNoiseTemperature * eps_s)`, of shape `[...s]` when `S = 1` and
 *   `[S, ...s]` otherwise (no averaging);
 * - backward, with `dy_s = dL/dz_s`: `theta'_s = target.params(theta, dy_s)` (for the standard
 *   target `alpha * theta - beta * dy_s`), `z'_s = map(theta'_s + targetNoiseTemperature * eps_s)`
 *   with the same `eps`, and `dL/dtheta = mean_s (z_s - z'_s)` times `target.gradientScale`.
 *
 * All `S` instances (and, under `vmap`, all `B * S`) are solved in one batched call of `map`
 * (through `map`'s batch rule) and the noise is drawn in one vectorized call.
 *
 * @example
 * ```ts
 * import { imle, noise, target, solvers, vmap, random } from 'imle'
 * const layer = imle(solvers.topK(10), noise.sumOfGamma({ k: 10, nbIterations: 100 }),
 *                    target.standard({ alpha: 1, beta: 10 }), { nbSamples: 5 })
 * const z = layer(theta, random.key(0))                           // [n] -> [5, n]
 * const zs = vmap(layer)(thetas, random.split(random.key(0), 8))  // [8, n] -> [8, 5, n]
 * ```
 */
export function imle(
  map: MapFn,
  noise: NoiseDistribution,
  target: TargetDistribution,
  options: ImleOptions = {},
): (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor {
  const config = decodeOrThrow('imle(options)', ImleConfig, {
    nbSamples: 1,
    inputNoiseTemperature: 1,
    targetNoiseTemperature: 1,
    ...options,
  })
  const { nbSamples: S, inputNoiseTemperature: tauIn, targetNoiseTemperature: tauOut } = config
  if (typeof map !== 'function') throw new ArgumentError(`imle(map): map must be a function (a MAP solver) but got ${typeof map}`)
  // All S instances in one batched solver call; with S = 1 the sample axis is dropped right
  // after drawing, so the same computation runs without a vmap level (shapes below: [...s]).
  const solve = S === 1 ? map : vmap(map) // [S, ...s] -> [S, ...s]
  const scaled = (eps: tf.Tensor, tau: number): tf.Tensor => (tau === 1 ? eps : ops.mul(eps, tau)) // [S, ...s]

  type Residuals = { readonly theta: tf.Tensor; readonly eps: tf.Tensor; readonly z: tf.Tensor }
  const layer = customVjp(
    (theta: tf.Tensor, key: tf.Tensor): readonly [tf.Tensor, Residuals] => {
      const shape = theta.shape // [...s]
      const drawn = noise.sample(key, [S, ...shape]) // [S, ...s]
      const eps = S === 1 ? ops.reshape(drawn, shape) : drawn // [S, ...s]
      const z = solve(ops.add(theta, scaled(eps, tauIn))) // [S, ...s]
      return [z, { theta, eps, z }]
    },
    ({ theta, eps, z }: Residuals, dy: tf.Tensor) => {
      const thetaPrime = target.params(theta, dy) // [S, ...s]
      const zPrime = solve(ops.add(thetaPrime, scaled(eps, tauOut))) // [S, ...s]
      const diff = ops.sub(z, zPrime) // [S, ...s]
      const g = S === 1 ? diff : ops.mean(diff, 0) // [...s]
      return [target.gradientScale === 1 ? g : ops.mul(g, target.gradientScale), null] as const
    },
  )
  return (theta, key) => {
    if (theta.rank < 1) {
      throw new ArgumentError(`imle: theta must have rank >= 1 (one instance of the solver's input) but got a scalar`)
    }
    if (theta.dtype !== 'float32') throw new ArgumentError(`imle: theta must be float32 but got ${theta.dtype}`)
    if (!(key instanceof tf.Tensor) || key.dtype !== 'int32' || key.rank !== 1 || key.shape[0] !== 2) {
      const got = key instanceof tf.Tensor ? `a ${key.dtype} tensor of shape [${key.shape.join(', ')}]` : String(key)
      throw new ArgumentError(
        `imle: key must be a PRNG key, an int32 tensor of shape [2] (random.key(seed), or one row of ` +
          `random.split(key, B) per instance under vmap), but got ${got}`,
      )
    }
    return layer(theta, key)
  }
}
