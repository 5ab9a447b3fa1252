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
  | 'PendingRead'

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
  /** `options.cause`: the error this one reports (a user function's own error, wrapped with its context). */
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options)
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
  /**
   * `kernel`: the tfjs kernel (`'Add'`) or the tensor method (`'x.add'`) that met the batched
   * value; `message` replaces the default message.
   */
  constructor(
    readonly kernel: string,
    message = `vmap: the tfjs kernel '${kernel}' received a batched value (a vmap tracer). Inside vmap, ` +
      `write tensor code with imle's \`ops\` (ops.add instead of tf.add or x.add) and wrap opaque ` +
      `code, such as a black-box solver or anything that reads tensor data, in ` +
      `\`callback(fn, { vmapMethod: 'sequential' | 'vectorized' })\`.`,
  ) {
    super(message)
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

/**
 * A value as an error message shows it: numbers and strings as written (`42`, `"0"`), tensors
 * by dtype and shape, arrays and plain objects as short JSON after their kind (`an object {}`),
 * other objects by their class (`a Map`), functions as `a function`.
 */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (v === null) return 'null'
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v)
    case 'string':
      return JSON.stringify(v)
    case 'symbol':
      return v.toString()
    case 'function':
      return 'a function'
  }
  const o = v as { shape?: unknown; dtype?: unknown }
  if (Array.isArray(o.shape) && typeof o.dtype === 'string') return `a ${o.dtype} tensor of shape [${o.shape.join(', ')}]`
  const proto = Object.getPrototypeOf(v)
  if (Array.isArray(v) || proto === Object.prototype || proto === null) {
    let json: string
    try {
      json = JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && 'dtype' in x && 'shape' in x ? `<tensor [${String((x as { shape: unknown }).shape)}]>` : x)) ?? String(v)
    } catch {
      json = '(a cyclic structure)'
    }
    if (json.length > 80) json = `${json.slice(0, 77)}...`
    return `${Array.isArray(v) ? 'an array' : 'an object'} ${json}`
  }
  const name = (proto as { constructor?: { name?: string } } | undefined)?.constructor?.name
  return name ? `a ${name}` : 'an object'
}

/**
 * What a user function threw, for the message of the typed error that reports it with its
 * context (the `cause` keeps the original): `TypeError: bad host`.
 */
export const describeThrown = (e: unknown): string =>
  e instanceof Error ? `${e.name || 'Error'}: ${e.message}` : `a thrown ${describe(e)}`
