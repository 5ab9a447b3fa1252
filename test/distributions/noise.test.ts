/**
 * The noise records through the public API: determinism per key, moments and laws (tolerances
 * from the sample size: 5 standard errors for moments, the alpha = 0.001 asymptotic KS critical
 * value), agreement of the two Sum-of-Gamma samplers, the Gumbel limit of sums of k draws,
 * vmap over keys against the per-key loop, cpu/wasm bit-identity, leaks and errors.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { noise, ops, random, vmap } from '../../src/index.js'
import { ksCritical, ksOneSample, ksStatistic, ksTwoSample } from '../support/ks.js'
import { argumentError, assertNoLeak, assertSameBits, bits, configError, loop, onCpuAndWasm, setup } from '../support/helpers.js'
import { assertMoments, EULER_GAMMA, gumbelBias, gumbelCdf, sumOfGammaMoments4, sumOfKCdf } from '../support/stats.js'

const t = suite('noise')
t.before(setup)

// ---------------------------------------------------------------------------------------------
// Helpers.

type Noise = noise.Noise

/** Every record under test, by name: each kind of noise, both Sum-of-Gamma samplers. */
const records = (): [string, Noise][] => [
  ['gumbel', noise.gumbel()],
  ['sumOfGamma(10, 100) table', noise.sumOfGamma({ k: 10, nbIterations: 100 })],
  ['sumOfGamma(10, 100) exact', noise.sumOfGamma({ k: 10, nbIterations: 100, sampler: 'exact' })],
  ['none', noise.none()],
  ['custom (logistic)', noise.custom((key, shape) => tf.tidy(() => {
    const u = random.uniform(key, shape, 1e-6, 1) // [...shape]
    return ops.sub(ops.log(u), ops.log1p(ops.neg(u))) // [...shape]
  }))],
]

/** Draws `[n]` values from `record` with `key`, as float64, and frees the tensor. */
function draw(record: Noise, key: random.Key, n: number): Float64Array {
  const x = record.sample(key, [n])
  const out = Float64Array.from(x.dataSync())
  x.dispose()
  return out
}

// (k, s) cases and the size of the exact samples (20000 values with s = 100 Gammas each).
const CASES = [
  [10, 100],
  [1, 10],
  [15.6, 100],
] as const
const N_EXACT = 20_000
const N_TABLE = 1_000_000

/** Exact-sampler draws of each case, drawn once (they are the slow part of this suite). */
const exactDraws = new Map<string, Float64Array>()
function exactDraw(k: number, s: number): Float64Array {
  const id = `${k}|${s}`
  let x = exactDraws.get(id)
  if (x === undefined) {
    x = draw(noise.sumOfGamma({ k, nbIterations: s, sampler: 'exact' }), random.foldIn(random.key(20), s + 1000 * k), N_EXACT)
    exactDraws.set(id, x)
  }
  return x
}

// ---------------------------------------------------------------------------------------------
// Determinism.

t('the same key gives the same noise; other keys give other noise; element i depends on the key and i only', () => {
  for (const [name, r] of records()) {
    const key = random.key(3)
    const a = r.sample(key, [2, 51])
    assertSameBits(a, r.sample(random.key(3), [2, 51]), `${name}: a fresh key with the same seed`)
    // A record holds no state: a second record of the same kind gives the same noise.
    const again = records().find(([n]) => n === name)![1]
    assertSameBits(a, again.sample(key, [2, 51]), `${name}: a second record`)
    // The values are laid out in row-major order: a [2, 51] draw is the [102] draw reshaped,
    // and a shorter draw is a prefix.
    const flat = r.sample(key, [102])
    assertSameBits(a, tf.reshape(flat, [2, 51]), `${name}: [2, 51] vs [102]`)
    assertSameBits(r.sample(key, [40]), tf.slice(flat, [0], [40]), `${name}: prefix`)
    if (name === 'none') continue
    const x = bits(a)
    const y = bits(r.sample(random.foldIn(key, 1), [2, 51]))
    let equal = 0
    for (let i = 0; i < x.length; i++) if (x[i] === y[i]) equal++
    assert.ok(equal <= 1, `${name}: ${equal} of ${x.length} values equal for different keys`)
  }
})

// ---------------------------------------------------------------------------------------------
// Laws.

t('gumbel: finite, mean Euler gamma, variance pi^2/6 (5 standard errors, n = 1e6), KS against exp(-exp(-x))', () => {
  const g = draw(noise.gumbel(), random.key(4), N_TABLE)
  for (const x of g) if (!Number.isFinite(x)) assert.unreachable(`non-finite Gumbel draw ${x}`)
  const v = Math.PI ** 2 / 6
  assertMoments(g, EULER_GAMMA, v, 5.4 * v * v, 'gumbel') // excess kurtosis 12/5
  const r = ksOneSample(g.sort(), gumbelCdf)
  assert.not.ok(r.reject, `gumbel: KS D = ${r.statistic} > ${r.critical}`)
})

t('sumOfGamma, table sampler: mean (H_s - ln s)/k and variance (sum 1/i^2)/k within 5 standard errors (n = 1e6)', () => {
  for (const [k, s] of CASES) {
    const x = draw(noise.sumOfGamma({ k, nbIterations: s }), random.key(5), N_TABLE)
    assertMoments(x, ...sumOfGammaMoments4(k, s), `table k=${k} s=${s}`)
  }
})

t('sumOfGamma, exact sampler: mean and variance within 5 standard errors (n = 2e4)', () => {
  for (const [k, s] of CASES) assertMoments(exactDraw(k, s), ...sumOfGammaMoments4(k, s), `exact k=${k} s=${s}`)
})

t('sumOfGamma: the table and exact samplers agree (two-sample KS, alpha = 0.001)', () => {
  for (const [k, s] of CASES) {
    const table = draw(noise.sumOfGamma({ k, nbIterations: s }), random.key(6), N_EXACT)
    const r = ksTwoSample(table, exactDraw(k, s))
    assert.not.ok(r.reject, `k=${k} s=${s}: D = ${r.statistic} > ${r.critical}`)
  }
  // The test has power: k = 10 against k = 11 (the variance differs by 10%) is rejected.
  const r = ksTwoSample(draw(noise.sumOfGamma({ k: 11, nbIterations: 100 }), random.key(6), N_EXACT), exactDraw(10, 100))
  assert.ok(r.reject, `k = 11 vs 10 not told apart: D = ${r.statistic} <= ${r.critical}`)
})

t('sumOfGamma: the sum of k = 5 independent draws (s = 1000) is Gumbel(0, 1) up to the finite-s bias', () => {
  // eps_1 + ... + eps_k (k an integer) is the maximum of s Exp(1) variables minus ln s, whose
  // CDF is F_s(x) = (1 - e^{-x}/s)^s; F_s tends to exp(-e^{-x}) with a sup distance of about
  // 2 e^{-2} / s (at e^{-x} = 2). KS against F_s itself at alpha = 0.001, and against the Gumbel
  // CDF with that bias added to the critical value (D_Gumbel <= D_{F_s} + sup |F_s - Gumbel|).
  const k = 5
  const s = 1000
  const n = 200_000
  const x = noise.sumOfGamma({ k, nbIterations: s }).sample(random.key(7), [k, n]) // [k, n], independent
  const rows = x.dataSync()
  x.dispose()
  const sums = new Float64Array(n)
  for (let i = 0; i < k * n; i++) sums[i % n]! += rows[i]!
  sums.sort()
  const finiteS = (v: number): number => sumOfKCdf(s, v)
  const exact = ksOneSample(sums, finiteS)
  assert.not.ok(exact.reject, `against (1 - e^{-x}/s)^s: D = ${exact.statistic} > ${exact.critical}`)
  const bias = gumbelBias(s)
  assert.ok(Math.abs(bias * s - 2 * Math.exp(-2)) < 0.1, `sup |F_s - Gumbel| = ${bias}, expected about ${(2 * Math.exp(-2)) / s}`)
  const d = ksStatistic(sums, gumbelCdf)
  const critical = ksCritical(0.001, n) + bias
  assert.ok(d < critical, `against Gumbel(0, 1): D = ${d} > ${critical}`)
  // The finite-s law is detectably not Gumbel at this n when s is small: s = 10 has bias 0.027.
  const y = noise.sumOfGamma({ k, nbIterations: 10 }).sample(random.key(7), [k, 20_000]) // [k, 20000]
  const small = tf.sum(y, 0).dataSync() // [20000]
  y.dispose()
  const dSmall = ksStatistic(Float64Array.from(small).sort(), gumbelCdf)
  assert.ok(dSmall > ksCritical(0.001, 20_000), `s = 10: D = ${dSmall} should exceed ${ksCritical(0.001, 20_000)}`)
})

// ---------------------------------------------------------------------------------------------
// vmap.

t('vmap over keys equals the per-key loop, with one call of the sampler for the whole batch', () => {
  const keys = random.split(random.key(8), 5) // [5, 2]
  for (const [name, r] of records()) {
    let calls = 0
    const counted = noise.custom((key, shape) => {
      calls++
      return r.sample(key, shape)
    })
    const f = (key: random.Key) => counted.sample(key, [3, 4]) // [3, 4]
    const batched = vmap(f)(keys) // [5, 3, 4]
    assert.is(calls, 1, `${name}: sampler calls under vmap`)
    const looped = loop(keys, f) // [5, 3, 4]
    assert.is(calls, 6, `${name}: sampler calls in the loop`)
    assertSameBits(batched, looped, name)
  }
})

t('nested vmap over keys equals the double loop; unbatched keys inside vmap', () => {
  const keys = vmap((k: random.Key) => random.split(k, 3))(random.split(random.key(9), 2)) // [2, 3, 2]
  for (const [name, r] of records()) {
    const f = (key: random.Key) => r.sample(key, [4]) // [4]
    const out = vmap(vmap(f))(keys) // [2, 3, 4]
    assertSameBits(out, tf.stack(tf.unstack(keys).map((row) => loop(row, f))), `${name}: nested`)
    // A key closed over by a vmapped function is not batched: every example gets its noise.
    const key = random.key(10)
    const xs = tf.zeros([3, 4])
    const same = vmap((_x: tf.Tensor) => r.sample(key, [4]))(xs) // [3, 4]
    assertSameBits(same, tf.stack([0, 1, 2].map(() => r.sample(key, [4]))), `${name}: unbatched key`)
  }
})

// ---------------------------------------------------------------------------------------------
// none and custom.

t('none: zeros of the requested shape, also under vmap (the batch follows the keys)', () => {
  const z = noise.none()
  for (const shape of [[], [3], [2, 0, 4], [2, 3, 4]]) {
    const x = z.sample(random.key(0), shape)
    assert.equal(x.shape, shape)
    assert.is(x.dtype, 'float32')
    for (const v of x.dataSync()) assert.is(v, 0)
  }
  const keys = random.split(random.key(1), 6) // [6, 2]
  const b = vmap((k: random.Key) => z.sample(k, [2, 3]))(keys) // [6, 2, 3]
  assert.equal(b.shape, [6, 2, 3])
  for (const v of b.dataSync()) if (!Object.is(v, 0)) assert.unreachable(`none under vmap gave ${v}`)
  const bT = vmap((k: random.Key) => z.sample(k, [2]), { inAxes: 1, outAxes: 1 })(tf.transpose(keys)) // [2, 6]
  assert.equal(bT.shape, [2, 6])
  for (const v of bT.dataSync()) assert.is(v, 0)
})

t('custom: passes the key and the shape through, returns what the sampler returns', () => {
  const seen: [tf.Tensor, readonly number[]][] = []
  const c = noise.custom((key, shape) => {
    seen.push([key, shape])
    return random.normal(key, shape)
  })
  assert.is(c._tag, 'custom')
  const key = random.key(11)
  const shape = [2, 5] as const
  const x = c.sample(key, shape)
  assert.is(seen.length, 1)
  assert.is(seen[0]![0], key, 'the very key tensor')
  assert.is(seen[0]![1], shape, 'the very shape array')
  assertSameBits(x, random.normal(key, [2, 5]), 'custom(normal)')
})

// ---------------------------------------------------------------------------------------------
// Backends.

t('the same key gives bit-identical noise on cpu and wasm', async () => {
  const run = (): Uint32Array[] => {
    const out: Uint32Array[] = []
    tf.tidy(() => {
      const key = random.key(2024)
      const keys = random.split(key, 4) // [4, 2]
      // The library's records (a custom sampler is only as portable as the ops it uses: tfjs
      // math such as log may round differently on each backend).
      for (const [name, r] of records()) {
        if (name.startsWith('custom')) continue
        out.push(bits(r.sample(key, [3, 17])))
        out.push(bits(vmap((k: random.Key) => r.sample(k, [5]))(keys))) // [4, 5]
      }
      out.push(bits(noise.sumOfGamma({ k: 15.6, nbIterations: 100 }).sample(key, [257])))
    })
    return out
  }
  const [onCpu, onWasm] = await onCpuAndWasm(run)
  assert.is(onCpu.length, onWasm.length)
  onCpu.forEach((a, i) => {
    const b = onWasm[i]!
    assert.is(a.length, b.length)
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) assert.unreachable(`draw ${i}: cpu and wasm differ at ${j}`)
  })
})

// ---------------------------------------------------------------------------------------------
// Configs, decoding and errors.

t('sumOfGamma: defaults (nbIterations 10, table sampler); decode gives the same records', () => {
  assert.equal(noise.sumOfGamma({ k: 10 }).config, { k: 10, nbIterations: 10, sampler: 'table' })
  const cases: [unknown, Noise][] = [
    [{ type: 'gumbel' }, noise.gumbel()],
    [{ type: 'none' }, noise.none()],
    [{ type: 'sumOfGamma', k: 10 }, noise.sumOfGamma({ k: 10 })],
    [{ type: 'sumOfGamma', k: 2.5, nbIterations: 30, sampler: 'exact' }, noise.sumOfGamma({ k: 2.5, nbIterations: 30, sampler: 'exact' })],
  ]
  const key = random.key(12)
  for (const [json, expected] of cases) {
    const r = noise.decode(json)
    if (E.isLeft(r)) return assert.unreachable(`decode(${JSON.stringify(json)}): ${r.left.message}`)
    assert.is(r.right._tag, expected._tag)
    assert.equal(r.right.config, expected.config)
    assertSameBits(r.right.sample(key, [7]), expected.sample(key, [7]), JSON.stringify(json))
  }
})

t('errors: bad configs are ConfigErrors naming the field; decode returns them as Left', () => {
  const bad: [unknown, RegExp][] = [
    [{ k: -1 }, /\(options\.k\): expected Positive but got -1/],
    [{ k: 0 }, /\(options\.k\): expected Positive but got 0/],
    [{ k: Number.POSITIVE_INFINITY }, /\(options\.k\): expected Positive/],
    [{}, /\(options\.k\): expected Positive but got undefined/],
    [{ k: 10, nbIterations: 2.5 }, /\(options\.nbIterations\): expected PositiveInt but got 2\.5/],
    [{ k: 10, nbIterations: 0 }, /\(options\.nbIterations\): expected PositiveInt but got 0/],
    [{ k: 10, sampler: 'fast' }, /\(options\.sampler\): expected .* but got "fast"/],
  ]
  for (const [opts, field] of bad) {
    assert.throws(() => noise.sumOfGamma(opts as { k: number }), configError(/^noise\.sumOfGamma\(options\./, field), JSON.stringify(opts))
  }
  const badJson: [unknown, RegExp][] = [
    [{ type: 'sumOfGamma', k: -1 }, /\(json\.k\): expected Positive but got -1/],
    [{ type: 'sumOfGamma', k: 10, nbIterations: 0.5 }, /\(json\.nbIterations\): expected PositiveInt but got 0\.5/],
    [{ type: 'sumOfGamma', k: 'ten' }, /\(json\.k\): expected Positive but got "ten"/],
    [{ type: 'sumOfGamma', k: 10, sampler: 'fast' }, /\(json\.sampler\): expected .* but got "fast"/],
    [{ type: 'sumOfGamma' }, /\(json\.k\): expected Positive but got undefined/],
    [{ type: 'cauchy' }, /"cauchy"/],
    [null, /got null/],
  ]
  for (const [json, field] of badJson) {
    const r = noise.decode(json)
    assert.ok(E.isLeft(r), `decode(${JSON.stringify(json)}) should fail`)
    if (E.isLeft(r)) assert.ok(configError(field)(r.left), `decode(${JSON.stringify(json)}): ${r.left.message}`)
  }
})

t('errors: bad shapes, bad keys, and a custom sampler that is not a function', () => {
  const key = random.key(0)
  for (const [name, r] of records()) {
    if (name.startsWith('custom')) continue
    const fn = r._tag === 'sumOfGamma' ? 'noise.sumOfGamma' : `noise.${r._tag}`
    for (const shape of [[2.5], [-1], [3, Number.NaN]]) {
      assert.throws(() => r.sample(key, shape), argumentError(new RegExp(`^${fn.replace('.', '\\.')}\\(shape\\)`), /\[/), `${name} ${shape}`)
    }
    assert.throws(() => r.sample(key, 3 as unknown as number[]), argumentError(/\(shape\)/, /got 3/), `${name}: a number`)
    if (r._tag !== 'none') {
      assert.throws(() => r.sample(tf.tensor1d([1, 2]), [3]), argumentError(/\(key\)/, /dtype float32/), `${name}: float key`)
      assert.throws(() => r.sample(random.split(key, 3), [3]), argumentError(/\(key\)/, /shape \[3, 2\]/), `${name}: a batch of keys`)
    }
  }
  for (const notFn of [3, null, 'gumbel', {}]) {
    assert.throws(() => noise.custom(notFn as unknown as noise.Sampler), argumentError(/^noise\.custom\(sample\)/, /must be a function/))
  }
})

t('leaks no tensor: one output per sample, also under vmap and on failure', () => {
  const key = random.key(0)
  const keys = random.split(key, 4) // [4, 2]
  const outs: tf.Tensor[] = []
  for (const [name, r] of records()) {
    outs.push(assertNoLeak(() => r.sample(key, [3, 2]), 1, name))
    outs.push(assertNoLeak(() => vmap((k: random.Key) => r.sample(k, [3]))(keys), 1, `${name} under vmap`))
    assertNoLeak(() => {
      try {
        r.sample(key, [-1])
      } catch {
        // expected, except for custom samplers, which do not check shapes
      }
    }, 0, `${name}: a failed call`)
  }
  for (const o of outs) o.dispose()
  key.dispose()
  keys.dispose()
})

t.run()
