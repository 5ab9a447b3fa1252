/**
 * Zero noise.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { checkKey } from '../../core/random/keyed.js'
import { withoutOptions, type Noise } from './noise.js'

/** Zero noise: perturb-and-MAP becomes plain MAP. */
export type NoNoise = Noise<'none', Record<string, never>>

/**
 * Zero noise: perturb-and-MAP becomes plain MAP (with `alpha = 1`, the backward pass is then the
 * blackbox-backprop direction without its `1/lambda`). A point mass: no density.
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * noise.none().sample(random.key(0), [5])   // zeros [5]
 * ```
 */
export const none = withoutOptions('none', {
  // The same zeros for every key: unbatched under vmap, where they broadcast like any constant.
  sample: (key, shape) => {
    checkKey('noise.none(key)', key)
    return tf.zeros([...shape])
  },
})
