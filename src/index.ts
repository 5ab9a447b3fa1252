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
export { valueAndGradAsync, gradAsync, callAsync, type AsyncOptions, type AsyncStats } from './transforms/async.js'
export { readMode, PendingRead } from './core/reads.js'
export { callback, type CallbackOptions, type VmapMethod } from './transforms/callback.js'
export { customVjp, type Cotangents } from './transforms/custom_vjp.js'
export * as random from './core/random/index.js'
export type { Key } from './core/random/index.js'
export * as optim from './optim/index.js'
export * as solvers from './solvers/index.js'
export * as noise from './distributions/noise/index.js'
export * as target from './distributions/target/index.js'
export * as estimators from './transforms/estimators/index.js'
export * as relax from './relax/index.js'
export * as losses from './losses/index.js'
export * as nn from './nn/index.js'
export { imle, ImleConfig, type ImleOptions } from './transforms/estimators/imle.js'
export { ste } from './transforms/estimators/ste.js'
export { aimle } from './transforms/estimators/aimle.js'
export { blackbox } from './transforms/estimators/blackbox.js'
export { perturbed } from './transforms/estimators/perturbed.js'
export {
  scoreFunction,
  kSubsetScoreFunction,
  ScoreFunctionConfig,
  type ScoreFunctionOptions,
  type ScoreFunctionLayer,
  type ScoreFunctionSampler,
  type ScoreFunctionLogProb,
} from './transforms/estimators/score_function.js'
export * as kSubset from './transforms/k_subset.js'
export type { MapFn } from './transforms/estimators/estimator.js'
export { defineKernel, type Kernel, type KernelSpec, type KernelOperand, type KernelOutput, type HostCall, type HostArray, type KernelDtype } from './core/kernel.js'
