/**
 * AIMLE and the adaptive target: the step and rescaling by hand, the state's evolution from
 * the whole batch, JSON round trips of the state, and the conformance suite.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { aimle, ConfigError, grad, imle, noise, ops, random, solvers, target, vmap } from '../../../src/index.js'
import { estimatorConformance } from '../../conformance/estimator.js'
import { assertClose, setup } from '../../support/helpers.js'

estimatorConformance({ name: 'aimle (symmetric, S = 2)', layer: (s, n) => aimle(s, n, { nbSamples: 2, betaUpdateStep: 0.1 }), backwardCalls: 2 })

const t = suite('aimle')
t.before(setup)

const top2 = solvers.topK(2)
const linear = (w: tf.Tensor) => (z: tf.Tensor) => ops.sum(ops.mul(z, w))

t('adaptive target by hand: lambda = beta sqrt(S) |theta| / |dy|, step alpha theta - lambda dy, gradient / lambda', () => {
  const theta = tf.tensor1d([3, 1, 2, 0])
  const w = tf.tensor2d([[0, -1, 1, 0], [0, -2, 2, 0]]) // dL/dz per sample, S = 2
  const tgt = target.adaptive({ initialBeta: 0.5, betaUpdateStep: 0 })
  const layer = imle(top2, noise.none(), tgt, { nbSamples: 2 })
  const g = grad((th: tf.Tensor) => linear(w)(layer(th, random.key(0))))(theta)
  const lambda = (0.5 * Math.sqrt(2) * Math.sqrt(14)) / Math.sqrt(10) // |theta| = sqrt(14), |w| = sqrt(10)
  const z = top2(theta)
  const zPrime = top2.batched(tf.sub(theta, tf.mul(w, lambda))) // [2, 4]
  assertClose(g, tf.div(tf.mean(tf.sub(z, zPrime), 0), lambda), 1e-6, 1e-5)
})

t('the gradient is linear in the loss (lambda dy does not depend on the scale of dy)', () => {
  const layer = aimle(top2, noise.gumbel(), { nbSamples: 3, betaUpdateStep: 0 })
  const theta = tf.randomNormal([6], 0, 1, 'float32', 1)
  const w = tf.randomNormal([3, 6], 0, 1, 'float32', 2)
  const key = random.key(3)
  const g1 = grad((th: tf.Tensor) => linear(w)(layer(th, key)))(theta)
  const g5 = grad((th: tf.Tensor) => linear(tf.mul(w, 5))(layer(th, key)))(theta)
  assertClose(g5, tf.mul(g1, 5), 1e-5, 1e-4)
})

t('the state moves once per backward pass, from the non-zero entries per sample over the whole batch', () => {
  const layer = aimle(solvers.topK(3), noise.gumbel(), { nbSamples: 2, initialBeta: 1, betaUpdateStep: 0.25, targetNorm: 100 })
  const B = 4
  const thetas = tf.randomNormal([B, 8], 0, 1, 'float32', 4)
  const keys = random.split(random.key(5), B)
  const w = tf.randomNormal([B, 2, 8], 0, 1, 'float32', 6)
  assert.equal(layer.state(), { beta: 1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: [] })
  const step = () => grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w)))(thetas)
  step()
  const s1 = layer.state()
  // Recompute the statistic: the symmetric per-sample differences of every instance.
  let nnz = 0
  const tl = tf.unstack(thetas)
  const kl = tf.unstack(keys)
  const wl = tf.unstack(w)
  for (let b = 0; b < B; b++) {
    const eps = noise.gumbel().sample(kl[b]!, [2, 8])
    const lambda = (Math.sqrt(2) * tf.norm(tl[b]!).dataSync()[0]!) / tf.norm(wl[b]!).dataSync()[0]!
    const plus = solvers.topK(3).batched(tf.add(tf.add(tl[b]!, tf.mul(wl[b]!, lambda)), eps))
    const minus = solvers.topK(3).batched(tf.add(tf.sub(tl[b]!, tf.mul(wl[b]!, lambda)), eps))
    nnz += tf.sum(tf.cast(tf.notEqual(tf.sub(plus, minus), 0), 'float32')).dataSync()[0]! / 2
  }
  nnz /= B
  assert.ok(Math.abs(s1.gradNorm - (0.9 * 1 + 0.1 * nnz)) < 1e-6, `gradNorm ${s1.gradNorm} vs ${0.9 + 0.1 * nnz}`)
  assert.is(s1.beta, 1.25, 'gradNorm < targetNorm: beta grows by the step')
  assert.equal(s1.betaHistory, [1.25])
  step()
  assert.equal(layer.state().betaHistory, [1.25, 1.5])
  // Save, restore, and the next pass continues from the restored state.
  const saved = JSON.parse(JSON.stringify(s1)) as unknown
  const decoded = target.decodeState(saved)
  assert.ok(E.isRight(decoded))
  if (E.isRight(decoded)) layer.setState(decoded.right)
  step()
  assert.equal(layer.state().betaHistory, [1.25, 1.5])
  const bad = target.decodeState({ beta: -1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: [] })
  assert.ok(E.isLeft(bad) && /target\.decodeState\(json\.beta\): expected NonNegative but got -1/.test(bad.left.message))
})

t('beta decreases when gradients are denser than the target, and never below 0', () => {
  const layer = aimle(solvers.topK(3), noise.gumbel(), { nbSamples: 2, initialBeta: 0.3, betaUpdateStep: 0.2, targetNorm: 0 })
  const thetas = tf.randomNormal([2, 8], 0, 1, 'float32', 7)
  const keys = random.split(random.key(8), 2)
  const w = tf.randomNormal([2, 2, 8], 0, 1, 'float32', 9)
  for (let i = 0; i < 3; i++) grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w)))(thetas)
  const h = layer.state().betaHistory
  assert.ok(Math.abs(h[0]! - 0.1) < 1e-12 && h[1] === 0 && h[2] === 0, `history ${h}`)
})

t('bad options are ConfigErrors naming the option; decode builds the adaptive target', () => {
  assert.throws(() => aimle(top2, noise.gumbel(), { gradNormDecayRate: 2 }), (e: unknown) => e instanceof ConfigError && /aimle\(options\.gradNormDecayRate\): expected UnitInterval but got 2/.test(e.message))
  assert.throws(() => target.adaptive({ initialBeta: -1 }), (e: unknown) => e instanceof ConfigError && /target\.adaptive\(options\.initialBeta\)/.test(e.message))
  const r = target.decode({ type: 'adaptive', targetNorm: 10 })
  assert.ok(E.isRight(r) && r.right._tag === 'adaptive' && r.right.config.targetNorm === 10)
})

t.run()
