/**
 * Pipelines: typed definitions and presets, the runner, checkpoints and the data sets.
 *
 * @example
 * ```ts
 * import { pipelines } from './src/pipelines/index.js'
 * const result = await pipelines.run(pipelines.plan({ method: 'aimle', preset: 'quick' }), { runDir: 'runs/aimle' })
 * ```
 *
 * @module
 */
export * from './definition/index.js'
export * from './runner/index.js'
export * as checkpoint from './checkpoint.js'
export * as data from './data/index.js'
