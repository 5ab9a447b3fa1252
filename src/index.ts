/**
 * `imle`: Implicit MLE over TensorFlow.js, with JAX-style `grad`, `valueAndGrad` and `vmap`
 * that compose over pytrees of tensors. This module is the public facade: re-exports only.
 *
 * @packageDocumentation
 */
export { init, loadBackend, fallbackOrder, type BackendName, type InitOptions } from './core/backend.js'
export {
  ImleError,
  TreeMismatchError,
  VmapError,
  RawTfOpError,
  BackendError,
  ConfigError,
  ArgumentError,
  GradError,
  type ImleErrorTag,
} from './core/errors.js'
export * as tree from './core/tree.js'
export * as ops from './core/ops.js'
export { vmap, type VmapOptions, type AxesTree, type AxisSpec } from './transforms/vmap.js'
export { grad, valueAndGrad, type GradOptions, type Grads } from './transforms/grad.js'
export { callback, type CallbackOptions, type VmapMethod } from './transforms/callback.js'
export { customVjp, type Cotangents } from './transforms/custom_vjp.js'
export * as random from './core/random/index.js'
export type { Key } from './core/random/index.js'
export * as optim from './core/optim.js'
export * as solvers from './solvers/index.js'
export * as noise from './distributions/noise.js'
export * as target from './distributions/target.js'
export { imle, ImleConfig, type ImleOptions, type MapFn } from './transforms/imle.js'
