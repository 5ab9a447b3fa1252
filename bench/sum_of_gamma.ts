/**
 * Sum-of-Gamma noise: table build time, table sampling time, the exact sampler's time, and the
 * table's CDF error `sup_u |F(Q(u)) - u|` against the exact series CDF.
 *
 * Run: `npx tsx bench/sum_of_gamma.ts`
 */
import {
  buildSumOfGammaTable,
  sampleSumOfGammaExact,
  sampleSumOfGammaTable,
  sumOfGammaCdf,
  sumOfGammaLaw,
  sumOfGammaSf,
  type FillGamma,
} from '../src/distributions/sum_of_gamma_law.js'
import { time } from './_timing.js'

/** xoshiro128** with 53-bit uniforms and Marsaglia-Tsang Gammas (the test suite's generator). */
class BenchRng {
  private s = new Uint32Array(4)
  private spare = 0
  private hasSpare = false
  constructor(seed: number) {
    let a = seed | 0
    for (let i = 0; i < 4; i++) {
      a = (a + 0x9e3779b9) | 0
      let t = Math.imul(a ^ (a >>> 16), 0x21f0aaad)
      t = Math.imul(t ^ (t >>> 15), 0x735a2d97)
      this.s[i] = t ^ (t >>> 15)
    }
  }
  private u32(): number {
    const s = this.s
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0
    const t = s[1]! << 9
    s[2]! ^= s[0]!
    s[3]! ^= s[1]!
    s[1]! ^= s[2]!
    s[0]! ^= s[3]!
    s[2]! ^= t
    s[3] = rotl(s[3]!, 11)
    return r
  }
  uniform(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6) + 0.5) / 9007199254740992
  }
  private normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false
      return this.spare
    }
    for (;;) {
      const x = 2 * this.uniform() - 1
      const y = 2 * this.uniform() - 1
      const r = x * x + y * y
      if (r > 0 && r < 1) {
        const f = Math.sqrt((-2 * Math.log(r)) / r)
        this.spare = y * f
        this.hasSpare = true
        return x * f
      }
    }
  }
  gamma(shape: number): number {
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
  readonly fillGamma: FillGamma = (shape, out) => {
    for (let j = 0; j < out.length; j++) out[j] = this.gamma(shape)
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}



/** `sup_u |F(Q(u)) - u|` over `u = (i + 1/2) / m` (many points per bulk cell). */
function maxCdfError(k: number, s: number, m = 400_000): number {
  const law = sumOfGammaLaw(k, s)
  const u = new Float64Array(m)
  for (let i = 0; i < m; i++) u[i] = (i + 0.5) / m
  const x = sampleSumOfGammaTable(buildSumOfGammaTable(k, s), u, new Float64Array(m))
  let worst = 0
  for (let i = 0; i < m; i++) {
    const F = u[i]! < 0.5 ? sumOfGammaCdf(law, x[i]!) : 1 - sumOfGammaSf(law, x[i]!)
    worst = Math.max(worst, Math.abs(F - u[i]!))
  }
  return worst
}

const CASES: ReadonlyArray<readonly [number, number]> = [
  [10, 100],
  [15.6, 100],
  [39, 100],
  [1, 10],
  [5, 10],
  [1, 100],
  [5, 1000],
]
const N = 1_000_000
const rng = new BenchRng(7)
const uniforms = new Float64Array(N)
for (let i = 0; i < N; i++) uniforms[i] = rng.uniform()
const out = new Float32Array(N)

// Warm the JIT on every path before timing anything.
for (const [k, s] of CASES) sampleSumOfGammaTable(buildSumOfGammaTable(k, s), uniforms, out)

console.log('k      s     law ms  table ms  1e6 table ms  1e6 exact ms (from 1e5)  max |F(Q(u)) - u|')
for (const [k, s] of CASES) {
  const tLaw = time(() => void sumOfGammaLaw(k, s), 5)
  const tBuild = time(() => void buildSumOfGammaTable(k, s), 5)
  const table = buildSumOfGammaTable(k, s)
  const tSample = time(() => void sampleSumOfGammaTable(table, uniforms, out), 5)
  const small = new Float32Array(N / 10)
  const t0 = performance.now()
  sampleSumOfGammaExact(k, s, small, rng.fillGamma)
  const tExact = (performance.now() - t0) * 10
  const err = maxCdfError(k, s)
  console.log(
    `${String(k).padEnd(6)} ${String(s).padEnd(5)} ${tLaw.toFixed(2).padStart(6)} ${tBuild.toFixed(2).padStart(9)}` +
      ` ${tSample.toFixed(2).padStart(13)} ${tExact.toFixed(0).padStart(24)} ${err.toExponential(2).padStart(18)}`,
  )
}
