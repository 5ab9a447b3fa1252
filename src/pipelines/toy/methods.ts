/**
 * The toy study's methods: each turns a batch of parameters into a gradient estimate of the
 * expected loss `E_{z ~ p(z; theta)} ||z - b||^2`, through the library's public estimators
 * (I-MLE with Sum-of-Gamma or Gumbel noise, straight-through, the score function with the
 * exact k-subset sampler, the perturbed optimiser) or exactly (`valueAndGrad` of the enumerated
 * loss). Each is one batched call under `vmap` for every row (repetitions times grid points).
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import { gumbel } from '../../distributions/noise/gumbel.js'
import { normal } from '../../distributions/noise/normal.js'
import { sumOfGamma } from '../../distributions/noise/sum_of_gamma.js'
import { standard } from '../../distributions/target/standard.js'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import type { Key } from '../../core/random/keyed.js'
import { topK } from '../../solvers/top_k/index.js'
import { imle } from '../../transforms/estimators/imle.js'
import { perturbed } from '../../transforms/estimators/perturbed.js'
import { kSubsetScoreFunction } from '../../transforms/estimators/score_function.js'
import { ste } from '../../transforms/estimators/ste.js'
import { grad, valueAndGrad } from '../../transforms/grad.js'
import { marginals } from '../../transforms/k_subset.js'
import { vmap } from '../../transforms/vmap.js'
import { K } from './problem.js'

/**
 * The methods of the toy study, in the order of the report.
 *
 * @example
 * ```ts
 * const all = toy.METHODS.map((name) => toy.method(name))   // ToyMethod[]
 * ```
 */
export const METHODS = ['imle-sog', 'imle-gumbel', 'ste', 'score-function', 'perturbed', 'exact'] as const
/** A method of the toy study. */
export type ToyMethodName = (typeof METHODS)[number]

/**
 * A toy-study method: `gradient(theta [G, n], b [G, n], keys [G, 2], lambda [G]) -> [G, n]`,
 * the gradient estimate of row `g`'s expected loss at its `lambda` (I-MLE's `lambda`, the
 * perturbed optimiser's `sigma`; ignored when `lambda` is `null`). The caller owns `tidy`.
 */
export interface ToyMethod {
  readonly _tag: 'toyMethod'
  readonly name: ToyMethodName
  /** The name shown in tables and charts. */
  readonly label: string
  /** What the `lambda` grid sets: I-MLE's target step, the perturbed optimiser's `sigma`, or nothing. */
  readonly lambda: 'lambda' | 'sigma' | null
  readonly gradient: (theta: tf.Tensor, b: tf.Tensor, keys: Key, lambda: tf.Tensor) => tf.Tensor
}

/** Options of `method`. */
export interface ToyMethodOptions {
  /** The number of terms of the Sum-of-Gamma noise (default 100). */
  readonly nbIterations?: number
}

/** `sum_g w_g ||z_g - b_g||^2` for samples `z [G, n]` (or `[G, S, n]`, summed over samples). */
const squaredDistance = (z: tf.Tensor, b: tf.Tensor, w?: tf.Tensor): tf.Tensor => {
  const bb = z.rank === 3 ? ops.expandDims(b, 1) : b // [G, 1, n] or [G, n]
  const d = ops.sum(ops.square(ops.sub(z, bb)), z.rank === 3 ? [1, 2] : -1) // [G]
  return ops.sum(w === undefined ? d : ops.mul(d, w)) // []
}

/**
 * The expected loss of one instance through the exact k-subset marginals `mu = kSubset.marginals(theta, 5)`
 * (a host dynamic program with the exact gradient `Cov(z) dy`): on 0/1 states with `k` ones,
 * `||z - b||^2 = ||b||^2 + <1 - 2b, z>`, so `E_p ||z - b||^2 = ||b||^2 + <1 - 2b, mu>`, the
 * enumerated loss exactly (`enumeratedLoss` computes the same by the 252 states; the tests check
 * that they agree). It is the `exact` method's loss because it is far cheaper than the `[G, 252, n]`
 * enumeration in tensors.
 *
 * Shapes: `(theta [n], b [n]) -> []`; under `vmap`, `([G, n], [G, n]) -> [G]`.
 *
 * @example
 * ```ts
 * import { grad, ops, vmap } from 'imle'
 * const g = grad((th: tf.Tensor) => ops.sum(vmap(toy.expectedLoss)(th, b)))(theta)   // [G, n]: the exact gradient
 * ```
 */
export function expectedLoss(theta: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mu = marginals(theta, K) // [n]
  return ops.add(ops.sum(ops.square(b)), ops.sum(ops.mul(ops.sub(1, ops.mul(2, b)), mu))) // []
}

/**
 * Builds a toy-study method. The loss of a sampled `z` is `||z - b||^2` (its gradient
 * `2 (z - b)`), summed over rows and samples, one sample per row and step:
 *
 * - `imle-sog`, `imle-gumbel`: `imle(topK(5), noise, target.standard({ beta: 1 }))` with
 *   `noise.sumOfGamma({ k: 5 })` or `noise.gumbel()`. Row `g`'s loss is weighted by `lambda_g`,
 *   so its target is `theta - lambda_g dL/dz`: I-MLE's gradient `z - z'` does not scale with
 *   the cotangent, so this is I-MLE with `beta = lambda_g`, every grid point in one call.
 * - `ste`: `ste(topK(5), noise.sumOfGamma({ k: 5 }))` (the same forward samples as `imle-sog`).
 * - `score-function`: `kSubsetScoreFunction(5)`, one exact sample per step, no baseline.
 * - `perturbed`: `perturbed(topK(5), noise.normal(), { sigma: 1 })` applied to `theta / sigma_g`:
 *   top-k is invariant to scale, so `map(theta / sigma + Z) = map(theta + sigma Z)` and the chain
 *   rule gives the perturbed optimiser with `sigma = sigma_g`.
 * - `exact`: `valueAndGrad` of the exact expected loss (`expectedLoss`, equal to the enumerated
 *   loss), no sampling.
 *
 * @example
 * ```ts
 * const m = toy.method('imle-sog')
 * const g = tf.tidy(() => m.gradient(theta, b, keys, tf.fill([G], 3)))   // [G, 10]
 * ```
 */
export function method(name: ToyMethodName, options: ToyMethodOptions = {}): ToyMethod {
  const nbIterations = options.nbIterations ?? 100
  if (!Number.isInteger(nbIterations) || nbIterations < 1) {
    throw new ArgumentError(`toy.method(options.nbIterations): expected a positive integer (Sum-of-Gamma terms) but got ${String(nbIterations)}`)
  }
  const solver = topK(K)
  const sog = (): ReturnType<typeof sumOfGamma> => sumOfGamma({ k: K, nbIterations })
  const make = (label: string, lambda: ToyMethod['lambda'], gradient: ToyMethod['gradient']): ToyMethod => ({ _tag: 'toyMethod', name, label, lambda, gradient })
  switch (name) {
    case 'imle-sog':
    case 'imle-gumbel': {
      const layer = vmap(imle(solver, name === 'imle-sog' ? sog() : gumbel(), standard({ beta: 1 }))) // ([G, n], [G, 2]) -> [G, n]
      return make(name === 'imle-sog' ? 'I-MLE (SoG)' : 'I-MLE (Gumbel)', 'lambda', (theta, b, keys, lambda) =>
        grad((th: tf.Tensor) => squaredDistance(layer(th, keys), b, lambda))(theta),
      )
    }
    case 'ste': {
      const layer = vmap(ste(solver, sog())) // ([G, n], [G, 2]) -> [G, n]
      return make('STE', null, (theta, b, keys) => grad((th: tf.Tensor) => squaredDistance(layer(th, keys), b))(theta))
    }
    case 'score-function': {
      const layer = vmap(kSubsetScoreFunction(K, { nbSamples: 1 })) // ([G, n], [G, 2]) -> [G, 1, n]
      return make('score function', null, (theta, b, keys) => grad((th: tf.Tensor) => squaredDistance(layer(th, keys), b))(theta))
    }
    case 'perturbed': {
      const layer = vmap(perturbed(solver, normal(), { sigma: 1 })) // ([G, n], [G, 2]) -> [G, n]
      return make('perturbed', 'sigma', (theta, b, keys, sigma) =>
        grad((th: tf.Tensor) => squaredDistance(layer(ops.div(th, ops.expandDims(sigma, -1)), keys), b))(theta),
      )
    }
    case 'exact': {
      const loss = vmap(expectedLoss) // ([G, n], [G, n]) -> [G]
      return make('exact gradient', null, (theta, b) => valueAndGrad((th: tf.Tensor) => ops.sum(loss(th, b)))(theta)[1])
    }
  }
}
