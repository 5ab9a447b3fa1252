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
 * sample in hot loops; `keyedOp` turns such a fill function into a vmappable op.
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
import { bdimToFront } from './batch_rules.js'
import { ArgumentError } from './errors.js'
import { bind, type BatchRule, type Primitive } from './tracer.js'

/**
 * A PRNG key: an `int32` tensor of shape `[2]` (or, inside `vmap`, a batched value whose
 * per-example shape is `[2]`). Make one with `key`, derive more with `split` and `foldIn`.
 */
export type Key = tf.Tensor

// ---------------------------------------------------------------------------------------------
// Threefry-2x32, 20 rounds.

/** Threefry's key-schedule parity constant (Skein's C240 for 32-bit words). */
const PARITY = 0x1bd11bda

/**
 * One Threefry-2x32 block with 20 rounds (as Random123's `threefry2x32_20` and JAX's
 * `threefry_2x32`): encrypts the counter `(x0, x1)` under the key `(k0, k1)` and writes the two
 * output words to `out[outOffset]` and `out[outOffset + 1]`. All arguments are uint32 values
 * (numbers in `[0, 2^32)`; other integers are taken modulo `2^32`).
 *
 * Shapes: `(k0, k1, x0, x1) -> out[outOffset .. outOffset + 2)`.
 *
 * @example
 * ```ts
 * const out = new Uint32Array(2)
 * random.threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, out, 0)
 * // out = [0xc4923a9c, 0x483df7a0] (Random123's known-answer vector)
 * ```
 */
export function threefry2x32(k0: number, k1: number, x0: number, x1: number, out: Uint32Array, outOffset = 0): void {
  k0 >>>= 0
  k1 >>>= 0
  const k2 = (k0 ^ k1 ^ PARITY) >>> 0
  // Additions are taken modulo 2^32 with `>>> 0`; rotations are `(x << r) | (x >>> (32 - r))`.
  // Words may be held as signed int32 between steps: the bits are the same.
  x0 = (x0 + k0) >>> 0
  x1 = (x1 + k1) >>> 0
  // Rounds 1-4, rotations 13, 15, 26, 6; then key injection 1.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k1) >>> 0
  x1 = (x1 + k2 + 1) >>> 0
  // Rounds 5-8, rotations 17, 29, 16, 24; then key injection 2.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0
  x0 = (x0 + k2) >>> 0
  x1 = (x1 + k0 + 2) >>> 0
  // Rounds 9-12; key injection 3.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k0) >>> 0
  x1 = (x1 + k1 + 3) >>> 0
  // Rounds 13-16; key injection 4.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0
  x0 = (x0 + k1) >>> 0
  x1 = (x1 + k2 + 4) >>> 0
  // Rounds 17-20; key injection 5.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  out[outOffset] = x0 + k2
  out[outOffset + 1] = x1 + k0 + 5
}

// ---------------------------------------------------------------------------------------------
// Low-level samplers on TypedArrays. Element `i` of every `fill*` output depends only on the
// key and `i` (not on the length of `out`): uniform, open uniform, normal and Gumbel take
// element `i` from word `i % 2` of the block of counter `(0, floor(i / 2))`.

/** Scratch block for the fill loops (JS is single-threaded and the loops call no user code). */
const W = new Uint32Array(2)

const TWO_M23 = 2 ** -23
const TWO_M32 = 2 ** -32
const TWO_PI = 2 * Math.PI

/** A float output buffer of the `fill*` functions. */
export type FloatArray = Float32Array | Float64Array

/**
 * Fills `out` with uniform draws in `[0, 1)` from the key `(k0, k1)` (uint32 words). Each
 * value is `m * 2^-23` for `m` the top 23 bits of one 32-bit Threefry word, so it is exactly
 * representable in float32 and at most `1 - 2^-23`: a `Float64Array` receives the very same
 * values as a `Float32Array`.
 *
 * Shapes: `(k0, k1, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const u = new Float32Array(1000)
 * random.fillUniform(0, 42, u)   // u[i] in [0, 1)
 * ```
 */
export function fillUniform(k0: number, k1: number, out: FloatArray): void {
  const n = out.length
  const pairs = n >>> 1
  for (let j = 0; j < pairs; j++) {
    threefry2x32(k0, k1, 0, j, W, 0)
    out[2 * j] = (W[0]! >>> 9) * TWO_M23
    out[2 * j + 1] = (W[1]! >>> 9) * TWO_M23
  }
  if (n & 1) {
    threefry2x32(k0, k1, 0, pairs, W, 0)
    out[n - 1] = (W[0]! >>> 9) * TWO_M23
  }
}

/**
 * Fills `out` with uniform draws in the open interval `(0, 1)` from the key `(k0, k1)`: each
 * value is `(m + 1/2) * 2^-23` for `m` the top 23 bits of one Threefry word, so the values lie
 * in `[2^-24, 1 - 2^-24]`, are symmetric about 1/2, are exact in float32, and `log(u)`,
 * `log(1 - u)` and quantile functions of them are always finite. Element `i` uses the same
 * word as element `i` of `fillUniform` (same key, same `m`).
 *
 * Shapes: `(k0, k1, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const u = new Float64Array(1000)
 * random.fillUniformOpen(0, 42, u)
 * const g = u.map((v) => -Math.log(-Math.log(v)))   // finite Gumbel draws
 * ```
 */
export function fillUniformOpen(k0: number, k1: number, out: FloatArray): void {
  const n = out.length
  const pairs = n >>> 1
  for (let j = 0; j < pairs; j++) {
    threefry2x32(k0, k1, 0, j, W, 0)
    out[2 * j] = ((W[0]! >>> 9) + 0.5) * TWO_M23
    out[2 * j + 1] = ((W[1]! >>> 9) + 0.5) * TWO_M23
  }
  if (n & 1) {
    threefry2x32(k0, k1, 0, pairs, W, 0)
    out[n - 1] = ((W[0]! >>> 9) + 0.5) * TWO_M23
  }
}

/**
 * Fills `out` with standard normal draws from the key `(k0, k1)` by the Box-Muller transform:
 * each Threefry block `(w0, w1)` gives the pair `r cos(t), r sin(t)` with
 * `r = sqrt(-2 log((w0 + 1/2) 2^-32))` and `t = 2 pi w1 2^-32`, computed in float64 from all 32
 * bits of each word (so |z| is at most about 6.8) and rounded once on store.
 *
 * Shapes: `(k0, k1, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const z = new Float32Array(1000)
 * random.fillNormal(0, 42, z)   // mean ~ 0, variance ~ 1
 * ```
 */
export function fillNormal(k0: number, k1: number, out: FloatArray): void {
  const n = out.length
  const pairs = (n + 1) >>> 1
  for (let j = 0; j < pairs; j++) {
    threefry2x32(k0, k1, 0, j, W, 0)
    const r = Math.sqrt(-2 * Math.log((W[0]! + 0.5) * TWO_M32))
    const t = TWO_PI * W[1]! * TWO_M32
    out[2 * j] = r * Math.cos(t)
    if (2 * j + 1 < n) out[2 * j + 1] = r * Math.sin(t)
  }
}

// A fast natural logarithm for the Gumbel transform, as in musl's and ARM optimized-routines'
// `log`: an exponent, a table of 256 cells over the mantissa in [1, 2), and a short series. A
// mantissa `x` in cell `j` (`1 + j/256 <= x < 1 + (j+1)/256`) is multiplied by
// `LOG_INV[j] ~= 1 / (cell centre)`, a number of at most 29 significant bits, leaving
// `r = x LOG_INV[j] - 1` with `|r| <= 2^-8`, and `log x = LOG_C[j] + log1p(r)`,
// `LOG_C[j] = -log(LOG_INV[j])`. Cell 0 uses `LOG_INV = 1` (`LOG_C = 0`) and cell 255 uses
// `1/2` (`LOG_C = ln 2`), so that the log of a number near 1, from above (exponent 0, cell 0)
// or from below (exponent -1, cell 255, where `-ln 2 + ln 2` is exactly 0), is the series
// alone, free of cancellation. `log1p` is its Taylor series to `r^5`
// (truncation below `2^-48 / 6` absolute; `2^-54 / 6` outside cells 0 and 255).
const LOG_CELLS = 256
const LOG_INV = new Float64Array(LOG_CELLS)
/** `LOG_INV[j] * 2^-31`, for mantissas held as integers in `[2^31, 2^32)`. */
const LOG_INV_31 = new Float64Array(LOG_CELLS)
const LOG_C = new Float64Array(LOG_CELLS)
for (let j = 0; j < LOG_CELLS; j++) {
  const inv = j === 0 ? 1 : j === LOG_CELLS - 1 ? 0.5 : Math.round(2 ** 29 / (1 + (j + 0.5) / LOG_CELLS)) * 2 ** -29
  LOG_INV[j] = inv
  LOG_INV_31[j] = inv * 2 ** -31
  LOG_C[j] = -Math.log(inv)
}
/** `POW2_NEG[e + 32] = 2^-e` for `e` in `[-32, 32)`. */
const POW2_NEG = new Float64Array(64)
for (let e = -32; e < 32; e++) POW2_NEG[e + 32] = 2 ** -e
const LN2 = Math.LN2

/**
 * The standard Gumbel value `-log(-log(u))` of one 32-bit word `w` (a uint32 or int32 bit
 * pattern), for `u = ((w >>> 9) + 1/2) 2^-23` the open uniform of `fillUniformOpen`: the value
 * `fillGumbel` stores for that word. Both logarithms are table-driven (no `Math.log`), about 3x
 * faster than `Math.log` twice.
 *
 * Accuracy, checked over all 2^23 possible `u` (`test/random.test.ts`): within `2e-14` absolute
 * of `-Math.log(-Math.log(u))` in float64, and rounded to float32 it is identical to
 * `Math.fround(-Math.log(-Math.log(u)))` for every `u`. How: with `u = M 2^-24`, `M` an odd
 * integer below `2^24`, the first logarithm's mantissa times `LOG_INV` is exact (at most
 * 24 + 29 bits), so `-log(u)` has float64 accuracy; the second one's relative error (about
 * `1e-16`) is an absolute error of the result.
 *
 * Shapes: `number -> number`.
 *
 * @example
 * ```ts
 * random.gumbelOfWord(0x80000000)   // u = 1/2 + 2^-24: -log(-log(u)) ~= 0.3665
 * ```
 */
export function gumbelOfWord(w: number): number {
  // -log(u) with u = M 2^-24: the leading bit of M is bit 31 - z, so u = 2^(7 - z) x with the
  // mantissa x = (M << z) 2^-31 in [1, 2).
  const M = (w >>> 8) | 1 // 2 (w >>> 9) + 1, odd in [1, 2^24)
  const z = Math.clz32(M)
  const mant = (M << z) >>> 0 // x 2^31, in [2^31, 2^32)
  const j = (mant >>> 23) & 255
  const r = mant * LOG_INV_31[j]! - 1 // exact: |r| <= 2^-8
  const p = r * (1 + r * (-0.5 + r * (1 / 3 + r * (-0.25 + r * 0.2)))) // log1p(r)
  const L = (z - 7) * LN2 - LOG_C[j]! - p // -log(u), in (2^-24, 24 ln 2]
  // -log(L): L 2^24 is in (1, 2^29), so its integer part has its leading bit at 31 - z2 and
  // L = 2^(7 - z2) x2 with x2 in [1, 2).
  const z2 = Math.clz32((L * 16777216) >>> 0)
  const x2 = L * POW2_NEG[39 - z2]! // exact scaling
  const j2 = ((x2 * 256) | 0) - 256
  const r2 = x2 * LOG_INV[j2]! - 1
  const p2 = r2 * (1 + r2 * (-0.5 + r2 * (1 / 3 + r2 * (-0.25 + r2 * 0.2))))
  return (z2 - 7) * LN2 - LOG_C[j2]! - p2
}

/**
 * Fills `out` with standard Gumbel draws `-log(-log(u))` from the key `(k0, k1)`, where `u` is
 * element `i` of `fillUniformOpen`, by `gumbelOfWord` (table-driven logarithms: a float32 `out`
 * receives exactly `Math.fround(-Math.log(-Math.log(u)))`, a `Float64Array` that value to within
 * `2e-14`). Every value is finite: they lie in about `[-2.81, 16.64]`.
 *
 * Two passes over `out`'s own memory: the Threefry words first, then the transform (about 20%
 * faster than one pass; no scratch buffer).
 *
 * Shapes: `(k0, k1, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const g = new Float32Array(1000)
 * random.fillGumbel(0, 42, g)   // mean ~ 0.5772 (Euler's gamma), variance ~ pi^2 / 6
 * ```
 */
export function fillGumbel(k0: number, k1: number, out: FloatArray): void {
  const n = out.length
  // The words live in the last 4n bytes of `out`: value i (bytes [b i, b (i + 1)), b = 4 or 8)
  // overwrites only words i' <= i (for b = 8: words 2i - n and 2i + 1 - n), after word i is read.
  const words = new Uint32Array(out.buffer, out.byteOffset + (out.BYTES_PER_ELEMENT - 4) * n, n)
  const pairs = n >>> 1
  for (let j = 0; j < pairs; j++) threefry2x32(k0, k1, 0, j, words, 2 * j)
  if (n & 1) {
    threefry2x32(k0, k1, 0, pairs, W, 0)
    words[n - 1] = W[0]!
  }
  for (let i = 0; i < n; i++) out[i] = gumbelOfWord(words[i]!)
}

// A per-element stream of words for rejection sampling: element `i` reads the blocks of
// counters (0, i), (1, i), (2, i), ... in order, two words each, so its draws depend only on the
// key and `i`, however many attempts it or any other element needs. Module-level state keeps
// the hot loop free of allocation; it is reset for every element.
const S = new Uint32Array(2)
let sK0 = 0
let sK1 = 0
let sI = 0
let sBlock = 0
let sLeft = 0
let sSpare = 0
let sHasSpare = false

function streamReset(k0: number, k1: number, i: number): void {
  sK0 = k0
  sK1 = k1
  sI = i
  sBlock = 0
  sLeft = 0
  sHasSpare = false
}

function streamWord(): number {
  if (sLeft === 0) {
    threefry2x32(sK0, sK1, sBlock++, sI, S, 0)
    sLeft = 2
  }
  return S[2 - sLeft--]!
}

/** A uniform in `(0, 1)` from 32 bits of the stream. */
const streamUniformOpen = (): number => (streamWord() + 0.5) * TWO_M32

/** A standard normal from the stream (Box-Muller; the second of each pair is kept). */
function streamNormal(): number {
  if (sHasSpare) {
    sHasSpare = false
    return sSpare
  }
  const r = Math.sqrt(-2 * Math.log(streamUniformOpen()))
  const t = TWO_PI * streamWord() * TWO_M32
  sSpare = r * Math.sin(t)
  sHasSpare = true
  return r * Math.cos(t)
}

/**
 * Fills `out` with Gamma(`alpha`, 1) draws (shape `alpha`, scale 1: mean and variance
 * `alpha`) from the key `(k0, k1)`, by Marsaglia and Tsang's method (ACM TOMS 26(3), 2000);
 * for `alpha < 1`, by `G(alpha + 1) * U^(1/alpha)`. Element `i` reads its own counter stream
 * (blocks `(0, i), (1, i), ...`), so rejections never shift other elements' draws and the
 * output is a deterministic function of the key and `i`. For small `alpha` many draws are
 * below float32's smallest value and are stored as 0.
 *
 * Shapes: `(k0, k1, alpha, out[n]) -> out[n]` (in place). `alpha` must be positive and finite
 * (not checked here; `gamma` checks it).
 *
 * @example
 * ```ts
 * const g = new Float32Array(1000)
 * random.fillGamma(0, 42, 2.5, g)   // mean ~ 2.5, variance ~ 2.5
 * ```
 */
export function fillGamma(k0: number, k1: number, alpha: number, out: FloatArray): void {
  const boost = alpha < 1
  const a = boost ? alpha + 1 : alpha
  const d = a - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  const invAlpha = 1 / alpha
  const n = out.length
  for (let i = 0; i < n; i++) {
    streamReset(k0, k1, i)
    let v = 0
    for (;;) {
      let x = 0
      do {
        x = streamNormal()
        v = 1 + c * x
      } while (v <= 0)
      v = v * v * v
      const u = streamUniformOpen()
      const x2 = x * x
      if (u < 1 - 0.0331 * x2 * x2) break
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) break
    }
    const g = d * v
    out[i] = boost ? g * Math.pow(streamUniformOpen(), invAlpha) : g
  }
}

// ---------------------------------------------------------------------------------------------
// Keyed ops: primitives over keys of shape [...lead, 2].

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
}

/** A keyed op: `(key: int32 [2], params) -> [...shape(params)]`, vmappable over `key`. */
export type KeyedOp<P> = (key: Key, params: P) => tf.Tensor

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

const describe = (x: unknown): string =>
  x instanceof tf.Tensor ? `a tensor of dtype ${x.dtype} and shape [${x.shape.join(', ')}]` : `${typeof x} ${String(x)}`

/** Throws unless `key` is an int32 tensor (or batched value) of per-example shape `[2]`. */
function checkKey(fn: string, key: unknown): asserts key is tf.Tensor {
  if (!(key instanceof tf.Tensor) || key.dtype !== 'int32' || key.rank !== 1 || key.shape[0] !== 2) {
    throw new ArgumentError(
      `${fn}(key): key must be an int32 tensor of shape [2] (from random.key, random.split or ` +
        `random.foldIn; index a split result or vmap over it for a single key) but got ${describe(key)}`,
    )
  }
}

/** Throws unless `shape` is an array of non-negative integers. */
function checkShape(fn: string, shape: unknown): asserts shape is readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ArgumentError(
      `${fn}(shape): shape must be an array of non-negative integers but got ${Array.isArray(shape) ? `[${shape.join(', ')}]` : String(shape)}`,
    )
  }
}

/**
 * Turns a per-key fill loop into a tensor op of one key that works under `vmap` (keys batched
 * at any number of levels). The primitive's implementation reads the keys `[...lead, 2]` with
 * `dataSync`, calls `fill` once per key on its slice of one output buffer and returns
 * `[...lead, ...shape(params)]`; its batch rule moves the keys' batch axis to the front and
 * calls the primitive again, so the result is batched along axis 0.
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
  const { name, dtype, shape, fill } = spec
  const impl = ([keys]: readonly any[], params: P): tf.Tensor => {
    const k = keys as tf.Tensor // [...lead, 2]
    const lead = k.shape.slice(0, -1)
    const words = k.dataSync() as Int32Array // [...lead, 2], int32 bit patterns
    const each = shape(params)
    const size = product(each)
    const count = product(lead)
    const out = dtype === 'int32' ? new Int32Array(count * size) : new Float32Array(count * size)
    for (let i = 0; i < count; i++) {
      fill(words[2 * i]! >>> 0, words[2 * i + 1]! >>> 0, out.subarray(i * size, (i + 1) * size) as KeyedBuffer<D>, params)
    }
    return tf.tensor(out, [...lead, ...each], dtype) // [...lead, ...shape]
  }
  const rule: BatchRule<P> = ([k], params) => {
    const b = k!
    if (b.bdim === null) return { value: applyKeys(b.value, params), bdim: null }
    return { value: applyKeys(bdimToFront(b), params), bdim: 0 } // [B, ...lead, ...shape]
  }
  const prim: Primitive<P> = { name, impl, rule }
  // Keys of shape [...lead, 2], possibly batched at lower levels.
  const applyKeys = (keys: tf.Tensor, params: P): tf.Tensor => bind(prim, [keys], params) as tf.Tensor
  return (key, params) => {
    checkKey(name, key)
    return applyKeys(key, params)
  }
}

// ---------------------------------------------------------------------------------------------
// The public API.

/** A safe integer as the two uint32 words (high, low) of its 64-bit two's complement. */
function words64(fn: string, arg: string, x: unknown): [number, number] {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
    throw new ArgumentError(
      `${fn}(${arg}): ${arg} must be an integer in [-(2^53 - 1), 2^53 - 1] but got ${typeof x === 'number' ? x : `${typeof x} ${String(x)}`}`,
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
  return tf.tensor1d(Int32Array.of(hi | 0, lo | 0), 'int32') // [2]
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
  if (!Number.isInteger(n) || n < 0) {
    throw new ArgumentError(`random.split(n): n must be a non-negative integer but got ${n}`)
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
