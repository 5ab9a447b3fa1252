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
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { configured, show } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { fmtShape } from '../../core/folded.js'
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

/**
 * Throws an `ArgumentError` unless `noise` is a noise record (an object with `sample`); `fn`
 * names the function that takes it (`imle`, `losses.fenchelYoung`).
 */
export function checkNoise(fn: string, noise: unknown): asserts noise is Noise {
  if (typeof noise !== 'object' || noise === null || typeof (noise as Partial<Noise>).sample !== 'function') {
    const got = typeof noise === 'function' ? `a function${noise.name ? ` (${noise.name})` : ''}; call the factory: noise.gumbel(), not noise.gumbel` : noise === null ? 'null' : `${typeof noise} ${show(noise)}`
    throw new ArgumentError(`${fn}(noise): noise must be a noise record with a sample(key, shape) function (noise.gumbel(), ...) but got ${got}`)
  }
}

/**
 * Throws an `ArgumentError` unless `eps`, what `noise.sample(key, shape)` returned, is a
 * float32 tensor of shape `shape` (metadata only: no data is read); `fn` names the caller.
 */
export function checkSample(fn: string, eps: unknown, shape: readonly number[]): asserts eps is tf.Tensor {
  const ok = eps instanceof tf.Tensor && eps.dtype === 'float32' && eps.rank === shape.length && eps.shape.every((d: number, i: number) => d === shape[i])
  if (!ok) {
    const got = eps instanceof tf.Tensor ? `a ${eps.dtype} tensor of shape ${fmtShape(eps.shape)}` : `${typeof eps} ${show(eps)}`
    throw new ArgumentError(`${fn}: sample(key, ${fmtShape(shape)}) must return a float32 tensor of shape ${fmtShape(shape)} but returned ${got}`)
  }
}
