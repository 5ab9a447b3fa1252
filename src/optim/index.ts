/**
 * Optimisers as records of pure functions over pytrees (optax's shape): `init(params)` gives
 * the state, `update(grads, state, params?)` gives the updates and the next state. `sgd` and
 * `adam`, gradient clipping as composable transformations (`clipByGlobalNorm`, `clipByValue`,
 * `chain`), and learning-rate schedules (`schedules`) usable as either optimiser's
 * `learningRate`.
 *
 * @module
 */
export { adam, AdamConfig, type AdamState } from './adam.js'
export { sgd, SgdConfig, type SgdState, type SgdOptions } from './sgd.js'
export { applyUpdates, LearningRate, type Optimizer, type Schedule, type StateOf } from './base.js'
export { chain, clipByGlobalNorm, clipByValue, globalNorm, type ChainParams, type ChainState, type EmptyState } from './clip.js'
export * as schedules from './schedules.js'
