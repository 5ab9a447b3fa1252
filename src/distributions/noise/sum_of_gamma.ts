/**
 * Sum-of-Gamma noise, on the law of `../sum_of_gamma/`.
 *
 * @module
 */
import * as t from 'io-ts'
import { configured, Positive, PositiveInt } from '../../core/config.js'
import { defineKernel } from '../../core/kernel.js'
import * as random from '../../core/random/index.js'
import { checkShape } from '../../core/random/keyed.js'
import { fillSumOfGammaTable, sampleSumOfGammaExact, sumOfGammaLaw, sumOfGammaPdf, sumOfGammaTable, type SumOfGammaLaw } from '../sum_of_gamma/index.js'
import type { Noise } from './noise.js'
import { sumOfGammaTableWebGPU } from './sum_of_gamma_webgpu.js'

/** The bounds of `noise.sumOfGamma`'s `k` and `nbIterations`: outside them the law's series and table build do not finish in reasonable time (`k = 1e-300` never returns; `k = 1000, nbIterations = 10000` takes 25 s). */
export const SUM_OF_GAMMA_BOUNDS = { minK: 0.01, maxK: 1e6, maxIterations: 1000 } as const

/** `k`: Positive, and in `[0.01, 1e6]` (the bound is checked for positive values only, so that `-1` reads "expected Positive"). */
const SumOfGammaK = t.intersection([
  Positive,
  t.refinement(t.number, (n) => !(n > 0 && n < SUM_OF_GAMMA_BOUNDS.minK) && !(n > SUM_OF_GAMMA_BOUNDS.maxK), 'a k in [0.01, 1e6]'),
])
/** `nbIterations`: PositiveInt, at most 1000. */
const SumOfGammaIterations = t.intersection([
  PositiveInt,
  t.refinement(t.number, (n) => !(n > SUM_OF_GAMMA_BOUNDS.maxIterations), 'an nbIterations in [1, 1000]'),
])

/**
 * The codec of `noise.sumOfGamma`'s options (after defaults).
 *
 * @example
 * ```ts
 * noise.SumOfGammaConfig.decode({ k: 10, nbIterations: 100, sampler: 'table' })   // Right(...)
 * ```
 */
export const SumOfGammaConfig = t.type({
  k: SumOfGammaK,
  nbIterations: SumOfGammaIterations,
  sampler: t.union([t.literal('table'), t.literal('exact')]),
})
/** The decoded options of `noise.sumOfGamma`. */
export type SumOfGammaConfig = t.TypeOf<typeof SumOfGammaConfig>

/** Sum-of-Gamma noise (see `sumOfGamma`). */
export type SumOfGammaNoise = Noise<'sumOfGamma', SumOfGammaConfig>

// The word pair of term `i` of the exact sampler: a Threefry block of the key and (1, i), a
// counter range disjoint from `random.split`'s (0, i).
const termWords = new Uint32Array(2)

type SampleParams = { readonly shape: readonly number[]; readonly config: SumOfGammaConfig }

// The table sampler: open uniforms (exact in float32, so drawn into `out` and mapped in place)
// through the quantile table; on webgpu, a WGSL program of the keys and the uploaded table.
const tableOp = random.keyedOp<SampleParams, 'float32'>({
  name: 'noise.sumOfGamma',
  dtype: 'float32',
  shape: (p) => p.shape,
  fill: (k0, k1, out, { config }) => {
    fillSumOfGammaTable(k0, k1, sumOfGammaTable(config.k, config.nbIterations), out) // the open uniforms mapped through the table, in one pass
  },
  backends: { webgpu: (keys, { shape, config }) => sumOfGammaTableWebGPU(keys, shape, sumOfGammaTable(config.k, config.nbIterations)) },
})

// The exact sampler, on the host on every backend.
const exactOp = random.keyedOp<SampleParams, 'float32'>({
  name: 'noise.sumOfGamma',
  dtype: 'float32',
  shape: (p) => p.shape,
  fill: (k0, k1, out, { config }) => {
    sampleSumOfGammaExact(config.k, config.nbIterations, out, (shape, buf, i) => {
      random.threefry2x32(k0, k1, 1, i, termWords, 0)
      random.fillGamma(termWords[0]!, termWords[1]!, shape, buf)
    })
  },
})

// The exact log-density, elementwise on the host (Moschopoulos' series).
const logPdfKernel = defineKernel<SumOfGammaLaw>({
  name: 'noise.sumOfGamma.logProb',
  operands: [{ name: 'eps', rank: 0 }],
  outputs: () => [{ shape: [], dtype: 'float32' }],
  host: ({ inputs: [x], count, params: law, outputs: [out] }) => {
    for (let i = 0; i < count; i++) out![i] = Math.log(sumOfGammaPdf(law, x![i]!))
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
 * large `s`). A Kolmogorov-Smirnov test shows the two agree. On webgpu the table sampler runs
 * as one WGSL program of the keys, with the table uploaded once per `(k, s)`; the exact one
 * stays on the host. `logProb` is the exact
 * log-density (Moschopoulos' series, on the host; no gradient flows through it).
 *
 * @example
 * ```ts
 * import { noise, random } from 'imle'
 * const n = noise.sumOfGamma({ k: 10, nbIterations: 100 })
 * n.sample(random.key(0), [5, 400])   // float32 [5, 400]
 * ```
 */
export const sumOfGamma = configured<typeof SumOfGammaConfig, SumOfGammaNoise, { readonly k: number; readonly nbIterations?: number; readonly sampler?: 'table' | 'exact' }>(
  'noise.sumOfGamma',
  SumOfGammaConfig,
  { nbIterations: 10 as PositiveInt, sampler: 'table' },
  (config) => {
    if (config.sampler === 'table') sumOfGammaTable(config.k, config.nbIterations) // build (and cache) now, not mid-training
    let law: SumOfGammaLaw | undefined
    return {
      _tag: 'sumOfGamma',
      config,
      sample: (key, shape) => {
        checkShape('noise.sumOfGamma', shape)
        return (config.sampler === 'table' ? tableOp : exactOp)(key, { shape: [...shape], config })
      },
      // The law's series is set up once per record, on the first call.
      logProb: (x) => logPdfKernel([x], (law ??= sumOfGammaLaw(config.k, config.nbIterations)))[0]!, // [...s]
    }
  },
)
