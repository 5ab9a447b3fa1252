// The noise kernels of `imle` in AssemblyScript, compiled to WebAssembly SIMD by
// `scripts/build-noise-wasm.mjs` (`asc`, `--enable simd`) into `noise.wasm` beside this file.
// The extension is `.as`, not `.ts`, so that the TypeScript compiler of the project leaves this
// file alone (its types `i32`, `v128`, `usize` are AssemblyScript's); the build script hands it
// to `asc` under a `.ts` name.
//
// Every kernel is the exact counterpart of a JavaScript loop in `src/core/random/fill.ts` or
// `src/distributions/sum_of_gamma/table.ts`: the same IEEE float64 operations in the same order
// (WebAssembly, like JavaScript, never fuses a multiply and an add), the same tables (written by
// the loader from the JavaScript module's own arrays), and the host's own `Math.log`, `Math.exp`,
// `Math.cos` and `Math.sin` as imports wherever the JavaScript path calls them. So both paths
// give the same bits, which `test/core/random_native.test.ts` checks.
//
// Memory is laid out by the loader (`src/core/random/native/load.ts`); kernels take byte
// offsets. Nothing here allocates.

// The host's Math functions (`Math.log` etc. of the JavaScript engine), so that the transforms
// which call them give the JavaScript path's bits.
@external("env", "log") declare function hostLog(x: f64): f64
@external("env", "exp") declare function hostExp(x: f64): f64
@external("env", "cos") declare function hostCos(x: f64): f64
@external("env", "sin") declare function hostSin(x: f64): f64

/** The first free byte after this module's static data; the loader lays out memory from it. */
export function heapBase(): usize {
  return __heap_base
}

// ---------------------------------------------------------------------------------------------
// Threefry-2x32 with 20 rounds, four blocks per vector.

const PARITY: i32 = 0x1bd11bda

@inline function rotl(x: v128, r: i32): v128 {
  return v128.or(i32x4.shl(x, r), i32x4.shr_u(x, 32 - r))
}

/** `rotl(x, 16)` and `rotl(x, 24)` as one byte shuffle each. */
@inline function rotl16(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)
}

@inline function rotl24(x: v128): v128 {
  return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)
}

/**
 * Writes the words of the Threefry blocks `(hi, first), (hi, first + 1), ...,
 * (hi, first + blocks - 1)` under the key `(k0, k1)` to `ptr`: block `first + j`'s two words at
 * `ptr + 8 j` and `ptr + 8 j + 4` (the layout of `fillUniform`: element `i` is word `i % 2` of
 * block `i / 2`). Sixteen blocks per step, as four independent vectors of four (one vector
 * alone waits on its own latency; four run 1.4x faster than two), so it writes whole groups of
 * 16 blocks: the buffer must hold `ceil(blocks / 16) * 128` bytes.
 */
export function threefryWords(k0: i32, k1: i32, hi: i32, first: i32, ptr: usize, blocks: i32): void {
  const k2 = k0 ^ k1 ^ PARITY
  const K0 = i32x4.splat(k0)
  const K1 = i32x4.splat(k1)
  const K2 = i32x4.splat(k2)
  const K2p1 = i32x4.splat(k2 + 1)
  const K0p2 = i32x4.splat(k0 + 2)
  const K1p3 = i32x4.splat(k1 + 3)
  const K2p4 = i32x4.splat(k2 + 4)
  const K0p5 = i32x4.splat(k0 + 5)
  const X0 = i32x4.splat(hi + k0)
  const IOTA = i32x4(0, 1, 2, 3)
  const FOUR = i32x4.splat(4)
  for (let j = 0; j < blocks; j += 16) {
    let a0 = X0
    let b0 = X0
    let c0 = X0
    let d0 = X0
    let a1 = i32x4.add(i32x4.add(i32x4.splat(first + j), IOTA), K1)
    let b1 = i32x4.add(a1, FOUR)
    let c1 = i32x4.add(b1, FOUR)
    let d1 = i32x4.add(c1, FOUR)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 13), a0); b1 = v128.xor(rotl(b1, 13), b0); c1 = v128.xor(rotl(c1, 13), c0); d1 = v128.xor(rotl(d1, 13), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 15), a0); b1 = v128.xor(rotl(b1, 15), b0); c1 = v128.xor(rotl(c1, 15), c0); d1 = v128.xor(rotl(d1, 15), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 26), a0); b1 = v128.xor(rotl(b1, 26), b0); c1 = v128.xor(rotl(c1, 26), c0); d1 = v128.xor(rotl(d1, 26), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 6), a0); b1 = v128.xor(rotl(b1, 6), b0); c1 = v128.xor(rotl(c1, 6), c0); d1 = v128.xor(rotl(d1, 6), d0)
    a0 = i32x4.add(a0, K1); b0 = i32x4.add(b0, K1); c0 = i32x4.add(c0, K1); d0 = i32x4.add(d0, K1)
    a1 = i32x4.add(a1, K2p1); b1 = i32x4.add(b1, K2p1); c1 = i32x4.add(c1, K2p1); d1 = i32x4.add(d1, K2p1)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 17), a0); b1 = v128.xor(rotl(b1, 17), b0); c1 = v128.xor(rotl(c1, 17), c0); d1 = v128.xor(rotl(d1, 17), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 29), a0); b1 = v128.xor(rotl(b1, 29), b0); c1 = v128.xor(rotl(c1, 29), c0); d1 = v128.xor(rotl(d1, 29), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl16(a1), a0); b1 = v128.xor(rotl16(b1), b0); c1 = v128.xor(rotl16(c1), c0); d1 = v128.xor(rotl16(d1), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl24(a1), a0); b1 = v128.xor(rotl24(b1), b0); c1 = v128.xor(rotl24(c1), c0); d1 = v128.xor(rotl24(d1), d0)
    a0 = i32x4.add(a0, K2); b0 = i32x4.add(b0, K2); c0 = i32x4.add(c0, K2); d0 = i32x4.add(d0, K2)
    a1 = i32x4.add(a1, K0p2); b1 = i32x4.add(b1, K0p2); c1 = i32x4.add(c1, K0p2); d1 = i32x4.add(d1, K0p2)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 13), a0); b1 = v128.xor(rotl(b1, 13), b0); c1 = v128.xor(rotl(c1, 13), c0); d1 = v128.xor(rotl(d1, 13), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 15), a0); b1 = v128.xor(rotl(b1, 15), b0); c1 = v128.xor(rotl(c1, 15), c0); d1 = v128.xor(rotl(d1, 15), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 26), a0); b1 = v128.xor(rotl(b1, 26), b0); c1 = v128.xor(rotl(c1, 26), c0); d1 = v128.xor(rotl(d1, 26), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 6), a0); b1 = v128.xor(rotl(b1, 6), b0); c1 = v128.xor(rotl(c1, 6), c0); d1 = v128.xor(rotl(d1, 6), d0)
    a0 = i32x4.add(a0, K0); b0 = i32x4.add(b0, K0); c0 = i32x4.add(c0, K0); d0 = i32x4.add(d0, K0)
    a1 = i32x4.add(a1, K1p3); b1 = i32x4.add(b1, K1p3); c1 = i32x4.add(c1, K1p3); d1 = i32x4.add(d1, K1p3)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 17), a0); b1 = v128.xor(rotl(b1, 17), b0); c1 = v128.xor(rotl(c1, 17), c0); d1 = v128.xor(rotl(d1, 17), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 29), a0); b1 = v128.xor(rotl(b1, 29), b0); c1 = v128.xor(rotl(c1, 29), c0); d1 = v128.xor(rotl(d1, 29), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl16(a1), a0); b1 = v128.xor(rotl16(b1), b0); c1 = v128.xor(rotl16(c1), c0); d1 = v128.xor(rotl16(d1), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl24(a1), a0); b1 = v128.xor(rotl24(b1), b0); c1 = v128.xor(rotl24(c1), c0); d1 = v128.xor(rotl24(d1), d0)
    a0 = i32x4.add(a0, K1); b0 = i32x4.add(b0, K1); c0 = i32x4.add(c0, K1); d0 = i32x4.add(d0, K1)
    a1 = i32x4.add(a1, K2p4); b1 = i32x4.add(b1, K2p4); c1 = i32x4.add(c1, K2p4); d1 = i32x4.add(d1, K2p4)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 13), a0); b1 = v128.xor(rotl(b1, 13), b0); c1 = v128.xor(rotl(c1, 13), c0); d1 = v128.xor(rotl(d1, 13), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 15), a0); b1 = v128.xor(rotl(b1, 15), b0); c1 = v128.xor(rotl(c1, 15), c0); d1 = v128.xor(rotl(d1, 15), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 26), a0); b1 = v128.xor(rotl(b1, 26), b0); c1 = v128.xor(rotl(c1, 26), c0); d1 = v128.xor(rotl(d1, 26), d0)
    a0 = i32x4.add(a0, a1); b0 = i32x4.add(b0, b1); c0 = i32x4.add(c0, c1); d0 = i32x4.add(d0, d1)
    a1 = v128.xor(rotl(a1, 6), a0); b1 = v128.xor(rotl(b1, 6), b0); c1 = v128.xor(rotl(c1, 6), c0); d1 = v128.xor(rotl(d1, 6), d0)
    a0 = i32x4.add(a0, K2); b0 = i32x4.add(b0, K2); c0 = i32x4.add(c0, K2); d0 = i32x4.add(d0, K2)
    a1 = i32x4.add(a1, K0p5); b1 = i32x4.add(b1, K0p5); c1 = i32x4.add(c1, K0p5); d1 = i32x4.add(d1, K0p5)
    const p = ptr + (<usize>j << 3)
    v128.store(p, i32x4.shuffle(a0, a1, 0, 4, 1, 5))
    v128.store(p, i32x4.shuffle(a0, a1, 2, 6, 3, 7), 16)
    v128.store(p, i32x4.shuffle(b0, b1, 0, 4, 1, 5), 32)
    v128.store(p, i32x4.shuffle(b0, b1, 2, 6, 3, 7), 48)
    v128.store(p, i32x4.shuffle(c0, c1, 0, 4, 1, 5), 64)
    v128.store(p, i32x4.shuffle(c0, c1, 2, 6, 3, 7), 80)
    v128.store(p, i32x4.shuffle(d0, d1, 0, 4, 1, 5), 96)
    v128.store(p, i32x4.shuffle(d0, d1, 2, 6, 3, 7), 112)
  }
}

// ---------------------------------------------------------------------------------------------
// Uniforms: words in place to floats, four at a time (`n` rounded up to a multiple of 8 words).

const TWO_M23: f32 = 1.1920928955078125e-7 // 2^-23
const TWO_M24: f32 = 5.9604644775390625e-8 // 2^-24

/** `fillUniform` into float32: `(w >>> 9) 2^-23`, in place over the words at `ptr`. */
export function uniformF32(ptr: usize, n: i32): void {
  const S = f32x4.splat(TWO_M23)
  for (let i = 0; i < n; i += 4) {
    const p = ptr + (<usize>i << 2)
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(v128.load(p), 9)), S))
  }
}

/** `fillUniformOpen` into float32: `((w >>> 8) | 1) 2^-24`, in place over the words at `ptr`. */
export function uniformOpenF32(ptr: usize, n: i32): void {
  const S = f32x4.splat(TWO_M24)
  const ONE = i32x4.splat(1)
  for (let i = 0; i < n; i += 4) {
    const p = ptr + (<usize>i << 2)
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_u(v128.or(i32x4.shr_u(v128.load(p), 8), ONE)), S))
  }
}

/**
 * `fillUniform` (`open = false`) or `fillUniformOpen` (`open = true`) into float64: the words at
 * `words` to the doubles at `out` (separate buffers).
 */
export function uniformF64(words: usize, out: usize, n: i32, open: bool): void {
  const S = f64x2.splat(open ? 5.9604644775390625e-8 : 1.1920928955078125e-7)
  const shift = open ? 8 : 9
  const OR = i32x4.splat(open ? 1 : 0)
  for (let i = 0; i < n; i += 4) {
    const w = v128.or(i32x4.shr_u(v128.load(words + (<usize>i << 2)), shift), OR)
    const p = out + (<usize>i << 3)
    v128.store(p, f64x2.mul(f64x2.convert_low_i32x4_u(w), S))
    v128.store(p, f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(w, w, 2, 3, 0, 1)), S), 16)
  }
}

// ---------------------------------------------------------------------------------------------
// Gumbel: `gumbelOfWord` of `fill.ts`, two values per vector. The loader writes the table at
// `tables`: 256 pairs `(LOG_INV[j], LOG_C[j])` of doubles, one 16-byte load per lookup.
//
// `gumbelOfWord` finds a logarithm's exponent and cell with `clz32` and scales to the mantissa
// by exact multiplications; here the same numbers come from the bits of the double: for a
// positive normal `x` with biased exponent `b`, `2^(b - 1023)` is its leading power of two, the
// top 8 bits of its fraction are the cell `j`, and the double with the exponent field replaced
// by 1023 is the mantissa `x 2^(1023 - b)`, exactly `gumbelOfWord`'s `mant 2^-31` or `x2`. The
// first `mant * LOG_INV_31[j]` is an exact product (24 by 29 significant bits), so it equals
// `mantissa * LOG_INV[j]` here; the second is the same multiplication in both. All the other
// operations are the same IEEE operations in the same order, so the doubles are equal.

let LOG_PAIRS: usize = 0

/** Sets where the logarithm table is (written by the loader from `fill.ts`'s arrays). */
export function setTables(tables: usize): void {
  LOG_PAIRS = tables
}

const LN2: f64 = 0.6931471805599453
const THIRD: f64 = 0.3333333333333333

/**
 * `bias * ln 2 - log(x)` for two positive normal doubles `x`, `gumbelOfWord`'s table-driven
 * logarithm: `(bias - e) ln 2 - LOG_C[j] - log1p(r)`, `r = mantissa * LOG_INV[j] - 1`.
 */
@inline function negLog(x: v128, bias: i32): v128 {
  const e = i64x2.shr_u(x, 52)
  const k = f64x2.convert_low_i32x4_s(i32x4.sub(i32x4.splat(bias + 1023), i32x4.shuffle(e, e, 0, 2, 0, 2)))
  const jv = i64x2.shr_u(x, 44)
  const A = v128.load(LOG_PAIRS + (<usize>(i32x4.extract_lane(jv, 0) & 255) << 4))
  const B = v128.load(LOG_PAIRS + (<usize>(i32x4.extract_lane(jv, 2) & 255) << 4))
  const m = v128.or(v128.and(x, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000))
  const r = f64x2.sub(f64x2.mul(m, i64x2.shuffle(A, B, 0, 2)), f64x2.splat(1.0))
  let q = f64x2.add(f64x2.splat(-0.25), f64x2.mul(r, f64x2.splat(0.2)))
  q = f64x2.add(f64x2.splat(THIRD), f64x2.mul(r, q))
  q = f64x2.add(f64x2.splat(-0.5), f64x2.mul(r, q))
  q = f64x2.add(f64x2.splat(1.0), f64x2.mul(r, q))
  const p = f64x2.mul(r, q)
  return f64x2.sub(f64x2.sub(f64x2.mul(k, f64x2.splat(LN2)), i64x2.shuffle(A, B, 1, 3)), p)
}

/** The Gumbel values of four words: two vectors of two doubles, `-log(-log(u))`. */
@inline function gumbelLo(w: v128): v128 {
  const M = v128.or(i32x4.shr_u(w, 8), i32x4.splat(1)) // 2 (w >>> 9) + 1 = u 2^24
  return negLog(negLog(f64x2.convert_low_i32x4_u(M), 24), 0)
}

@inline function gumbelHi(w: v128): v128 {
  const M = v128.or(i32x4.shr_u(w, 8), i32x4.splat(1))
  return negLog(negLog(f64x2.convert_low_i32x4_u(i32x4.shuffle(M, M, 2, 3, 0, 1)), 24), 0)
}

/** First half of `fillGumbel`: `L = -log(u)` of the words at `words` to the doubles at `out`. */
function negLogU(words: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const M = v128.or(i32x4.shr_u(v128.load(words + (<usize>i << 2)), 8), i32x4.splat(1)) // u 2^24
    const p = out + (<usize>i << 3)
    v128.store(p, negLog(f64x2.convert_low_i32x4_u(M), 24))
    v128.store(p, negLog(f64x2.convert_low_i32x4_u(i32x4.shuffle(M, M, 2, 3, 0, 1)), 24), 16)
  }
}

/** Second half of `fillGumbel`: `-log(L)` of the doubles at `ls` to the floats at `out`. */
function negLogToF32(ls: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const p = ls + (<usize>i << 3)
    const a = f32x4.demote_f64x2_zero(negLog(v128.load(p), 0))
    const b = f32x4.demote_f64x2_zero(negLog(v128.load(p, 16), 0))
    v128.store(out + (<usize>i << 2), i64x2.shuffle(a, b, 0, 2))
  }
}

/**
 * `fillGumbel`'s transform into float32, in place over the words at `ptr` (`n` a multiple of
 * 32), chunk by chunk while the chunk is in the L1 cache: the first logarithm of each word into
 * the doubles at `scratch` (16 KiB), then the second logarithm back in place. Two loops of one
 * logarithm each run faster than one loop of both: each value's two logarithms form one long
 * chain of dependent operations, and the processor overlaps more values when the chain is
 * short.
 */
export function gumbelF32(ptr: usize, n: i32, scratch: usize): void {
  for (let c = 0; c < n; c += CHUNK) {
    const p = ptr + (<usize>c << 2)
    const m = min(CHUNK, n - c)
    negLogU(p, scratch, m)
    negLogToF32(scratch, p, m)
  }
}

/** Words per chunk of the fused kernels (16 KiB of float32, 16 KiB of scratch doubles / 2). */
const CHUNK: i32 = 2048

/**
 * `fillGumbel` into float32 at `ptr`, from the key, for elements `2 first + [0, n)`: per chunk,
 * the Threefry words in place, then `gumbelF32`'s two loops. Writes `ceil(n / 32) * 32` values.
 */
export function gumbelKeyF32(k0: i32, k1: i32, first: i32, ptr: usize, n: i32, scratch: usize): void {
  for (let c = 0; c < n; c += CHUNK) {
    const m = min(CHUNK, n - c)
    const p = ptr + (<usize>c << 2)
    threefryWords(k0, k1, 0, first + (c >>> 1), p, (m + 1) >>> 1)
    gumbelF32(p, ((m + 31) >>> 5) << 5, scratch)
  }
}

/** `fillGumbel` into float64: the words at `words` to the doubles at `out`; `n` a multiple of 4. */
export function gumbelF64(words: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const w = v128.load(words + (<usize>i << 2))
    const p = out + (<usize>i << 3)
    v128.store(p, gumbelLo(w))
    v128.store(p, gumbelHi(w), 16)
  }
}

// ---------------------------------------------------------------------------------------------
// Normal: `fillNormal`'s Box-Muller, with the host's `Math.log`, `Math.cos` and `Math.sin`.

const TWO_M32: f64 = 2.3283064365386963e-10 // 2^-32
const TWO_PI: f64 = 6.283185307179586

@inline function normalPair<T>(words: usize, out: usize, j: i32, n: i32): void {
  const w0 = <f64>load<u32>(words + (<usize>j << 3))
  const w1 = <f64>load<u32>(words + (<usize>j << 3), 4)
  const r = Math.sqrt(-2.0 * hostLog((w0 + 0.5) * TWO_M32))
  const t = TWO_PI * w1 * TWO_M32
  const o = out + (<usize>(2 * j) * sizeof<T>())
  store<T>(o, <T>(r * hostCos(t)))
  if (2 * j + 1 < n) store<T>(o + sizeof<T>(), <T>(r * hostSin(t)))
}

/** `fillNormal` into float32: the words at `words` (one block per pair) to the floats at `out`. */
export function normalF32(words: usize, out: usize, n: i32): void {
  const pairs = (n + 1) >>> 1
  for (let j = 0; j < pairs; j++) normalPair<f32>(words, out, j, n)
}

/** `fillNormal` into float64. */
export function normalF64(words: usize, out: usize, n: i32): void {
  const pairs = (n + 1) >>> 1
  for (let j = 0; j < pairs; j++) normalPair<f64>(words, out, j, n)
}

// ---------------------------------------------------------------------------------------------
// Sum-of-Gamma: `sampleSumOfGammaTable` of `sum_of_gamma/table.ts`. The loader writes the table
// at `table`: 12 doubles of constants (see `load.ts`), then `bulk` (4096 x 4), `left` (216 x 4)
// and `right` (184 x 4).

const BULK_CELLS: i32 = 4096
const LEFT_CELLS: i32 = 216
const RIGHT_CELLS: i32 = 184
const TAIL_START: f64 = 10.0
const PER_OCTAVE: f64 = 4.0

@inline function sog<TIn, TOut>(table: usize, u0: usize, out: usize, n: i32): i32 {
  const U_LO = load<f64>(table)
  const U_HI = load<f64>(table, 8)
  const INV_BULK_DU = load<f64>(table, 16)
  const LOG2E = load<f64>(table, 24)
  const shift = load<f64>(table, 32)
  const leftSlope = load<f64>(table, 40)
  const rightSlope = load<f64>(table, 48)
  const leftEnd = load<f64>(table, 56)
  const rightEnd = load<f64>(table, 64)
  const bulk = table + 96
  const left = bulk + <usize>BULK_CELLS * 32
  const right = left + <usize>LEFT_CELLS * 32
  for (let i = 0; i < n; i++) {
    const u = <f64>load<TIn>(u0 + (<usize>i * sizeof<TIn>()))
    let v: f64
    if (u >= U_LO && u <= U_HI) {
      const t = (u - U_LO) * INV_BULK_DU
      let j = <i32>t
      if (j >= BULK_CELLS) j = BULK_CELLS - 1
      const tau = t - <f64>j
      const o = bulk + (<usize>j << 5)
      v = load<f64>(o) + tau * (load<f64>(o, 8) + tau * (load<f64>(o, 16) + tau * load<f64>(o, 24)))
    } else if (u > 0 && u < U_LO) {
      const t = (-hostLog(u) * LOG2E - TAIL_START) * PER_OCTAVE
      let lx: f64
      if (t >= <f64>LEFT_CELLS) lx = leftEnd + (t - <f64>LEFT_CELLS) * leftSlope
      else {
        const j = <i32>t
        const tau = t - <f64>j
        const o = left + (<usize>j << 5)
        lx = load<f64>(o) + tau * (load<f64>(o, 8) + tau * (load<f64>(o, 16) + tau * load<f64>(o, 24)))
      }
      v = hostExp(lx) - shift
    } else if (u > U_HI && u < 1) {
      const t = (-hostLog(1 - u) * LOG2E - TAIL_START) * PER_OCTAVE
      if (t >= <f64>RIGHT_CELLS) v = rightEnd + (t - <f64>RIGHT_CELLS) * rightSlope
      else {
        const j = <i32>t
        const tau = t - <f64>j
        const o = right + (<usize>j << 5)
        v = load<f64>(o) + tau * (load<f64>(o, 8) + tau * (load<f64>(o, 16) + tau * load<f64>(o, 24)))
      }
    } else {
      return i
    }
    store<TOut>(out + (<usize>i * sizeof<TOut>()), <TOut>v)
  }
  return -1
}

/**
 * `sog<f32, f32>` with the bulk two values per vector: each group of four uniforms all in the
 * bulk takes the vector path (the same operations lane by lane: `<i32>t` is `trunc_sat` for `t`
 * in `[0, 4096]`), any other group the scalar loop. `u` and `out` may be the same.
 */
function sogF32(table: usize, u: usize, out: usize, n: i32): i32 {
  const U_LO = f64x2.splat(load<f64>(table))
  const U_HI = f64x2.splat(load<f64>(table, 8))
  const INV = f64x2.splat(load<f64>(table, 16))
  const LAST = i32x4.splat(BULK_CELLS - 1)
  const bulk = table + 96
  const n4 = n & ~3
  for (let i = 0; i < n4; i += 4) {
    const p = u + (<usize>i << 2)
    const v = v128.load(p)
    const lo = f64x2.promote_low_f32x4(v)
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))
    const inside = v128.and(
      v128.and(f64x2.ge(lo, U_LO), f64x2.le(lo, U_HI)),
      v128.and(f64x2.ge(hi, U_LO), f64x2.le(hi, U_HI)),
    )
    if (!i64x2.all_true(inside)) {
      const bad = sog<f32, f32>(table, p, out + (<usize>i << 2), 4)
      if (bad >= 0) return i + bad
      continue
    }
    const a = f32x4.demote_f64x2_zero(bulkPair(bulk, lo, U_LO, INV, LAST))
    const b = f32x4.demote_f64x2_zero(bulkPair(bulk, hi, U_LO, INV, LAST))
    v128.store(out + (<usize>i << 2), i64x2.shuffle(a, b, 0, 2))
  }
  if (n4 < n) {
    const bad = sog<f32, f32>(table, u + (<usize>n4 << 2), out + (<usize>n4 << 2), n - n4)
    if (bad >= 0) return n4 + bad
  }
  return -1
}

/** The bulk cubic of two uniforms in `[U_LO, U_HI]`. */
@inline function bulkPair(bulk: usize, u: v128, U_LO: v128, INV: v128, LAST: v128): v128 {
  const t = f64x2.mul(f64x2.sub(u, U_LO), INV)
  const j = i32x4.min_s(i32x4.trunc_sat_f64x2_s_zero(t), LAST)
  const tau = f64x2.sub(t, f64x2.convert_low_i32x4_s(j))
  const o0 = bulk + (<usize>i32x4.extract_lane(j, 0) << 5)
  const o1 = bulk + (<usize>i32x4.extract_lane(j, 1) << 5)
  const A0 = v128.load(o0)
  const A1 = v128.load(o0, 16)
  const B0 = v128.load(o1)
  const B1 = v128.load(o1, 16)
  let v = f64x2.add(i64x2.shuffle(A1, B1, 0, 2), f64x2.mul(tau, i64x2.shuffle(A1, B1, 1, 3)))
  v = f64x2.add(i64x2.shuffle(A0, B0, 1, 3), f64x2.mul(tau, v))
  return f64x2.add(i64x2.shuffle(A0, B0, 0, 2), f64x2.mul(tau, v))
}

/**
 * Sum-of-Gamma quantiles of the uniforms at `u` (float32 or float64: `inF64`) into `out`
 * (float32 or float64: `outF64`; `out` may be `u` when both are the same type). Returns -1, or
 * the index of the first uniform outside `(0, 1)` (the loader then lets the JavaScript path
 * throw its error).
 */
export function sumOfGamma(table: usize, u: usize, out: usize, n: i32, inF64: bool, outF64: bool): i32 {
  if (inF64) return outF64 ? sog<f64, f64>(table, u, out, n) : sog<f64, f32>(table, u, out, n)
  return outF64 ? sog<f32, f64>(table, u, out, n) : sogF32(table, u, out, n)
}

/**
 * `fillUniformOpen` then `sumOfGamma` in place, into float32 at `ptr`, from the key, for elements
 * `2 first + [0, n)`: chunk by
 * chunk (8 KiB, while the values are in the L1 cache). Writes `ceil(n / 32) * 32` values;
 * every uniform is in `(0, 1)`, so it never fails.
 */
export function sumOfGammaKeyF32(k0: i32, k1: i32, first: i32, table: usize, ptr: usize, n: i32): void {
  for (let c = 0; c < n; c += CHUNK) {
    const m = min(CHUNK, n - c)
    const blocks = (m + 1) >>> 1
    const p = ptr + (<usize>c << 2)
    const padded = ((m + 15) >>> 4) << 4
    threefryWords(k0, k1, 0, first + (c >>> 1), p, blocks)
    uniformOpenF32(p, padded)
    sogF32(table, p, p, padded)
  }
}
