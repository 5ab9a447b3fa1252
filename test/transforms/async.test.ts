/**
 * The asynchronous transformations (`valueAndGradAsync`, `gradAsync`, `callAsync`): with
 * `reads: 'replay'` every host read is asynchronous and the step is replayed, as on a webgpu
 * adapter without synchronous read-back; the results must equal the synchronous ones bit for bit
 * (the same keys), each host kernel must run once, adaptive state must be updated exactly once,
 * and nothing may leak. A synchronous read on a backend marked asynchronous-only must fail with a
 * `BackendError` that names the way out.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  aimle,
  BackendError,
  callAsync,
  grad,
  gradAsync,
  imle,
  noise,
  ops,
  random,
  readMode,
  solvers,
  target,
  valueAndGrad,
  valueAndGradAsync,
  vmap,
} from '../../src/index.js'
import { markAsyncOnly } from '../../src/core/reads.js'
import { assertSameBits, setup } from '../support/helpers.js'

const t = suite('async')
t.before(setup)

const B = 6
const n = 12
const theta0 = (): tf.Tensor => tf.tensor2d(Array.from({ length: B * n }, (_, i) => Math.sin(1.7 * i) * 2), [B, n]) // [B, n]
const weights = (): tf.Tensor => tf.tensor2d(Array.from({ length: B * n }, (_, i) => Math.cos(0.9 * i)), [B, n]) // [B, n]

t('valueAndGradAsync with replays equals valueAndGrad bit for bit (I-MLE, Sum-of-Gamma, S = 3, under vmap)', async () => {
  const layer = vmap(imle(solvers.topK(3), noise.sumOfGamma({ k: 3 }), target.standard({ beta: 5 }), { nbSamples: 3 }))
  const w = tf.stack([weights(), weights(), weights()], 1) // [B, 3, n]
  const loss = (theta: tf.Tensor, key: tf.Tensor) => ops.sum(ops.mul(layer(theta, random.split(key, B)), w))
  const theta = theta0()
  const [v1, g1] = valueAndGrad(loss)(theta, random.key(3))
  const [v2, g2] = await valueAndGradAsync(loss, { reads: 'replay' })(theta, random.key(3))
  assertSameBits(v1, v2, 'value')
  assertSameBits(g1, g2, 'gradient')
})

t('the number of runs is one more than the number of read points; host kernels run once each', async () => {
  const solver = solvers.topK(2)
  const layer = vmap(imle(solver, noise.gumbel(), target.standard({ beta: 5 })))
  const keys = random.split(random.key(0), B)
  const loss = (theta: tf.Tensor) => ops.sum(ops.mul(layer(theta, keys), weights()))
  const [, stats] = await callAsync(() => tf.tidy(() => grad(loss)(theta0())), { reads: 'replay', withStats: true })()
  // Read points: the noise sampler (the keys), the forward solve, the backward solve.
  assert.is(stats.reads, 3)
  assert.is(stats.runs, 4)
  const [, auto] = await callAsync(() => tf.tidy(() => grad(loss)(theta0())), { withStats: true })()
  assert.equal(auto, { runs: 1, reads: 0 }, 'on a backend that reads synchronously, auto mode runs once')
})

t('gradAsync with hasAux and argnums matches grad', async () => {
  const layer = vmap(imle(solvers.topK(4), noise.gumbel(), target.standard({ beta: 2 })))
  const f = (theta: tf.Tensor, w: tf.Tensor) => {
    const z = layer(theta, random.split(random.key(9), B)) // [B, n]
    return [ops.sum(ops.mul(z, w)), ops.sum(z)] as const
  }
  const [gs1, aux1] = grad(f, { argnums: [0, 1], hasAux: true })(theta0(), weights())
  const [gs2, aux2] = await gradAsync(f, { argnums: [0, 1], hasAux: true, reads: 'replay' })(theta0(), weights())
  assertSameBits(gs1[0], gs2[0], 'd theta')
  assertSameBits(gs1[1], gs2[1], 'd w')
  assertSameBits(aux1, aux2, 'aux')
})

t('adaptive state (AIMLE) is updated exactly once per replayed step, as in the synchronous step', async () => {
  const make = () => aimle(solvers.topK(3), noise.sumOfGamma({ k: 3 }), { targetNorm: 2, nbSamples: 2 })
  const a = make()
  const b = make()
  const step = (layer: ReturnType<typeof make>, i: number) => (theta: tf.Tensor) =>
    ops.sum(ops.mul(vmap(layer)(theta, random.split(random.key(i), B)), tf.stack([weights(), weights()], 1)))
  for (let i = 0; i < 3; i++) {
    const g1 = tf.tidy(() => grad(step(a, i))(theta0()))
    const g2 = await gradAsync(step(b, i), { reads: 'replay' })(theta0())
    assertSameBits(g1, g2, `step ${i}`)
    tf.dispose([g1, g2])
    assert.equal(b.state(), a.state(), `state after step ${i}`)
  }
  assert.ok(a.state().beta !== 1, 'the state did adapt')
})

t('no tensor leaks over many replayed steps', async () => {
  const layer = vmap(imle(solvers.topK(3), noise.gumbel(), target.standard({ beta: 5 })))
  const w = weights()
  const theta = theta0()
  const vg = valueAndGradAsync((th: tf.Tensor, key: tf.Tensor) => ops.sum(ops.mul(layer(th, random.split(key, B)), w)), { reads: 'replay' })
  const dispose = async (i: number) => {
    const key = random.key(i)
    tf.dispose([...(await vg(theta, key)), key])
  }
  await dispose(0)
  const before = tf.memory().numTensors
  for (let i = 1; i <= 20; i++) await dispose(i)
  assert.is(tf.memory().numTensors, before)
  tf.dispose([w, theta])
})

t('an error thrown by a solver in a replayed step propagates, and nothing leaks', async () => {
  const bad = solvers.define({ name: 'failing', instanceRank: 1, axes: ['n'], kernel: () => { throw new Error('boom') } })
  const theta = tf.zeros([4])
  const before = tf.memory().numTensors
  const layer = imle(bad, noise.gumbel(), target.standard())
  let caught: unknown
  try {
    await gradAsync((th: tf.Tensor) => ops.sum(layer(th, random.key(0))), { reads: 'replay' })(theta)
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof Error && /boom/.test(caught.message), String(caught))
  assert.is(tf.memory().numTensors, before)
  theta.dispose()
})

t('on a backend that reads only asynchronously, a synchronous step fails with a BackendError naming the way out', async () => {
  const theta = tf.tensor1d([1, 3, 2])
  markAsyncOnly(tf.getBackend())
  try {
    assert.is(readMode(), 'async')
    assert.throws(() => solvers.topK(1)(theta), (e: unknown) => e instanceof BackendError && /valueAndGradAsync, gradAsync or callAsync/.test(e.message))
    const z = await callAsync(solvers.topK(1))(theta)
    assert.equal(Array.from(z.dataSync()), [0, 1, 0])
  } finally {
    markAsyncOnly(tf.getBackend(), false)
  }
  assert.is(readMode(), 'sync')
})

t('option checks name the bad field', () => {
  assert.throws(() => valueAndGradAsync((x: tf.Tensor) => x, { reads: 'sometimes' as never }), /valueAndGradAsync\(options.reads\): expected 'auto' or 'replay'/)
  assert.throws(() => callAsync(3 as never), /callAsync\(f\): f must be a function/)
})

t.run()
