/**
 * The score-function estimator on the exact k-subset law (n = 6, k = 2) with a linear loss
 * `L(z) = <w, z>`, whose exact gradient `grad E[L] = Cov(z) w` comes from enumeration: the
 * backward pass is the stated formula on the drawn samples, it is unbiased within 5 standard
 * errors of its own per-sample terms, the leave-one-out baseline lowers the variance, the
 * generic path (`grad` of `logProb` in the backward pass) equals the analytic one, and vmap
 * equals the loop.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, ops, random, vmap } from '../../../src/index.js'
import { kernelCalls } from '../../../src/core/kernel.js'
import * as kSubset from '../../../src/transforms/k_subset.js'
import { kSubsetScoreFunction, scoreFunction, type ScoreFunctionOptions } from '../../../src/transforms/estimators/score_function.js'
import { argumentError, assertClose, assertNoLeak, configError, setup } from '../../support/helpers.js'

const t = suite('scoreFunction')
t.before(setup)

const N = 6
const K = 2
const THETA = [0.8, -0.4, 1.2, 0, -1, 0.3]
const W = [1, 2, 3, 1.5, 2.5, 2] // f = <w, z> has a large mean: the case a baseline helps

/** Marginals and covariance of the k-subset law by enumeration, in float64. */
function exact(theta: readonly number[], k: number): { mu: number[]; cov: number[][] } {
  const n = theta.length
  const zs: number[][] = []
  for (let m = 0; m < 1 << n; m++) {
    const z = Array.from({ length: n }, (_, i) => (m >> i) & 1)
    if (z.reduce((a, b) => a + b, 0) === k) zs.push(z)
  }
  const weights = zs.map((z) => Math.exp(z.reduce((a, zi, i) => a + zi * theta[i]!, 0)))
  const total = weights.reduce((a, b) => a + b, 0)
  const p = weights.map((x) => x / total)
  const mu = theta.map((_, i) => zs.reduce((a, z, c) => a + p[c]! * z[i]!, 0))
  const cov = mu.map((mi, i) => mu.map((mj, j) => zs.reduce((a, z, c) => a + p[c]! * z[i]! * z[j]!, 0) - mi * mj))
  return { mu, cov }
}

const { mu: MU, cov: COV } = exact(THETA, K)
const EXACT_GRAD = COV.map((row) => row.reduce((a, c, j) => a + c * W[j]!, 0)) // Cov(z) w
const linear = (w: tf.Tensor) => (z: tf.Tensor) => ops.sum(ops.mul(z, w)) // sum_s <w, z_s>

/**
 * The per-sample terms whose mean the backward pass returns, `(f_s - b_s)(z_s - mu)`, from the
 * drawn samples `z [S, n]` (b_s: 0, the leave-one-out mean, or the number).
 */
function terms(z: number[][], baseline: 'none' | 'mean' | number): number[][] {
  const S = z.length
  const f = z.map((row) => row.reduce((a, zi, i) => a + zi * W[i]!, 0))
  const total = f.reduce((a, b) => a + b, 0)
  const b = f.map((fs) => (baseline === 'none' ? 0 : baseline === 'mean' ? (total - fs) / (S - 1) : baseline))
  return z.map((row, s) => row.map((zi, i) => (f[s]! - b[s]!) * (zi - MU[i]!)))
}

const meanStd = (xs: readonly number[]): [number, number] => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  return [m, Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1))]
}

/** The layer's sample and its score-function gradient for `L = sum_s <w, z_s>` (divided by S). */
function run(options: ScoreFunctionOptions, key: tf.Tensor) {
  const layer = kSubsetScoreFunction(K, options)
  const theta = tf.tensor1d(THETA)
  const z = layer(theta, key).arraySync() as number[][]
  // The layer averages over samples in the backward pass; the loss sums them: divide nothing.
  const g = Array.from(grad((th: tf.Tensor) => linear(tf.tensor1d(W))(layer(th, key)))(theta).dataSync())
  return { z, g }
}

t('the backward pass is mean_s (f_s - b_s) grad log p(z_s) on the drawn samples, for each baseline', () => {
  for (const baseline of ['none', 'mean', 1.5] as const) {
    const { z, g } = run({ nbSamples: 200, baseline }, random.key(3))
    assert.equal([z.length, z[0]!.length], [200, N])
    const want = Array.from({ length: N }, (_, i) => meanStd(terms(z, baseline).map((r) => r[i]!))[0])
    assertClose(tf.tensor1d(g), tf.tensor1d(want), 1e-5, 1e-5, `baseline ${baseline}`)
  }
})

t('unbiased: with S = 20000 the estimate is within 5 standard errors of Cov(z) w', () => {
  const S = 20000
  for (const baseline of ['mean', 'none'] as const) {
    const { z, g } = run({ nbSamples: S, baseline }, random.key(7))
    const tm = terms(z, baseline)
    for (let i = 0; i < N; i++) {
      const se = meanStd(tm.map((r) => r[i]!))[1] / Math.sqrt(S)
      const dev = Math.abs(g[i]! - EXACT_GRAD[i]!)
      assert.ok(dev < 5 * se + 1e-5, `${baseline}: coordinate ${i}: ${g[i]} vs exact ${EXACT_GRAD[i]} (${(dev / se).toFixed(2)} standard errors)`)
    }
  }
})

t("the leave-one-out 'mean' baseline has lower variance than 'none' (200 estimates with S = 10 each)", () => {
  const R = 200
  const keys = random.split(random.key(11), R)
  const thetas = tf.tile(tf.tensor2d([THETA]), [R, 1])
  const w = tf.tensor1d(W)
  const variance: Record<string, number> = {}
  for (const baseline of ['mean', 'none'] as const) {
    const layer = kSubsetScoreFunction(K, { nbSamples: 10, baseline })
    const gs = vmap(grad((th: tf.Tensor, k: tf.Tensor) => linear(w)(layer(th, k))))(thetas, keys).arraySync() as number[][] // [R, n]
    let total = 0
    for (let i = 0; i < N; i++) {
      const [m, sd] = meanStd(gs.map((r) => r[i]!))
      assert.ok(Math.abs(m - EXACT_GRAD[i]!) < (5 * sd) / Math.sqrt(R), `${baseline}: mean estimate ${m} vs ${EXACT_GRAD[i]}`)
      total += sd * sd
    }
    variance[baseline] = total
  }
  assert.ok(variance['mean']! < 0.5 * variance['none']!, `total variance: mean ${variance['mean']} vs none ${variance['none']}`)
})

t('generic path (grad of logProb inside the backward pass) equals the analytic one, keeps the outer tape, leaks nothing', () => {
  const options = { nbSamples: 50, baseline: 'mean' } as const
  const generic = scoreFunction(
    (th, key, S) => kSubset.sample(th, K, key, { nbSamples: S }),
    (th, z) => kSubset.logProb(th, K, z),
    options,
  )
  const analytic = kSubsetScoreFunction(K, options)
  const theta = tf.tensor1d(THETA)
  const w = tf.tensor1d(W)
  const key = random.key(5)
  // The loss mixes the layer with a term of theta: the outer tape must survive the inner grad.
  const loss = (layer: typeof generic) => (th: tf.Tensor) => ops.add(linear(w)(layer(th, key)), ops.sum(ops.square(th)))
  const gGeneric = assertNoLeak(() => grad(loss(generic))(theta), 1, 'generic')
  assertClose(gGeneric, grad(loss(analytic))(theta), 1e-5, 1e-5)
  const thetas = tf.randomNormal([3, N], 0, 1, 'float32', 8)
  const keys = random.split(random.key(6), 3)
  const batched = (layer: typeof generic) => vmap(grad((th: tf.Tensor, k: tf.Tensor) => linear(w)(layer(th, k))))(thetas, keys)
  assertClose(batched(generic), batched(analytic), 1e-5, 1e-5, 'under vmap')
})

t('vmap equals the loop (vmap of grad and grad of vmap), with one sampler call per batch', () => {
  const layer = kSubsetScoreFunction(K, { nbSamples: 8, baseline: 'mean' })
  const thetas = tf.randomNormal([4, N], 0, 1, 'float32', 12)
  const ws = tf.randomNormal([4, 8, N], 0, 1, 'float32', 13)
  const keys = random.split(random.key(14), 4)
  const before = kernelCalls['kSubset.sample']!
  const z = vmap(layer)(thetas, keys) // [4, 8, n]
  assert.is(kernelCalls['kSubset.sample']! - before, 1, 'one sampler call')
  const rows = tf.unstack(thetas)
  const kr = tf.unstack(keys)
  const wr = tf.unstack(ws)
  assertClose(z, tf.stack(rows.map((th, b) => layer(th, kr[b]!))), 0, 0, 'forward')
  const looped = tf.stack(rows.map((th, b) => grad((x: tf.Tensor) => ops.sum(ops.mul(layer(x, kr[b]!), wr[b]!)))(th)))
  const vOfG = vmap(grad((x: tf.Tensor, k: tf.Tensor, w: tf.Tensor) => ops.sum(ops.mul(layer(x, k), w))))(thetas, keys, ws)
  assertClose(vOfG, looped, 1e-5, 1e-5, 'vmap(grad)')
  const gOfV = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), ws)))(thetas)
  assertClose(gOfV, looped, 1e-5, 1e-5, 'grad(vmap)')
})

t('bad options are ConfigErrors naming the option; bad arguments are ArgumentErrors', () => {
  const sampler = (th: tf.Tensor, key: tf.Tensor, S: number) => kSubset.sample(th, K, key, { nbSamples: S })
  const logProb = (th: tf.Tensor, z: tf.Tensor) => kSubset.logProb(th, K, z)
  assert.throws(() => scoreFunction(sampler, logProb, { nbSamples: 0 }), configError(/^scoreFunction\(options\.nbSamples\): expected PositiveInt but got 0$/))
  assert.throws(() => scoreFunction(sampler, logProb, { nbSamples: 2.5 }), configError(/scoreFunction\(options\.nbSamples\)/, /2\.5/))
  assert.throws(() => scoreFunction(sampler, logProb, { baseline: 'median' as 'mean' }), configError(/scoreFunction\(options\.baseline\)/, /"median"/))
  assert.throws(() => scoreFunction(sampler, logProb, { baseline: NaN }), configError(/scoreFunction\(options\.baseline\)/))
  assert.throws(() => scoreFunction(sampler, logProb, { nbSample: 2 } as ScoreFunctionOptions), configError(/unknown option 'nbSample'/))
  assert.throws(() => scoreFunction(sampler, logProb, { baseline: 'mean' }), configError(/scoreFunction\(options\.baseline\): 'mean'/, /nbSamples >= 2/))
  assert.throws(() => kSubsetScoreFunction(K, { nbSamples: -1 }), configError(/^kSubsetScoreFunction\(options\.nbSamples\): expected PositiveInt but got -1$/))
  assert.throws(() => kSubsetScoreFunction(-1), argumentError(/kSubsetScoreFunction\(k\)/))
  const layer = scoreFunction(sampler, logProb, { nbSamples: 3 })
  assert.throws(() => layer(tf.tensor1d(THETA), tf.ones([2])), argumentError(/scoreFunction\(key\)/))
  assert.throws(() => layer(tf.tensor1d([1, 2], 'int32'), random.key(0)), argumentError(/scoreFunction\(theta\)/, /int32/))
  const wrong = scoreFunction((th) => th, logProb, { nbSamples: 3 })
  assert.throws(() => wrong(tf.tensor1d(THETA), random.key(0)), argumentError(/scoreFunction\(sampler\)/, /\[3, \.\.\.\]/))
})

t.run()
