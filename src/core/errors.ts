/**
 * Typed errors. Every error that `imle` throws for a programmer mistake is an `ImleError` with a
 * `_tag` naming its kind, so that callers can branch on `err._tag` and tests can assert on it.
 * Messages name the function, the argument, the value received and what was expected.
 *
 * Failures a caller is expected to handle (decoding a config, loading a backend) are returned
 * as `Either`/`TaskEither` values carrying these same classes.
 *
 * @module
 */

/** The tags of every error `imle` throws. */
export type ImleErrorTag =
  | 'TreeMismatchError'
  | 'VmapError'
  | 'RawTfOpError'
  | 'BackendError'
  | 'ConfigError'
  | 'ArgumentError'
  | 'GradError'

/**
 * Base class of every error thrown by `imle`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { ImleError, ops, vmap } from 'imle'
 * try {
 *   vmap(ops.add)(tf.ones([3, 2]), tf.ones([4, 2]))
 * } catch (e) {
 *   if (e instanceof ImleError && e._tag === 'VmapError') console.error(e.message)   // batch sizes disagree
 *   else throw e
 * }
 * ```
 */
export abstract class ImleError extends Error {
  abstract readonly _tag: ImleErrorTag
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/**
 * Two pytrees that should share a structure do not; the message names the key path.
 *
 * @example
 * ```ts
 * tree.map((a, b) => ops.add(a, b), { w: x }, { v: x })   // TreeMismatchError: ... at <root> ...
 * ```
 */
export class TreeMismatchError extends ImleError {
  readonly _tag = 'TreeMismatchError' as const
}

/**
 * A `vmap` misuse: `inAxes`/`outAxes` that do not match the arguments, batch sizes that
 * disagree, an axis out of range, a missing batch rule, a tracer used outside its `vmap`.
 *
 * @example
 * ```ts
 * vmap(ops.add)(tf.ones([3, 2]), tf.ones([4, 2]))   // VmapError: vmap: batch sizes disagree ...
 * ```
 */
export class VmapError extends ImleError {
  readonly _tag = 'VmapError' as const
}

/**
 * A raw `tf.*` kernel met a batched value inside `vmap`: use `ops` or `callback` instead.
 *
 * @example
 * ```ts
 * vmap((x: tf.Tensor) => tf.exp(x))(xs)   // RawTfOpError: ... use ops.exp ... or callback
 * ```
 */
export class RawTfOpError extends ImleError {
  readonly _tag = 'RawTfOpError' as const
  constructor(readonly kernel: string) {
    super(
      `vmap: the tfjs kernel '${kernel}' received a batched value (a vmap tracer). Inside vmap, ` +
        `write tensor code with imle's \`ops\` (ops.add instead of tf.add or x.add) and wrap opaque ` +
        `code, such as a black-box solver or anything that reads tensor data, in ` +
        `\`callback(fn, { vmapMethod: 'sequential' | 'vectorized' })\`.`,
    )
  }
}

/**
 * A backend was asked for by name and could not be loaded, or the name is unknown.
 *
 * @example
 * ```ts
 * await init({ backend: 'webgpu' })   // in Node: BackendError (no silent switch)
 * ```
 */
export class BackendError extends ImleError {
  readonly _tag = 'BackendError' as const
}

/**
 * A configuration (noise, target, solver, imle options) failed its io-ts codec.
 *
 * @example
 * ```ts
 * noise.sumOfGamma({ k: -1 })   // ConfigError: noise.sumOfGamma(options.k): expected Positive but got -1
 * ```
 */
export class ConfigError extends ImleError {
  readonly _tag = 'ConfigError' as const
}

/**
 * An argument has the wrong value, shape, rank or dtype.
 *
 * @example
 * ```ts
 * solvers.topK(401)(tf.zeros([400]))   // ArgumentError: topK(k): k must be an integer in [1, 400] ...
 * ```
 */
export class ArgumentError extends ImleError {
  readonly _tag = 'ArgumentError' as const
}

/**
 * `grad`/`valueAndGrad` misuse: a non-scalar output, an `argnums` out of range, an int input.
 *
 * @example
 * ```ts
 * grad((x: tf.Tensor) => ops.mul(x, 2))(tf.ones([3]))   // GradError: ... must return a scalar tensor ...
 * ```
 */
export class GradError extends ImleError {
  readonly _tag = 'GradError' as const
}

/**
 * `e` itself, or, when it is tfjs's error for computing before any backend was set up, a
 * `BackendError` from `fn` that says to call `init()`.
 */
export function beforeInit(fn: string, e: unknown): unknown {
  return e instanceof Error && e.message === 'No backend found in registry.'
    ? new BackendError(`${fn}: no tfjs backend is ready; call \`await init()\` (from 'imle') before computing`)
    : e
}
