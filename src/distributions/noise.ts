/**
 * Noise distributions for perturb-and-MAP: typed records built by factories, each a
 * codec-checked config plus a sampler `sample(key, shape)`. Samplers are keyed ops (see
 * `random.keyedOp`): a pure function of the key, vmappable over keys, drawing the noise of every
 * key of a batch in one call.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeOrThrow, decodeWith, Positive, PositiveInt } from '../core/codecs.js'
import { ArgumentError, ConfigError } from '../core/errors.js'
import * as random from '../core/random/index.js'
import { sampleSumOfGammaExact, sampleSumOfGammaTable, sumOfGammaTable } from './sum_of_gamma_law.js'

/** A sampler: `(key: int32 [2], shape) -> float32 [...shape]`, a pure function of the key. */
export type Sampler = (key: tf.Tensor, shape: readonly number[]) => tf.Tensor

/** Gumbel(0, 1) noise. */
export interface GumbelNoise {
  readonly _tag: 'gumbel'
  readonly config: Record<string, never>
  readonly sample: Sampler
}

/**
 * The codec of `noise.sumOfGamma`'s options (after defaults).
 *
 * @example
 * ```ts
 * noise.SumOfGammaConfig.decode({ k: 10, nbIterations: 100, sampler: 'table' })   // Right(...)
 * ```
 */
export const SumOfGammaConfig = t.type({
  k: Positive,
  nbIterations: PositiveInt,
  sampler: t.union([t.literal('table'), t.literal('exact')]),
})
/** The decoded options of `noise.sumOfGamma`. */
export type SumOfGammaConfig = t.TypeOf<typeof SumOfGammaConfig>

/** Sum-of-Gamma noise (see `sumOfGamma`). */
export interface SumOfGammaNoise {
  readonly _tag: 'sumOfGamma'
  readonly config: SumOfGammaConfig
  readonly sample: Sampler
}

/** Zero noise: perturb-and-MAP becomes plain MAP. */
export interface NoNoise {
  readonly _tag: 'none'
  readonly config: Record<string, never>
  readonly sample: Sampler
}

/** A user-defined noise distribution. */
export interface CustomNoise {
  readonly _tag: 'custom'
  readonly config: Record<string, never>
  readonly sample: Sampler
}

/** Every noise distribution `imle` accepts. */
export type NoiseDistribution = GumbelNoise | SumOfGammaNoise | NoNoise | CustomNoise

const checkShape = (fn: string, shape: readonly number[]): number[] => {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ArgumentError(
      `${fn}(shape): shape must be an array of non-negative integers but got ${Array.isArray(shape) ? `[${shape.join(', ')}]` : String(shape)}`,
    )
  }
  return [...shape]
}

/**
 * Gumbel(0, 1) noise: with it, `argmax(theta + eps)` over one-hot vectors is a sample of
 * `softmax(theta)` (the Gumbel-max trick).
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * noise.gumbel().sample(random.key(0), [3, 4])   // float32 [3, 4]
 * ```
 */
export const gumbel = (): GumbelNoise => ({
  _tag: 'gumbel',
  config: {},
  sample: (key, shape) => random.gumbel(key, checkShape('noise.gumbel', shape)),
})

/**
 * Zero noise: perturb-and-MAP becomes plain MAP (with `alpha = 1`, the backward pass is then the
 * blackbox-backprop direction without its `1/lambda`).
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * noise.none().sample(random.key(0), [5])   // zeros [5]
 * ```
 */
export const none = (): NoNoise => ({
  _tag: 'none',
  config: {},
  // The same zeros for every key: unbatched under vmap, where they broadcast like any constant.
  sample: (_key, shape) => tf.zeros(checkShape('noise.none', shape)),
})

/**
 * A user-defined noise distribution from `sample(key, shape) -> Tensor [...shape]`, which
 * should be a pure function of the key (use `random` or `callback` inside it, so that it can
 * be vmapped).
 *
 * @example
 * ```ts
 * import { noise, random, ops } from 'imle'
 * const logistic = noise.custom((key, shape) => {
 *   const u = random.uniform(key, shape)
 *   return ops.sub(ops.log(u), ops.log1p(ops.neg(u)))
 * })
 * ```
 */
export const custom = (sample: Sampler): CustomNoise => {
  if (typeof sample !== 'function') throw new ArgumentError(`noise.custom(sample): sample must be a function (key, shape) => Tensor but got ${typeof sample}`)
  return { _tag: 'custom', config: {}, sample }
}

// The word pair of term `i` of the exact sampler: a Threefry block of the key and (1, i), a
// counter range disjoint from `random.split`'s (0, i).
const termWords = new Uint32Array(2)

const sumOfGammaOp = random.keyedOp<{ readonly shape: readonly number[]; readonly config: SumOfGammaConfig }, 'float32'>({
  name: 'noise.sumOfGamma',
  dtype: 'float32',
  shape: (p) => p.shape,
  fill: (k0, k1, out, { config }) => {
    const { k, nbIterations: s } = config
    if (config.sampler === 'table') {
      // The uniforms are exact in float32, so they are drawn into `out` and mapped in place.
      random.fillUniformOpen(k0, k1, out)
      sampleSumOfGammaTable(sumOfGammaTable(k, s), out, out)
    } else {
      sampleSumOfGammaExact(k, s, out, (shape, buf, i) => {
        random.threefry2x32(k0, k1, 1, i, termWords, 0)
        random.fillGamma(termWords[0]!, termWords[1]!, shape, buf)
      })
    }
  },
})

/**
 * Sum-of-Gamma noise (Niepert et al. 2021): `eps = (sum_{i=1..s} G_i - log s) / k` with
 * `G_i ~ Gamma(shape 1/k, scale k/i)` and `s = nbIterations`. Its mean is `(H_s - ln s)/k` and
 * its variance `(sum_{i<=s} 1/i^2)/k`; the sum of `k` independent draws tends to Gumbel(0, 1)
 * as `s` grows, which suits perturb-and-MAP over `k`-subsets.
 *
 * `sampler: 'table'` (default) draws from the law's quantile function, tabulated once per
 * `(k, s)` by inverting its characteristic function: one uniform per value, whatever `s`.
 * `sampler: 'exact'` draws the `s` Gamma variates per value, as the reference does (slow for
 * large `s`). A Kolmogorov-Smirnov test shows the two agree.
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * const n = noise.sumOfGamma({ k: 10, nbIterations: 100 })
 * n.sample(random.key(0), [5, 400])   // float32 [5, 400]
 * ```
 */
export function sumOfGamma(options: { readonly k: number; readonly nbIterations?: number; readonly sampler?: 'table' | 'exact' }): SumOfGammaNoise {
  const config = decodeOrThrow('noise.sumOfGamma', SumOfGammaConfig, { nbIterations: 10, sampler: 'table', ...options })
  if (config.sampler === 'table') sumOfGammaTable(config.k, config.nbIterations) // build (and cache) now, not mid-training
  return {
    _tag: 'sumOfGamma',
    config,
    sample: (key, shape) => sumOfGammaOp(key, { shape: checkShape('noise.sumOfGamma', shape), config }),
  }
}

/**
 * The JSON form of a noise config, as read from a file or the command line.
 *
 * @example
 * ```ts
 * noise.NoiseJson.is({ type: 'sumOfGamma', k: 10 })   // true
 * ```
 */
export const NoiseJson = t.union([
  t.type({ type: t.literal('gumbel') }),
  t.type({ type: t.literal('none') }),
  t.intersection([
    t.type({ type: t.literal('sumOfGamma'), k: t.number }),
    t.partial({ nbIterations: t.number, sampler: t.union([t.literal('table'), t.literal('exact')]) }),
  ]),
])

/**
 * Decodes a noise config from JSON: `{"type": "gumbel"}`, `{"type": "none"}` or
 * `{"type": "sumOfGamma", "k": 10, "nbIterations": 100}`. Failures name the bad field.
 *
 * @example
 * ```ts
 * import { noise } from 'imle'
 * const r = noise.decode(JSON.parse('{"type":"sumOfGamma","k":10}'))   // Right(SumOfGammaNoise)
 * ```
 */
export function decode(json: unknown): E.Either<ConfigError, NoiseDistribution> {
  return E.flatMap(decodeWith('noise.decode', NoiseJson, json), (c): E.Either<ConfigError, NoiseDistribution> => {
    switch (c.type) {
      case 'gumbel':
        return E.right(gumbel())
      case 'none':
        return E.right(none())
      case 'sumOfGamma': {
        const { type: _type, ...opts } = c
        return E.tryCatch(
          () => sumOfGamma(opts),
          (e) => (e instanceof ConfigError ? e : new ConfigError(`noise.decode: ${String(e)}`)),
        )
      }
    }
  })
}
