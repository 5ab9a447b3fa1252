/**
 * Decision-focused learning on PyEPO's shortest-path benchmark (`imle dfl`): the data
 * generator, the regret metric, the linear model and its training by two-stage least squares,
 * SPO+, blackbox, the perturbed optimiser, the perturbed Fenchel–Young loss, I-MLE and AIMLE,
 * the experiment's config codec and presets, the runner and the report.
 *
 * @example
 * ```ts
 * import { dfl } from './src/pipelines/dfl/index.js'
 * const result = await dfl.runDfl(dfl.presets.quick, { runDir: 'out/dfl-quick' })
 * console.log(dfl.formatRegretTable(result.summary))
 * ```
 *
 * @module
 */
export { costOf, generate, GenerateConfig, generateDefaults, slice, type GenerateOptions, type ShortestPathData } from './generate.js'
export { normalizedRegret, shortestPaths } from './regret.js'
export { leastSquares, methodLoss, predict, train, type LinearModel, type TrainOptions, type TrainResult } from './train.js'
export {
  decodeConfig,
  DflConfigCodec,
  HyperCodec,
  MethodCodec,
  METHODS,
  PRESETS,
  presets,
  type DflConfig,
  type DflConfigJson,
  type Hyper,
  type Method,
  type Preset,
} from './definition.js'
export { formatRegretTable, runDfl, summarize, type DflRecord, type DflResult, type DflRunInfo, type DflRunOptions, type DflSummaryRow } from './run.js'
export { regretFigure, writeDflReport, writeResultReport } from './report.js'
