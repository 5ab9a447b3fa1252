/**
 * Pipeline definitions (types, JSON codecs) and the learning-to-plan presets.
 *
 * @example
 * ```ts
 * import { decode, plan } from './src/pipelines/definition/index.js'
 * const config = decode(plan({ method: 'imle', preset: 'quick' }))   // Right(PipelineConfig)
 * ```
 *
 * @module
 */
export * from './pipeline.js'
export * from './presets.js'
