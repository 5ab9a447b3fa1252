/**
 * The target protocol of I-MLE: how the backward pass builds the target parameters `theta'`
 * from `theta` and the gradient of the loss with respect to the solver's output, how it
 * rescales the result, and, for a target that adapts, its explicit state. Open: any record of
 * this shape is accepted.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'

/**
 * How a target adapts, with its state explicit (the layer holds it: `layer.state()`):
 * `observe` turns the per-sample gradient differences of one instance (`[S, ...s]`) into
 * per-example statistics with `ops`; `update` returns the next state from the statistics of
 * the whole batch (host values, canonical form `[B_1, ..., B_n, ...o]`).
 */
export interface TargetAdaptation<State> {
  readonly initial: State
  readonly observe: (diffs: tf.Tensor) => tf.Tensor
  readonly update: (state: State, stats: Float32Array, shape: readonly number[]) => State
  /** Checks a state given to `layer.setState` (`fn` names the call), throwing a `ConfigError`; optional. */
  readonly decode?: (fn: string, state: unknown) => State
}

/**
 * A target distribution: a typed record of pure functions with no hidden state (a target that
 * adapts declares its state type and `adapt`). `params(theta, dy, state)` returns `theta'`
 * (shapes: `([...s], [S, ...s]) -> [S, ...s]`); the gradient is `process` of the per-sample
 * differences, or their product with `gradientScale`.
 *
 * @example
 * ```ts
 * import { target } from 'imle'
 * const tgt: target.Target = target.standard({ beta: 10 })
 * ```
 */
export interface Target<Name extends string = string, Config = unknown, State = undefined> {
  readonly _tag: Name
  readonly config: Config
  /** `theta'` from `theta [...s]` and the per-sample cotangents `dy [S, ...s]`: `[S, ...s]`. */
  readonly params: (theta: tf.Tensor, dy: tf.Tensor, state?: State) => tf.Tensor
  /** The constant factor of the gradient (when there is no `process`). */
  readonly gradientScale: number
  /** Rescales the per-sample gradient differences `[S, ...s]` (default: times `gradientScale`). */
  readonly process?: (theta: tf.Tensor, dy: tf.Tensor, diffs: tf.Tensor, state: State) => tf.Tensor
  /** Present when the target adapts (AIMLE): its state and update. */
  readonly adapt?: TargetAdaptation<State>
}

