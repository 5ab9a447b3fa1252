/**
 * WGSL sources of the WebGPU samplers: Threefry-2x32 in `u32` arithmetic (bit-identical to
 * `threefry.ts`), and the float32 functions the transforms need (a logarithm accurate to about
 * one ulp near 1 and everywhere else, sine and cosine of an angle given in turns as a 32-bit
 * word). WGSL's own `log`, `sin` and `cos` are only required to be accurate to `2^-21` and
 * `2^-11` absolute, so the samplers do not use them. Strings only: nothing here needs the
 * tfjs-webgpu package.
 *
 * @module
 */

/**
 * A float32 value as a WGSL literal that parses to exactly that value (the shortest decimal
 * that round-trips through float64 is one, since every float32 is a float64).
 *
 * @example
 * ```ts
 * f32(Math.LN2)   // '0.6931471824645996'
 * ```
 */
export const f32 = (x: number): string => {
  const s = String(Math.fround(x))
  return /[.e]/.test(s) ? s : `${s}.0`
}

const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const

/** The 20 rounds and 5 key injections of Threefry-2x32, as in `threefry2x32` (`threefry.ts`). */
function threefryRounds(): string {
  const lines: string[] = []
  const ks = ['k0', 'k1', 'k2']
  for (let g = 0; g < 5; g++) {
    for (const r of ROTATIONS[g % 2]!) lines.push(`  x0 = x0 + x1; x1 = ((x1 << ${r}u) | (x1 >> ${32 - r}u)) ^ x0;`)
    const i = g + 1
    lines.push(`  x0 = x0 + ${ks[i % 3]}; x1 = x1 + ${ks[(i + 1) % 3]} + ${i}u;`)
  }
  return lines.join('\n')
}

/**
 * `imleThreefry(k0, k1, c0, c1) -> vec2<u32>`: one Threefry-2x32 block with 20 rounds of the
 * counter `(c0, c1)` under the key `(k0, k1)`; `u32` addition wraps modulo `2^32` in WGSL, so
 * the words equal `threefry2x32`'s.
 *
 * @example
 * ```ts
 * const body = `let w = imleThreefry(k0, k1, 0u, j);`   // with THREEFRY_WGSL in the shader source
 * ```
 */
export const THREEFRY_WGSL = `
fn imleThreefry(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {
  let k2 = k0 ^ k1 ^ 0x1bd11bdau;
  var x0 = c0 + k0;
  var x1 = c1 + k1;
${threefryRounds()}
  return vec2<u32>(x0, x1);
}
`

const LN2_HI = 6.9313812256e-1
const LN2_LO = 9.0580006145e-6

/**
 * Logarithms, after musl's `logf` (error below one ulp in C): `imleLogParts(f, k)` is
 * `log(1 + f) + k ln 2` for `f` in `[sqrt(1/2) - 1, sqrt(2) - 1]`; `imleLog(x)` is `log(x)` for
 * a positive normal float32 (the mantissa reduced to `[sqrt(1/2), sqrt(2))`, so `f = m - 1` is
 * exact). `imleNegLogOpen(u, v)` is `-log(u)` for `u` in `(0, 1)` given also `v = 1 - u`
 * (computed exactly by the caller): near 1 it is `-log1p(-v)`, free of the rounding of `u`.
 *
 * @example
 * ```ts
 * const body = `let e = imleNegLogOpen(u, v);`   // -log(u), an Exponential(1) draw
 * ```
 */
export const LOG_WGSL = `
fn imleLogParts(f: f32, k: f32) -> f32 {
  let s = f / (2.0 + f);
  let z = s * s;
  let w = z * z;
  let t1 = w * (${f32(0xccce13 * 2 ** -25)} + w * ${f32(0xf89e26 * 2 ** -26)});
  let t2 = z * (${f32(0xaaaaaa * 2 ** -24)} + w * ${f32(0x91e9ee * 2 ** -25)});
  let hfsq = 0.5 * f * f;
  return s * (hfsq + t2 + t1) + k * ${f32(LN2_LO)} - hfsq + f + k * ${f32(LN2_HI)};
}
fn imleLog(x: f32) -> f32 {
  let ix = bitcast<u32>(x) + (0x3f800000u - 0x3f3504f3u);
  let k = f32(i32(ix >> 23u) - 127);
  let m = bitcast<f32>((ix & 0x007fffffu) + 0x3f3504f3u);
  return imleLogParts(m - 1.0, k);
}
fn imleNegLogOpen(u: f32, v: f32) -> f32 {
  if (v <= ${f32(1 - Math.SQRT1_2)}) {
    return -imleLogParts(-v, 0.0);
  }
  return -imleLog(u);
}
`

// Cephes' sinf and cosf polynomials on [-pi/4, pi/4].
const SIN = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1]
const COS = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2]

/**
 * `imleSinCos(w) -> vec2<f32>`: `(sin t, cos t)` for the angle `t = 2 pi w 2^-32` of a 32-bit
 * word `w`. The quadrant is taken from the word's integer bits (exact reduction), the rest is
 * an angle in `[-pi/4, pi/4)` for Cephes' `sinf`/`cosf` polynomials.
 *
 * @example
 * ```ts
 * const body = `let sc = imleSinCos(w.y); a = r * sc.y; b = r * sc.x;`   // Box-Muller's pair
 * ```
 */
export const SINCOS_WGSL = `
fn imleSinCos(w: u32) -> vec2<f32> {
  let q = (w + 0x20000000u) >> 30u;
  let a = f32(bitcast<i32>(w - (q << 30u))) * ${f32(Math.PI * 2 ** -31)};
  let z = a * a;
  let s = ((${f32(SIN[0]!)} * z + ${f32(SIN[1]!)}) * z + ${f32(SIN[2]!)}) * z * a + a;
  let c = ((${f32(COS[0]!)} * z + ${f32(COS[1]!)}) * z + ${f32(COS[2]!)}) * z * z - 0.5 * z + 1.0;
  var sc = vec2<f32>(s, c);
  if (q == 1u) {
    sc = vec2<f32>(c, -s);
  } else if (q == 2u) {
    sc = vec2<f32>(-s, -c);
  } else if (q == 3u) {
    sc = vec2<f32>(-c, s);
  }
  return sc;
}
`

/**
 * `2^-23`, the spacing of the 23-bit uniforms, as a WGSL literal.
 *
 * @example
 * ```ts
 * const body = `a = f32(w.x >> 9u) * ${TWO_M23};`   // fillUniform's value of word w.x
 * ```
 */
export const TWO_M23 = f32(2 ** -23)

/**
 * Per-word transforms `fn(w: u32) -> f32` shared by the samplers: `imleUniformOf(w)`, the value
 * of `fillUniform` (`(w >> 9) 2^-23`, exact); `imleUniformOpenOf(w)`, that of `fillUniformOpen`
 * (`((w >> 9) + 1/2) 2^-23`, exact); `imleGumbelOf(w)`, `-log(-log(u))` of the open uniform.
 *
 * @example
 * ```ts
 * const gumbel: PairSampler = { name: 'my_gumbel', body: 'a = imleGumbelOf(w.x); b = imleGumbelOf(w.y);' }
 * ```
 */
export const WORD_WGSL = `
fn imleUniformOf(w: u32) -> f32 {
  return f32(w >> 9u) * ${TWO_M23};
}
fn imleUniformOpenOf(w: u32) -> f32 {
  return (f32(w >> 9u) + 0.5) * ${TWO_M23};
}
fn imleGumbelOf(w: u32) -> f32 {
  let m = w >> 9u;
  let u = (f32(m) + 0.5) * ${TWO_M23};
  let v = (f32(8388607u - m) + 0.5) * ${TWO_M23};
  return -imleLog(imleNegLogOpen(u, v));
}
`
