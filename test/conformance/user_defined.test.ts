/**
 * A solver, a noise and an estimator written as a user would, from the public exports only,
 * through the same conformance suites as the built-ins, and combined in one layer.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { estimators, grad, noise, ops, random, solvers, vmap } from '../../src/index.js'
import { assertClose, setup } from '../support/helpers.js'
import { estimatorConformance } from './estimator.js'
import { noiseConformance } from './noise.js'
import { solverConformance } from './solver.js'

// A user's solver: argmax over the last axis as a one-hot vector (ties to the lower index).
const oneHotArgmax = solvers.define({
  name: 'userOneHotArgmax',
  instanceRank: 1,
  axes: ['n'],
  kernel: (theta, out, count, [n]) => {
    for (let r = 0; r < count; r++) {
      let best = 0
      for (let i = 1; i < n!; i++) if (theta[r * n! + i]! > theta[r * n! + best]!) best = i
      out[r * n! + best] = 1
    }
  },
})

// A user's noise: the standard logistic law, with its density.
const logistic = noise.custom(
  (key, shape) => {
    const u = ops.add(random.uniform(key, shape), 2 ** -24) // (0, 1)
    return ops.sub(ops.log(u), ops.log1p(ops.neg(u)))
  },
  {
    logProb: (x) => ops.sub(ops.neg(x), ops.mul(ops.softplus(ops.neg(x)), 2)),
    gradLogProb: (x) => ops.sub(ops.mul(ops.sigmoid(ops.neg(x)), 2), 1),
  },
)

// A user's estimator: straight-through, the mean cotangent over samples.
const straightThrough: estimators.Estimator = { _tag: 'userSte', config: {}, backward: ({ dz }) => ops.mean(dz, 0) }

// A user's adaptive estimator: straight-through scaled by 1 / (1 + passes), keeping the batch
// mean of |dL/dz| it saw last; its state is explicit data the layer exposes.
interface Seen {
  readonly passes: number
  readonly meanAbsDz: number
  readonly examples: number
}
const damped: estimators.Estimator<'userDampedSte', Record<string, never>, Seen> = {
  _tag: 'userDampedSte',
  config: {},
  backward: ({ dz, state }) => ({
    grad: ops.mul(ops.mean(dz, 0), 1 / (1 + state.passes)),
    stats: ops.mean(ops.abs(dz)), // [] per example
  }),
  adapt: {
    initial: { passes: 0, meanAbsDz: 0, examples: 0 },
    update: (s, stats) => ({ passes: s.passes + 1, meanAbsDz: stats.reduce((a, b) => a + b, 0) / stats.length, examples: stats.length }),
  },
}

solverConformance({ solver: oneHotArgmax, shapes: [[1], [5], [9]], best: (theta) => Math.max(...theta) })
noiseConformance({ name: 'user logistic', noise: logistic, mean: 0, variance: Math.PI ** 2 / 3, excessKurtosis: 1.2 })
estimatorConformance({
  name: 'user straight-through (S = 3)',
  layer: (solver, law) => estimators.perturbAndMap(solver, law, straightThrough, { nbSamples: 3 }),
  backwardCalls: 0,
})

estimatorConformance({
  name: 'user adaptive (damped straight-through, S = 2)',
  layer: (solver, law) => estimators.perturbAndMap(solver, law, damped, { nbSamples: 2 }),
  backwardCalls: 0,
})

const t = suite('user-defined solver, noise and estimator together')
t.before(setup)

t('one layer of all three: forward is the perturbed argmax, the gradient is the mean cotangent', () => {
  const layer = estimators.perturbAndMap(oneHotArgmax, logistic, straightThrough, { nbSamples: 4, inputNoiseTemperature: 0.5 })
  const thetas = tf.randomNormal([3, 5], 0, 1, 'float32', 1)
  const keys = random.split(random.key(2), 3)
  const z = vmap(layer)(thetas, keys) // [3, 4, 5]
  const eps = vmap((k: tf.Tensor) => logistic.sample(k, [4, 5]))(keys) // the same draw
  assertClose(z, vmap(vmap(oneHotArgmax))(tf.add(tf.expandDims(thetas, 1), tf.mul(eps, 0.5))), 0, 0)
  const w = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 3)
  const g = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), w)))(thetas)
  assertClose(g, tf.mean(w, 1), 1e-6, 1e-6)
})

t('an adaptive estimator: the state is read from the whole batch, used by the next pass, and replaceable', () => {
  const layer = estimators.perturbAndMap(solvers.topK(2), noise.gumbel(), damped, { nbSamples: 2 })
  assert.equal(layer.state(), { passes: 0, meanAbsDz: 0, examples: 0 })
  const thetas = tf.randomNormal([4, 6], 0, 1, 'float32', 4)
  const keys = random.split(random.key(5), 4)
  const w = tf.randomNormal([4, 2, 6], 0, 1, 'float32', 6)
  const step = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), w)))
  assertClose(step(thetas), tf.mean(w, 1), 1e-6, 1e-6, 'first pass: undamped')
  const s1 = layer.state()
  assert.is(s1.passes, 1)
  assert.is(s1.examples, 4, 'one statistic per example of the batch')
  assert.ok(Math.abs(s1.meanAbsDz - tf.mean(tf.abs(w)).dataSync()[0]!) < 1e-6, `mean |dz| ${s1.meanAbsDz}`)
  assertClose(step(thetas), tf.div(tf.mean(w, 1), 2), 1e-6, 1e-6, 'second pass: damped by the state')
  layer.setState({ passes: 0, meanAbsDz: 0, examples: 0 })
  assertClose(step(thetas), tf.mean(w, 1), 1e-6, 1e-6, 'after a reset')
})

t('the user solver counts its kernel calls under its own name', () => {
  const before = solvers.kernelCalls['userOneHotArgmax'] ?? 0
  vmap(vmap(oneHotArgmax))(tf.randomNormal([2, 3, 4]))
  assert.is((solvers.kernelCalls['userOneHotArgmax'] ?? 0) - before, 1)
})

t.run()
