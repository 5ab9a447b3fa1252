/**
 * The toy study: the enumeration against formulas and brute force (252 states, probabilities
 * that sum to 1 and match the exact k-subset marginals, the optimum's closed form against the
 * minimum over states, the exact gradient against central finite differences, the tensor
 * losses against the host ones), the generator's determinism and moments, the methods'
 * per-row lambda against the estimators built with that lambda, the runner's determinism and
 * no leak, and the expected outcomes on the quick preset run through the CLI.
 */
import * as tf from '@tensorflow/tfjs-core'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { toyCommand, runToyCli } from '../../src/cli/toy.js'
import { grad, imle, kSubset, noise, ops, perturbed, random, solvers, target, valueAndGrad, vmap } from '../../src/index.js'
import * as toy from '../../src/pipelines/toy/index.js'
import { assertClose, bits, sameWords, setup } from '../support/helpers.js'

test.before(setup)

/** A deterministic float64 stream in [0, 1) (a linear congruential generator) for host-only checks. */
const lcg = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}
const gaussian = (u: () => number) => (): number => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())

test('states: the C(10, 5) = 252 distinct 5-subsets, and the small case written out', () => {
  const S = toy.states()
  assert.is(S.count, 252)
  const seen = new Set<string>()
  for (let s = 0; s < S.count; s++) {
    const row = Array.from(S.z.subarray(s * 10, s * 10 + 10))
    assert.is(row.reduce((a, b) => a + b, 0), 5)
    assert.equal(Array.from(S.items.subarray(s * 5, s * 5 + 5)), row.flatMap((v, i) => (v ? [i] : [])))
    seen.add(row.join(''))
  }
  assert.is(seen.size, 252)
  assert.equal(Array.from(toy.states(3, 2).z), [1, 1, 0, 1, 0, 1, 0, 1, 1])
})

test('probabilities sum to 1, are exp(<theta, z>) / Z, and their marginals are kSubset.marginals', () => {
  const S = toy.states()
  const g = gaussian(lcg(1))
  const theta = Float32Array.from({ length: 10 }, () => 2 * g())
  const p = toy.probabilities(theta, S)
  let sum = 0
  let Z = 0
  for (let s = 0; s < S.count; s++) {
    sum += p[s]!
    let l = 0
    for (let i = 0; i < 10; i++) l += S.z[s * 10 + i]! * theta[i]!
    Z += Math.exp(l)
  }
  assert.ok(Math.abs(sum - 1) < 1e-12, `sum ${sum}`)
  for (let s = 0; s < S.count; s++) {
    let l = 0
    for (let i = 0; i < 10; i++) l += S.z[s * 10 + i]! * theta[i]!
    assert.ok(Math.abs(p[s]! - Math.exp(l) / Z) < 1e-12, `state ${s}`)
  }
  const mu = Array.from({ length: 10 }, (_, i) => p.reduce((a, ps, s) => a + ps * S.z[s * 10 + i]!, 0))
  assertClose(tf.tensor1d(mu), kSubset.marginals(tf.tensor1d(theta), 5), 1e-6, 1e-5, 'marginals')
})

test('the optimum formula equals the brute-force minimum over the 252 states, and is the limit of the exact loss', () => {
  const S = toy.states()
  const g = gaussian(lcg(2))
  const R = 200
  const b = Float64Array.from({ length: R * 10 }, () => Math.abs(g()))
  const opt = toy.optimum(b)
  for (let r = 0; r < R; r++) {
    let best = Infinity
    let bestS = -1
    for (let s = 0; s < S.count; s++) {
      let d = 0
      for (let i = 0; i < 10; i++) d += (S.z[s * 10 + i]! - b[r * 10 + i]!) ** 2
      if (d < best) (best = d), (bestS = s)
    }
    assert.ok(Math.abs(opt[r]! - best) < 1e-12, `row ${r}: formula ${opt[r]} vs brute force ${best}`)
    // theta = 40 z*: the law sits on the best state up to e^-40 per neighbour.
    const theta = Array.from({ length: 10 }, (_, i) => 40 * S.z[bestS * 10 + i]!)
    const loss = toy.exactLoss(theta, b.subarray(r * 10, r * 10 + 10))[0]!
    assert.ok(Math.abs(loss - best) < 1e-12, `row ${r}: loss ${loss} vs optimum ${best}`)
  }
  // The closed form for n = 4, k = 2 by hand: b = [0, 0.5, 1, 2] -> 0^2 + 0.5^2 + 0^2 + 1^2.
  assert.is(toy.optimum([0, 0.5, 1, 2], 4, 2)[0], 1.25)
})

test('the exact gradient equals central finite differences of the exact loss (float64)', () => {
  const g = gaussian(lcg(3))
  const R = 5
  const theta = Float64Array.from({ length: R * 10 }, () => 1.5 * g())
  const b = Float64Array.from({ length: R * 10 }, () => Math.abs(g()))
  const grad64 = toy.exactGradient(theta, b)
  const h = 1e-5
  for (let j = 0; j < R * 10; j++) {
    const plus = theta.slice()
    const minus = theta.slice()
    plus[j]! += h
    minus[j]! -= h
    const r = Math.floor(j / 10)
    const fd = (toy.exactLoss(plus, b)[r]! - toy.exactLoss(minus, b)[r]!) / (2 * h)
    assert.ok(Math.abs(fd - grad64[j]!) < 1e-8, `entry ${j}: finite difference ${fd} vs exact ${grad64[j]}`)
  }
})

test('the tensor losses (enumerated, and through kSubset.marginals) and their gradients equal the host float64 ones', () => {
  const [theta, b] = tf.tidy(() => [random.normal(random.key(5), [6, 10]), ops.abs(random.normal(random.key(6), [6, 10]))])
  const host = toy.exactLoss(theta!.dataSync(), b!.dataSync())
  const hostGrad = toy.exactGradient(theta!.dataSync(), b!.dataSync())
  for (const [name, f] of [
    ['enumeratedLoss', toy.enumeratedLoss()],
    ['expectedLoss', toy.expectedLoss],
  ] as const) {
    tf.tidy(() => {
      const [v, g] = valueAndGrad((th: tf.Tensor) => ops.sum(vmap(f)(th, b!)))(theta!)
      assertClose(vmap(f)(theta!, b!), tf.tensor1d(Float32Array.from(host)), 1e-5, 1e-5, `${name} value`)
      assert.ok(Math.abs(v.dataSync()[0]! - host.reduce((a, x) => a + x, 0)) < 1e-4, `${name} sum`)
      assertClose(g, tf.tensor2d(Float32Array.from(hostGrad), [6, 10]), 2e-5, 1e-4, `${name} gradient`)
    })
  }
  tf.dispose([theta!, b!])
})

test('problem: deterministic in the key, theta0 ~ N(0, 1) and b = |N(0, 1)| by their moments', () => {
  const a = toy.problem(random.key(7), 2000)
  const a2 = toy.problem(random.key(7), 2000)
  const c = toy.problem(random.key(8), 2000)
  sameWords(bits(a.theta0), bits(a2.theta0), 'theta0, same key')
  sameWords(bits(a.b), bits(a2.b), 'b, same key')
  assert.not.equal(Array.from(c.theta0.dataSync().slice(0, 10)), Array.from(a.theta0.dataSync().slice(0, 10)))
  assert.equal(a.theta0.shape, [2000, 10])
  const th = a.theta0.dataSync()
  const bb = a.b.dataSync()
  const n = th.length
  const mean = (x: ArrayLike<number>, f: (v: number) => number): number => {
    let s = 0
    for (let i = 0; i < x.length; i++) s += f(x[i]!)
    return s / x.length
  }
  // Tolerances: 5 standard errors of the sample mean of each statistic over n = 20000 draws.
  const se = (variance: number): number => 5 * Math.sqrt(variance / n)
  assert.ok(Math.abs(mean(th, (v) => v)) < se(1), 'E theta0 = 0')
  assert.ok(Math.abs(mean(th, (v) => v * v) - 1) < se(2), 'E theta0^2 = 1')
  assert.ok(mean(bb, (v) => (v >= 0 ? 0 : 1)) === 0, 'b >= 0')
  const eAbs = Math.sqrt(2 / Math.PI)
  assert.ok(Math.abs(mean(bb, (v) => v) - eAbs) < se(1 - 2 / Math.PI), `E|N(0,1)| = sqrt(2/pi), got ${mean(bb, (v) => v)}`)
  assert.ok(Math.abs(mean(bb, (v) => v * v) - 1) < se(2), 'E b^2 = 1')
  tf.dispose([a.theta0, a.b, a2.theta0, a2.b, c.theta0, c.b])
})

test('methods: the per-row lambda equals I-MLE with beta = lambda and the perturbed optimiser with sigma = lambda; exact is exactGradient', () => {
  tf.tidy(() => {
    const G = 8
    const theta = random.normal(random.key(9), [G, 10]) // [G, n]
    const b = ops.abs(random.normal(random.key(10), [G, 10])) // [G, n]
    const keys = random.split(random.key(11), G) // [G, 2]
    const lambdas = [0.5, 3]
    const lam = tf.tensor1d(Array.from({ length: G }, (_, g) => lambdas[g % 2]!)) // [G]
    const loss = (z: tf.Tensor): tf.Tensor => ops.sum(ops.square(ops.sub(z, b)), -1) // [G]
    const pick = (x: tf.Tensor, parity: number): tf.Tensor => tf.gather(x, Array.from({ length: G / 2 }, (_, i) => 2 * i + parity))
    const sog = noise.sumOfGamma({ k: 5, nbIterations: 100 })
    const viaGrid = toy.method('imle-sog').gradient(theta, b, keys, lam)
    const viaPerturbed = toy.method('perturbed').gradient(theta, b, keys, lam)
    let nonZero = 0
    for (const [parity, l] of lambdas.entries()) {
      const layer = vmap(imle(solvers.topK(5), sog, target.standard({ beta: l })))
      const direct = grad((th: tf.Tensor) => ops.sum(tf.mul(loss(layer(th, keys)), tf.tensor1d(Array.from({ length: G }, (_, g) => (g % 2 === parity ? 1 : 0))))))(theta)
      assertClose(pick(viaGrid, parity), pick(direct, parity), 1e-6, 1e-6, `imle lambda ${l}`)
      nonZero += Array.from(pick(direct, parity).dataSync()).filter((v) => v !== 0).length
      const pert = vmap(perturbed(solvers.topK(5), noise.normal(), { sigma: l }))
      const directP = grad((th: tf.Tensor) => ops.sum(loss(pert(th, keys))))(theta)
      assertClose(pick(viaPerturbed, parity), pick(directP, parity), 1e-4, 1e-4, `perturbed sigma ${l}`)
    }
    assert.ok(nonZero > 0, 'some I-MLE gradient is non-zero (the comparison is not vacuous)')
    const exact = toy.method('exact').gradient(theta, b, keys, lam)
    assertClose(exact, tf.tensor2d(Float32Array.from(toy.exactGradient(theta.dataSync(), b.dataSync())), [G, 10]), 2e-5, 1e-4, 'exact')
  })
})

test('noiseOf: the mean absolute step-to-step change over the second half', () => {
  // T = 4, G = 2 columns; column 0 = 1, 2, 1, 2, 1 and column 1 constant: steps 2..3 -> 3..4.
  const losses = Float64Array.of(1, 5, 2, 5, 1, 5, 2, 5, 1, 5)
  assert.is(toy.noiseOf(losses, 4, 2, [0]), 1)
  assert.is(toy.noiseOf(losses, 4, 2, [1]), 0)
  assert.is(toy.noiseOf(losses, 4, 2, [0, 1]), 0.5)
})

test('config: presets decode; a bad field is a ConfigError naming it', () => {
  for (const p of toy.PRESETS) assert.ok(toy.ToyConfig.is(toy.preset(p)), p)
  const bad = toy.decodeConfig({ ...toy.preset('quick'), steps: 0 })
  assert.ok(bad._tag === 'Left' && /toy\(config\.steps\)/.test(bad.left.message), bad._tag === 'Left' ? bad.left.message : 'decoded')
  const badMethod = toy.decodeConfig({ ...toy.preset('quick'), methods: ['imle-sog', 'nope'] })
  assert.ok(badMethod._tag === 'Left' && /methods/.test(badMethod.left.message))
})

const decodedTiny = toy.decodeConfig({ ...toy.preset('quick'), repetitions: 3, steps: 6, learningRates: [0.1, 1], lambdas: [1, 3], methods: ['imle-gumbel', 'score-function', 'exact'] })
if (decodedTiny._tag === 'Left') throw decodedTiny.left
const tiny = decodedTiny.right

test('runToy: deterministic, leaks no tensor, every curve starts at the initial loss', async () => {
  const before = tf.memory().numTensors
  const a = await toy.runToy(tiny)
  assert.is(tf.memory().numTensors, before, 'tensors leaked')
  const b = await toy.runToy(tiny)
  assert.equal(
    a.methods.map((m) => m.grid),
    b.methods.map((m) => m.grid),
  )
  assert.equal(a.methods.map((m) => m.best.curve), b.methods.map((m) => m.best.curve))
  assert.equal(a.methods.map((m) => m.grid.length), [4, 2, 2])
  for (const m of a.methods) {
    assert.is(m.best.curve.length, tiny.steps + 1)
    assert.ok(Math.abs(m.best.curve[0]!.mean - a.initialLoss) < 1e-12, `${m.method} starts at theta0`)
    assert.ok(m.best.finalMean >= a.optimum.mean - 1e-9, `${m.method}: no loss below the optimum`)
  }
})

// The issue expects I-MLE and the exact gradient within 5% of the optimum and the score function
// visibly noisier. On the quick preset (10 repetitions) only part of it is robust. Measured final
// gaps over seeds 0, 1, 2, 3: exact 0.00, 0.48, 0.00, 0.00%; I-MLE Gumbel 2.54, 3.31, 4.51, 5.23%;
// I-MLE SoG 5.48, 10.52, 3.80, 5.71%; STE 38.6, 31.4, 19.0, 20.2%; score function 18.4, 13.1, 25.9,
// 14.3%. Asserted: what held at every seed (the exact gradient within 5%, I-MLE closer to the optimum
// than STE and the score function). Not asserted (docs/toy.md reports it): I-MLE within 5%, and the
// score function noisier than I-MLE (its noise measure was below I-MLE Gumbel's at every seed, and
// above I-MLE SoG's only at seeds 2 and 3, where SoG's best grid point had stalled: 1.6e-8 and 0).
test('imle toy (quick preset, through the CLI): table, report.html, results.json; the exact gradient within 5% of the optimum, I-MLE ahead of STE and the score function', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-toy-'))
  try {
    let text = ''
    const { result, report } = await runToyCli({ preset: 'quick', seed: 0, runDir: dir }, { write: (s: string) => (text += s) })
    assert.ok(existsSync(report) && existsSync(join(dir, 'figures', 'toy_study.svg')))
    const html = readFileSync(report, 'utf8')
    for (const m of result.methods) assert.ok(html.includes(m.label) && text.includes(m.label), m.label)
    const saved = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as toy.ToyResult
    assert.equal(saved.methods.map((m) => m.best.finalMean), result.methods.map((m) => m.best.finalMean))
    assert.is(result.methods.length, 6)
    const gap = Object.fromEntries(result.methods.map((m) => [m.method, m.best.gapPercent]))
    assert.ok(gap['exact']! < 5, `exact gradient: gap ${gap['exact']}%`)
    const imleGap = Math.min(gap['imle-sog']!, gap['imle-gumbel']!)
    assert.ok(imleGap < gap['ste']! && imleGap < gap['score-function']!, `I-MLE ${imleGap}% vs STE ${gap['ste']}%, score function ${gap['score-function']}%`)
    // Every method ends between the optimum and the initial loss, and the exact gradient is the best.
    for (const m of result.methods) assert.ok(m.best.finalMean >= result.optimum.mean - 1e-9 && m.best.finalMean < result.initialLoss, m.method)
    const exactFinal = result.methods.find((m) => m.method === 'exact')!.best.finalMean
    assert.ok(result.methods.every((m) => m.best.finalMean >= exactFinal - 1e-9), 'the exact gradient ends lowest')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('toyCommand: a bad preset is refused by commander', async () => {
  const cmd = toyCommand()
  cmd.configureOutput({ writeErr: () => undefined })
  try {
    await cmd.parseAsync(['--preset', 'huge'], { from: 'user' })
    assert.unreachable('accepted a bad preset')
  } catch (e) {
    assert.match(String((e as Error).message), /preset/)
  }
})

test.run()
