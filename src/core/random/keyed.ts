/**
 * Keyed ops: samplers as tensor ops of a PRNG key, vmappable over keys, built on host kernels.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { show } from '../config.js'
import { ArgumentError } from '../errors.js'
import { defineKernel } from '../kernel.js'

/**
 * A PRNG key: an `int32` tensor of shape `[2]` (or, inside `vmap`, a batched value whose
 * per-example shape is `[2]`). Make one with `key`, derive more with `split` and `foldIn`.
 */
export type Key = tf.Tensor

/** The output dtypes of a keyed op. */
export type KeyedDtype = 'float32' | 'int32'

/** The buffer a keyed op's `fill` receives for its dtype. */
export type KeyedBuffer<D extends KeyedDtype> = D extends 'int32' ? Int32Array : Float32Array

/** What `keyedOp` needs: a name for errors, the output dtype and per-key shape, a fill loop. */
export interface KeyedOpSpec<P, D extends KeyedDtype> {
  /** The public name, used in error messages (`'random.uniform'`). */
  readonly name: string
  readonly dtype: D
  /** The output shape for one key. */
  readonly shape: (params: P) => readonly number[]
  /**
   * Fills `out` (length: the product of `shape(params)`) from one key's words `k0`, `k1`
   * (uint32 numbers). Must be a pure function of its arguments.
   */
  readonly fill: (k0: number, k1: number, out: KeyedBuffer<D>, params: P) => void
  /**
   * Tensor implementations by tfjs backend name, used instead of `fill` while that backend is
   * active (a WGSL program on `'webgpu'`, see `random/webgpu/`): `(keys: int32 [N, 2], params)
   * -> [N, ...shape(params)]`, every key of every `vmap` level in one call. They must draw
   * `fill`'s values from the same words (bit for bit where the arithmetic allows).
   */
  readonly backends?: Readonly<Record<string, (keys: tf.Tensor, params: P) => tf.Tensor>>
}

/** A keyed op: `(key: int32 [2], params) -> [...shape(params)]`, vmappable over `key`. */
export type KeyedOp<P> = (key: Key, params: P) => tf.Tensor

const describe = (x: unknown): string =>
  x instanceof tf.Tensor ? `a tensor of dtype ${x.dtype} and shape [${x.shape.join(', ')}]` : `${typeof x} ${String(x)}`

/**
 * Throws unless `key` is an int32 tensor (or batched value) of per-example shape `[2]`; `fn`
 * names the caller and argument (`random.uniform(key)`).
 */
export function checkKey(fn: string, key: unknown): asserts key is tf.Tensor {
  if (!(key instanceof tf.Tensor) || key.dtype !== 'int32' || key.rank !== 1 || key.shape[0] !== 2) {
    throw new ArgumentError(
      `${fn}: key must be a PRNG key, an int32 tensor of shape [2] (from random.key, random.split or ` +
        `random.foldIn; index a split result, or vmap over one row per instance) but got ${describe(key)}`,
    )
  }
}

/** The most elements one sampler call may draw per key: `2^31 - 1` (tfjs's sizes are int32). */
export const MAX_ELEMENTS = 2 ** 31 - 1

/** Throws unless `shape` is an array of non-negative integers of at most `MAX_ELEMENTS` elements. */
export function checkShape(fn: string, shape: unknown): asserts shape is readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ArgumentError(
      `${fn}(shape): shape must be an array of non-negative integers but got ${Array.isArray(shape) ? `[${shape.join(', ')}]` : String(shape)}`,
    )
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1)
  if (size > MAX_ELEMENTS) {
    throw new ArgumentError(
      `${fn}(shape): shape [${shape.join(', ')}] has ${size} elements, too large: at most ${MAX_ELEMENTS} (2^31 - 1) per key; draw in smaller pieces`,
    )
  }
}

/**
 * Turns a per-key fill loop into a tensor op of one key that works under `vmap` (keys batched
 * at any number of levels): a host kernel (see `defineKernel`) whose one operand is the key
 * (instance rank 1) and whose output has the shape `shape(params)` per key. Every key of every
 * `vmap` level is filled in one call, on its slice of one output buffer. With `backends`, the
 * active backend's implementation runs instead (one call too), and its temporaries are tidied.
 *
 * Shapes: `(key: int32 [2], params) -> [...shape(params)]`; under `vmap` over keys `[B, 2]`:
 * `[B, ...shape(params)]`.
 *
 * @example
 * ```ts
 * // Exponential(1) draws as an op of a key.
 * const exponential = random.keyedOp<readonly number[], 'float32'>({
 *   name: 'exponential',
 *   dtype: 'float32',
 *   shape: (shape) => shape,
 *   fill: (k0, k1, out) => {
 *     random.fillUniformOpen(k0, k1, out)
 *     for (let i = 0; i < out.length; i++) out[i] = -Math.log(out[i]!)
 *   },
 * })
 * exponential(random.key(0), [3])   // float32 [3]
 * ```
 */
export function keyedOp<P, D extends KeyedDtype>(spec: KeyedOpSpec<P, D>): KeyedOp<P> {
  checkSpec(spec)
  const { name, dtype, shape, fill, backends } = spec
  const kernel = defineKernel<P>({
    ...(backends === undefined
      ? {}
      : { backends: Object.fromEntries(Object.entries(backends).map(([b, impl]) => [b, (inputs: readonly tf.Tensor[], params: P) => [impl(inputs[0]!, params)]])) }),
    name,
    operands: [{ name: 'key', rank: 1, dtype: 'int32' }],
    outputs: (_shapes, params) => [{ shape: shape(params), dtype }],
    host: ({ inputs: [words], count, params, outputs: [out] }) => {
      const size = out!.length / Math.max(count, 1)
      for (let i = 0; i < count; i++) {
        fill(words![2 * i]! >>> 0, words![2 * i + 1]! >>> 0, out!.subarray(i * size, (i + 1) * size) as KeyedBuffer<D>, params)
      }
    },
  })
  return (key, params) => {
    checkKey(`${name}(key)`, key)
    // A backend implementation's folded keys and its output before the final reshape are
    // tensors of their own that the kernel does not dispose.
    if (backends?.[tf.getBackend()] !== undefined) return tf.tidy(() => kernel([key], params)[0]!) // [...shape]
    return kernel([key], params)[0]! // [...shape]
  }
}

/** Throws an `ArgumentError` naming the bad field unless `spec` is a `KeyedOpSpec`. */
function checkSpec(spec: unknown): void {
  const fn = 'random.keyedOp'
  if (typeof spec !== 'object' || spec === null) throw new ArgumentError(`${fn}(spec): spec must be an object { name, dtype, shape, fill } but got ${show(spec)}`)
  const { name, dtype, shape, fill } = spec as Record<string, unknown>
  if (typeof name !== 'string' || name === '') throw new ArgumentError(`${fn}(spec.name): name must be a non-empty string but got ${show(name)}`)
  if (dtype !== 'float32' && dtype !== 'int32') throw new ArgumentError(`${fn}(spec.dtype): dtype must be 'float32' or 'int32' but got ${show(dtype)}`)
  if (typeof shape !== 'function') throw new ArgumentError(`${fn}(spec.shape): shape must be a function params -> number[] but got ${typeof shape}`)
  if (typeof fill !== 'function') throw new ArgumentError(`${fn}(spec.fill): fill must be a function (k0, k1, out, params) => void but got ${typeof fill}`)
  const { backends } = spec as Record<string, unknown>
  if (backends !== undefined) {
    if (typeof backends !== 'object' || backends === null) {
      throw new ArgumentError(`${fn}(spec.backends): backends must be an object of tensor implementations by backend name ({ webgpu: (keys, params) => tensor }) but got ${show(backends)}`)
    }
    for (const [b, impl] of Object.entries(backends)) {
      if (typeof impl !== 'function') throw new ArgumentError(`${fn}(spec.backends.${b}): must be a function (keys, params) => tensor but got ${show(impl)}`)
    }
  }
}
