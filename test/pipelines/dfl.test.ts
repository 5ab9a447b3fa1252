/**
 * Decision-focused shortest path (`imle dfl`): PyEPO's generator against its formula (shapes,
 * determinism, `B` shared across sizes and degrees, the moments of `x`, `B` and the noise, the
 * cost recomputed here for a few instances, noise bounds), the solver's paths against brute
 * force over the 70 monotone paths in PyEPO's arc order, the regret metric on hand-made cases,
 * exact least squares on noise-free linear costs, no leaked tensors, the config codec's errors,
 * PyEPO's expected outcome at degree 6 (SPO+ and the perturbed Fenchel–Young loss beat
 * two-stage), and the `dfl` command writing its run folder and report.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { dflCommand } from '../../src/cli/dfl.js'
import { random } from '../../src/index.js'
import * as dfl from '../../src/pipelines/dfl/index.js'
import { monotonePaths } from '../support/dag_grid.js'
import { configError, setup } from '../support/helpers.js'

const t = suite('pipelines: decision-focused shortest path')
t.before(setup)

const M = 40
const P = 5
const hyper: dfl.Hyper = dfl.presets.quick.hyper

/** PyEPO's cost of arc `a` of instance `i`, computed here from `x`, `B` and `eps` (float64). */
function formula(d: dfl.ShortestPathData, i: number, a: number, deg: number): number {
  let s = 0
  for (let f = 0; f < P; f++) s += d.x[i * P + f]! * d.B[a * P + f]!
  return (((s / Math.sqrt(P) + 3) ** deg + 1) / 3.5 ** deg) * d.eps[i * M + a]!
}

t('generate: shapes, determinism, and B fixed by the seed alone', () => {
  const a = dfl.generate({ n: 30, deg: 4, noiseWidth: 0.5, seed: 3 })
  assert.equal([a.n, a.p, a.m], [30, 5, 40])
  assert.equal([a.x.length, a.c.length, a.B.length, a.eps.length], [30 * 5, 30 * 40, 40 * 5, 30 * 40])
  const b = dfl.generate({ n: 30, deg: 4, noiseWidth: 0.5, seed: 3 })
  for (const k of ['x', 'c', 'B', 'eps'] as const) assert.equal(Array.from(a[k]), Array.from(b[k]), k)
  const other = dfl.generate({ n: 30, deg: 4, noiseWidth: 0.5, seed: 4 })
  assert.not.equal(Array.from(a.x), Array.from(other.x))
  assert.not.equal(Array.from(a.B), Array.from(other.B))
  // B depends on the seed only: one problem for every size, degree and noise of a seed.
  const c = dfl.generate({ n: 7, deg: 1, noiseWidth: 0, seed: 3 })
  assert.equal(Array.from(c.B), Array.from(a.B))
  // The grid sets the arc count: h (w - 1) + (h - 1) w.
  assert.is(dfl.generate({ n: 2, grid: [3, 4], seed: 0 }).m, 3 * 3 + 2 * 4)
})

t('generate: x ~ N(0, 1) and B ~ Bernoulli(1/2) by their moments (5 standard errors)', () => {
  const d = dfl.generate({ n: 4000, seed: 11 }) // 20000 normals
  const N = d.x.length
  let s = 0
  let s2 = 0
  for (let i = 0; i < N; i++) {
    s += d.x[i]!
    s2 += d.x[i]! ** 2
  }
  const mean = s / N
  const variance = s2 / N - mean ** 2
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(N), `mean ${mean}`)
  assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / N), `variance ${variance}`) // Var(s^2) = 2 for N(0, 1)
  // B over 10 seeds: 2000 entries of 0 or 1, mean 1/2 (standard error 1 / (2 sqrt(2000))).
  let ones = 0
  for (let seed = 0; seed < 10; seed++) {
    const B = dfl.generate({ n: 1, seed }).B
    for (const v of B) {
      assert.ok(v === 0 || v === 1, `B entry ${v}`)
      ones += v
    }
  }
  assert.ok(Math.abs(ones / 2000 - 0.5) < 5 * (0.5 / Math.sqrt(2000)), `mean of B ${ones / 2000}`)
})

t('generate: the cost is ((x B^T / sqrt(p) + 3)^deg + 1) / 3.5^deg times eps, recomputed here', () => {
  for (const deg of [1, 2, 4, 6]) {
    for (const noiseWidth of [0, 0.5]) {
      const d = dfl.generate({ n: 5, deg, noiseWidth, seed: deg })
      for (let i = 0; i < d.n; i++) {
        for (let a = 0; a < M; a++) {
          const want = formula(d, i, a, deg)
          assert.ok(Math.abs(d.c[i * M + a]! - want) <= 1e-6 * want, `deg ${deg}, noise ${noiseWidth}, instance ${i}, arc ${a}: ${d.c[i * M + a]} vs ${want}`)
          assert.ok(d.c[i * M + a]! > 0)
        }
      }
      if (noiseWidth === 0) assert.ok(d.eps.every((e) => e === 1), 'no noise: eps = 1')
    }
  }
  // A hand case: x = 0 gives (3^deg + 1) / 3.5^deg on every arc without noise.
  assert.ok(Math.abs(dfl.costOf(new Float32Array(5), 0, new Float32Array(5).fill(1), 0, 5, 2) - 10 / 12.25) < 1e-12)
})

t('generate: the noise is U(1 - w, 1 + w): inside the bounds, reaching both ends, mean 1', () => {
  const w = 0.5
  const d = dfl.generate({ n: 2000, noiseWidth: w, seed: 5 }) // 80000 draws
  let lo = Infinity
  let hi = -Infinity
  let s = 0
  for (const e of d.eps) {
    lo = Math.min(lo, e)
    hi = Math.max(hi, e)
    s += e
  }
  assert.ok(lo >= 1 - w && hi <= 1 + w, `range [${lo}, ${hi}]`)
  // P(no draw within 0.01 of an end) = 0.99^80000: both ends are reached.
  assert.ok(lo < 1 - w + 0.01 && hi > 1 + w - 0.01, `range [${lo}, ${hi}]`)
  const sd = (2 * w) / Math.sqrt(12)
  assert.ok(Math.abs(s / d.eps.length - 1) < (5 * sd) / Math.sqrt(d.eps.length), `mean ${s / d.eps.length}`)
  assert.throws(() => dfl.generate({ n: 1, noiseWidth: 1 }), configError(/dfl\.generate\(options\.noiseWidth\)/))
  assert.throws(() => dfl.generate({ n: 0 }), configError(/dfl\.generate\(options\.n\)/))
})

t('shortestPaths: the least-cost path among all 70 in PyEPO arc order (brute force)', () => {
  const paths = monotonePaths(5, 5)
  assert.is(paths.length, 70)
  const d = dfl.generate({ n: 50, deg: 6, noiseWidth: 0.5, seed: 9 })
  const z = dfl.shortestPaths(d.c, d.n, [5, 5])
  for (let i = 0; i < d.n; i++) {
    let best = Infinity
    for (const path of paths) best = Math.min(best, path.reduce((s, a) => s + d.c[i * M + a]!, 0))
    let got = 0
    let arcs = 0
    for (let a = 0; a < M; a++) {
      got += z[i * M + a]! * d.c[i * M + a]!
      arcs += z[i * M + a]!
    }
    assert.is(arcs, 8, `instance ${i}: a path has 8 arcs`)
    assert.ok(Math.abs(got - best) < 1e-5, `instance ${i}: ${got} vs brute force ${best}`)
  }
})

t('normalizedRegret: exact on hand-made cases, 0 for the true costs, positive for bad predictions', () => {
  // 2x2 grid, arcs [0->1, 0->2, 1->3, 2->3]; costs [5, 1, 1, 1]: best path 0->2->3, cost 2.
  const c = new Float32Array([5, 1, 1, 1])
  const zTrue = dfl.shortestPaths(c, 1, [2, 2])
  assert.equal(Array.from(zTrue), [0, 1, 0, 1])
  const zBad = dfl.shortestPaths(new Float32Array([1, 5, 1, 1]), 1, [2, 2])
  assert.equal(Array.from(zBad), [1, 0, 1, 0])
  assert.is(dfl.normalizedRegret(c, zBad, zTrue, 1, 4), (6 - 2) / 2)
  // Two instances: sum of losses over sum of optima, (4 + 0) / (2 + 3).
  const c2 = new Float32Array([5, 1, 1, 1, 1, 2, 2, 1])
  const z2 = dfl.shortestPaths(c2, 2, [2, 2])
  assert.is(dfl.normalizedRegret(c2, new Float32Array([1, 0, 1, 0, 1, 0, 1, 0]), z2, 2, 4), 4 / 5)
  // On generated data: the true costs have regret 0, reversed costs a large one.
  const d = dfl.generate({ n: 200, deg: 2, noiseWidth: 0.5, seed: 1 })
  const zt = dfl.shortestPaths(d.c, d.n, [5, 5])
  assert.is(dfl.normalizedRegret(d.c, dfl.shortestPaths(d.c, d.n, [5, 5]), zt, d.n, M), 0)
  const reversed = d.c.map((v) => -v)
  assert.ok(dfl.normalizedRegret(d.c, dfl.shortestPaths(reversed, d.n, [5, 5]), zt, d.n, M) > 0.3)
  assert.throws(() => dfl.normalizedRegret(c, zTrue, zTrue, 2, 4), /n \* m = 2 \* 4/)
})

t('leastSquares: recovers W = B^T / (3.5 sqrt(p)), b = 4 / 3.5 from noise-free degree-1 costs', () => {
  const d = dfl.generate({ n: 60, deg: 1, noiseWidth: 0, seed: 2 })
  const model = dfl.leastSquares(d)
  for (let f = 0; f < P; f++) {
    for (let a = 0; a < M; a++) assert.ok(Math.abs(model.w[f * M + a]! - d.B[a * P + f]! / (3.5 * Math.sqrt(P))) < 1e-5, `w[${f}, ${a}]`)
  }
  for (let a = 0; a < M; a++) assert.ok(Math.abs(model.b[a]! - 4 / 3.5) < 1e-5, `b[${a}]`)
  const test = dfl.generate({ n: 300, deg: 1, noiseWidth: 0, seed: 2 })
  const zt = dfl.shortestPaths(test.c, test.n, [5, 5])
  assert.ok(dfl.normalizedRegret(test.c, dfl.shortestPaths(dfl.predict(model, test.x, test.n), test.n, [5, 5]), zt, test.n, M) < 1e-6)
})

t('train: every gradient method runs a step and leaks no tensor; equal keys give equal models', () => {
  const d = dfl.generate({ n: 20, deg: 2, seed: 0 })
  for (const method of dfl.METHODS.filter((m) => m !== 'two-stage')) {
    const key = random.key(1)
    const before = tf.memory().numTensors
    const r = dfl.train(method, d, { epochs: 1, batchSize: 16, learningRate: 1e-2, hyper, grid: [5, 5], key })
    const after = tf.memory().numTensors
    // blackbox keeps one shared constant key for its calls without a key, made on first use.
    assert.ok(after - before <= (method === 'blackbox' ? 1 : 0), `${method}: ${after - before} tensors leaked`)
    assert.is(r.steps, 2, method)
    assert.is(r.epochLosses.length, 1)
    assert.ok(Number.isFinite(r.epochLosses[0]!), `${method}: loss ${r.epochLosses[0]}`)
    const again = dfl.train(method, d, { epochs: 1, batchSize: 16, learningRate: 1e-2, hyper, grid: [5, 5], key })
    assert.equal(Array.from(again.model.w), Array.from(r.model.w), `${method}: deterministic`)
    key.dispose()
  }
})

t('decodeConfig: the presets decode; a bad field is named', () => {
  for (const p of dfl.PRESETS) assert.ok(E.isRight(dfl.decodeConfig(dfl.presets[p])), p)
  const bad = dfl.decodeConfig({ ...dfl.presets.quick, methods: ['spo-plus', 'nope'] })
  assert.ok(E.isLeft(bad) && /dfl\(json\.methods\.1\)/.test(bad.left.message), E.isLeft(bad) ? bad.left.message : 'decoded')
  const deg = dfl.decodeConfig({ ...dfl.presets.quick, degrees: [0] })
  assert.ok(E.isLeft(deg) && /dfl\(json\.degrees\.0\)/.test(deg.left.message))
})

t("PyEPO's finding at degree 6 (n = 100, noise 0.5, the quick preset's training): SPO+ and PFYL beat two-stage", async () => {
  const result = await dfl.runDfl({ ...dfl.presets.quick, degrees: [6], methods: ['two-stage', 'spo-plus', 'fenchel-young'] })
  assert.is(result.status, 'completed')
  const regret = Object.fromEntries(result.summary.map((s) => [s.method, s.mean]))
  console.log(`  degree 6: two-stage ${regret['two-stage']!.toFixed(4)}, SPO+ ${regret['spo-plus']!.toFixed(4)}, PFYL ${regret['fenchel-young']!.toFixed(4)}`)
  assert.ok(regret['spo-plus']! < regret['two-stage']!, 'SPO+ < two-stage')
  assert.ok(regret['fenchel-young']! < regret['two-stage']!, 'PFYL < two-stage')
})

t('the dfl command: prints the table, writes results.json and report.html; a bad method is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-dfl-'))
  const lines: string[] = []
  const log = console.log
  console.log = (...a: unknown[]) => void lines.push(a.join(' '))
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write
  try {
    await dflCommand().parseAsync(['--preset', 'quick', '--methods', 'two-stage', '--run-dir', dir], { from: 'user' })
  } finally {
    console.log = log
    process.stdout.write = write
  }
  const text = lines.join('\n')
  assert.match(text, /n\s+noise\s+method\s+deg 1\s+deg 6/)
  assert.match(text, /100\s+0\.5\s+two-stage\s+0\.\d{3}\s+0\.\d{3}/)
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as dfl.DflResult
  assert.is(results.records.length, 2)
  assert.equal(results.records.map((r) => r.degree), [1, 6])
  assert.ok(existsSync(join(dir, 'report.html')))
  const html = readFileSync(join(dir, 'report.html'), 'utf8')
  assert.match(html, /normalised regret/)
  assert.not.match(html, /<script/)
  rmSync(dir, { recursive: true, force: true })
  let refused = ''
  try {
    await dflCommand().configureOutput({ writeErr: (s) => void (refused += s) }).parseAsync(['--methods', 'nope'], { from: 'user' })
  } catch (e) {
    refused += (e as Error).message
  }
  assert.match(refused, /expected 'all' or a comma-separated list of methods/)
})

t.run()
