/**
 * Standard normal noise.
 *
 * @module
 */
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import { withoutOptions, type Noise } from './noise.js'

/** Standard normal noise. */
export type NormalNoise = Noise<'normal', Record<string, never>>

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI)

/**
 * Standard normal N(0, 1) noise (the perturbed optimiser's usual choice; scale it with the
 * temperature): `logProb(x) = -x^2 / 2 - log(2 pi) / 2`, `gradLogProb(x) = -x`. Takes no options.
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * noise.normal().sample(random.key(0), [3, 4])   // float32 [3, 4]
 * ```
 */
export const normal = withoutOptions('normal', {
  sample: random.normal,
  logProb: (x) => ops.sub(ops.mul(ops.square(x), -0.5), HALF_LOG_2PI), // [...s]
  gradLogProb: (x) => ops.neg(x), // [...s]
})
