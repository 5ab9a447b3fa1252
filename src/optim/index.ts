/**
 * Optimisers as records of pure functions over pytrees (optax's shape): `init(params)` gives
 * the state, `update(grads, state)` gives the updates and the next state.
 *
 * @module
 */
export { adam, applyUpdates, AdamConfig, type AdamState, type Optimizer } from './adam.js'
