/**
 * Losses: the Fenchel–Young loss's value (non-negative, zero at a perfect prediction, the mean
 * gap by hand) and gradient; SPO+ in both conventions, upper-bounding the regret; Hamming.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, ConfigError, grad, losses, noise, ops, random, solvers, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

const t = suite('losses')
t.before(setup)

const top2 = solvers.topK(2)
const grid = solvers.gridShortestPath({ neighbourhood: 4 })
const scalar = (x: tf.Tensor): number => x.dataSync()[0]!

t('fenchelYoung: the mean gap <theta + sigma Z, z - y> by hand; its gradient is mean_s z_s - y', () => {
  const S = 6
  const fy = losses.fenchelYoung(top2, noise.normal(), { nbSamples: S, sigma: 0.7 })
  const theta = tf.randomNormal([5], 0, 1, 'float32', 1)
  const y = tf.tensor1d([0, 1, 0, 1, 0])
  const key = random.key(2)
  const pert = tf.add(theta, tf.mul(noise.normal().sample(key, [S, 5]), 0.7)) // [S, 5]
  const z = top2.batched(pert) // [S, 5]
  const byHand = tf.mean(tf.sum(tf.mul(pert, tf.sub(z, y)), 1))
  assertClose(fy(theta, y, key), byHand, 1e-5, 1e-5, 'value')
  assertClose(grad((th: tf.Tensor) => fy(th, y, key))(theta), tf.sub(tf.mean(z, 0), y), 1e-6, 0, 'gradient')
})

t('fenchelYoung is non-negative, and zero only at a perfect prediction; sense min mirrors max', () => {
  const fy = losses.fenchelYoung(top2, noise.gumbel(), { nbSamples: 8 })
  for (let i = 0; i < 30; i++) {
    const theta = tf.randomNormal([6], 0, 2, 'float32', 10 + i)
    const y = top2(tf.randomNormal([6], 0, 1, 'float32', 100 + i))
    assert.ok(scalar(fy(theta, y, random.key(i))) >= -1e-5, `instance ${i}`)
  }
  const y = tf.tensor1d([1, 0, 0, 1, 0, 0])
  const perfect = tf.mul(tf.sub(tf.mul(y, 2), 1), 1e3) // y is the MAP state under any noise
  assert.is(scalar(fy(perfect, y, random.key(0))), 0)
  assert.ok(scalar(fy(tf.neg(perfect), y, random.key(0))) > 0)
  const fyMin = losses.fenchelYoung(top2, noise.normal(), { nbSamples: 4, sense: 'min' })
  const fyMax = losses.fenchelYoung(top2, noise.custom((k, s) => ops.neg(noise.normal().sample(k, s))), { nbSamples: 4 })
  const theta = tf.randomNormal([6], 0, 1, 'float32', 3)
  assertClose(fyMin(theta, y, random.key(4)), fyMax(tf.neg(theta), y, random.key(4)), 1e-5, 1e-5, 'min = max on -theta, -Z')
})

t('fenchelYoung under vmap equals the loop, and leaks nothing', () => {
  const fy = losses.fenchelYoung(grid, noise.normal(), { nbSamples: 3, sigma: 0.3 })
  const thetas = tf.neg(tf.randomUniform([4, 3, 3], 0, 1, 'float32', 5))
  const ys = grid.batched(tf.neg(tf.randomUniform([4, 3, 3], 0, 1, 'float32', 6)))
  const keys = random.split(random.key(7), 4)
  const loop = tf.stack(tf.unstack(thetas).map((th, i) => fy(th, tf.unstack(ys)[i]!, tf.unstack(keys)[i]!)))
  assertClose(vmap(fy)(thetas, ys, keys), loop, 1e-6, 1e-6)
  const g = grad((th: tf.Tensor) => ops.sum(vmap(fy)(th, ys, keys)))(thetas)
  assert.equal(g.shape, [4, 3, 3])
  assertNoLeak(() => grad((th: tf.Tensor) => ops.sum(vmap(fy)(th, ys, keys)))(thetas).dispose(), 0)
})

t('spoPlus upper-bounds the regret (both conventions, top-k and grid); its gradient is 2 (z^ - z*)', () => {
  // The grid solver is exact for non-negative costs only, so its instances keep every solved
  // direction non-positive: costs in [1, 2], predicted costs in [1, 1.4].
  const draws = {
    topK: (i: number) => [tf.randomNormal([7], 0, 1, 'float32', 300 + i), tf.randomNormal([7], 0, 1, 'float32', 200 + i)],
    grid: (i: number) => [tf.neg(tf.randomUniform([3, 4], 1, 1.4, 'float32', 300 + i)), tf.neg(tf.randomUniform([3, 4], 1, 2, 'float32', 200 + i))],
  }
  for (const [name, solver] of [['topK', top2], ['grid', grid]] as const) {
    for (let i = 0; i < 25; i++) {
      const [thetaPred, thetaTrue] = draws[name](i) as [tf.Tensor, tf.Tensor]
      const zStar = solver(thetaTrue)
      const spo = scalar(losses.spoPlus(solver)(thetaPred, thetaTrue, zStar))
      const reg = scalar(losses.regret(solver)(thetaPred, thetaTrue))
      assert.ok(reg >= -1e-5 && spo >= reg - 1e-4, `${name} max ${i}: SPO+ ${spo}, regret ${reg}`)
      // min: costs c = -thetaTrue; the optimum minimises.
      const [cPred, c] = [tf.neg(thetaPred), tf.neg(thetaTrue)]
      const wStar = solver(tf.neg(c))
      const spoMin = scalar(losses.spoPlus(solver, { sense: 'min' })(cPred, c, wStar))
      const regMin = scalar(losses.regret(solver, { sense: 'min' })(cPred, c))
      assert.ok(regMin >= -1e-5 && spoMin >= regMin - 1e-4, `${name} min ${i}: SPO+ ${spoMin}, regret ${regMin}`)
      assertClose(
        losses.spoPlus(solver, { sense: 'min' })(cPred, c, wStar),
        losses.spoPlus(solver)(thetaPred, thetaTrue, wStar),
        1e-5, 1e-5, 'min = max on negated parameters',
      )
    }
  }
  const thetaTrue = tf.tensor1d([1, 0, 0.5, -1])
  const thetaPred = tf.tensor1d([0, 1, 0.2, 0.1])
  const zStar = top2(thetaTrue)
  const g = grad((th: tf.Tensor) => losses.spoPlus(top2)(th, thetaTrue, zStar))(thetaPred)
  assertClose(g, tf.mul(tf.sub(top2(tf.sub(tf.mul(thetaPred, 2), thetaTrue)), zStar), 2), 1e-6, 0)
  assert.is(scalar(losses.regret(top2)(thetaTrue, thetaTrue)), 0)
})

t('hamming, and typed errors', () => {
  assertClose(losses.hamming(tf.tensor1d([1, 0, 1, 0]), tf.tensor1d([1, 1, 0, 0])), tf.scalar(0.5))
  assertClose(losses.hamming(tf.tensor2d([[1, 1, 0, 0], [0, 0, 1, 1]]), tf.tensor1d([1, 1, 0, 0])), tf.scalar(0.5), 1e-7, 0, 'samples broadcast')
  assert.throws(() => losses.spoPlus(top2)(tf.ones([3]), tf.ones([4]), tf.ones([4])), (e: unknown) => e instanceof ArgumentError && /losses\.spoPlus\(thetaPred, thetaTrue\)/.test(e.message))
  assert.throws(() => losses.fenchelYoung(top2, noise.normal(), { sigma: 0 }), (e: unknown) => e instanceof ConfigError && /losses\.fenchelYoung\(options\.sigma\)/.test(e.message))
})

t.run()
