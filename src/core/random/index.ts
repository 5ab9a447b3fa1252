/**
 * PRNG keys as data, as in JAX. A key is an `int32` tensor of shape `[2]` holding the two
 * 32-bit words (bit patterns, so half of the keys print as negative numbers) of a key of the
 * counter-based generator Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011; the generator of `jax.random`). Nothing is stateful:
 * a key is split into fresh keys, and the same key always gives the same values.
 *
 * Keys are ordinary tensors, so they can be batched: every function here works under `vmap`
 * with the key batched (`vmap((k) => random.uniform(k, [3]))(random.split(key, 5))` is
 * `[5, 3]`, row `i` equal to `random.uniform(split(key, 5)[i], [3])`), nested `vmap` included.
 * Each is a primitive whose implementation takes keys of shape `[...lead, 2]` and returns
 * `[...lead, ...shape]`; its batch rule moves the key's batch axis to the front and calls the
 * same primitive again (which batches the lower `vmap` levels in turn).
 *
 * All generation runs in JavaScript over TypedArrays, so the same key gives bit-identical
 * values on every tfjs backend. The low-level `fill*` functions are exported for modules that
 * sample in hot loops; `keyedOp` turns such a fill function into a vmappable op. The module is
 * split by job: `threefry.ts` (the cipher), `fill.ts` (the TypedArray samplers), `keyed.ts`
 * (keyed ops on host kernels) and this file (the API).
 *
 * Compatibility with JAX: `key`, `split`, `foldIn` and `threefry2x32` give JAX's bits (JAX's
 * default `jax_threefry_partitionable` scheme: `split(key, n)[i]` and `foldIn(key, i)` are both
 * the Threefry block of counter `(0, i)`). The samplers do not reproduce JAX's values: they use
 * both 32-bit words of each block (JAX xors them), which halves the cost.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { random } from 'imle'
 * const key = random.key(0)                      // int32 [2]
 * const [k1, k2] = tf.unstack(random.split(key)) // int32 [2] each
 * const u = random.uniform(k1!, [3])             // float32 [3] in [0, 1)
 * const z = random.normal(k2!, [2, 2])           // float32 [2, 2]
 * ```
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { show } from '../config.js'
import { ArgumentError, beforeInit } from '../errors.js'
import { fillGamma, fillGumbel, fillNormal, fillUniform } from './fill.js'
import { checkShape, keyedOp, MAX_ELEMENTS, type Key } from './keyed.js'
import { threefry2x32 } from './threefry.js'

export { threefry2x32 } from './threefry.js'
export { fillUniform, fillUniformOpen, fillNormal, fillGumbel, fillGamma, gumbelOfWord, type FloatArray } from './fill.js'
export { keyedOp, type Key, type KeyedDtype, type KeyedBuffer, type KeyedOp, type KeyedOpSpec } from './keyed.js'


/** A safe integer as the two uint32 words (high, low) of its 64-bit two's complement. */
function words64(fn: string, arg: string, x: unknown): [number, number] {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
    throw new ArgumentError(
      `${fn}(${arg}): ${arg} must be an integer in [-(2^53 - 1), 2^53 - 1] but got ${typeof x === 'number' ? x : `${typeof x} ${show(x)}`}`,
    )
  }
  return [Math.floor(x / 2 ** 32) >>> 0, x >>> 0]
}

/**
 * A key from an integer seed: the words `[high, low]` of the seed's 64-bit two's complement,
 * as JAX's `jax.random.key` (`key(42)` is `[0, 42]`).
 *
 * Shapes: `seed -> int32 [2]`.
 *
 * @example
 * ```ts
 * const k = random.key(42)   // int32 [2]: [0, 42]
 * ```
 */
export function key(seed: number): Key {
  const [hi, lo] = words64('random.key', 'seed', seed)
  try {
    return tf.tensor1d(Int32Array.of(hi | 0, lo | 0), 'int32') // [2]
  } catch (e) {
    throw beforeInit('random.key', e)
  }
}

const splitOp = keyedOp<number, 'int32'>({
  name: 'random.split',
  dtype: 'int32',
  shape: (n) => [n, 2],
  fill: (k0, k1, out, n) => {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length)
    for (let i = 0; i < n; i++) threefry2x32(k0, k1, 0, i, bits, 2 * i)
  },
})

/**
 * Splits a key into `n` new keys: key `i` is the Threefry block of counter `(0, i)` (JAX's
 * `jax.random.split`). Use each new key once, and the old key no more.
 *
 * Shapes: `(int32 [2], n) -> int32 [n, 2]`.
 *
 * @example
 * ```ts
 * const [k1, k2, k3] = tf.unstack(random.split(random.key(0), 3))   // int32 [2] each
 * vmap((k: random.Key) => random.uniform(k, [4]))(random.split(random.key(0), 8)) // float32 [8, 4]
 * ```
 */
export function split(key: Key, n = 2): tf.Tensor {
  if (!Number.isInteger(n) || n < 0 || 2 * n > MAX_ELEMENTS) {
    throw new ArgumentError(`random.split(n): n must be an integer in [0, ${Math.floor(MAX_ELEMENTS / 2)}] (n keys of 2 words each) but got ${n}`)
  }
  return splitOp(key, n)
}

const foldInOp = keyedOp<readonly [number, number], 'int32'>({
  name: 'random.foldIn',
  dtype: 'int32',
  shape: () => [2],
  fill: (k0, k1, out, [hi, lo]) => threefry2x32(k0, k1, hi, lo, new Uint32Array(out.buffer, out.byteOffset, 2), 0),
})

/**
 * A new key from a key and an integer, such as a step or an example index: the Threefry block
 * of the counter `[high, low]` of `data`'s 64-bit two's complement (JAX's
 * `jax.random.fold_in`). `foldIn(key, i)` equals `split(key, n)[i]` for `0 <= i < n`.
 *
 * Shapes: `(int32 [2], data) -> int32 [2]`.
 *
 * @example
 * ```ts
 * const stepKey = random.foldIn(random.key(0), 17)   // int32 [2]
 * ```
 */
export function foldIn(key: Key, data: number): Key {
  return foldInOp(key, words64('random.foldIn', 'data', data))
}

interface UniformParams {
  readonly shape: readonly number[]
  readonly lo: number
  readonly hi: number
}

const uniformOp = keyedOp<UniformParams, 'float32'>({
  name: 'random.uniform',
  dtype: 'float32',
  shape: (p) => p.shape,
  fill: (k0, k1, out, { lo, hi }) => {
    fillUniform(k0, k1, out)
    if (lo === 0 && hi === 1) return
    // x = lo + u (hi - lo) in float64, rounded to float32; rounding can reach `hi` (for example
    // lo = 100, hi = 101), so such values become the largest float32 below `hi`.
    const below = nextDown32(hi)
    const width = hi - lo
    for (let i = 0; i < out.length; i++) {
      const x = Math.fround(lo + out[i]! * width)
      out[i] = x >= hi ? below : x < lo ? lo : x
    }
  },
})

const F32 = new Float32Array(1)
const I32 = new Int32Array(F32.buffer)

/** The largest float32 below the finite float32 `x`. */
function nextDown32(x: number): number {
  if (x === 0) return -(2 ** -149)
  F32[0] = x
  I32[0]! += x > 0 ? -1 : 1
  return F32[0]!
}

/**
 * Uniform draws in `[minval, maxval)` as float32: `minval + u (maxval - minval)` with `u` from
 * `fillUniform` (23 random bits), rounded to float32. Bounds are taken as float32 values
 * (`Math.fround`), and a value that rounds up to `maxval` is replaced by the largest float32
 * below it, so `maxval` itself never occurs.
 *
 * Shapes: `(int32 [2], shape) -> float32 [...shape]`.
 *
 * @example
 * ```ts
 * const u = random.uniform(random.key(0), [2, 3])           // float32 [2, 3] in [0, 1)
 * const v = random.uniform(random.key(1), [5], -1, 1)       // float32 [5] in [-1, 1)
 * ```
 */
export function uniform(key: Key, shape: readonly number[], minval = 0, maxval = 1): tf.Tensor {
  checkShape('random.uniform', shape)
  const lo = Math.fround(minval)
  const hi = Math.fround(maxval)
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new ArgumentError(
      `random.uniform(minval, maxval): need finite float32 bounds with minval < maxval but got minval ${minval}, maxval ${maxval}`,
    )
  }
  return uniformOp(key, { shape: [...shape], lo, hi })
}

const fillOp = (name: string, fill: (k0: number, k1: number, out: Float32Array) => void) =>
  keyedOp<readonly number[], 'float32'>({ name, dtype: 'float32', shape: (s) => s, fill: (k0, k1, out) => fill(k0, k1, out) })

const normalOp = fillOp('random.normal', fillNormal)

/**
 * Standard normal draws as float32, by the Box-Muller transform (see `fillNormal`).
 *
 * Shapes: `(int32 [2], shape) -> float32 [...shape]`.
 *
 * @example
 * ```ts
 * const z = random.normal(random.key(0), [1000])   // float32 [1000], mean ~ 0, variance ~ 1
 * ```
 */
export function normal(key: Key, shape: readonly number[]): tf.Tensor {
  checkShape('random.normal', shape)
  return normalOp(key, [...shape])
}

const gumbelOp = fillOp('random.gumbel', fillGumbel)

/**
 * Standard Gumbel draws `-log(-log(u))` as float32, `u` strictly inside `(0, 1)` (see
 * `fillGumbel`): always finite.
 *
 * Shapes: `(int32 [2], shape) -> float32 [...shape]`.
 *
 * @example
 * ```ts
 * const g = random.gumbel(random.key(0), [10])   // float32 [10]; perturb-and-MAP: argmax(theta + g)
 * ```
 */
export function gumbel(key: Key, shape: readonly number[]): tf.Tensor {
  checkShape('random.gumbel', shape)
  return gumbelOp(key, [...shape])
}

const gammaOp = keyedOp<{ readonly shape: readonly number[]; readonly alpha: number }, 'float32'>({
  name: 'random.gamma',
  dtype: 'float32',
  shape: (p) => p.shape,
  fill: (k0, k1, out, { alpha }) => fillGamma(k0, k1, alpha, out),
})

/**
 * Gamma(`alpha`, 1) draws as float32 (shape `alpha`, scale 1: mean and variance `alpha`), by
 * Marsaglia-Tsang with the `alpha < 1` boost (see `fillGamma`). Scale by `theta` for
 * Gamma(`alpha`, `theta`).
 *
 * Shapes: `(int32 [2], shape, alpha) -> float32 [...shape]`.
 *
 * @example
 * ```ts
 * const g = random.gamma(random.key(0), [1000], 2.5)   // float32 [1000], mean ~ 2.5
 * ```
 */
export function gamma(key: Key, shape: readonly number[], alpha: number): tf.Tensor {
  checkShape('random.gamma', shape)
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || !(alpha > 0)) {
    throw new ArgumentError(`random.gamma(alpha): alpha must be a finite number > 0 but got ${String(alpha)}`)
  }
  return gammaOp(key, { shape: [...shape], alpha })
}
