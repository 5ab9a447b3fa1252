/**
 * The Sum-of-Gamma law: exact moments and cumulants, the exact sampler, the series CDF (against
 * closed forms and an independent Gil-Pelaez inversion), the quantile table (its CDF error, its
 * moments, KS against exact samples), the Gumbel limit of sums of k values, and the KS helpers.
 *
 * Randomness comes from a small seeded generator, `TestRng` in `_rng.ts` (xoshiro128** with
 * Marsaglia-Tsang Gammas), so every statistical test is deterministic; tolerances are derived
 * from the sample size (5 standard errors for moments, the alpha = 0.001 asymptotic KS critical
 * value).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  buildSumOfGammaTable,
  sampleSumOfGammaExact,
  sampleSumOfGammaTable,
  sumOfGammaCdf,
  sumOfGammaCumulant,
  sumOfGammaLaw,
  sumOfGammaMoments,
  sumOfGammaPdf,
  sumOfGammaSf,
  sumOfGammaTable,
} from '../../src/distributions/sum_of_gamma/index.js'
import { ksConstant, ksCritical, ksOneSample, ksStatistic, ksTwoSample } from '../support/ks.js'
import { argumentError } from '../support/helpers.js'
import { TestRng } from '../support/rng.js'
import { assertMoments, gumbelBias, gumbelCdf, sumOfGammaMoments4, sumOfKCdf } from '../support/stats.js'

// ---------------------------------------------------------------------------------------------
// Helpers.

const CASES = [
  [10, 100],
  [1, 10],
  [15.6, 100],
  [5, 10],
] as const

/** Asserts the sample mean and variance are within 5 standard errors of the law's (k, s). */
function assertSumOfGammaMoments(x: ArrayLike<number>, k: number, s: number, msg: string): void {
  assertMoments(x, ...sumOfGammaMoments4(k, s), msg)
}

function exactSample(k: number, s: number, n: number, seed: number): Float64Array {
  const rng = new TestRng(seed)
  return sampleSumOfGammaExact(k, s, new Float64Array(n), rng.fillGamma)
}

function tableSample(k: number, s: number, n: number, seed: number): Float64Array {
  return sampleSumOfGammaTable(sumOfGammaTable(k, s), new TestRng(seed).uniforms(n), new Float64Array(n))
}

// ---------------------------------------------------------------------------------------------
// Moments and cumulants.

test('sumOfGammaMoments: the closed forms (H_s - ln s)/k and (sum 1/i^2)/k', () => {
  // k = 1, s = 1: eps ~ Exp(1).
  assert.equal(sumOfGammaMoments(1, 1), { mean: 1, variance: 1 })
  for (const [k, s] of CASES) {
    let h = 0
    let h2 = 0
    for (let i = 1; i <= s; i++) {
      h += 1 / i
      h2 += 1 / (i * i)
    }
    const m = sumOfGammaMoments(k, s)
    assert.ok(Math.abs(m.mean - (h - Math.log(s)) / k) < 1e-14, `mean k=${k} s=${s}`)
    assert.ok(Math.abs(m.variance - h2 / k) < 1e-14, `variance k=${k} s=${s}`)
  }
  // kappa_3 = 2/k sum 1/i^3 and kappa_4 = 6/k sum 1/i^4 (k = 1, s = 1: Exp(1) has 2 and 6).
  assert.ok(Math.abs(sumOfGammaCumulant(1, 1, 3) - 2) < 1e-15)
  assert.ok(Math.abs(sumOfGammaCumulant(1, 1, 4) - 6) < 1e-15)
})

test('sumOfGammaMoments: the sum of k values has the mean and variance of max of s Exp(1) - ln s', () => {
  // E[max] = H_s and Var[max] = sum 1/i^2, so k * mean = H_s - ln s and k * variance = sum 1/i^2.
  const s = 50
  let h = 0
  let h2 = 0
  for (let i = 1; i <= s; i++) {
    h += 1 / i
    h2 += 1 / (i * i)
  }
  for (const k of [1, 2, 5, 7]) {
    const m = sumOfGammaMoments(k, s)
    assert.ok(Math.abs(k * m.mean - (h - Math.log(s))) < 1e-13)
    assert.ok(Math.abs(k * m.variance - h2) < 1e-13)
  }
})

test('arguments: k must be positive and finite, s a positive integer', () => {
  assert.throws(() => sumOfGammaMoments(0, 10), argumentError(/k must be/))
  assert.throws(() => sumOfGammaMoments(Number.NaN, 10), argumentError())
  assert.throws(() => sumOfGammaTable(10, 2.5), argumentError(/got 2.5/))
  assert.throws(() => sumOfGammaLaw(10, 0), argumentError())
  assert.throws(() => sampleSumOfGammaExact(-1, 10, new Float32Array(1), () => {}), argumentError())
})

// ---------------------------------------------------------------------------------------------
// The exact sampler.

test('sampleSumOfGammaExact: moments within 5 standard errors', () => {
  let seed = 1
  for (const [k, s] of CASES) assertSumOfGammaMoments(exactSample(k, s, 40000, seed++), k, s, `exact k=${k} s=${s}`)
})

test('sampleSumOfGammaExact: calls fillGamma(1/k, buffer, i) for i = 1..s and rounds once into out', () => {
  const calls: Array<[number, number, number]> = []
  // Constant "Gammas" g_i = 1: eps = H_s - ln(s)/k.
  const out = sampleSumOfGammaExact(4, 3, new Float32Array(5), (shape, buf, i) => {
    calls.push([shape, buf.length, i])
    buf.fill(1)
  })
  assert.equal(calls, [
    [0.25, 5, 1],
    [0.25, 5, 2],
    [0.25, 5, 3],
  ])
  const want = Math.fround(1 + 1 / 2 + 1 / 3 - Math.log(3) / 4)
  for (const v of out) assert.is(v, want)
})

test('sampleSumOfGammaExact: passes a one-sample KS test against the series CDF', () => {
  let seed = 11
  for (const [k, s] of CASES) {
    const law = sumOfGammaLaw(k, s)
    const x = exactSample(k, s, 20000, seed++).sort()
    const r = ksOneSample(x, (t) => sumOfGammaCdf(law, t))
    assert.not.ok(r.reject, `k=${k} s=${s}: D = ${r.statistic} > ${r.critical}`)
  }
})

// ---------------------------------------------------------------------------------------------
// The series CDF.

test('sumOfGammaCdf/Sf: k = 1 matches the closed form (1 - e^{-x}/s)^s', () => {
  for (const s of [1, 2, 10, 100]) {
    const law = sumOfGammaLaw(1, s)
    for (let x = -Math.log(s) + 1e-3; x < 30; x += 0.0137) {
      const F = sumOfKCdf(s, x)
      const S = -Math.expm1(s * Math.log1p(-Math.exp(-x) / s))
      assert.ok(Math.abs(sumOfGammaCdf(law, x) - F) < 1e-11, `s=${s} x=${x}: cdf ${sumOfGammaCdf(law, x)} vs ${F}`)
      assert.ok(Math.abs(sumOfGammaSf(law, x) / S - 1) < 1e-8, `s=${s} x=${x}: sf ${sumOfGammaSf(law, x)} vs ${S}`)
    }
  }
})

test('sumOfGammaLaw: the mixture weights sum to 1 before renormalisation and hold the mean of K', () => {
  for (const [k, s] of [...CASES, [39, 100] as const]) {
    const law = sumOfGammaLaw(k, s)
    assert.ok(Math.abs(law.truncation) < 1e-12, `k=${k} s=${s}: 1 - sum w = ${law.truncation}`)
    // E[X] = (rho + E[K]) / s = H_s / k, so E[K] = s H_s / k - rho.
    let ek = 0
    for (let n = 0; n <= law.nMax; n++) ek += n * law.weights[n]!
    let h = 0
    for (let i = 1; i <= s; i++) h += 1 / i
    assert.ok(Math.abs(ek - ((s * h) / k - s / k)) < 1e-9 * (1 + ek), `k=${k} s=${s}: E[K] = ${ek}`)
  }
})

test('sumOfGammaCdf: agrees with Gil-Pelaez inversion of the characteristic function', () => {
  // phi_X(t) = prod_i (1 - i t / i)^(-1/k): |phi| = exp(-(1/2k) sum ln(1 + t^2/i^2)),
  // arg phi = (1/k) sum atan(t/i). F(x) = 1/2 - (1/pi) int_0^inf Im(e^{-itX} phi_X(t)) / t dt.
  for (const [k, s] of [
    [10, 100],
    [15.6, 100],
  ] as const) {
    const law = sumOfGammaLaw(k, s)
    const h = 0.01
    const logMod: number[] = []
    const arg: number[] = []
    for (let t = 0; ; t += h) {
      let lm = 0
      let ar = 0
      for (let i = 1; i <= s; i++) {
        lm += Math.log1p((t * t) / (i * i))
        ar += Math.atan(t / i)
      }
      logMod.push((-0.5 * lm) / k)
      arg.push(ar / k)
      if (t > 1 && Math.exp(logMod[logMod.length - 1]!) / t < 1e-13 && logMod.length % 2 === 1) break
    }
    const mean = sumOfGammaMoments(k, s).mean
    for (let x = mean - 1.5; x <= mean + 2.5; x += 0.25) {
      const X = x + law.shift
      let sum = 0
      for (let j = 0; j < logMod.length; j++) {
        const t = j * h
        const g = j === 0 ? harmonic(s) / k - X : (Math.exp(logMod[j]!) * Math.sin(arg[j]! - t * X)) / t
        const w = j === 0 || j === logMod.length - 1 ? 1 : j % 2 === 1 ? 4 : 2
        sum += w * g
      }
      const F = 0.5 - (sum * h) / 3 / Math.PI
      const got = sumOfGammaCdf(law, x)
      assert.ok(Math.abs(got - F) < 1e-8, `k=${k} s=${s} x=${x}: series ${got} vs Gil-Pelaez ${F}`)
    }
  }
})

function harmonic(s: number): number {
  let h = 0
  for (let i = s; i >= 1; i--) h += 1 / i
  return h
}

test('sumOfGammaPdf: the derivative of sumOfGammaCdf', () => {
  for (const [k, s] of CASES) {
    const law = sumOfGammaLaw(k, s)
    const { mean, variance } = sumOfGammaMoments(k, s)
    const sd = Math.sqrt(variance)
    for (let z = -2; z <= 4; z += 0.5) {
      const x = mean + z * sd
      const dx = 1e-5 * sd
      const fd = (sumOfGammaCdf(law, x + dx) - sumOfGammaCdf(law, x - dx)) / (2 * dx)
      const f = sumOfGammaPdf(law, x)
      assert.ok(Math.abs(f - fd) < 1e-6 * (1 + f) / sd, `k=${k} s=${s} x=${x}: pdf ${f} vs ${fd}`)
    }
  }
})

// ---------------------------------------------------------------------------------------------
// The quantile table.

test('sampleSumOfGammaTable: CDF error sup_u |F(Q(u)) - u| below 1e-6 (and 1e-7 relative in the tails)', () => {
  for (const [k, s] of [...CASES, [39, 100] as const]) {
    const law = sumOfGammaLaw(k, s)
    const table = sumOfGammaTable(k, s)
    const n = 100000
    const u = new Float64Array(n)
    for (let i = 0; i < n; i++) u[i] = (i + 0.5) / n // 24 points per bulk cell
    const x = sampleSumOfGammaTable(table, u, new Float64Array(n))
    let worst = 0
    for (let i = 0; i < n; i++) {
      const F = u[i]! < 0.5 ? sumOfGammaCdf(law, x[i]!) : 1 - sumOfGammaSf(law, x[i]!)
      worst = Math.max(worst, Math.abs(F - u[i]!))
    }
    assert.ok(worst < 1e-6, `k=${k} s=${s}: max CDF error ${worst}`)
    // Tails: u and 1 - u = 2^-e for e in (10, 50): relative error of F and of 1 - F.
    let worstRel = 0
    for (let e = 10.01; e < 50; e += 0.07) {
      const p = Math.pow(2, -e)
      const q = sampleSumOfGammaTable(table, new Float64Array([p, 1 - p]), new Float64Array(2))
      const X = q[0]! + law.shift
      if (X > 1e-3 * law.shift) worstRel = Math.max(worstRel, Math.abs(sumOfGammaCdf(law, q[0]!) / p - 1))
      worstRel = Math.max(worstRel, Math.abs(sumOfGammaSf(law, q[1]!) / (1 - (1 - p)) - 1))
    }
    assert.ok(worstRel < 1e-7, `k=${k} s=${s}: max relative tail error ${worstRel}`)
  }
})

test('sampleSumOfGammaTable: moments within 5 standard errors (n = 1e6)', () => {
  let seed = 101
  for (const [k, s] of CASES) assertSumOfGammaMoments(tableSample(k, s, 1_000_000, seed++), k, s, `table k=${k} s=${s}`)
})

test('sampleSumOfGammaTable: two-sample KS against the exact sampler at alpha = 0.001', () => {
  let seed = 201
  for (const [k, s] of CASES) {
    const a = tableSample(k, s, 20000, seed++)
    const b = exactSample(k, s, 20000, seed++)
    const r = ksTwoSample(a, b)
    assert.not.ok(r.reject, `k=${k} s=${s}: D = ${r.statistic} > ${r.critical}`)
  }
})

test('sampleSumOfGammaTable: sums of k table values follow (1 - e^{-x}/s)^s exactly (KS, n = 1e5)', () => {
  for (const [k, s] of [
    [5, 10],
    [10, 100],
  ] as const) {
    const n = 100000
    const e = tableSample(k, s, n * k, 300 + k)
    const sums = new Float64Array(n)
    for (let i = 0; i < n * k; i++) sums[i % n]! += e[i]!
    sums.sort()
    const r = ksOneSample(sums, (x) => sumOfKCdf(s, x))
    assert.not.ok(r.reject, `k=${k} s=${s}: D = ${r.statistic} > ${r.critical}`)
  }
})

test('sampleSumOfGammaTable: monotone in u, float32 output, rejects uniforms outside (0, 1)', () => {
  const table = sumOfGammaTable(15.6, 100)
  const u = new Float64Array(20001)
  for (let i = 0; i < u.length; i++) u[i] = Math.pow(2, -60 + (59 * i) / (u.length - 1)) // 2^-60 .. 0.5
  const v = Float64Array.from(u.filter((p) => p >= 2 ** -52), (p) => 1 - p).reverse() // 1 - u exact
  const all = new Float64Array([...u, ...v])
  const x = sampleSumOfGammaTable(table, all, new Float64Array(all.length))
  for (let i = 1; i < x.length; i++) assert.ok(x[i]! >= x[i - 1]!, `not monotone at u=${all[i]}`)
  const x32 = sampleSumOfGammaTable(table, all, new Float32Array(all.length))
  assert.is(x32[100], Math.fround(x[100]!))
  for (const bad of [0, 1, -0.5, Number.NaN]) {
    assert.throws(
      () => sampleSumOfGammaTable(table, new Float64Array([0.5, bad]), new Float32Array(2)),
      argumentError(/uniforms\[1\]/),
    )
  }
  assert.throws(() => sampleSumOfGammaTable(table, new Float64Array(3), new Float32Array(2)), argumentError())
})

test('sumOfGammaTable: memoized per (k, s); equal to a fresh build', () => {
  const a = sumOfGammaTable(10, 100)
  assert.is(sumOfGammaTable(10, 100), a)
  const b = buildSumOfGammaTable(10, 100)
  assert.is.not(b, a)
  assert.equal(Array.from(b.bulk), Array.from(a.bulk))
  assert.is.not(sumOfGammaTable(10, 101), a)
})

// ---------------------------------------------------------------------------------------------
// The Gumbel limit.

test('sum of k = 5 exact values, s = 1000: (1 - e^{-x}/s)^s exactly and Gumbel(0, 1) within O(1/s)', () => {
  const k = 5
  const s = 1000
  const n = 5000 // 2.5e7 Gamma draws
  const e = exactSample(k, s, n * k, 401)
  const sums = new Float64Array(n)
  for (let i = 0; i < n * k; i++) sums[i % n]! += e[i]!
  sums.sort()
  const exact = ksOneSample(sums, (x) => sumOfKCdf(s, x))
  assert.not.ok(exact.reject, `finite-s law: D = ${exact.statistic} > ${exact.critical}`)
  // sup_x |(1 - e^{-x}/s)^s - exp(-e^{-x})| ~= 2 e^{-2} / s (at e^{-x} = 2): the bias allowance.
  const bias = gumbelBias(s)
  assert.ok(Math.abs(bias - (2 * Math.exp(-2)) / s) < 0.1 / s, `bias ${bias}`)
  const d = ksStatistic(sums, gumbelCdf)
  assert.ok(d < ksCritical(0.001, n) + bias, `Gumbel: D = ${d} > ${ksCritical(0.001, n)} + ${bias}`)
})

// ---------------------------------------------------------------------------------------------
// KS helpers.

test('ks: constants, statistics of known samples, ties, and a rejection', () => {
  assert.ok(Math.abs(ksConstant(0.001) - 1.9495) < 1e-4)
  assert.ok(Math.abs(ksCritical(0.001, 20000, 20000) - 1.9495 * Math.sqrt(2 / 20000)) < 1e-6)
  // Uniform CDF on [0, 1]: the sample {0.5} has D = 0.5; {0.25, 0.75} has D = 0.25.
  const unif = (x: number): number => Math.min(1, Math.max(0, x))
  assert.ok(Math.abs(ksStatistic([0.5], unif) - 0.5) < 1e-15)
  assert.ok(Math.abs(ksStatistic([0.25, 0.75], unif) - 0.25) < 1e-15)
  assert.throws(() => ksStatistic([0.75, 0.25], unif), argumentError())
  assert.is(ksTwoSample([1, 2, 3], [3, 2, 1]).statistic, 0)
  assert.is(ksTwoSample([1, 2], [3, 4]).statistic, 1)
  assert.is(ksTwoSample([1, 1, 2, 2], [1, 2]).statistic, 0) // ties jump together
  // Power: exact samples of (10, 100) against (11, 100) are told apart.
  const r = ksTwoSample(tableSample(10, 100, 20000, 501), tableSample(11, 100, 20000, 502))
  assert.ok(r.reject, `k = 10 vs 11 not rejected: D = ${r.statistic} <= ${r.critical}`)
})

test.run()
