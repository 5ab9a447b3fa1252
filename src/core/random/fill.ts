/**
 * Samplers on TypedArrays, the CPU kernels behind `random` and the noise records: uniform, open
 * uniform, normal, Gumbel (with table-driven logarithms) and Gamma (rejection with a
 * per-element counter stream). Pure functions of the key words and the element index.
 *
 * Uniform, open uniform, normal and Gumbel fills of `NATIVE_MIN` values or more run in the
 * WebAssembly SIMD kernels of `native/` where they load (Node); elsewhere, and for short
 * arrays, in the JavaScript loops here (`hostSamplers`). Both paths give the same bits.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { loadNativeNoise, type NativeNoise } from './native/load.js'
import { threefry2x32 } from './threefry.js'

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

/** The JavaScript loop of `fillUniform` (the fallback of the native kernels, and their reference). */
function fillUniformHost(k0: number, k1: number, out: FloatArray): void {
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
  const nativeKernels = out.length >= NATIVE_MIN ? nativeNoise() : undefined
  if (nativeKernels !== undefined) nativeKernels.uniform(k0, k1, out, false)
  else fillUniformHost(k0, k1, out)
}

/** The JavaScript loop of `fillUniformOpen` (the fallback of the native kernels, and their reference). */
function fillUniformOpenHost(k0: number, k1: number, out: FloatArray): void {
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
  const nativeKernels = out.length >= NATIVE_MIN ? nativeNoise() : undefined
  if (nativeKernels !== undefined) nativeKernels.uniform(k0, k1, out, true)
  else fillUniformOpenHost(k0, k1, out)
}

/** The JavaScript loop of `fillNormal` (the fallback of the native kernels, and their reference). */
function fillNormalHost(k0: number, k1: number, out: FloatArray): void {
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
  const nativeKernels = out.length >= NATIVE_MIN ? nativeNoise() : undefined
  if (nativeKernels !== undefined) nativeKernels.normal(k0, k1, out)
  else fillNormalHost(k0, k1, out)
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
 * Accuracy, checked over all 2^23 possible `u` (`test/core/random.test.ts`): within `2e-14` absolute
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

/** The JavaScript loop of `fillGumbel` (the fallback of the native kernels, and their reference). */
function fillGumbelHost(k0: number, k1: number, out: FloatArray): void {
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
  const nativeKernels = out.length >= NATIVE_MIN ? nativeNoise() : undefined
  if (nativeKernels !== undefined) nativeKernels.gumbel(k0, k1, out)
  else fillGumbelHost(k0, k1, out)
}

// The native kernels: loaded on first use, once (a memo of a deterministic load, like the
// Sum-of-Gamma table cache; `undefined` where they do not load, and then the loops above run).

/**
 * The length from which `fillUniform`, `fillUniformOpen`, `fillNormal`, `fillGumbel` and
 * `sampleSumOfGammaTable` call the native kernels. Measured, the kernels (call and copy
 * included) beat the JavaScript loops from about 32 values on; shorter fills (the per-row
 * draws of `kSubset`, single blocks) stay in JavaScript.
 *
 * @example
 * ```ts
 * fillGumbel(0, 42, new Float32Array(NATIVE_MIN))   // the first length that runs natively
 * ```
 */
export const NATIVE_MIN = 64

let nativeState: NativeNoise | undefined | null = null

/**
 * The WebAssembly SIMD noise kernels (`native/noise.as`), loaded on the first call, or
 * `undefined` where they do not load (browsers, Node before 20.16, `noise.wasm` not built). They
 * give the bits of `hostSamplers` for every key and length.
 *
 * Shapes: `() -> NativeNoise | undefined`.
 *
 * @example
 * ```ts
 * const kernels = nativeNoise()
 * const g = new Float32Array(1 << 20)
 * if (kernels !== undefined) kernels.gumbel(0, 42, g)   // the bits of hostSamplers.gumbel
 * ```
 */
export function nativeNoise(): NativeNoise | undefined {
  if (nativeState === null) {
    const loaded = loadNativeNoise({ logInv: LOG_INV, logInv31: LOG_INV_31, logC: LOG_C, pow2Neg: POW2_NEG })
    nativeState = E.isRight(loaded) ? loaded.right : undefined
  }
  return nativeState
}

/**
 * The JavaScript loops behind `fillUniform`, `fillUniformOpen`, `fillNormal` and `fillGumbel`,
 * whatever the length and whether or not the native kernels load: the reference the kernels
 * are tested against, and the fallback.
 *
 * Shapes: each `(k0, k1, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const a = new Float32Array(4096)
 * const b = new Float32Array(4096)
 * hostSamplers.gumbel(0, 42, a)
 * fillGumbel(0, 42, b)   // the same bits as a
 * ```
 */
export const hostSamplers: {
  readonly uniform: (k0: number, k1: number, out: FloatArray) => void
  readonly uniformOpen: (k0: number, k1: number, out: FloatArray) => void
  readonly normal: (k0: number, k1: number, out: FloatArray) => void
  readonly gumbel: (k0: number, k1: number, out: FloatArray) => void
} = { uniform: fillUniformHost, uniformOpen: fillUniformOpenHost, normal: fillNormalHost, gumbel: fillGumbelHost }

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
