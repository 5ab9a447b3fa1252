/**
 * A small seeded generator for tests and benchmarks, so that every statistical check is
 * deterministic: xoshiro128** seeded by splitmix32, 53-bit uniforms in (0, 1), polar
 * (Marsaglia) normals, and Marsaglia-Tsang Gamma(shape, 1) (with the U^(1/shape) boost for
 * shape < 1). Not part of the library, and not a suite: the test pattern runs `*.test.ts` files only.
 *
 * @module
 */
import type { FillGamma } from '../../src/distributions/sum_of_gamma/index.js'

/**
 * A seeded xoshiro128** generator with float64 uniforms, normals and Gammas.
 *
 * @example
 * ```ts
 * const rng = new TestRng(7)
 * const u = rng.uniforms(1000)                                      // Float64Array in (0, 1)
 * sampleSumOfGammaExact(10, 100, new Float64Array(1000), rng.fillGamma)
 * ```
 */
export class TestRng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spare = NaN

  /** Seeds the four state words from `seed` (an int32) with splitmix32. */
  constructor(seed: number) {
    let a = seed | 0
    const next = (): number => {
      a = (a + 0x9e3779b9) | 0
      let t = a ^ (a >>> 16)
      t = Math.imul(t, 0x21f0aaad)
      t ^= t >>> 15
      t = Math.imul(t, 0x735a2d97)
      return (t ^ (t >>> 15)) >>> 0
    }
    this.s0 = next()
    this.s1 = next()
    this.s2 = next()
    this.s3 = next()
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return r
  }

  /** Uniform on (0, 1) with 53 random bits, never 0 or 1. */
  uniform(): number {
    const hi = this.u32() >>> 5
    const lo = this.u32() >>> 6
    return (hi * 67108864 + lo + 0.5) / 9007199254740992
  }

  /** A standard normal by the polar method; the second value of each pair is kept for the next call. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare
      this.spare = NaN
      return z
    }
    for (;;) {
      const x = 2 * this.uniform() - 1
      const y = 2 * this.uniform() - 1
      const r = x * x + y * y
      if (r > 0 && r < 1) {
        const f = Math.sqrt((-2 * Math.log(r)) / r)
        this.spare = y * f
        return x * f
      }
    }
  }

  /** A Gamma(shape, 1) variate by Marsaglia-Tsang (boosted by `U^(1/shape)` for shape < 1). */
  gamma(shape: number): number {
    // shape < 1: Gamma(shape) = Gamma(shape + 1) * U^(1/shape).
    const boost = shape < 1
    const d = (boost ? shape + 1 : shape) - 1 / 3
    const c = 1 / Math.sqrt(9 * d)
    for (;;) {
      let x: number
      let v: number
      do {
        x = this.normal()
        v = 1 + c * x
      } while (v <= 0)
      v = v * v * v
      const u = this.uniform()
      const x2 = x * x
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
        return boost ? d * v * Math.exp(Math.log(this.uniform()) / shape) : d * v
      }
    }
  }

  /** Fills `out` with Gamma(shape, 1) variates: a `FillGamma` for `sampleSumOfGammaExact`. */
  readonly fillGamma: FillGamma = (shape, out) => {
    for (let j = 0; j < out.length; j++) out[j] = this.gamma(shape)
  }

  /** `n` uniforms in (0, 1), as from `uniform`. */
  uniforms(n: number): Float64Array {
    const u = new Float64Array(n)
    for (let j = 0; j < n; j++) u[j] = this.uniform()
    return u
  }
}

/** Rotates the 32-bit word `x` left by `k` bits. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
