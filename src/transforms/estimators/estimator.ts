/**
 * The estimator protocol (optax-style: a record of pure functions with a name). An estimator
 * does not own a forward pass or a `customVjp`: the shared perturb-and-MAP path
 * (`perturb_and_map.ts`) draws the noise once, solves all samples in one batched call, keeps
 * the residuals, and asks the estimator only for its rules: the gradient with respect to
 * `theta` from those residuals and the cotangent, and optionally how the layer presents the
 * `S` MAP states.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import type { Noise } from '../../distributions/noise/noise.js'

/** A MAP solver on one instance: `theta -> argmax_z <theta, z>` (a solver record or any function). */
export type MapFn = (theta: tf.Tensor) => tf.Tensor

/**
 * What the backward rule of an estimator receives, `s` the instance shape and `S` the number of
 * samples. Under `vmap` these are batched values; rules written with `ops` batch op by op.
 */
export interface BackwardContext<State = undefined> {
  /** The parameters of the forward pass: `[...s]` (negated under `sense: 'min'`). */
  readonly theta: tf.Tensor
  /** The noise drawn in the forward pass (before any temperature): `[S * M, ...s]`. */
  readonly eps: tf.Tensor
  /** The MAP states of the forward pass, `map(perturb(theta, tau eps))`: `[S * M, ...s]`. */
  readonly z: tf.Tensor
  /** The cotangent of `z`, `dL/dz`: `[S * M, ...s]`. */
  readonly dz: tf.Tensor
  /** The noise law `eps` was drawn from (with its density, if it has one). */
  readonly noise: Noise
  /** Solves instances in one batched solver call: `[N, ...s] -> [N, ...s]`. */
  readonly solve: (theta: tf.Tensor) => tf.Tensor
  /**
   * Solves new parameters under the saved noise, in one batched call:
   * `perturbed(theta', tau') = map(perturb(theta', tau' eps))`, `theta'` of shape `[...s]` or
   * `[S * M, ...s]`, the result `[S * M, ...s]`.
   */
  readonly perturbed: (thetaPrime: tf.Tensor, temperature: number) => tf.Tensor
  /** Each sample's mean over its `M` marginal rows: `[S * M, ...s] -> [S, ...s]` (identity for `M = 1`). */
  readonly marginal: (x: tf.Tensor) => tf.Tensor
  /** `S`. */
  readonly nbSamples: number
  /** `M`. */
  readonly nbMarginalSamples: number
  /** The temperature `tau` the forward pass scaled `eps` by. */
  readonly inputNoiseTemperature: number
  /** The estimator's state before this backward pass (`undefined` if it does not adapt). */
  readonly state: State
}

/**
 * How an estimator adapts, with its state explicit: the backward rule returns, besides the
 * gradient, per-example statistics computed with `ops` (under `vmap`, batched like everything
 * else); the shared path reads them for the whole batch, in canonical form
 * `[B_1, ..., B_n, ...o]`, and `update` returns the next state from them. The state is plain
 * data (numbers, no tensors), passed to the next backward pass as `ctx.state`, readable and
 * replaceable through the layer (`layer.state()`, `layer.setState(s)`).
 */
export interface Adaptation<State> {
  readonly initial: State
  readonly update: (state: State, stats: Float32Array, shape: readonly number[]) => State
  /**
   * Checks a state given to `layer.setState` (`fn` names the call, `aimle.setState`), returning
   * it decoded or throwing a `ConfigError` that names the bad field; absent: states are taken as given.
   */
  readonly decode?: (fn: string, state: unknown) => State
}

/** What a backward rule returns: the gradient, or the gradient and per-example statistics. */
export type BackwardResult = tf.Tensor | { readonly grad: tf.Tensor; readonly stats: tf.Tensor }

/**
 * An estimator: the rules that turn a perturb-and-MAP forward pass into a gradient.
 *
 * - `backward(ctx)`: `dL/dtheta`, shape `[...s]` (an adapting estimator returns
 *   `{ grad, stats }`, see `Adaptation`);
 * - `output(z, R)` (optional): the layer's output from the `R = S * M` MAP states
 *   `z [R, ...s]`, written with `ops` (gradients flow through it to `dz`); default `z`, or
 *   `z[0]` when `R = 1`;
 * - `perturb(theta, tau eps)` (optional): the perturbation, default additive;
 * - `adapt` (optional): an explicit state and its update from each backward pass.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { estimators, ops } from 'imle'
 * // Straight-through: the gradient is the mean cotangent over samples.
 * const ste: estimators.Estimator = {
 *   _tag: 'ste',
 *   config: {},
 *   backward: ({ dz }) => ops.mean(dz, 0),   // [S, ...s] -> [...s]
 * }
 * ```
 */
export interface Estimator<Name extends string = string, Config = unknown, State = undefined> {
  readonly _tag: Name
  readonly config: Config
  readonly backward: (ctx: BackwardContext<State>) => BackwardResult
  readonly output?: (z: tf.Tensor, nbSamples: number) => tf.Tensor
  /** How noise perturbs the parameters: `(theta, tau eps) -> theta'`; default `theta + tau eps`. */
  readonly perturb?: (theta: tf.Tensor, scaledNoise: tf.Tensor) => tf.Tensor
  /** Present when the estimator adapts (AIMLE's lambda): its state and update. */
  readonly adapt?: Adaptation<State>
}
