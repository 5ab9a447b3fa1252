/**
 * Pipelines: typed definitions and presets, the runner, checkpoints and the data sets of
 * learning to plan; the other experiments as namespaces: `explain` (learning to explain), `toy`
 * (the toy study), `dfl` (decision-focused shortest paths).
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
export * as explain from './explain/index.js'
export * as toy from './toy/index.js'
export * as dfl from './dfl/index.js'
