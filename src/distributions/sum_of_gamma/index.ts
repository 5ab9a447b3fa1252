/**
 * The law of I-MLE's Sum-of-Gamma noise, on TypedArrays: exact moments, an exact sampler, an
 * exact CDF, survival function and density (Moschopoulos' series), and a fast quantile-table
 * sampler. This file only re-exports; the folder is split by job: `moments.ts`, `exact.ts`
 * (the exact sampler), `law.ts` (the exact law), `table.ts` (the quantile table), with
 * `special.ts`, `quantile.ts` and `checks.ts` internal to it. The derivation of all of it is in
 * `docs/derivations/sum_of_gamma.md`.
 *
 * @module
 */
export { sumOfGammaCumulant, sumOfGammaMoments, type SumOfGammaMoments } from './moments.js'
export { sampleSumOfGammaExact, type FillGamma } from './exact.js'
export { sumOfGammaLaw, sumOfGammaCdf, sumOfGammaSf, sumOfGammaPdf, type SumOfGammaLaw } from './law.js'
export { buildSumOfGammaTable, sumOfGammaTable, sampleSumOfGammaTable, fillSumOfGammaTable, type SumOfGammaTable } from './table.js'
