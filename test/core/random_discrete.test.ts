/**
 * The discrete samplers `randint`, `permutation`, `bernoulli` and `categorical`: exact
 * frequencies by chi-square (critical values from the degrees of freedom) and moments within 5
 * standard errors of the sample size, the absence of modulo bias, vmap over keys in one host
 * call, bit-identical values on cpu and wasm, no leaks, typed errors.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { vmap } from '../../src/index.js'
import { kernelCalls } from '../../src/core/kernel.js'
import * as random from '../../src/core/random/index.js'
import { argumentError, assertNoLeak, assertSameBits, bits, loop, onCpuAndWasm, sameWords, setup } from '../support/helpers.js'

const t = suite('random discrete')
t.before(setup)

/**
 * The upper critical value of chi-square with `df` degrees of freedom at `z` standard normal
 * deviations (Wilson-Hilferty), `z = 4.5`: a false alarm about once in 300,000 runs.
 */
const chi2Crit = (df: number, z = 4.5): number => df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3

/** Asserts Pearson's chi-square of `counts` against probabilities `probs` is below `chi2Crit`. */
function assertChi2(name: string, counts: ArrayLike<number>, probs: readonly number[]): void {
  let n = 0
  for (let i = 0; i < counts.length; i++) n += counts[i]!
  let x2 = 0
  let df = -1
  probs.forEach((p, i) => {
    if (p === 0) {
      assert.is(counts[i], 0, `${name}: category ${i} has probability 0 but was drawn ${counts[i]} times`)
      return
    }
    x2 += (counts[i]! - n * p) ** 2 / (n * p)
    df++
  })
  if (df === 0) return
  assert.ok(x2 < chi2Crit(df), `${name}: chi-square ${x2.toFixed(1)} >= ${chi2Crit(df).toFixed(1)} (df ${df})`)
}

/** Counts of the integer values `v - low` in `[0, k)`; fails on a value outside. */
function countsOf(values: ArrayLike<number>, low: number, k: number, name: string): Float64Array {
  const c = new Float64Array(k)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! - low
    if (!(v >= 0 && v < k && Number.isInteger(v))) assert.unreachable(`${name}: value ${values[i]} outside [${low}, ${low + k})`)
    c[v]!++
  }
  return c
}

/** Asserts the frequency of ones among `n` draws is within 5 standard errors of `p`. */
function assertFrequency(name: string, ones: number, n: number, p: number): void {
  const se = Math.sqrt((p * (1 - p)) / n)
  const f = ones / n
  assert.ok(Math.abs(f - p) <= 5 * se + 1e-12, `${name}: frequency ${f} vs ${p} (5 SE = ${5 * se})`)
}

const N = 120_000

t('randint: uniform on [low, high) by chi-square, for small and odd ranges and negative bounds', () => {
  for (const [low, high] of [[0, 2], [1, 7], [-5, 8], [10, 11], [-1000, -900]] as const) {
    const x = random.randint(random.key(high), [N], low, high)
    assert.is(x.dtype, 'int32')
    assertChi2(`randint [${low}, ${high})`, countsOf(x.dataSync(), low, high - low, 'randint'), new Array(high - low).fill(1 / (high - low)))
  }
})

t('randint: no modulo bias, for a range where w mod r would favour a third of the values 2:1', () => {
  // r = 3 2^30: 2^32 mod r = 2^30, so a bare w mod r puts values below 2^30 at probability 1/2
  // instead of 1/3. Rejection makes it exactly 1/3.
  const r = 3 * 2 ** 30
  const low = -(2 ** 31)
  const x = random.randint(random.key(7), [N], low, low + r).dataSync()
  let below = 0
  for (let i = 0; i < x.length; i++) {
    assert.ok(x[i]! >= low && x[i]! < low + r, `value ${x[i]} out of range`)
    if (x[i]! - low < 2 ** 30) below++
  }
  assertFrequency('Pr[x - low < 2^30]', below, N, 1 / 3)
  // The full int32 range: the extremes are reachable and the mean is -1/2 within 5 SE.
  const full = random.randint(random.key(8), [N], -(2 ** 31), 2 ** 31).dataSync()
  let mean = 0
  for (let i = 0; i < full.length; i++) mean += full[i]! / N
  const se = Math.sqrt(((2 ** 32) ** 2 - 1) / 12 / N)
  assert.ok(Math.abs(mean + 0.5) < 5 * se, `full range mean ${mean} (5 SE ${5 * se})`)
})

t('permutation: always a permutation; the 24 orders of 4 items by chi-square; positions uniform', () => {
  for (const n of [0, 1, 2, 17, 1000]) {
    const p = Array.from(random.permutation(random.key(n), n).dataSync())
    assert.equal(p.slice().sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `n = ${n}`)
  }
  const M = 48_000
  const perms = vmap((k: random.Key) => random.permutation(k, 4))(random.split(random.key(3), M)).dataSync() // [M, 4]
  const counts = new Float64Array(24)
  const fact = [6, 2, 1, 1]
  for (let m = 0; m < M; m++) {
    // Lehmer code of the permutation: its index among the 24.
    const row = Array.from(perms.subarray(4 * m, 4 * m + 4))
    let code = 0
    for (let i = 0; i < 4; i++) code += row.slice(i + 1).filter((v) => v < row[i]!).length * fact[i]!
    counts[code]!++
  }
  assertChi2('permutations of 4', counts, new Array(24).fill(1 / 24))
  // Position of item 0 in a permutation of 50: uniform on [0, 50).
  const big = vmap((k: random.Key) => random.permutation(k, 50))(random.split(random.key(4), 20_000)).dataSync()
  const where0 = new Float64Array(50)
  for (let m = 0; m < 20_000; m++) for (let i = 0; i < 50; i++) if (big[50 * m + i] === 0) where0[i]!++
  assertChi2('position of item 0 among 50', where0, new Array(50).fill(1 / 50))
})

t('bernoulli: float32 0/1 with frequency p; a tensor p broadcast along shape; p = 0 and 1 exact', () => {
  for (const p of [0.5, 0.01, 0.3, 0.999]) {
    const x = random.bernoulli(random.key(11), p, [N])
    assert.is(x.dtype, 'float32')
    const d = x.dataSync()
    let ones = 0
    for (let i = 0; i < d.length; i++) {
      assert.ok(d[i] === 0 || d[i] === 1)
      ones += d[i]!
    }
    assertFrequency(`bernoulli(${p})`, ones, N, p)
  }
  assert.equal(Array.from(random.bernoulli(random.key(0), 0, [100]).dataSync()), new Array(100).fill(0))
  assert.equal(Array.from(random.bernoulli(random.key(0), 1, [100]).dataSync()), new Array(100).fill(1))
  const ps = [0, 0.1, 0.5, 0.9, 1]
  const cols = random.bernoulli(random.key(12), tf.tensor1d(ps), [N / 4, 5]) // [N/4, 5]
  const sums = tf.sum(cols, 0).dataSync()
  ps.forEach((p, j) => assertFrequency(`column ${j}`, sums[j]!, N / 4, p))
  const rows = random.bernoulli(random.key(13), tf.tensor2d([[0.2], [0.7]]), [2, N / 4]) // [2, N/4]
  const rs = tf.sum(rows, 1).dataSync()
  assertFrequency('row 0', rs[0]!, N / 4, 0.2)
  assertFrequency('row 1', rs[1]!, N / 4, 0.7)
  assert.equal(random.bernoulli(random.key(0), tf.tensor1d([0.5, 0.5])).shape, [2], 'shape defaults to p.shape')
  assert.equal(random.bernoulli(random.key(0), 0.5).shape, [], 'and to [] for a number')
  // The same key gives the same uniforms for a number p and a tensor p.
  assertSameBits(random.bernoulli(random.key(5), 0.3, [99]), random.bernoulli(random.key(5), tf.fill([99], 0.3), [99]), 'number vs tensor p')
})

t('categorical: frequencies are softmax(logits) by chi-square; -Infinity never drawn; rows and shapes', () => {
  const probs = [0.1, 0.2, 0.3, 0.4, 0]
  const logits = tf.tensor1d(probs.map((p) => Math.log(p) + 3)) // unnormalised, with -Infinity
  const x = random.categorical(random.key(21), logits, [N])
  assert.is(x.dtype, 'int32')
  assertChi2('categorical', countsOf(x.dataSync(), 0, 5, 'categorical'), probs)
  const two = tf.log(tf.tensor2d([[0.5, 0.25, 0.25], [0.05, 0.05, 0.9]])) // [2, 3]
  assert.equal(random.categorical(random.key(0), two).shape, [2], 'shape defaults to the batch shape')
  const y = random.categorical(random.key(22), two, [N / 2, 2]).dataSync() // [N/2, 2]
  const c0 = new Float64Array(3)
  const c1 = new Float64Array(3)
  for (let i = 0; i < N / 2; i++) {
    c0[y[2 * i]!]!++
    c1[y[2 * i + 1]!]!++
  }
  assertChi2('row 0', c0, [0.5, 0.25, 0.25])
  assertChi2('row 1', c1, [0.05, 0.05, 0.9])
  assert.equal(Array.from(random.categorical(random.key(0), tf.tensor1d([5]), [4]).dataSync()), [0, 0, 0, 0], 'one category')
})

t('vmap over keys equals the per-key loop, in one host-kernel call per sampler', () => {
  const keys = random.split(random.key(30), 6) // [6, 2]
  const p = tf.tensor1d([0.2, 0.5, 0.8])
  const logits = tf.tensor2d([[0, 1, 2], [2, 1, 0]])
  const cases: [string, (k: random.Key) => tf.Tensor][] = [
    ['random.randint', (k) => random.randint(k, [4], -3, 9)],
    ['random.permutation', (k) => random.permutation(k, 7)],
    ['random.bernoulli', (k) => random.bernoulli(k, 0.4, [5])],
    ['random.bernoulli', (k) => random.bernoulli(k, p, [2, 3])],
    ['random.categorical', (k) => random.categorical(k, logits, [3, 2])],
  ]
  for (const [name, f] of cases) {
    const before = kernelCalls[name]!
    const v = vmap(f)(keys)
    assert.is(kernelCalls[name]! - before, 1, `${name}: one call`)
    assertSameBits(v, loop(keys, f), name)
  }
  // Nested vmap, and p batched along with the keys.
  const keys2 = tf.reshape(random.split(random.key(31), 6), [2, 3, 2])
  const f = (k: random.Key) => random.randint(k, [2], 0, 100)
  assertSameBits(vmap(vmap(f))(keys2), tf.stack(tf.unstack(keys2).map((ks) => loop(ks, f))), 'nested randint')
  const ps = tf.tensor2d([[0.1, 0.9], [0.5, 0.5], [0.9, 0.1]])
  const g = (k: random.Key, q: tf.Tensor) => random.bernoulli(k, q, [4, 2])
  const ks = random.split(random.key(32), 3)
  assertSameBits(vmap(g)(ks, ps), tf.stack(tf.unstack(ks).map((k, i) => g(k, tf.unstack(ps)[i]!))), 'keys and p batched')
  const lg = tf.log(tf.tensor2d([[0.1, 0.9], [0.9, 0.1], [0.5, 0.5]]))
  const h = (k: random.Key, l: tf.Tensor) => random.categorical(k, l, [6])
  assertSameBits(vmap(h)(ks, lg), tf.stack(tf.unstack(ks).map((k, i) => h(k, tf.unstack(lg)[i]!))), 'keys and logits batched')
})

t('bit-identical values on the cpu and wasm backends', async () => {
  const run = (): Record<string, Uint32Array> => {
    const out: Record<string, Uint32Array> = {}
    tf.tidy(() => {
      const k = random.key(2025)
      out['randint'] = bits(random.randint(k, [1001], -7, 1234567))
      out['permutation'] = bits(random.permutation(k, 1001))
      out['bernoulli'] = bits(random.bernoulli(k, 0.37, [1001]))
      out['bernoulliT'] = bits(random.bernoulli(k, tf.tensor1d([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]), [91, 11]))
      out['categorical'] = bits(random.categorical(k, tf.tensor2d([[0, 0.5, 1, -2], [3, 0, 0, 1]]), [500, 2]))
      out['vmap'] = bits(vmap((kk: random.Key) => random.permutation(kk, 9))(random.split(k, 9)))
    })
    return out
  }
  const [onCpu, onWasm] = await onCpuAndWasm(run)
  for (const name of Object.keys(onCpu)) sameWords(onCpu[name]!, onWasm[name]!, `${name} cpu vs wasm`)
})

t('low-level fills: element i of randint and categorical depends only on the key and i', () => {
  const a = new Int32Array(10)
  const b = new Int32Array(4)
  random.fillRandint(1, 2, 0, 1000, a)
  random.fillRandint(1, 2, 0, 1000, b)
  assert.equal(Array.from(b), Array.from(a.subarray(0, 4)))
  const lg = Float32Array.of(0, 1, 2)
  const c = new Int32Array(10)
  const d = new Int32Array(3)
  random.fillCategorical(1, 2, lg, 3, new Int32Array(10), c)
  random.fillCategorical(1, 2, lg, 3, new Int32Array(3), d)
  assert.equal(Array.from(d), Array.from(c.subarray(0, 3)))
})

t('errors: bounds, n, p, logits and shapes, each naming the function and the argument', () => {
  const k = random.key(0)
  const any = (x: unknown) => x as never
  assert.throws(() => random.randint(k, [3], 5, 5), argumentError(/random\.randint\(low, high\)/, /low 5, high 5/))
  assert.throws(() => random.randint(k, [3], 0.5, 5), argumentError(/random\.randint/, /integers/))
  assert.throws(() => random.randint(k, [3], 0, 2 ** 31 + 1), argumentError(/random\.randint/, /2147483649/))
  assert.throws(() => random.randint(k, [-1], 0, 2), argumentError(/random\.randint\(shape\)/))
  assert.throws(() => random.permutation(k, -1), argumentError(/random\.permutation\(n\)/, /-1/))
  assert.throws(() => random.permutation(k, 2.5), argumentError(/random\.permutation\(n\)/, /2\.5/))
  assert.throws(() => random.permutation(tf.tensor1d([1, 2]), 3), argumentError(/random\.permutation\(key\)/))
  assert.throws(() => random.bernoulli(k, 1.5), argumentError(/random\.bernoulli\(p\)/, /1\.5/))
  assert.throws(() => random.bernoulli(k, NaN), argumentError(/random\.bernoulli\(p\)/, /NaN/))
  assert.throws(() => random.bernoulli(k, any('x')), argumentError(/random\.bernoulli\(p\)/))
  assert.throws(() => random.bernoulli(k, tf.tensor1d([0.5, -0.1])), argumentError(/random\.bernoulli\(p\)/, /-0\.1/))
  assert.throws(() => random.bernoulli(k, tf.tensor1d([0.5, 0.5]), [3]), argumentError(/random\.bernoulli\(p\)/, /\[2\]/, /\[3\]/))
  assert.throws(() => random.categorical(k, tf.scalar(1)), argumentError(/random\.categorical\(logits\)/, /\[\]/))
  assert.throws(() => random.categorical(k, tf.zeros([2, 0])), argumentError(/random\.categorical\(logits\)/, /n >= 1/))
  assert.throws(() => random.categorical(k, tf.zeros([2, 3]), [3]), argumentError(/random\.categorical\(logits\)/, /\[2\]/, /\[3\]/))
  assert.throws(() => random.categorical(k, tf.tensor1d([0, NaN])), argumentError(/random\.categorical\(logits\)/, /NaN/))
})

t('leaks no tensor: outputs only', () => {
  const k = random.key(0)
  const keys = random.split(k, 3)
  const p = tf.tensor1d([0.5, 0.2])
  const l = tf.tensor1d([0, 1, 2])
  const outs = [
    assertNoLeak(() => random.randint(k, [5], 0, 3), 1, 'randint'),
    assertNoLeak(() => random.permutation(k, 5), 1, 'permutation'),
    assertNoLeak(() => random.bernoulli(k, 0.5, [5]), 1, 'bernoulli number'),
    assertNoLeak(() => random.bernoulli(k, p, [3, 2]), 1, 'bernoulli tensor (reshaped)'),
    assertNoLeak(() => random.categorical(k, l, [4]), 1, 'categorical (reshaped)'),
    assertNoLeak(() => vmap((kk: random.Key) => random.categorical(kk, l, [2]))(keys), 1, 'vmap categorical'),
    assertNoLeak(() => vmap((kk: random.Key) => random.bernoulli(kk, p))(keys), 1, 'vmap bernoulli'),
  ]
  assertNoLeak(() => assert.throws(() => random.bernoulli(k, tf.tidy(() => tf.tensor1d([2]))).dispose()), 1, 'a failed call leaks only its input')
  tf.dispose(outs)
})

t.run()
