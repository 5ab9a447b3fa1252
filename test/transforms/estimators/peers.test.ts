/**
 * The peers' own contracts, on our estimators: torch-adaptive-imle's constant-noise test
 * (non-symmetric AIMLE equals I-MLE; the symmetric variant differs somewhere) and PyEPO's hand
 * recomputation of the I-MLE gradient with the same seeded draws.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { aimle, grad, imle, noise, ops, random, solvers, target } from '../../../src/index.js'
import { assertClose, setup } from '../../support/helpers.js'
import { TestRng } from '../../support/rng.js'

const t = suite('peer contracts')
t.before(setup)

const linear = (w: tf.Tensor) => (z: tf.Tensor) => ops.sum(ops.mul(z, w))

t('torch-adaptive-imle: with a constant noise, non-symmetric AIMLE equals I-MLE with the same target; symmetric differs somewhere', () => {
  const rng = new TestRng(17)
  let symmetricDiffers = 0
  for (let i = 0; i < 40; i++) {
    const n = 8 + Math.floor(rng.uniform() * 24)
    const k = 1 + Math.floor(rng.uniform() * (n - 1))
    const c = -0.01 - rng.uniform()
    const tau = rng.uniform() * 100
    const constant = noise.custom((_key, shape) => tf.fill([...shape], c))
    const solver = solvers.topK(k)
    const opts = { nbSamples: 3, inputNoiseTemperature: tau, targetNoiseTemperature: tau, initialBeta: 0.5 + rng.uniform(), betaUpdateStep: 0 }
    const a = aimle(solver, constant, { ...opts, symmetric: false })
    const s = aimle(solver, constant, { ...opts, symmetric: true })
    const { symmetric: _s, nbSamples, inputNoiseTemperature, targetNoiseTemperature, ...targetOptions } = { ...opts, symmetric: false }
    const m = imle(solver, constant, target.adaptive(targetOptions), { nbSamples, inputNoiseTemperature, targetNoiseTemperature })
    const theta = tf.tensor1d(Float32Array.from({ length: n }, () => rng.normal()))
    const w = tf.tensor2d(Float32Array.from({ length: 3 * n }, () => rng.normal()), [3, n])
    const key = random.key(i)
    const g = (layer: typeof a) => grad((th: tf.Tensor) => linear(w)(layer(th, key)))(theta)
    const gm = g(m)
    assertClose(g(a), gm, 0, 0, `case ${i}`)
    // And a constant shift does not move a top-k: equal to zero noise.
    assertClose(gm, g(imle(solver, noise.none(), target.adaptive(targetOptions), { nbSamples: 3 })), 0, 0, `case ${i}: constant = no noise`)
    if (tf.max(tf.abs(tf.sub(g(s), gm))).dataSync()[0]! > 0) symmetricDiffers++
  }
  assert.ok(symmetricDiffers > 0, 'the symmetric variant differs in some case')
})

t('PyEPO: the I-MLE gradient equals a hand recomputation with the same seeded draws (Sum-of-Gamma, S = 4)', () => {
  const S = 4
  const n = 20
  const sog = noise.sumOfGamma({ k: 5, nbIterations: 50 })
  const layer = imle(solvers.topK(5), sog, target.standard({ alpha: 0.8, beta: 3, scaleGradient: true }), { nbSamples: S, inputNoiseTemperature: 0.5, targetNoiseTemperature: 2 })
  const theta = tf.randomNormal([n], 0, 1, 'float32', 5)
  const w = tf.randomNormal([S, n], 0, 1, 'float32', 6)
  const key = random.key(7)
  const eps = sog.sample(key, [S, n]) // the very draw of the layer
  const z = solvers.topK(5).batched(tf.add(theta, tf.mul(eps, 0.5)))
  const zPrime = solvers.topK(5).batched(tf.add(tf.sub(tf.mul(theta, 0.8), tf.mul(w, 3)), tf.mul(eps, 2)))
  assertClose(layer(theta, key), z, 0, 0, 'forward')
  assertClose(grad((th: tf.Tensor) => linear(w)(layer(th, key)))(theta), tf.div(tf.mean(tf.sub(z, zPrime), 0), 3), 1e-6, 1e-6, 'backward')
})

t.run()
