/**
 * The toy study (`imle toy`): the I-MLE paper's synthetic problem, top-5 of 10 with the exact
 * loss `E_{z ~ p(z; theta)} ||z - b||^2` over the 252 states, trained by SGD with momentum with
 * I-MLE (Sum-of-Gamma and Gumbel noise), straight-through, the score function, the perturbed
 * optimiser and the exact gradient, over repetitions and a learning-rate by lambda grid. See
 * `docs/toy.md`.
 *
 * @example
 * ```ts
 * import * as toy from './src/pipelines/toy/index.js'
 * const result = await toy.runToy(toy.preset('quick'))
 * console.log(toy.formatTable(toy.table(result)))
 * await toy.writeToyReport('out/toy-quick', result)
 * ```
 *
 * @module
 */
export { K, N, problem, type ToyProblem } from './problem.js'
export { enumeratedLoss, exactGradient, exactLoss, optimum, probabilities, states, type States } from './exact.js'
export { expectedLoss, method, METHODS, type ToyMethod, type ToyMethodName, type ToyMethodOptions } from './methods.js'
export { decodeConfig, preset, PRESETS, ToyConfig, type ToyPreset } from './config.js'
export { noiseOf, runToy, type CurvePoint, type GridPoint, type MethodResult, type RunToyOptions, type ToyProgress, type ToyResult } from './run.js'
export { formatTable, gapChart, lossChart, spreadChart, table, tailGapPercent, writeToyReport, type ToyReportFiles, type ToyTable } from './report.js'
