/**
 * The layer protocol of `nn`: a layer is a record of pure functions (stax's `(init, apply)`
 * pair, with a `_tag`), never an object holding weights. Parameters and state are pytrees of
 * float32 tensors that the caller owns and passes in; randomness comes in as an explicit key.
 *
 * Shapes. `init(key, inShape)` takes the shape of ONE example (`[H, W, C]` for an image, `[n]`
 * for a vector); `apply` takes a batch with ONE leading batch axis, `[B, ...inShape]`. This is
 * stax's convention, chosen over Equinox's per-example one because batch normalisation needs
 * the batch: its training statistics are a reduction over the batch axis, which a per-example
 * function cannot see (JAX solves that with named-axis collectives, which `vmap` here does not
 * have). Every layer is written with `ops`, so `vmap` works through all of them over any further
 * axis: `vmap(apply)` over a stack of batches `[V, B, ...]` equals the loop over `V` (model
 * ensembles, independent batches), and per-example gradients are `vmap(grad(...))` over batches
 * of one (`ops.expandDims(x, 0)`). Every layer but `batchNorm` in training mode treats the rows
 * of a batch independently: `apply` on `[B, ...]` equals stacking `apply` on each `[1, ...]`.
 *
 * State and keys. `apply(params, x, { key, training, state })` returns the output only.
 * `applyWithState(params, state, x, { key, training })` returns `[y, newState]`: the one way
 * state comes out. State is explicit data built by `initState(params)` (`undefined` for a
 * stateless layer, `{ mean, variance }` for `batchNorm`, an array of the children's states for
 * `serial`/`parallel`). Layers that draw randomness (`dropout`) read `options.key` in training
 * mode; combinators derive one key per child with `random.foldIn(key, i)`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { show } from '../core/config.js'
import { ArgumentError, describe } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import * as ops from '../core/ops.js'
import type { Key } from '../core/random/index.js'

/** The shape of one example (no batch axis): `[n]`, `[H, W, C]`, ... */
export type Shape = readonly number[]

/** The shape that goes with a layer input or output: `Shape` for a tensor, one per tensor of an array. */
export type ShapeOf<X> = X extends tf.Tensor ? Shape : { readonly [K in keyof X]: ShapeOf<X[K]> }

/** Options of `apply`. */
export interface ApplyOptions<S = unknown> {
  /** A PRNG key (int32 `[2]`), needed in training mode by layers that draw randomness (`dropout`). */
  readonly key?: Key
  /** Training mode: `dropout` drops, `batchNorm` uses batch statistics. Default `false`. */
  readonly training?: boolean
  /** The layer's state, needed by `batchNorm` in evaluation mode (its running statistics). */
  readonly state?: S
}

/** Options of `applyWithState`: those of `apply`, the state being an argument of its own. */
export type StepOptions = Omit<ApplyOptions, 'state'>

/**
 * A layer: `init` makes parameters for an input shape, `apply` runs the layer on a batch.
 *
 * - `init(key, inShape) -> [params, outShape]`, shapes per example;
 * - `initState(params) -> state`, the initial state (`undefined` for a stateless layer);
 * - `apply(params, x, options?) -> y`, `x: [B, ...inShape] -> y: [B, ...outShape]`;
 * - `applyWithState(params, state, x, options?) -> [y, newState]`.
 *
 * Every function is pure: the record holds no tensor and no state. The caller owns what `init`,
 * `initState`, `apply` and `applyWithState` return (the new state is always made of new tensors,
 * so the old one can be disposed).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const layer: nn.Layer<nn.DenseParams> = nn.dense(3)
 * const [params, outShape] = layer.init(random.key(0), [4])   // outShape [3]
 * const y = layer.apply(params, tf.ones([8, 4]))              // [8, 3]
 * ```
 */
export interface Layer<P, S = undefined, X = tf.Tensor, Y = tf.Tensor> {
  readonly _tag: string
  readonly init: (key: Key, inShape: ShapeOf<X>) => readonly [P, ShapeOf<Y>]
  readonly initState: (params: P) => S
  readonly apply: (params: P, x: X, options?: ApplyOptions<S>) => Y
  readonly applyWithState: (params: P, state: S, x: X, options?: StepOptions) => readonly [Y, S]
}

/** Any layer, as the combinators take them. */
export type AnyLayer = Layer<any, any, any, any>

/** The options every layer reads, checked once. */
export interface Checked {
  readonly key: Key | undefined
  readonly training: boolean
}

/**
 * Checks the options of `fn` (`nn.dense.apply`): an object whose `key` is a PRNG key (int32
 * `[2]`) when given and whose `training` is a boolean when given. Under `vmap` a key's shape is
 * its per-example shape, so a batched key (one per example) passes too.
 */
export function checkApplyOptions(fn: string, options: unknown): Checked {
  if (options === undefined) return { key: undefined, training: false }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${fn}(options): expected an object { key?, training?, state? } but got ${show(options)}`)
  }
  const { key, training } = options as ApplyOptions
  if (training !== undefined && typeof training !== 'boolean') {
    throw new ArgumentError(`${fn}(options.training): expected a boolean but got ${describe(training)}`)
  }
  if (key !== undefined) {
    if (!(key instanceof tf.Tensor) || key.dtype !== 'int32' || key.rank !== 1 || key.shape[0] !== 2) {
      throw new ArgumentError(
        `${fn}(options.key): expected a PRNG key (an int32 tensor of shape [2], from random.key or random.split) but got ` +
          (key instanceof tf.Tensor ? `a ${key.dtype} tensor of shape ${fmtShape(key.shape)}` : describe(key)),
      )
    }
  }
  return { key, training: training ?? false }
}

/** Throws unless `inShape` is an array of positive integers, of rank `rank` when given (`what` describes it). */
export function checkInShape(fn: string, inShape: unknown, rank?: number, what?: string): Shape {
  const ok = Array.isArray(inShape) && inShape.every((d) => Number.isInteger(d) && d >= 1)
  if (!ok || (rank !== undefined && inShape.length !== rank)) {
    const expected = what ?? (rank === undefined ? 'a shape (an array of positive integers)' : `a shape of rank ${rank}`)
    throw new ArgumentError(`${fn}(inShape): expected ${expected}, the shape of one example (no batch axis), but got ${show(inShape)}`)
  }
  return inShape as Shape
}

/** Throws unless `x` is a tensor (`fn(x)`), and returns it. */
export function checkTensor(fn: string, x: unknown): tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`${fn}(x): expected a tensor but got ${describe(x)}`)
  return x
}

/** Throws an `ArgumentError` for an input of the wrong shape: `fn(x): x must have shape ... but got ...`. */
export function badInput(fn: string, expected: string, x: tf.Tensor): never {
  throw new ArgumentError(`${fn}(x): x must have shape ${expected} but got ${fmtShape(x.shape)}`)
}

/** `f()` with its temporaries disposed: only what it returns survives (`tf.tidy` over any result). */
export const tidy = <R>(f: () => R): R => tf.tidy(() => f() as unknown as tf.TensorContainer) as unknown as R

/** A new tensor with the value of `x` (so that callers own every tensor a layer returns). `[...s] -> [...s]` */
export const copy = (x: tf.Tensor): tf.Tensor => ops.reshape(x, [...x.shape])

/**
 * A stateless layer from its `init` and its forward function `run` (both called inside
 * `tf.tidy`, `run` with checked options); `initState` gives `undefined` and `applyWithState` passes it through.
 */
export function stateless<P, X = tf.Tensor, Y = tf.Tensor>(
  tag: string,
  init: (key: Key, inShape: ShapeOf<X>) => readonly [P, ShapeOf<Y>],
  run: (params: P, x: X, options: Checked) => Y,
): Layer<P, undefined, X, Y> {
  const fn = `nn.${tag}.apply`
  const apply = (params: P, x: X, options?: ApplyOptions<undefined>): Y => {
    const o = checkApplyOptions(fn, options)
    return tidy(() => run(params, x, o))
  }
  return {
    _tag: tag,
    init: (key, inShape) => tidy(() => init(key, inShape)),
    initState: () => undefined,
    apply,
    applyWithState: (params, _state, x, options) => [apply(params, x, options), undefined],
  }
}
