/**
 * The noise protocol: a noise distribution for perturb-and-MAP is a record of pure functions
 * with a string name. `sample(key, shape)` draws i.i.d. values as a pure function of the key
 * (vmappable over keys: one draw for every key of a batch). Where the law has a density, the
 * record also carries the elementwise `logProb` and its derivative `gradLogProb`, which
 * score-function estimators, perturbed optimisers and Fenchel–Young losses use. The set is
 * open: `noise.custom` (or any object of this shape) is accepted wherever a built-in is.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { configured } from '../../core/config.js'
import { checkShape } from '../../core/random/keyed.js'

/** A sampler: `(key: int32 [2], shape) -> float32 [...shape]`, a pure function of the key. */
export type Sampler = (key: tf.Tensor, shape: readonly number[]) => tf.Tensor

/** An elementwise function of noise values: `[...shape] -> [...shape]`. */
export type Elementwise = (eps: tf.Tensor) => tf.Tensor

/**
 * A noise distribution: i.i.d. draws of one scalar law.
 *
 * Shapes: `sample: (int32 [2], shape) -> float32 [...shape]`; `logProb`, `gradLogProb`:
 * `[...shape] -> [...shape]`, elementwise.
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * const n: noise.Noise = noise.gumbel()
 * const eps = n.sample(random.key(0), [3, 4])   // float32 [3, 4]
 * n.logProb?.(eps)                              // [3, 4]: log p(eps), elementwise
 * ```
 */
export interface Noise<Name extends string = string, Config = unknown> {
  /** The distribution's name (`'gumbel'`, `'sumOfGamma'`, a user's own). */
  readonly _tag: Name
  /** The decoded options it was built with. */
  readonly config: Config
  readonly sample: Sampler
  /** The log-density of each value, where the law has one. */
  readonly logProb?: Elementwise
  /** The derivative of the log-density at each value, where the law has one. */
  readonly gradLogProb?: Elementwise
}

/**
 * A factory for a noise without options (`noise.gumbel()`, `noise.normal()`, `noise.none()`):
 * refuses any option with a `ConfigError`, checks the sample shape, and builds the record.
 * For the built-ins; a user's noise is simpler with `noise.custom`.
 */
export const withoutOptions = <Name extends string>(
  name: Name,
  law: { readonly sample: Sampler; readonly logProb?: Elementwise; readonly gradLogProb?: Elementwise },
) =>
  configured(`noise.${name}`, t.type({}), {}, (): Noise<Name, Record<string, never>> => ({
    _tag: name,
    config: {},
    ...law,
    sample: (key, shape) => {
      checkShape(`noise.${name}`, shape)
      return law.sample(key, shape)
    },
  }))
