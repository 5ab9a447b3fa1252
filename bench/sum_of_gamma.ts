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
} from '../src/distributions/sum_of_gamma/index.js'
import { TestRng } from '../test/support/rng.js'
import { time } from './_timing.js'

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
const rng = new TestRng(7) // the test suite's seeded generator
const uniforms = rng.uniforms(N)
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
