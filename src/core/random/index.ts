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
 * Generation runs in JavaScript over TypedArrays, so the same key gives bit-identical values
 * on the cpu and wasm backends. On webgpu, `uniform`, `normal` and `gumbel` run as WGSL
 * programs of the keys (one dispatch under `vmap`): the same Threefry words, so uniforms in
 * `[0, 1)` are identical and the others agree to a few float32 ulps. The low-level `fill*`
 * functions are exported for modules that sample in hot loops; `keyedOp` turns such a fill
 * function into a vmappable op. The module is split by job: `threefry.ts` (the cipher),
 * `fill.ts` (the TypedArray samplers), `keyed.ts` (keyed ops on host kernels), `webgpu/` (the
 * WGSL samplers) and this file (the API).
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
import * as ops from '../ops.js'
import { defineKernel, type Kernel } from '../kernel.js'
import { fillBernoulli, fillCategorical, fillPermutation, fillRandint } from './discrete.js'
import { fillGamma, fillGumbel, fillNormal, fillUniform } from './fill.js'
import { checkKey, checkShape, keyedOp, MAX_ELEMENTS, type Key } from './keyed.js'
import { threefry2x32 } from './threefry.js'
import { gumbelWebGPU, normalWebGPU, uniformWebGPU } from './webgpu/index.js'

export { threefry2x32 } from './threefry.js'
export { fillUniform, fillUniformOpen, fillNormal, fillGumbel, fillGamma, gumbelOfWord, type FloatArray } from './fill.js'
export { fillRandint, fillPermutation, fillBernoulli, fillCategorical } from './discrete.js'
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
  backends: { webgpu: (keys, { shape, lo, hi }) => uniformWebGPU(keys, shape, lo, hi, nextDown32(hi)) },
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
 * below it, so `maxval` itself never occurs. On webgpu a WGSL program draws the same `u` (bit
 * for bit) and scales it in float32, which can differ from the float64 scaling by an ulp.
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

const fillOp = (
  name: string,
  fill: (k0: number, k1: number, out: Float32Array) => void,
  webgpu: (keys: tf.Tensor, shape: readonly number[]) => tf.Tensor,
) => keyedOp<readonly number[], 'float32'>({ name, dtype: 'float32', shape: (s) => s, fill: (k0, k1, out) => fill(k0, k1, out), backends: { webgpu } })

const normalOp = fillOp('random.normal', fillNormal, normalWebGPU)

/**
 * Standard normal draws as float32, by the Box-Muller transform (see `fillNormal`); on webgpu,
 * the same transform of the same words in a WGSL program, within a few float32 ulps.
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

const gumbelOp = fillOp('random.gumbel', fillGumbel, gumbelWebGPU)

/**
 * Standard Gumbel draws `-log(-log(u))` as float32, `u` strictly inside `(0, 1)` (see
 * `fillGumbel`): always finite. On webgpu, a WGSL program of the same `u`, within a few
 * float32 ulps.
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

const randintOp = keyedOp<{ readonly shape: readonly number[]; readonly low: number; readonly range: number }, 'int32'>({
  name: 'random.randint',
  dtype: 'int32',
  shape: (p) => p.shape,
  fill: (k0, k1, out, { low, range }) => fillRandint(k0, k1, low, range, out),
})

/**
 * Integers uniform in `[low, high)` as int32, without modulo bias: each element takes the first
 * word `w` of its own counter stream below `2^32 - (2^32 mod r)` (`r = high - low`, at least half
 * of all words) and returns `low + (w mod r)`, so each value has exactly the same number of
 * accepted preimages (see `fillRandint`).
 *
 * Shapes: `(int32 [2], shape, low, high) -> int32 [...shape]`.
 *
 * @example
 * ```ts
 * const dice = random.randint(random.key(0), [10], 1, 7)   // int32 [10] in [1, 6]
 * ```
 */
export function randint(key: Key, shape: readonly number[], low: number, high: number): tf.Tensor {
  checkShape('random.randint', shape)
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= -(2 ** 31) && x <= 2 ** 31
  if (!ok(low) || !ok(high) || !(low < high) || low === 2 ** 31 || high === -(2 ** 31)) {
    throw new ArgumentError(
      `random.randint(low, high): need integers with -2^31 <= low < high <= 2^31 (int32 results in [low, high)) but got low ${show(low)}, high ${show(high)}`,
    )
  }
  return randintOp(key, { shape: [...shape], low, range: high - low })
}

const permutationOp = keyedOp<number, 'int32'>({
  name: 'random.permutation',
  dtype: 'int32',
  shape: (n) => [n],
  fill: (k0, k1, out) => fillPermutation(k0, k1, out),
})

/**
 * A uniformly random permutation of `0, ..., n - 1` as int32: the Fisher-Yates shuffle with
 * each swap index drawn by rejection (no modulo bias; see `fillPermutation`). Gather with it
 * to shuffle: `ops.gather(x, random.permutation(key, n))`.
 *
 * Shapes: `(int32 [2], n) -> int32 [n]`.
 *
 * @example
 * ```ts
 * const order = random.permutation(random.key(0), 5)   // int32 [5], e.g. [3, 0, 4, 1, 2]
 * ```
 */
export function permutation(key: Key, n: number): tf.Tensor {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ELEMENTS) {
    throw new ArgumentError(`random.permutation(n): n must be an integer in [0, ${MAX_ELEMENTS}] but got ${show(n)}`)
  }
  return permutationOp(key, n)
}

/**
 * For each element of `out` (row-major), the flat index of the element of `inp` it reads when
 * `inp` (same rank, each axis equal to `out`'s or 1) is broadcast to `out`.
 */
function broadcastIndex(out: readonly number[], inp: readonly number[]): Int32Array {
  const size = out.reduce((a, b) => a * b, 1)
  const index = new Int32Array(size)
  const strides = new Array<number>(out.length).fill(0)
  for (let s = 1, a = out.length - 1; a >= 0; a--) {
    strides[a] = inp[a] === 1 ? 0 : s
    s *= inp[a]!
  }
  const at = new Array<number>(out.length).fill(0)
  let src = 0
  for (let i = 0; i < size; i++) {
    index[i] = src
    for (let a = out.length - 1; a >= 0; a--) {
      src += strides[a]!
      if (++at[a]! < out[a]!) break
      src -= strides[a]! * at[a]!
      at[a] = 0
    }
  }
  return index
}

/** `x`'s per-example shape right-aligned against `shape`; throws unless it broadcasts to it. */
function alignTo(fn: string, arg: string, xShape: readonly number[], shape: readonly number[]): number[] {
  const pad = shape.length - xShape.length
  if (pad < 0 || xShape.some((d, i) => d !== 1 && d !== shape[pad + i])) {
    throw new ArgumentError(`${fn}(${arg}): ${arg} of shape [${xShape.join(', ')}] does not broadcast to shape [${shape.join(', ')}]`)
  }
  return [...new Array<number>(pad).fill(1), ...xShape]
}

const bernoulliNumberOp = keyedOp<{ readonly shape: readonly number[]; readonly p: number }, 'float32'>({
  name: 'random.bernoulli',
  dtype: 'float32',
  shape: (q) => q.shape,
  fill: (k0, k1, out, { p }) => fillBernoulli(k0, k1, [p], null, out),
})

/** The kernels of `bernoulli` with a tensor `p`, by the rank of `shape` (the operand's instance rank). */
const bernoulliKernels = new Map<number, Kernel<readonly number[]>>()

function bernoulliKernel(rank: number): Kernel<readonly number[]> {
  let k = bernoulliKernels.get(rank)
  if (k === undefined) {
    k = defineKernel<readonly number[]>({
      name: 'random.bernoulli',
      operands: [{ name: 'key', rank: 1, dtype: 'int32' }, { name: 'p', rank, dtype: 'float32' }],
      outputs: (_shapes, shape) => [{ shape, dtype: 'float32' }],
      host: ({ inputs: [words, p], shapes, count, params: shape, outputs: [out] }) => {
        const size = out!.length / Math.max(count, 1)
        const pSize = p!.length / Math.max(count, 1)
        for (let i = 0; i < p!.length; i++) {
          const v = p![i]!
          if (!(v >= 0 && v <= 1)) throw new ArgumentError(`random.bernoulli(p): every probability must be in [0, 1] but got ${v} (at flat index ${i % pSize})`)
        }
        const index = broadcastIndex(shape, shapes[1]!)
        for (let r = 0; r < count; r++) {
          fillBernoulli(words![2 * r]! >>> 0, words![2 * r + 1]! >>> 0, p!.subarray(r * pSize, (r + 1) * pSize), index, out!.subarray(r * size, (r + 1) * size))
        }
      },
    })
    bernoulliKernels.set(rank, k)
  }
  return k
}

/**
 * Bernoulli draws as float32 `0`/`1` (float32, not bool, so that a mask multiplies tensors
 * directly and the draws average to frequencies): 1 with probability `p`, to within `2^-32`
 * (see `fillBernoulli`). `p` is a number in `[0, 1]` or a tensor of probabilities that
 * broadcasts to `shape`; `shape` defaults to `p`'s shape (`[]` for a number).
 *
 * Shapes: `(int32 [2], p: [] | [...p], shape) -> float32 [...shape]`.
 *
 * @example
 * ```ts
 * const mask = random.bernoulli(random.key(0), 0.9, [4, 3])                    // float32 [4, 3] of 0/1
 * const coins = random.bernoulli(random.key(1), tf.tensor1d([0.1, 0.5, 0.9]))  // float32 [3]
 * ```
 */
export function bernoulli(key: Key, p: number | tf.Tensor, shape?: readonly number[]): tf.Tensor {
  const fn = 'random.bernoulli'
  if (shape !== undefined) checkShape(fn, shape)
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`${fn}(p): p must be a probability in [0, 1] but got ${p}`)
    return bernoulliNumberOp(key, { shape: [...(shape ?? [])], p })
  }
  if (!(p instanceof tf.Tensor)) throw new ArgumentError(`${fn}(p): p must be a number in [0, 1] or a float32 tensor but got ${show(p)}`)
  checkKey(`${fn}(key)`, key)
  const out = [...(shape ?? p.shape)]
  const aligned = alignTo(fn, 'p', p.shape, out)
  const pr = aligned.length === p.rank ? p : ops.reshape(p, aligned) // [...1s, ...p]
  try {
    return bernoulliKernel(out.length)([key, pr], out)[0]! // [...shape]
  } finally {
    if (pr !== p) pr.dispose()
  }
}

/** The kernels of `categorical`, by the rank of `shape` (the logits' instance rank is one more). */
const categoricalKernels = new Map<number, Kernel<readonly number[]>>()

function categoricalKernel(rank: number): Kernel<readonly number[]> {
  let k = categoricalKernels.get(rank)
  if (k === undefined) {
    k = defineKernel<readonly number[]>({
      name: 'random.categorical',
      operands: [{ name: 'key', rank: 1, dtype: 'int32' }, { name: 'logits', rank: rank + 1, dtype: 'float32' }],
      outputs: (_shapes, shape) => [{ shape, dtype: 'int32' }],
      host: ({ inputs: [words, logits], shapes, count, params: shape, outputs: [out] }) => {
        const ls = shapes[1]!
        const n = ls[ls.length - 1]!
        const size = out!.length / Math.max(count, 1)
        const lSize = logits!.length / Math.max(count, 1)
        for (let i = 0; i < logits!.length; i++) {
          if (Number.isNaN(logits![i]!) || logits![i] === Infinity) {
            throw new ArgumentError(`random.categorical(logits): logits must be finite or -Infinity but got ${logits![i]} (at flat index ${i % lSize})`)
          }
        }
        const rows = broadcastIndex(shape, ls.slice(0, -1))
        for (let r = 0; r < count; r++) {
          fillCategorical(words![2 * r]! >>> 0, words![2 * r + 1]! >>> 0, logits!.subarray(r * lSize, (r + 1) * lSize), n, rows, out!.subarray(r * size, (r + 1) * size) as Int32Array)
        }
      },
    })
    categoricalKernels.set(rank, k)
  }
  return k
}

/**
 * Categorical draws over the last axis of `logits` (unnormalised log-probabilities) as int32
 * indices in `[0, n)`, by the Gumbel-max trick: `argmax_j logits[..., j] + g_j` with fresh
 * standard Gumbel `g` per draw (see `fillCategorical`). `shape` defaults to the batch shape
 * `logits.shape[:-1]`, which must broadcast to it. `-Infinity` logits are never drawn.
 *
 * Shapes: `(int32 [2], [...b, n], shape) -> int32 [...shape]`.
 *
 * @example
 * ```ts
 * const logits = tf.log(tf.tensor2d([[0.2, 0.8], [0.5, 0.5]]))            // [2, 2]
 * const ys = random.categorical(random.key(0), logits)                   // int32 [2]
 * const many = random.categorical(random.key(1), logits, [100, 2])       // int32 [100, 2]
 * ```
 */
export function categorical(key: Key, logits: tf.Tensor, shape?: readonly number[]): tf.Tensor {
  const fn = 'random.categorical'
  if (!(logits instanceof tf.Tensor) || logits.rank < 1 || logits.shape[logits.rank - 1]! < 1) {
    throw new ArgumentError(
      `${fn}(logits): logits must be a float32 tensor of shape [..., n] with n >= 1 categories but got ` +
        (logits instanceof tf.Tensor ? `shape [${logits.shape.join(', ')}]` : show(logits)),
    )
  }
  if (shape !== undefined) checkShape(fn, shape)
  checkKey(`${fn}(key)`, key)
  const n = logits.shape[logits.rank - 1]!
  const batch = logits.shape.slice(0, -1)
  const out = [...(shape ?? batch)]
  const aligned = [...alignTo(fn, 'logits', batch, out), n]
  const lr = aligned.length === logits.rank ? logits : ops.reshape(logits, aligned) // [...1s, ...b, n]
  try {
    return categoricalKernel(out.length)([key, lr], out)[0]! // [...shape]
  } finally {
    if (lr !== logits) lr.dispose()
  }
}
