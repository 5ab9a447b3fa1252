/**
 * Straight-through, blackbox and the perturbed optimiser: hand computations, the peers'
 * contracts (blackbox is I-MLE with zero noise; the perturbed Jacobian's signs and its norm in
 * the number of samples; Gumbel-max makes the perturbed argmax a softmax), and the
 * conformance suite.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, blackbox, ConfigError, grad, imle, noise, ops, perturbed, random, solvers, ste, target, vmap } from '../../../src/index.js'
import { estimatorConformance } from '../../conformance/estimator.js'
import { assertClose, setup } from '../../support/helpers.js'

estimatorConformance({ name: 'ste (S = 3)', layer: (s, n) => ste(s, n, { nbSamples: 3 }), backwardCalls: 0 })
estimatorConformance({ name: 'blackbox', layer: (s) => blackbox(s, { lambda: 3 }), backwardCalls: 1 })
estimatorConformance({ name: 'perturbed (S = 5, reduce none)', layer: (s) => perturbed(s, noise.normal(), { nbSamples: 5, sigma: 0.5, reduce: 'none' }), backwardCalls: 0 })
estimatorConformance({ name: 'perturbed multiplicative (S = 4)', layer: (s) => perturbed(s, noise.normal(), { nbSamples: 4, sigma: 0.3, multiplicative: true }), backwardCalls: 0 })

const t = suite('estimator family')
t.before(setup)

const top1 = solvers.topK(1)
const linear = (w: tf.Tensor) => (z: tf.Tensor) => ops.sum(ops.mul(z, w))

t('ste: the gradient is the mean cotangent over samples; forward the perturbed MAP', () => {
  const layer = ste(solvers.topK(2), noise.gumbel(), { nbSamples: 3, inputNoiseTemperature: 0.5 })
  const theta = tf.randomNormal([5], 0, 1, 'float32', 1)
  const key = random.key(2)
  const w = tf.randomNormal([3, 5], 0, 1, 'float32', 3)
  assertClose(grad((th: tf.Tensor) => linear(w)(layer(th, key)))(theta), tf.mean(w, 0), 1e-6, 0)
  const eps = noise.gumbel().sample(key, [3, 5])
  assertClose(layer(theta, key), solvers.topK(2).batched(tf.add(theta, tf.mul(eps, 0.5))), 0, 0)
})

t('blackbox: (z - MAP(theta - lambda dy)) / lambda, which is I-MLE with zero noise and scaleGradient', () => {
  const theta = tf.tensor1d([1, 0, 0.5])
  const dy = tf.tensor1d([0, -1, 0])
  const layer = blackbox(top1, { lambda: 2 })
  assertClose(layer(theta), tf.tensor1d([1, 0, 0]))
  const g = grad((th: tf.Tensor) => linear(dy)(layer(th)))(theta)
  // theta - 2 dy = [1, 2, 0.5]: MAP moves to index 1.
  assertClose(g, tf.div(tf.sub(top1(theta), top1(tf.sub(theta, tf.mul(dy, 2)))), 2), 1e-7, 0)
  assertClose(g, tf.tensor1d([0.5, -0.5, 0]), 1e-7, 0, 'the numbers')
  const viaImle = imle(top1, noise.none(), target.standard({ alpha: 1, beta: 2, scaleGradient: true }))
  const thetas = tf.randomNormal([4, 6], 0, 1, 'float32', 4)
  const ws = tf.randomNormal([4, 6], 0, 1, 'float32', 5)
  const keys = random.split(random.key(0), 4)
  assertClose(
    grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th), ws)))(thetas),
    grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(viaImle)(th, keys), ws)))(thetas),
    0, 0, 'blackbox = imle(none, alpha 1, beta lambda, scaleGradient)',
  )
  assert.throws(() => blackbox(top1, { lambda: 0 }), (e: unknown) => e instanceof ConfigError && /blackbox\(options\.lambda\): expected Positive but got 0/.test(e.message))
})

/** The perturbed argmax's Jacobian estimate, column by column: J[:, j] from the VJP of e_j. */
function jacobian(layer: (th: tf.Tensor, k: tf.Tensor) => tf.Tensor, theta: tf.Tensor, key: tf.Tensor): tf.Tensor {
  const n = theta.shape[0]!
  const rows = tf.unstack(tf.eye(n)).map((e) => grad((th: tf.Tensor) => linear(e)(layer(th, key)))(theta)) // row i: e_i^T J
  return tf.stack(rows) // [n, n]
}

t('perturbed argmax with Gumbel noise: the forward mean is softmax(theta), the JVP is J^T dy (J = diag(p) - p p^T)', () => {
  const S = 20000
  const theta = tf.tensor1d([0.5, -0.2, 1.0, 0.1])
  const layer = perturbed(top1, noise.gumbel(), { nbSamples: S, sigma: 1 })
  const key = random.key(6)
  const p = tf.softmax(theta)
  const y = layer(theta, key)
  // Each entry is a mean of S Bernoulli(p_i): 5 standard errors.
  const se = tf.sqrt(tf.div(tf.mul(p, tf.sub(1, p)), S))
  const errY = tf.abs(tf.sub(y, p)).dataSync()
  const seY = se.dataSync()
  errY.forEach((e, i) => assert.ok(e < 5 * seY[i]!, `mean entry ${i}: |${y.dataSync()[i]} - ${p.dataSync()[i]}| vs se ${seY[i]}`))
  const dy = tf.tensor1d([1, -2, 0.5, 0])
  const g = grad((th: tf.Tensor) => linear(dy)(layer(th, key)))(theta)
  const exact = tf.sub(tf.mul(p, dy), tf.mul(p, tf.sum(tf.mul(p, dy)))) // (diag(p) - p p^T) dy
  // The estimate is a mean of S i.i.d. terms (z.dy)(1 - e^{-Z}) (Gumbel score), whose spread
  // is measured from the same draws: 5 standard errors.
  const z = top1.batched(tf.add(theta, noise.gumbel().sample(key, [S, 4]))) // [S, 4]
  const zeta = noise.gumbel().sample(key, [S, 4])
  const terms = tf.mul(tf.expandDims(tf.sum(tf.mul(z, dy), 1), 1), tf.sub(1, tf.exp(tf.neg(zeta)))) // [S, 4]
  const sd = tf.sqrt(tf.mean(tf.square(tf.sub(terms, tf.mean(terms, 0))), 0)).dataSync()
  const ge = g.dataSync()
  const ex = exact.dataSync()
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(ge[i]! - ex[i]!) < (5 * sd[i]!) / Math.sqrt(S), `grad entry ${i}: ${ge[i]} vs ${ex[i]} (se ${sd[i]! / Math.sqrt(S)})`)
  assertClose(g, tf.mean(terms, 0), 1e-4, 1e-3, 'the estimate is that mean of terms')
})

t('perturbed argmax, Gaussian: non-negative diagonal, non-positive off-diagonal; the norm does not grow with S (InferOpt #74)', () => {
  const theta = tf.tensor1d([0.3, 0.1, -0.2, 0.25, 0])
  const norms: number[] = []
  for (const S of [100, 1000, 10000]) {
    const J = jacobian(perturbed(top1, noise.normal(), { nbSamples: S, sigma: 0.5 }), theta, random.key(7))
    const a = J.arraySync() as number[][]
    if (S === 10000) {
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
        if (i === j) assert.ok(a[i]![j]! >= 0, `J[${i}][${i}] = ${a[i]![j]}`)
        else assert.ok(a[i]![j]! <= 0.05, `J[${i}][${j}] = ${a[i]![j]} (Monte-Carlo error allowed 0.05)`)
      }
    }
    norms.push(tf.norm(J).dataSync()[0]!)
  }
  assert.ok(norms[2]! < 1.5 * norms[1]! && norms[1]! < 1.5 * norms[0]!, `Frobenius norms by S = 100, 1000, 10000: ${norms.map((x) => x.toFixed(3)).join(', ')}`)
})

t('perturbed multiplicative is the additive estimate in log(theta), divided by theta', () => {
  const sigma = 0.4
  const theta = tf.tensor1d([1.5, 0.7, 2.0, 1.1])
  const key = random.key(8)
  const w = tf.tensor1d([1, -1, 0.5, 2])
  const mult = perturbed(top1, noise.normal(), { nbSamples: 50, sigma, multiplicative: true })
  const inLog = (x: tf.Tensor) => top1(ops.exp(ops.sub(x, (sigma * sigma) / 2))) // MAP of e^(x - sigma^2/2)
  const add = perturbed(inLog, noise.normal(), { nbSamples: 50, sigma })
  assertClose(mult(theta, key), add(tf.log(theta), key), 0, 0, 'forward')
  const gMult = grad((th: tf.Tensor) => linear(w)(mult(th, key)))(theta)
  const gAdd = grad((u: tf.Tensor) => linear(w)(add(u, key)))(tf.log(theta))
  assertClose(gMult, tf.div(gAdd, theta), 1e-5, 1e-4)
})

t('perturbed needs a noise with gradLogProb; bad options are ConfigErrors', () => {
  assert.throws(() => perturbed(top1, noise.sumOfGamma({ k: 2 })), (e: unknown) => e instanceof ArgumentError && /perturbed\(noise\).*gradLogProb/.test(e.message))
  assert.throws(() => perturbed(top1, noise.normal(), { sigma: -1 }), (e: unknown) => e instanceof ConfigError && /perturbed\(options\.sigma\)/.test(e.message))
  assert.throws(() => ste(top1, noise.normal(), { nbSample: 2 } as never), (e: unknown) => e instanceof ConfigError && /ste\(options\): unknown option 'nbSample'/.test(e.message))
})

t.run()
