/**
 * The pipeline runner, comparisons of several runs, reports of run folders, models and metrics.
 *
 * @example
 * ```ts
 * import { run } from './src/pipelines/runner/index.js'
 * const result = await run(pipeline, { runDir: 'runs/a' })
 * ```
 *
 * @module
 */
export * from './run.js'
export * from './compare.js'
export { COMPARISON_KIND, readManifest, readRun, writeComparisonReport, writeReport, writeRunReport, type ComparisonManifest, type ReportOptions, type RunFiles } from './report.js'
export { formatTable, METRIC_LABELS, summarize, summaryTable, type GroupSummary, type RunSummaryInput, type Table } from './summary.js'
export { evaluatePaths, meanStd, COST_TOLERANCE, type Metrics, type MeanStd } from './metrics.js'
export { buildModel } from './model.js'
