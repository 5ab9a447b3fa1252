/**
 * Data sets of the pipelines. `warcraft`: the stand-in for the Warcraft shortest-path
 * benchmark of the I-MLE paper's "learning to plan" experiment.
 *
 * @example
 * ```ts
 * import { warcraft } from './src/pipelines/data/index.js'
 * const data = warcraft.generate({ k: 12, sizes: { train: 10, val: 2, test: 2 }, seed: 0 })
 * ```
 *
 * @module
 */
export * as warcraft from './warcraft/index.js'
