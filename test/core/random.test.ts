import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ops, vmap } from '../../src/index.js'
import * as random from '../../src/core/random/index.js'
import { ksStatistic } from '../support/ks.js'
import { argumentError, assertNoLeak, assertSameBits, bits, loop, onCpuAndWasm, sameWords, setup } from '../support/helpers.js'
import { EULER_GAMMA, gumbelCdf, meanVar } from '../support/stats.js'

const t = suite('random')
t.before(setup)

// ---------------------------------------------------------------------------------------------
// Helpers.

/**
 * Asserts the sample moments match the true mean `mu`, variance `v` and fourth central moment
 * `mu4` within 5 standard errors: `sqrt(v / n)` for the mean, `sqrt((mu4 - v^2) / n)` for the
 * variance.
 */
function assertMoments(name: string, xs: ArrayLike<number>, mu: number, v: number, mu4: number): void {
  const n = xs.length
  const m = meanVar(xs, 0) // population variance
  const seMean = Math.sqrt(v / n)
  const seVar = Math.sqrt((mu4 - v * v) / n)
  assert.ok(Math.abs(m.mean - mu) < 5 * seMean, `${name}: mean ${m.mean} vs ${mu} (5 SE = ${5 * seMean})`)
  assert.ok(Math.abs(m.variance - v) < 5 * seVar, `${name}: variance ${m.variance} vs ${v} (5 SE = ${5 * seVar})`)
}

/** Pearson correlation of two equally long samples. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = meanVar(a, 0)
  const mb = meanVar(b, 0)
  let c = 0
  for (let i = 0; i < a.length; i++) c += (a[i]! - ma.mean) * (b[i]! - mb.mean)
  return c / a.length / Math.sqrt(ma.variance * mb.variance)
}

/**
 * Asserts the Kolmogorov-Smirnov statistic `sup |F_n - F|` of a sample (in any order) against the
 * CDF `cdf` is below about its 0.1% critical value, `1.95 / sqrt(n)`.
 */
function assertKs(name: string, xs: ArrayLike<number>, cdf: (x: number) => number): void {
  const d = ksStatistic(Float64Array.from(xs).sort(), cdf)
  const crit = 1.95 / Math.sqrt(xs.length)
  assert.ok(d < crit, `${name}: KS statistic ${d} >= ${crit}`)
}

/** erfc with fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes' `erfcc`). */
function erfc(x: number): number {
  const z = Math.abs(x)
  const u = 1 / (1 + 0.5 * z)
  const poly =
    -z * z - 1.26551223 +
    u * (1.00002368 + u * (0.37409196 + u * (0.09678418 + u * (-0.18628806 + u * (0.27886807 +
      u * (-1.13520398 + u * (1.48851587 + u * (-0.82215223 + u * 0.17087277))))))))
  const r = u * Math.exp(poly)
  return x >= 0 ? r : 2 - r
}

const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2)

const N = 200_000

// ---------------------------------------------------------------------------------------------
// Threefry and keys.

t('threefry2x32 matches the Random123 known-answer vectors (20 rounds)', () => {
  const out = new Uint32Array(4)
  // (key, counter) -> expected, from Random123's kat_vectors.
  const cases: [number, number, number, number, number, number][] = [
    [0, 0, 0, 0, 0x6b200159, 0x99ba4efe],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x1cb996fc, 0xbb002be7],
    [0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, 0xc4923a9c, 0x483df7a0],
  ]
  for (const [k0, k1, x0, x1, y0, y1] of cases) {
    random.threefry2x32(k0, k1, x0, x1, out, 2)
    assert.equal([out[2], out[3]], [y0, y1], `key ${k0.toString(16)} ${k1.toString(16)}`)
  }
})

t('key, split and foldIn give JAX bits', () => {
  assert.equal(Array.from(random.key(42).dataSync()), [0, 42])
  assert.equal(Array.from(random.key(2 ** 32 + 7).dataSync()), [1, 7])
  assert.equal(Array.from(random.key(-1).dataSync()), [-1, -1]) // 64-bit two's complement
  // jax.random.split(jax.random.key(0)) with the (default) partitionable Threefry.
  const ks = Array.from(bits(random.split(random.key(0))))
  assert.equal(ks, [1797259609, 2579123966, 928981903, 3453687069])
  // foldIn(key, i) is the i-th key of split.
  const k = random.key(7)
  const s = random.split(k, 5)
  const rows = tf.unstack(s)
  for (let i = 0; i < 5; i++) assertSameBits(random.foldIn(k, i), rows[i]!, `foldIn(key, ${i})`)
  assert.equal(s.shape, [5, 2])
  assert.is(s.dtype, 'int32')
})

// ---------------------------------------------------------------------------------------------
// Determinism and independence.

const samplers: Record<string, (k: random.Key, shape: number[]) => tf.Tensor> = {
  uniform: (k, s) => random.uniform(k, s),
  uniformRange: (k, s) => random.uniform(k, s, -3, 5),
  normal: (k, s) => random.normal(k, s),
  gumbel: (k, s) => random.gumbel(k, s),
  gamma03: (k, s) => random.gamma(k, s, 0.3),
  gamma25: (k, s) => random.gamma(k, s, 2.5),
}

t('the same key gives the same values; different keys give different values', () => {
  for (const [name, f] of Object.entries(samplers)) {
    const a = f(random.key(3), [101])
    const b = f(random.key(3), [101]) // a fresh tensor with the same key
    assertSameBits(a, b, name)
    const c = f(random.foldIn(random.key(3), 1), [101])
    const x = bits(a)
    const y = bits(c)
    let equal = 0
    for (let i = 0; i < x.length; i++) if (x[i] === y[i]) equal++
    assert.ok(equal <= 1, `${name}: ${equal} of 101 values equal for different keys`)
  }
})

t('element i depends only on the key and i (not on the shape or length)', () => {
  const k = random.key(11)
  for (const [name, f] of Object.entries(samplers)) {
    const long = bits(f(k, [37]))
    const short = bits(f(k, [36]))
    sameWords(long.subarray(0, 36), short, `${name}: prefix`)
    sameWords(bits(f(k, [6, 6])), short, `${name}: [6, 6] vs [36]`)
  }
})

t('gamma: each element has its own counter stream, so nearby alphas share random numbers', () => {
  // With one stream shared by all elements, a rejection under one alpha but not the other
  // would shift every later element onto different words.
  const k = random.key(8)
  for (const [a, b] of [[2.5, 2.6], [1, 1.05], [0.5, 0.52]] as const) {
    const x = random.gamma(k, [10_000], a).dataSync()
    const y = random.gamma(k, [10_000], b).dataSync()
    let close = 0
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i]! - y[i]!) < 0.25 * Math.sqrt(a)) close++
    assert.ok(close / x.length > 0.99, `gamma(${a}) vs gamma(${b}): only ${close} of ${x.length} draws close`)
  }
})

t('streams of split subkeys are uncorrelated', () => {
  const n = 100_000
  const tol = 5 / Math.sqrt(n)
  const keys = tf.unstack(random.split(random.key(0), 4))
  const us = keys.map((k) => random.uniform(k, [n]).dataSync())
  const zs = keys.map((k) => random.normal(k, [n]).dataSync())
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      const cu = correlation(us[i]!, us[j]!)
      const cz = correlation(zs[i]!, zs[j]!)
      assert.ok(Math.abs(cu) < tol, `uniform: corr(subkey ${i}, subkey ${j}) = ${cu}, tolerance ${tol}`)
      assert.ok(Math.abs(cz) < tol, `normal: corr(subkey ${i}, subkey ${j}) = ${cz}, tolerance ${tol}`)
    }
  }
  // The parent key's stream against its children's, and neighbours within one stream (the two
  // words of one Threefry block, and the two normals of one Box-Muller pair).
  const parent = random.uniform(random.key(0), [n]).dataSync()
  const cp = correlation(parent, us[0]!)
  assert.ok(Math.abs(cp) < tol, `corr(parent, subkey 0) = ${cp}`)
  for (const [name, xs] of [['uniform', us[0]!], ['normal', zs[0]!]] as const) {
    const even = xs.filter((_, i) => i % 2 === 0)
    const odd = xs.filter((_, i) => i % 2 === 1)
    const c = correlation(even, odd)
    assert.ok(Math.abs(c) < 5 / Math.sqrt(n / 2), `${name}: corr(x[2j], x[2j+1]) = ${c}`)
    // Box-Muller pairs are uncorrelated but dependent (both share r): check squares too.
    const c2 = correlation(even.map((x) => x * x), odd.map((x) => x * x))
    assert.ok(Math.abs(c2) < 5 / Math.sqrt(n / 2), `${name}: corr(x[2j]^2, x[2j+1]^2) = ${c2}`)
  }
})

t('bit-identical values on the cpu and wasm backends', async () => {
  const run = (): Record<string, Uint32Array> => {
    const out: Record<string, Uint32Array> = {}
    tf.tidy(() => {
      const k = random.key(2024)
      for (const [name, f] of Object.entries(samplers)) out[name] = bits(f(k, [1001]))
      out['gamma1'] = bits(random.gamma(k, [1001], 1))
      out['gamma10'] = bits(random.gamma(k, [1001], 10))
      out['split'] = bits(random.split(k, 7))
      out['foldIn'] = bits(random.foldIn(k, 123456789))
      out['vmap'] = bits(vmap((kk: random.Key) => random.normal(kk, [5]))(random.split(k, 9)))
    })
    return out
  }
  const [onCpu, onWasm] = await onCpuAndWasm(run)
  for (const name of Object.keys(onCpu)) sameWords(onCpu[name]!, onWasm[name]!, `${name} cpu vs wasm`)
})

// ---------------------------------------------------------------------------------------------
// Distributions.

t('uniform: range, moments (1/2, 1/12) and Kolmogorov-Smirnov', () => {
  const u = random.uniform(random.key(1), [N]).dataSync()
  let lo = Infinity
  let hi = -Infinity
  for (const x of u) {
    lo = Math.min(lo, x)
    hi = Math.max(hi, x)
  }
  assert.ok(lo >= 0 && hi < 1, `range [${lo}, ${hi}]`)
  assertMoments('uniform', u, 1 / 2, 1 / 12, 1 / 80)
  assertKs('uniform', u, (x) => Math.min(Math.max(x, 0), 1))
  // [minval, maxval): moments of the affine image.
  const v = random.uniform(random.key(2), [N], -2, 6).dataSync()
  assertMoments('uniform(-2, 6)', v, 2, 64 / 12, 4096 / 80)
  assertKs('uniform(-2, 6)', v, (x) => Math.min(Math.max((x + 2) / 8, 0), 1))
})

t('uniform never returns maxval, even where float32 rounding reaches it', () => {
  // Near 1e6 float32 values are 1/16 apart: a third of the draws in the top 1/16 of the range
  // round to maxval before the guard.
  const lo = 1e6
  const hi = 1e6 + 1
  const below = 1e6 + 1 - 1 / 16
  const x = random.uniform(random.key(5), [10_000], lo, hi).dataSync()
  let max = -Infinity
  let min = Infinity
  for (const v of x) {
    max = Math.max(max, v)
    min = Math.min(min, v)
  }
  assert.is(max, below, 'largest value is the float32 below maxval')
  assert.ok(min >= lo, `min ${min}`)
  // Bounds that are not float32 values are rounded first; the result stays below fround(maxval).
  const y = random.uniform(random.key(6), [10_000], 0.1, 0.1 + 1e-7).dataSync()
  for (const v of y) assert.ok(v >= Math.fround(0.1) && v < Math.fround(0.1 + 1e-7), `value ${v}`)
})

t('normal: moments (0, 1) and Kolmogorov-Smirnov', () => {
  const z = random.normal(random.key(3), [N]).dataSync()
  assertMoments('normal', z, 0, 1, 3)
  assertKs('normal', z, normalCdf)
})

t('gumbel: finite, moments (Euler gamma, pi^2/6) and Kolmogorov-Smirnov', () => {
  const g = random.gumbel(random.key(4), [N]).dataSync()
  for (const x of g) if (!Number.isFinite(x)) assert.unreachable(`non-finite Gumbel draw ${x}`)
  const v = Math.PI ** 2 / 6
  assertMoments('gumbel', g, EULER_GAMMA, v, 5.4 * v * v) // excess kurtosis 12/5
  assertKs('gumbel', g, gumbelCdf)
})

t('gumbel: the table-driven logs equal -log(-log(u)) to float32 rounding, for all 2^23 uniforms', () => {
  // u = (m + 1/2) 2^-23 takes 2^23 values: check every one against Math.log in float64.
  const F32 = new Float32Array(1)
  const U32 = new Uint32Array(F32.buffer)
  let maxAbs = 0
  let maxUlps = 0
  let misrounded = 0
  for (let m = 0; m < 2 ** 23; m++) {
    const exact = -Math.log(-Math.log((m + 0.5) * 2 ** -23))
    const g = random.gumbelOfWord(m << 9)
    maxAbs = Math.max(maxAbs, Math.abs(g - exact))
    const g32 = Math.fround(g)
    if (g32 !== Math.fround(exact)) misrounded++
    F32[0] = Math.abs(exact)
    const a = F32[0]!
    U32[0]! += 1
    maxUlps = Math.max(maxUlps, Math.abs(g32 - exact) / (F32[0]! - a)) // in float32 ulps of the exact value
  }
  assert.ok(maxAbs < 2e-14, `max |error| ${maxAbs}`)
  assert.ok(maxUlps <= 0.5 + 1e-6, `max error ${maxUlps} float32 ulps`)
  assert.is(misrounded, 0, 'float32 values that differ from fround(-log(-log(u)))')
  // The extremes u = 2^-24 and 1 - 2^-24; the 9 low bits of the word are unused.
  assert.is(Math.fround(random.gumbelOfWord(0x1ff)), Math.fround(-Math.log(24 * Math.LN2)))
  assert.is(Math.fround(random.gumbelOfWord(-1)), Math.fround(-Math.log(-Math.log1p(-(2 ** -24)))))
  // fillGumbel stores gumbelOfWord of word i % 2 of block floor(i / 2).
  const out = new Float32Array(101)
  const w = new Uint32Array(2)
  random.fillGumbel(7, 0x9e3779b9, out)
  for (let i = 0; i < out.length; i++) {
    random.threefry2x32(7, 0x9e3779b9, 0, i >>> 1, w, 0)
    assert.is(out[i], Math.fround(random.gumbelOfWord(w[i & 1]!)), `element ${i}`)
  }
  // It stages the words in out's own memory: a Float64Array view inside a larger buffer gets
  // the same values (unrounded) and its neighbours are left alone.
  const wide = new Float64Array(out.length + 2)
  random.fillGumbel(7, 0x9e3779b9, wide.subarray(1, out.length + 1))
  assert.is(wide[0], 0)
  assert.is(wide[out.length + 1], 0)
  for (let i = 0; i < out.length; i++) assert.is(Math.fround(wide[i + 1]!), out[i], `Float64Array element ${i}`)
})

t('gamma: moments (alpha, alpha) for alpha in {0.3, 1, 2.5, 10}', () => {
  for (const alpha of [0.3, 1, 2.5, 10]) {
    const g = random.gamma(random.key(10), [N], alpha).dataSync()
    for (const x of g) if (!(x >= 0 && Number.isFinite(x))) assert.unreachable(`gamma(${alpha}): draw ${x}`)
    // Central fourth moment of Gamma(a, 1): 3a^2 + 6a.
    assertMoments(`gamma(${alpha})`, g, alpha, alpha, 3 * alpha * alpha + 6 * alpha)
  }
  // alpha = 1 is Exponential(1): check the whole distribution.
  assertKs('gamma(1)', random.gamma(random.key(12), [N], 1).dataSync(), (x) => 1 - Math.exp(-Math.max(x, 0)))
})

t('low-level fills: Float64Array gets the float32 values; the open variant is shifted by 2^-24', () => {
  const n = 1001
  const a = new Float32Array(n)
  const b = new Float64Array(n)
  const c = new Float64Array(n)
  random.fillUniform(123, 456, a)
  random.fillUniform(123, 456, b)
  random.fillUniformOpen(123, 456, c)
  for (let i = 0; i < n; i++) {
    assert.is(b[i], a[i])
    assert.is(c[i], b[i]! + 2 ** -24)
    assert.ok(c[i]! > 0 && c[i]! < 1)
    assert.is(Math.fround(c[i]!), c[i], 'exact in float32')
  }
  // The tensor op is the fill function of the key's words.
  const k = random.key(99)
  const w = bits(k)
  const z = new Float32Array(n)
  random.fillNormal(w[0]!, w[1]!, z)
  sameWords(new Uint32Array(z.buffer), bits(random.normal(k, [n])), 'normal vs fillNormal')
  random.fillGamma(w[0]!, w[1]!, 0.3, z)
  sameWords(new Uint32Array(z.buffer), bits(random.gamma(k, [n], 0.3)), 'gamma vs fillGamma')
})

// ---------------------------------------------------------------------------------------------
// vmap.

t('vmap over keys equals the per-key loop, for every sampler', () => {
  const keys = random.split(random.key(0), 5) // [5, 2]
  for (const [name, f] of Object.entries(samplers)) {
    const g = (k: random.Key) => f(k, [3])
    assertSameBits(vmap(g)(keys), loop(keys, g), name) // [5, 3]
  }
  assertSameBits(vmap((k: random.Key) => random.split(k, 3))(keys), loop(keys, (k) => random.split(k, 3)), 'split') // [5, 3, 2]
  assertSameBits(vmap((k: random.Key) => random.foldIn(k, 9))(keys), loop(keys, (k) => random.foldIn(k, 9)), 'foldIn') // [5, 2]
})

t('vmap with the keys batched along axis 1', () => {
  const keys = random.split(random.key(1), 4) // [4, 2]
  const g = (k: random.Key) => random.uniform(k, [2, 3])
  const out = vmap(g, { inAxes: 1 })(tf.transpose(keys)) // keys [2, 4] -> [4, 2, 3]
  assertSameBits(out, loop(keys, g), 'inAxes 1')
  const outLast = vmap(g, { outAxes: -1 })(keys) // [2, 3, 4]
  assertSameBits(outLast, tf.transpose(loop(keys, g), [1, 2, 0]), 'outAxes -1')
})

t('nested vmap over keys equals the double loop', () => {
  const keys = vmap((k: random.Key) => random.split(k, 3))(random.split(random.key(2), 2)) // [2, 3, 2]
  const g = (k: random.Key) => random.gamma(k, [4], 2.5)
  const out = vmap(vmap(g))(keys) // [2, 3, 4]
  const expected = tf.stack(tf.unstack(keys).map((row) => loop(row, g)))
  assertSameBits(out, expected, 'nested gamma')
  // Splitting inside nested vmap.
  const split2 = vmap(vmap((k: random.Key) => random.split(k)))(keys) // [2, 3, 2, 2]
  assertSameBits(split2, tf.stack(tf.unstack(keys).map((row) => loop(row, (k) => random.split(k)))), 'nested split')
})

t('vmap with an unbatched key, and a key batched at the outer level only', () => {
  const xs = tf.randomNormal([4, 3])
  const k = random.key(3)
  const out = vmap((x: tf.Tensor) => ops.add(x, random.uniform(k, [3])))(xs) // [4, 3]
  assertSameBits(out, tf.add(xs, random.uniform(k, [3])), 'unbatched key')
  const keys = random.split(k, 2) // [2, 2]
  const nested = vmap((kk: random.Key) => vmap((x: tf.Tensor) => ops.mul(x, random.normal(kk, [3])))(xs))(keys) // [2, 4, 3]
  const expected = loop(keys, (kk) => tf.mul(xs, random.normal(kk, [3])))
  assertSameBits(nested, expected, 'outer-level key inside inner vmap')
})

// ---------------------------------------------------------------------------------------------
// Errors and memory.

t('errors: key of the wrong shape or dtype, bad seed, bad alpha, bad shape, n, bounds', () => {
  const k = random.key(0)
  assert.throws(() => random.uniform(tf.tensor1d([1, 2]), [3]), argumentError(/random\.uniform\(key\)/, /dtype float32/, /shape \[2\]/))
  assert.throws(() => random.normal(tf.tensor1d([1, 2, 3], 'int32'), [3]), argumentError(/random\.normal\(key\)/, /shape \[3\]/))
  assert.throws(() => random.gumbel(random.split(k, 3), [3]), argumentError(/random\.gumbel\(key\)/, /shape \[3, 2\]/))
  assert.throws(() => random.split(tf.scalar(1, 'int32')), argumentError(/random\.split\(key\)/, /shape \[\]/))
  assert.throws(() => random.foldIn([0, 1] as unknown as tf.Tensor, 1), argumentError(/random\.foldIn\(key\)/))
  assert.throws(() => vmap((kk: random.Key) => random.uniform(kk, [2]))(tf.ones([5, 2])), argumentError(/random\.uniform\(key\)/, /float32/))
  assert.throws(() => random.key(1.5), argumentError(/random\.key\(seed\)/, /1\.5/))
  assert.throws(() => random.key(Number.NaN), argumentError(/random\.key\(seed\)/))
  assert.throws(() => random.key(2 ** 60), argumentError(/random\.key\(seed\)/))
  assert.throws(() => random.foldIn(k, 0.5), argumentError(/random\.foldIn\(data\)/))
  for (const alpha of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => random.gamma(k, [3], alpha), argumentError(/random\.gamma\(alpha\)/, /> 0/))
  }
  assert.throws(() => random.uniform(k, [2.5]), argumentError(/random\.uniform\(shape\)/, /2\.5/))
  assert.throws(() => random.normal(k, [-1]), argumentError(/random\.normal\(shape\)/))
  assert.throws(() => random.uniform(k, [2], 1, 1), argumentError(/random\.uniform\(minval, maxval\)/))
  assert.throws(() => random.uniform(k, [2], 0, 1e39), argumentError(/random\.uniform\(minval, maxval\)/))
  assert.throws(() => random.split(k, -1), argumentError(/random\.split\(n\)/))
  assert.throws(() => random.split(k, 1.5), argumentError(/random\.split\(n\)/))
})

t('leaks no tensor: outputs only', () => {
  const k = random.key(0)
  const keys = random.split(k, 5) // [5, 2]
  const keys2 = tf.reshape(random.split(k, 2), [1, 2, 2])
  const keysT = tf.transpose(keys) // [2, 5]
  const bad = tf.tensor1d([1, 2])
  const outs = [
    assertNoLeak(() => random.uniform(k, [10]), 1, 'uniform'),
    assertNoLeak(() => random.gamma(k, [10], 0.5), 1, 'gamma'),
    assertNoLeak(() => random.split(k, 3), 1, 'split'),
    assertNoLeak(() => random.foldIn(k, 3), 1, 'foldIn'),
    assertNoLeak(() => vmap((kk: random.Key) => random.normal(kk, [3]))(keys), 1, 'vmap normal'),
    assertNoLeak(() => vmap(vmap((kk: random.Key) => random.split(kk)))(keys2), 1, 'nested vmap split'),
    assertNoLeak(() => vmap((kk: random.Key) => random.gumbel(kk, [3]), { inAxes: 1 })(keysT), 1, 'vmap inAxes 1'),
  ]
  assertNoLeak(() => {
    try {
      random.uniform(bad, [3])
    } catch {
      // expected
    }
  }, 0, 'a failed call')
  for (const o of outs) o.dispose()
})

t.run()
