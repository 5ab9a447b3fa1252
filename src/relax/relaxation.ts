/**
 * What every k-subset relaxation shares: the record type, the options codec, the checks of
 * `k`, `tau` and `theta` (one place for every message), and the call path that draws the
 * Gumbel noise from the key and presents the `S` samples.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, MIN_NORMAL, show, PositiveInt, type OptionsOf } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import type { Key } from '../core/random/index.js'
import { topK } from '../solvers/top_k/index.js'

/**
 * The codec of a relaxation's options: `nbSamples` `S`, when given, makes the relaxation
 * return `S` independent samples `[S, n]` instead of one `[n]`.
 *
 * @example
 * ```ts
 * import { relax } from 'imle'
 * relax.RelaxConfig.is({ nbSamples: 4 })   // true
 * relax.RelaxConfig.is({ nbSamples: 0 })   // false
 * ```
 */
export const RelaxConfig = t.partial({ nbSamples: PositiveInt }, 'RelaxOptions')
/** The decoded options of a relaxation. */
export type RelaxConfig = t.TypeOf<typeof RelaxConfig>
/** Options of `relax.gumbelSoftmaxSubset` and `relax.softSub`, derived from `RelaxConfig`. */
export type RelaxOptions = OptionsOf<typeof RelaxConfig>

/**
 * A continuous relaxation of k-subset selection: `(theta [n], key int32 [2]) -> [n]`, or
 * `[S, n]` when built with `{ nbSamples: S }`. Differentiable in `theta` with `grad`, batched
 * with `vmap` (over `theta`, the key or both). The record carries its settings.
 */
export interface SubsetRelaxation<Tag extends string = string> {
  (theta: tf.Tensor, key: Key): tf.Tensor
  /** The relaxation's name: `'gumbelSoftmaxSubset'` or `'softSub'`. */
  readonly _tag: Tag
  /** The subset size. */
  readonly k: number
  /** The temperature. */
  readonly tau: number
  /** `S` when the relaxation returns `[S, n]`; `undefined` when it returns `[n]`. */
  readonly nbSamples: number | undefined
  /** The top-k mask of `theta` for evaluation (no key, no gradient): what the relaxation relaxes. */
  readonly map: (theta: tf.Tensor) => tf.Tensor
}

const describe = (x: unknown): string => (typeof x === 'number' ? String(x) : `${typeof x} ${String(x)}`)

/**
 * Builds a relaxation record after checking `k`, `tau` and the options. At each call it checks
 * `theta` (float32, rank 1, `k <= n`), draws `g = random.gumbel(key, noiseShape(S, n))` with
 * `S = nbSamples ?? 1`, and returns `body(theta, g)` (`[S, n]`), squeezed to `[n]` when no
 * `nbSamples` was given. Temporaries are freed by a `tidy`.
 */
export function subsetRelaxation<Tag extends string>(
  tag: Tag,
  k: number,
  tau: number,
  options: RelaxOptions,
  noiseShape: (S: number, n: number) => readonly number[],
  body: (theta: tf.Tensor, g: tf.Tensor) => tf.Tensor,
): SubsetRelaxation<Tag> {
  const fn = `relax.${tag}`
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new ArgumentError(`${fn}(k): k must be an integer >= 1 but got ${describe(k)}`)
  }
  if (typeof tau !== 'number' || !Number.isFinite(tau) || !(tau >= MIN_NORMAL)) {
    const denormal = typeof tau === 'number' && tau > 0 && tau < MIN_NORMAL ? ' (a denormal, below the smallest normal float32 2^-126: dividing by it overflows)' : ''
    throw new ArgumentError(`${fn}(tau): tau must be a finite number > 0 but got ${describe(tau)}${denormal}`)
  }
  const { nbSamples } = decodeOptionsOrThrow(fn, RelaxConfig, {}, options)
  const S = nbSamples ?? 1
  const relaxation = (theta: tf.Tensor, key: Key): tf.Tensor => {
    if (!(theta instanceof tf.Tensor)) throw new ArgumentError(`${fn}(theta): theta must be a float32 tensor [n] but got ${typeof theta} ${show(theta)}`)
    if (theta.rank !== 1) {
      throw new ArgumentError(`${fn}(theta): theta must be of rank 1 ([n]; use vmap for a batch) but got shape [${theta.shape.join(', ')}]`)
    }
    if (theta.dtype !== 'float32') throw new ArgumentError(`${fn}(theta): theta must be float32 but got ${theta.dtype}`)
    const n = theta.shape[0]!
    if (k > n) throw new ArgumentError(`${fn}(k): k must be an integer in [1, ${n}] (the last dimension) but got ${k}`)
    return tf.tidy(() => {
      const g = random.gumbel(key, noiseShape(S, n)) // [S, k, n] or [S, n], as the relaxation asks
      const out = body(theta, g) // [S, n]
      return nbSamples === undefined ? ops.squeeze(out, [0]) : out // [n] or [S, n]
    })
  }
  return Object.assign(relaxation, { _tag: tag, k, tau, nbSamples, map: topK(k) })
}
