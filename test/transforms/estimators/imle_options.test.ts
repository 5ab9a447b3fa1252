/**
 * The shared perturbation options on I-MLE: `sense`, `reduce`, `nbMarginalSamples`,
 * `symmetric`, and `layer.map`, each against a hand computation with the same noise draws.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, grad, imle, noise, ops, random, solvers, target, vmap } from '../../../src/index.js'
import { assertClose, setup } from '../../support/helpers.js'

const t = suite('imle options')
t.before(setup)

const top2 = solvers.topK(2)
const linear = (w: tf.Tensor) => (z: tf.Tensor) => ops.sum(ops.mul(z, w))

t("sense: 'min' equals negating theta and the noise (and the gradient) on the max path", () => {
  const normal = noise.normal()
  const negNormal = noise.custom((k, shape) => ops.neg(normal.sample(k, shape)))
  const opts = { nbSamples: 3, inputNoiseTemperature: 0.7, targetNoiseTemperature: 1.3 }
  const minLayer = imle(top2, normal, target.standard({ beta: 2 }), { ...opts, sense: 'min' })
  const maxLayer = imle(top2, negNormal, target.standard({ beta: 2 }), opts)
  const theta = tf.randomNormal([7], 0, 1, 'float32', 1)
  const key = random.key(3)
  const w = tf.randomNormal([3, 7], 0, 1, 'float32', 2)
  assertClose(minLayer(theta, key), maxLayer(tf.neg(theta), key), 0, 0, 'forward')
  const gMin = grad((th: tf.Tensor) => linear(w)(minLayer(th, key)))(theta)
  const gMax = grad((th: tf.Tensor) => linear(w)(maxLayer(th, key)))(tf.neg(theta))
  assertClose(gMin, tf.neg(gMax), 1e-6, 0, 'gradient')
  // Minimising: the two smallest entries of theta (no noise).
  const z = imle(top2, noise.none(), target.standard(), { sense: 'min' })(tf.tensor1d([3, -1, 2, -5]), key)
  assertClose(z, tf.tensor1d([0, 1, 0, 1]))
  assertClose(minLayer.map(tf.tensor1d([3, -1, 2, -5])), tf.tensor1d([0, 1, 0, 1]), 0, 0, 'map under min')
})

t("reduce: 'mean' returns the mean over samples, and its gradient is the samples' with dz / S", () => {
  const layerNone = imle(top2, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 4 })
  const layerMean = imle(top2, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 4, reduce: 'mean' })
  const theta = tf.randomNormal([6], 0, 1, 'float32', 4)
  const key = random.key(5)
  assertClose(layerMean(theta, key), tf.mean(layerNone(theta, key), 0), 1e-6, 0)
  const w = tf.randomNormal([6], 0, 1, 'float32', 6)
  const gMean = grad((th: tf.Tensor) => linear(w)(layerMean(th, key)))(theta)
  const gNone = grad((th: tf.Tensor) => linear(tf.div(tf.stack([w, w, w, w]), 4))(layerNone(th, key)))(theta)
  assertClose(gMean, gNone, 1e-6, 0)
})

t('layer.map is the unperturbed MAP state, under vmap too', () => {
  const layer = imle(top2, noise.gumbel(), target.standard())
  const thetas = tf.randomNormal([5, 6], 0, 1, 'float32', 7)
  assertClose(vmap(layer.map)(thetas), top2.batched(thetas), 0, 0)
})

t('nbMarginalSamples: S * M perturbations returned; each sample\'s M MAP states averaged before differencing (by hand)', () => {
  // Fixed noise eps [S * M, n] = the rows of a table, S = 2, M = 3.
  const table = tf.tensor2d([
    [0, 0, 3, 0],
    [2, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 3, 0, 0],
    [0, 0, 0, 3],
    [0, 0, 3, 0],
  ])
  const fixed = noise.custom((_k, shape) => tf.reshape(table, [...shape]))
  const theta = tf.tensor1d([1, 0.5, 0, -1])
  const key = random.key(0)
  const layer = imle(top2, fixed, target.standard({ beta: 4 }), { nbSamples: 2, nbMarginalSamples: 3 })
  const z = layer(theta, key) // [6, 4]
  const mapped = top2.batched(tf.add(theta, table)) // [6, 4]
  assertClose(z, mapped, 0, 0, 'forward: every perturbation\'s MAP state')
  const w = tf.tensor2d([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]])
  const g = grad((th: tf.Tensor) => linear(w)(layer(th, key)))(theta)
  // theta'_r = theta - 4 w_r, under the same perturbation r; then mu over each sample's 3 rows.
  const zPrime = top2.batched(tf.add(tf.sub(theta, tf.mul(w, 4)), table)) // [6, 4]
  const mu = (x: tf.Tensor) => tf.mean(tf.reshape(x, [2, 3, 4]), 1) // [2, 4]
  assertClose(g, tf.mean(tf.sub(mu(mapped), mu(zPrime)), 0), 1e-6, 0, 'backward')
  // Linear in z, so equal to the mean over all rows; and M = 3, S = 2 equals S = 6 here.
  const flat = imle(top2, fixed, target.standard({ beta: 4 }), { nbSamples: 6 })
  assertClose(g, grad((th: tf.Tensor) => linear(w)(flat(th, key)))(theta), 1e-6, 0, 'same as 6 plain samples')
})

t('symmetric: central differences of the target directions (by hand, zero noise)', () => {
  const theta = tf.tensor1d([3, 1, 2, 0])
  const w = tf.tensor1d([0, -1, 1, 0])
  const layer = imle(top2, noise.none(), target.standard({ beta: 2 }), { symmetric: true })
  const g = grad((th: tf.Tensor) => linear(w)(layer(th, random.key(0))))(theta)
  const plus = top2(tf.add(theta, tf.mul(w, 2))) // theta + beta w = [3, -1, 4, 0] -> [1, 0, 1, 0]
  const minus = top2(tf.sub(theta, tf.mul(w, 2))) // theta - beta w = [3, 3, 0, 0] -> [1, 1, 0, 0]
  assertClose(g, tf.div(tf.sub(plus, minus), 2), 1e-6, 0)
  assertClose(g, tf.tensor1d([0, -0.5, 0.5, 0]), 1e-6, 0, 'the numbers')
})

t('bad options are ConfigErrors naming the option', () => {
  const ok = [top2, noise.gumbel(), target.standard()] as const
  assert.throws(() => imle(...ok, { sense: 'maximise' } as never), (e: unknown) => e instanceof ConfigError && /imle\(options\.sense\)/.test(e.message))
  assert.throws(() => imle(...ok, { reduce: 'sum' } as never), (e: unknown) => e instanceof ConfigError && /imle\(options\.reduce\)/.test(e.message))
  assert.throws(() => imle(...ok, { nbMarginalSamples: 0 }), (e: unknown) => e instanceof ConfigError && /imle\(options\.nbMarginalSamples\): expected PositiveInt but got 0/.test(e.message))
  assert.throws(() => imle(...ok, { symmetric: 1 } as never), (e: unknown) => e instanceof ConfigError && /imle\(options\.symmetric\)/.test(e.message))
})

t.run()
