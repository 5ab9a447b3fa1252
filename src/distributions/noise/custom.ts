/**
 * User-defined noise.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { show } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { checkShape } from '../../core/random/keyed.js'
import { decompose, isTracer, recompose } from '../../core/tracer.js'
import { checkSample, type Elementwise, type Noise, type Sampler } from './noise.js'

/** A user-defined noise distribution. */
export type CustomNoise = Noise<'custom', Record<string, never>>

/** The optional density of a custom noise: elementwise `logProb` and its derivative. */
export interface CustomDensity {
  readonly logProb?: Elementwise
  readonly gradLogProb?: Elementwise
}

/**
 * A user-defined noise distribution from `sample(key, shape) -> Tensor [...shape]`, which
 * should be a pure function of the key (use `random` or `callback` inside it, so that it can
 * be vmapped), with its density if it has one.
 *
 * @example
 * ```ts
 * import { noise, random, ops } from 'imle'
 * const logistic = noise.custom((key, shape) => {
 *   const u = random.uniform(key, shape)
 *   return ops.sub(ops.log(u), ops.log1p(ops.neg(u)))
 * }, { logProb: (x) => ops.sub(ops.neg(x), ops.mul(ops.softplus(ops.neg(x)), 2)) })
 * ```
 */
export const custom = (sample: Sampler, density: CustomDensity = {}): CustomNoise => {
  if (typeof sample !== 'function') {
    throw new ArgumentError(`noise.custom(sample): sample must be a function (key, shape) => Tensor but got ${typeof sample}`)
  }
  if (typeof density !== 'object' || density === null || Array.isArray(density)) {
    throw new ArgumentError(`noise.custom(density): density must be an object { logProb?, gradLogProb? } but got ${show(density)}`)
  }
  const unknown = Object.keys(density).filter((k) => k !== 'logProb' && k !== 'gradLogProb')
  if (unknown.length > 0) {
    throw new ArgumentError(`noise.custom(density): unknown field ${unknown.map((k) => `'${k}'`).join(', ')}; the fields are 'logProb' and 'gradLogProb'`)
  }
  for (const k of ['logProb', 'gradLogProb'] as const) {
    const f = density[k]
    if (f !== undefined && typeof f !== 'function') throw new ArgumentError(`noise.custom(density.${k}): expected a function but got ${typeof f}`)
  }
  const checked: Sampler = (key, shape) => {
    checkShape('noise.custom', shape)
    // In a tidy, so that a refused sample and its temporaries are freed; under vmap the tidy
    // returns the tracer's real tensor, and the tracer is rebuilt around it.
    let chain: ReturnType<typeof decompose>['chain'] = []
    const base = tf.tidy(() => {
      const eps: unknown = sample(key, shape) // [...shape]
      checkSample('noise.custom(sample)', eps, shape)
      if (!followsKey(eps, key) && !isConstant(eps)) {
        throw new ArgumentError(
          'noise.custom(sample): under vmap the sample does not depend on its key, so every instance would get the same values; ' +
            'draw from the key it is given (random.normal(key, shape), random.uniform(key, shape), ...)',
        )
      }
      const parts = decompose(eps)
      chain = parts.chain
      return parts.base
    })
    return recompose(base, chain) // [...shape]
  }
  return { _tag: 'custom', config: {}, sample: checked, ...density }
}

/**
 * Whether every entry of `eps` is the same value: a point mass (`noise.none()`'s zeros) needs no
 * key. Read only when a sample under `vmap` is not batched like its key, which a sampler that
 * draws from its key never is.
 */
function isConstant(eps: tf.Tensor): boolean {
  const v = decompose(eps).base.dataSync()
  for (let i = 1; i < v.length; i++) if (!Object.is(v[i], v[0])) return false
  return true
}

/** Whether `eps` is batched at every `vmap` level `key` is batched at (trivially, outside `vmap`). */
function followsKey(eps: tf.Tensor, key: tf.Tensor): boolean {
  if (!isTracer(key)) return true
  const levels = decompose(eps).chain.map((c) => c.level)
  return decompose(key).chain.every((c) => levels.includes(c.level))
}
