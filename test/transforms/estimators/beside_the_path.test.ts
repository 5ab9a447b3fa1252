/**
 * The estimators beside the perturb-and-MAP path (the score function, the exact k-subset
 * layer, the relaxations): under `grad(vmap(...))` they equal the per-instance loop and leak
 * nothing over 1000 steps, like every estimator on the path (test/conformance/estimator.ts).
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, grad, kSubset, kSubsetScoreFunction, ops, random, relax, scoreFunction, vmap } from '../../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../../support/helpers.js'

const t = suite('estimators beside the path')
t.before(setup)

type Layer = (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor
const exact = kSubset.layer(2)
const layers: readonly [string, Layer][] = [
  ['kSubsetScoreFunction (S = 4, baseline mean)', kSubsetScoreFunction(2, { nbSamples: 4, baseline: 'mean' })],
  ['kSubset.layer', (theta) => exact(theta)],
  ['relax.softSub', relax.softSub(2, 0.5)],
  ['relax.gumbelSoftmaxSubset', relax.gumbelSoftmaxSubset(2, 0.5)],
]

for (const [name, layer] of layers) {
  t(`${name}: grad(vmap) equals the loop; no leak over 1000 steps`, () => {
    const B = 3
    const thetas = tf.randomNormal([B, 6], 0, 1, 'float32', 1)
    const keys = random.split(random.key(2), B)
    const out0 = layer(tf.unstack(thetas)[0]!, tf.unstack(keys)[0]!)
    const w = tf.randomNormal([B, ...out0.shape], 0, 1, 'float32', 3)
    const step = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), w)))
    const looped = tf.stack(
      tf.unstack(thetas).map((th, i) => grad((x: tf.Tensor) => ops.sum(ops.mul(layer(x, tf.unstack(keys)[i]!), tf.unstack(w)[i]!)))(th)),
    )
    assertClose(step(thetas), looped, 1e-5, 1e-4)
    step(thetas).dispose()
    assertNoLeak(() => {
      for (let i = 0; i < 1000; i++) step(thetas).dispose()
    }, 0)
  })
}

t('each has layer.map: the top-k mask for evaluation (a generic scoreFunction without a map says so)', () => {
  const theta = tf.tensor1d([0.5, 2, -1, 1, 0, 3])
  const top2 = tf.tensor1d([0, 1, 0, 0, 0, 1])
  for (const l of [kSubsetScoreFunction(2, { nbSamples: 2 }), exact, relax.softSub(2, 0.5), relax.gumbelSoftmaxSubset(2, 0.5)]) assertClose(l.map(theta), top2, 0, 0)
  assertClose(vmap(exact.map)(tf.stack([theta, tf.neg(theta)])), tf.stack([top2, tf.tensor1d([0, 0, 1, 0, 1, 0])]), 0, 0, 'under vmap')
  const generic = scoreFunction((th, key, S) => kSubset.sample(th, 2, key, { nbSamples: S }), (th, z) => kSubset.logProb(th, 2, z), { nbSamples: 2 })
  assert.throws(() => generic.map(theta), (e: unknown) => e instanceof ArgumentError && /scoreFunction\.map: this layer has no MAP solver/.test(e.message))
})

t.run()
