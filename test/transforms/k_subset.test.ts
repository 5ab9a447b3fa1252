/**
 * The exact k-subset law against brute-force enumeration of every k-subset in float64 (log Z,
 * marginals, log-probabilities, the covariance that is the layer's Jacobian), at ordinary and
 * extreme (|theta| ~ 1e3) scales; exact sampling by a chi-square test on all subsets; keys,
 * vmap and kernel-call counts; the layer's gradient against float64 finite differences.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, ops, random, vmap } from '../../src/index.js'
import { kernelCalls } from '../../src/core/kernel.js'
import * as kSubset from '../../src/transforms/k_subset.js'
import { argumentError, assertClose, assertNoLeak, assertSameBits, configError, loop, onCpuAndWasm, setup } from '../support/helpers.js'

const t = suite('kSubset')
t.before(setup)

/** Every k-subset of n as a 0/1 row, in a fixed order. */
function subsets(n: number, k: number): number[][] {
  const out: number[][] = []
  for (let m = 0; m < 1 << n; m++) {
    const z = Array.from({ length: n }, (_, i) => (m >> i) & 1)
    if (z.reduce((a, b) => a + b, 0) === k) out.push(z)
  }
  return out
}

/** The law by enumeration, in float64: log Z, each subset's probability, marginals, covariance. */
function enumerate(theta: ArrayLike<number>, k: number) {
  const n = theta.length
  const zs = subsets(n, k)
  const scores = zs.map((z) => z.reduce((a, zi, i) => a + zi * theta[i]!, 0))
  const m = Math.max(...scores)
  const logZ = m + Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0))
  const probs = scores.map((s) => Math.exp(s - logZ))
  const mu = Array.from({ length: n }, (_, i) => zs.reduce((a, z, c) => a + probs[c]! * z[i]!, 0))
  const cov = mu.map((mi, i) => mu.map((mj, j) => zs.reduce((a, z, c) => a + probs[c]! * z[i]! * z[j]!, 0) - mi * mj))
  return { zs, scores, logZ, probs, mu, cov }
}

const vec = (xs: readonly number[]): tf.Tensor => tf.tensor1d(xs.slice())
const randomTheta = (n: number, seed: number, scale = 1): tf.Tensor => tf.mul(tf.randomNormal([n], 0, 1, 'float32', seed), scale)

t('logPartition, marginals and logProb equal enumeration for every n <= 10 and k in [0, n]', () => {
  for (let n = 1; n <= 10; n++) {
    const theta = randomTheta(n, n, 2)
    const th = theta.dataSync()
    for (let k = 0; k <= n; k++) {
      const ref = enumerate(th, k)
      const msg = `n=${n} k=${k}`
      assertClose(kSubset.logPartition(theta, k), tf.scalar(ref.logZ), 1e-5, 1e-6, `${msg} log Z`)
      assertClose(kSubset.marginals(theta, k), vec(ref.mu), 1e-6, 0, `${msg} marginals`)
      const lp = kSubset.logProb(theta, k, tf.tensor2d(ref.zs, [ref.zs.length, n]))
      assertClose(lp, vec(ref.scores.map((s) => s - ref.logZ)), 1e-5, 1e-6, `${msg} logProb`)
    }
  }
})

t('the marginals sum to k, also for n = 60', () => {
  for (const [n, k] of [[7, 3], [60, 17], [60, 0], [60, 60]] as const) {
    const total = tf.sum(kSubset.marginals(randomTheta(n, 3 * n + k, 3), k)).dataSync()[0]!
    assert.ok(Math.abs(total - k) < 1e-4 * Math.max(1, k), `n=${n} k=${k}: sum ${total}`)
  }
})

t('stable at |theta| ~ 1e3: enumeration with log-sum-exp in float64 agrees, nothing is NaN or Inf', () => {
  const theta = vec([1000, -1000, 999.5, -999, 0, 500, 1000, -3, 998, 0.25])
  const th = theta.dataSync()
  for (const k of [1, 3, 5, 9]) {
    const ref = enumerate(th, k)
    assertClose(kSubset.logPartition(theta, k), tf.scalar(ref.logZ), 0, 1e-6, `k=${k} log Z`)
    assertClose(kSubset.marginals(theta, k), vec(ref.mu), 1e-6, 0, `k=${k} marginals`)
    const g = grad((x: tf.Tensor) => ops.sum(ops.mul(kSubset.layer(k)(x), vec([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))))(theta)
    const want = ref.cov.map((row) => row.reduce((a, c, j) => a + c * (j + 1), 0))
    assertClose(g, vec(want), 1e-5, 0, `k=${k} layer gradient`)
  }
  const big = tf.sub(tf.mul(tf.randomUniform([300], 0, 1, 'float32', 7), 2e3), 1e3) // [300] in [-1e3, 1e3)
  const mu = Array.from(kSubset.marginals(big, 150).dataSync())
  assert.ok(mu.every(Number.isFinite), 'finite marginals')
  assert.ok(Math.abs(mu.reduce((a, b) => a + b, 0) - 150) < 1e-3, 'they sum to k')
  assert.ok(Number.isFinite(kSubset.logPartition(big, 150).dataSync()[0]!), 'finite log Z')
})

t('grad of logPartition is the marginals; grad of logProb is z - marginals', () => {
  const theta = randomTheta(6, 11)
  assertClose(grad((x: tf.Tensor) => kSubset.logPartition(x, 2))(theta), kSubset.marginals(theta, 2), 1e-6, 0)
  const z = vec([0, 1, 0, 0, 1, 0])
  assertClose(grad((x: tf.Tensor) => kSubset.logProb(x, 2, z))(theta), tf.sub(z, kSubset.marginals(theta, 2)), 1e-6, 0)
})

t('sampling is exact: chi-square over the 10 subsets of n = 5, k = 2 with 20000 samples', () => {
  const S = 20000
  for (const [name, theta] of [['spread', vec([1.5, -0.5, 0.3, 0, -1.2])], ['skewed', vec([3, 2.5, -2, 0.1, -4])]] as const) {
    const ref = enumerate(theta.dataSync(), 2)
    const z = kSubset.sample(theta, 2, random.key(17), { nbSamples: S }).arraySync() as number[][]
    const counts = new Array<number>(ref.zs.length).fill(0)
    for (const row of z) {
      assert.is(row.reduce((a, b) => a + b, 0), 2, 'exactly k ones')
      const c = ref.zs.findIndex((s) => s.every((v, i) => v === row[i]))
      counts[c]!++
    }
    // Pearson's statistic, 9 degrees of freedom: the 0.999 quantile is 27.88.
    const chi2 = counts.reduce((a, o, c) => a + (o - S * ref.probs[c]!) ** 2 / (S * ref.probs[c]!), 0)
    assert.ok(chi2 < 27.88, `${name}: chi2 ${chi2.toFixed(2)} >= 27.88 (counts ${counts}, expected ${ref.probs.map((p) => (p * S).toFixed(0))})`)
    counts.forEach((o, c) => {
      const p = ref.probs[c]!
      const z5 = Math.abs(o / S - p) / Math.sqrt((p * (1 - p)) / S)
      assert.ok(z5 < 5, `${name}: subset ${ref.zs[c]} frequency ${o / S} vs ${p} (${z5.toFixed(2)} standard errors)`)
    })
  }
})

t('samples are a deterministic function of the key, the same on cpu and wasm, and independent of nbSamples', () => {
  const theta = randomTheta(8, 5)
  const a = kSubset.sample(theta, 3, random.key(1), { nbSamples: 6 })
  assertSameBits(a, kSubset.sample(theta, 3, random.key(1), { nbSamples: 6 }), 'same key')
  assert.not.equal(a.arraySync(), kSubset.sample(theta, 3, random.key(2), { nbSamples: 6 }).arraySync(), 'another key')
  assertSameBits(kSubset.sample(theta, 3, random.key(1)), tf.squeeze(tf.slice(a, [0, 0], [1, 8]), [0]), 'sample 0 without nbSamples')
  assertSameBits(kSubset.sample(theta, 3, random.key(1), { nbSamples: 3 }), tf.slice(a, [0, 0], [3, 8]), 'a prefix')
  assert.equal(a.shape, [6, 8])
  assert.is(a.dtype, 'float32')
})

t('same samples on cpu and wasm', async () => {
  const [c, w] = await onCpuAndWasm(() => kSubset.sample(vec([0.2, -1, 3, 0.5, 1]), 2, random.key(9), { nbSamples: 50 }).dataSync().slice())
  assert.equal(Array.from(c), Array.from(w))
})

t('vmap over keys and thetas equals the loop, in one kernel call, nested too', () => {
  const thetas = tf.randomNormal([4, 7], 0, 1, 'float32', 21)
  const keys = random.split(random.key(3), 4)
  const before = kernelCalls['kSubset.sample']!
  const batched = vmap((th: tf.Tensor, k: tf.Tensor) => kSubset.sample(th, 3, k, { nbSamples: 5 }))(thetas, keys) // [4, 5, 7]
  assert.is(kernelCalls['kSubset.sample']! - before, 1)
  const rows = tf.unstack(thetas)
  const looped = tf.stack(tf.unstack(keys).map((k, b) => kSubset.sample(rows[b]!, 3, k, { nbSamples: 5 })))
  assertSameBits(batched, looped, 'keys and thetas')
  const theta = rows[0]!
  assertSameBits(vmap((k: tf.Tensor) => kSubset.sample(theta, 3, k))(keys), loop(keys, (k) => kSubset.sample(theta, 3, k)), 'keys only')
  // Nested: [2, 3] thetas, each with its own key.
  const th2 = tf.randomNormal([2, 3, 7], 0, 1, 'float32', 22)
  const k2 = tf.reshape(random.split(random.key(4), 6), [2, 3, 2])
  const counts = ['kSubset.sample', 'kSubset.marginals', 'kSubset.logPartition'].map((n) => kernelCalls[n]!)
  const nested = vmap(vmap((th: tf.Tensor, k: tf.Tensor) => kSubset.sample(th, 2, k)))(th2, k2) // [2, 3, 7]
  const mu = vmap(vmap((th: tf.Tensor) => kSubset.marginals(th, 2)))(th2) // [2, 3, 7]
  const lz = vmap(vmap((th: tf.Tensor) => kSubset.logPartition(th, 2)))(th2) // [2, 3]
  assert.equal(['kSubset.sample', 'kSubset.marginals', 'kSubset.logPartition'].map((n, i) => kernelCalls[n]! - counts[i]!), [1, 1, 1])
  const flatTh = tf.unstack(tf.reshape(th2, [6, 7]))
  const flatK = tf.unstack(tf.reshape(k2, [6, 2]))
  assertSameBits(tf.reshape(nested, [6, 7]), tf.stack(flatTh.map((th, i) => kSubset.sample(th, 2, flatK[i]!))), 'nested samples')
  assertClose(tf.reshape(mu, [6, 7]), tf.stack(flatTh.map((th) => kSubset.marginals(th, 2))), 0, 0, 'nested marginals')
  assertClose(tf.reshape(lz, [6]), tf.stack(flatTh.map((th) => kSubset.logPartition(th, 2))), 0, 0, 'nested log Z')
})

t('layer: the Jacobian (by vmap of grad) is the enumerated covariance and the float64 finite-difference Jacobian', () => {
  const n = 6
  const k = 2
  const theta = randomTheta(n, 31, 1.5)
  const th = Float64Array.from(theta.dataSync())
  const layer = kSubset.layer(k)
  const before = kernelCalls['kSubset.marginalsVjp']!
  const jac = vmap((w: tf.Tensor) => grad((x: tf.Tensor) => ops.sum(ops.mul(layer(x), w)))(theta))(tf.eye(n)) // [n, n]
  assert.is(kernelCalls['kSubset.marginalsVjp']! - before, 1, 'one backward kernel call for all n cotangents')
  assertClose(jac, tf.tensor2d(enumerate(th, k).cov), 1e-6, 0, 'covariance')
  const h = 1e-5
  const fd = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const up = th.slice()
      const down = th.slice()
      up[j]! += h
      down[j]! -= h
      return (enumerate(up, k).mu[i]! - enumerate(down, k).mu[i]!) / (2 * h)
    }),
  )
  assertClose(jac, tf.tensor2d(fd), 1e-6, 0, 'finite differences')
})

t('layer under vmap and grad: per-example gradients equal the loop, both orders', () => {
  const thetas = tf.randomNormal([5, 6], 0, 1, 'float32', 41)
  const ws = tf.randomNormal([5, 6], 0, 1, 'float32', 42)
  const layer = kSubset.layer(3)
  const perExample = tf.stack(
    tf.unstack(thetas).map((th, b) => {
      const cov = enumerate(th.dataSync(), 3).cov
      const w = tf.unstack(ws)[b]!.dataSync()
      return vec(cov.map((row) => row.reduce((a, c, j) => a + c * w[j]!, 0)))
    }),
  )
  const gradOfVmap = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x), ws)))(thetas)
  assertClose(gradOfVmap, perExample, 1e-6, 0, 'grad(vmap)')
  const vmapOfGrad = vmap((x: tf.Tensor, w: tf.Tensor) => grad((y: tf.Tensor) => ops.sum(ops.mul(layer(y), w)))(x))(thetas, ws)
  assertClose(vmapOfGrad, perExample, 1e-6, 0, 'vmap(grad)')
})

t('no tensor leaks: sampling, marginals and the layer gradient', () => {
  const theta = randomTheta(6, 51)
  const w = randomTheta(6, 52)
  const key = random.key(0)
  const z = vec([1, 1, 0, 0, 0, 0])
  assertNoLeak(() => kSubset.sample(theta, 2, key, { nbSamples: 3 }), 1, 'sample')
  assertNoLeak(() => kSubset.logProb(theta, 2, z), 1, 'logProb')
  assertNoLeak(() => grad((x: tf.Tensor) => kSubset.logProb(x, 2, z))(theta), 1, 'grad of logProb')
  assertNoLeak(() => grad((x: tf.Tensor) => ops.sum(ops.mul(kSubset.marginals(x, 2), w)))(theta), 1, 'grad of marginals')
})

t('typed errors: k out of range, wrong rank or dtype, NaN, a bad key, bad options, z of the wrong shape', () => {
  const theta = vec([0.1, 0.2, 0.3])
  assert.throws(() => kSubset.marginals(theta, 4), argumentError(/kSubset\.marginals\(k\): k must be an integer in \[0, 3\]/, /got 4/))
  assert.throws(() => kSubset.logPartition(theta, -1), argumentError(/kSubset\.logPartition\(k\)/, /got -1/))
  assert.throws(() => kSubset.sample(theta, 1.5, random.key(0)), argumentError(/kSubset\.sample\(k\)/, /got 1\.5/))
  assert.throws(() => kSubset.marginals(tf.ones([2, 3]), 1), argumentError(/rank 1/, /\[2, 3\]/, /vmap/))
  assert.throws(() => kSubset.marginals(tf.scalar(1), 0), argumentError(/rank 1/))
  assert.throws(() => kSubset.marginals(tf.tensor1d([true, false], 'bool'), 1), argumentError(/dtype/))
  assert.throws(() => kSubset.marginals(vec([0, NaN, 1]), 1), argumentError(/kSubset\.marginals\(theta\): theta must be finite/, /NaN at index 1/))
  assert.throws(() => kSubset.sample(vec([0, Infinity]), 1, random.key(0)), argumentError(/kSubset\.sample\(theta\)/, /Infinity/))
  assert.throws(() => kSubset.sample(theta, 1, tf.ones([2])), argumentError(/kSubset\.sample\(key\)/))
  assert.throws(() => kSubset.sample(theta, 1, random.key(0), { nbSamples: 0 }), configError(/kSubset\.sample\(options\.nbSamples\): expected PositiveInt but got 0/))
  assert.throws(() => kSubset.logProb(theta, 1, tf.ones([2, 4])), argumentError(/kSubset\.logProb\(z\)/, /\[\.\.\., 3\]/, /\[2, 4\]/))
  assert.throws(() => kSubset.layer(-2), argumentError(/kSubset\.layer\(k\)/))
})

t.run()
