/**
 * Gumbel(0, 1) noise.
 *
 * @module
 */
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import { withoutOptions, type Noise } from './noise.js'

/** Gumbel(0, 1) noise. */
export type GumbelNoise = Noise<'gumbel', Record<string, never>>

/**
 * Gumbel(0, 1) noise: with it, `argmax(theta + eps)` over one-hot vectors is a sample of
 * `softmax(theta)` (the Gumbel-max trick). Density `exp(-(x + e^-x))`: `logProb(x) = -(x + e^-x)`,
 * `gradLogProb(x) = e^-x - 1`. Takes no options (unknown ones are refused).
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * noise.gumbel().sample(random.key(0), [3, 4])   // float32 [3, 4]
 * ```
 */
export const gumbel = withoutOptions('gumbel', {
  sample: random.gumbel,
  logProb: (x) => ops.neg(ops.add(x, ops.exp(ops.neg(x)))), // [...s]
  gradLogProb: (x) => ops.sub(ops.exp(ops.neg(x)), 1), // [...s]
})
