/**
 * The pipeline runner, its models and its metrics.
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
export { evaluatePaths, meanStd, COST_TOLERANCE, type Metrics, type MeanStd } from './metrics.js'
export { buildModel } from './model.js'
