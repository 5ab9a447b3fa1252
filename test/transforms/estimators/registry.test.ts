/**
 * estimators.decode: every estimator from JSON, equal to the factory call; errors name the
 * path of the bad field, nested configs included.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, estimators, grad, imle, noise, ops, random, solvers, target } from '../../../src/index.js'
import { assertClose, setup } from '../../support/helpers.js'

const t = suite('estimators.decode')
t.before(setup)

const topK = { type: 'topK', k: 2 }

t('every estimator builds from JSON and runs forward and backward', () => {
  const configs = [
    { type: 'imle', solver: topK, noise: { type: 'sumOfGamma', k: 2 }, target: { type: 'standard', beta: 5 }, nbSamples: 3 },
    { type: 'aimle', solver: topK, noise: { type: 'gumbel' }, nbSamples: 2 },
    { type: 'ste', solver: topK, noise: { type: 'gumbel' } },
    { type: 'perturbed', solver: topK, noise: { type: 'normal' }, nbSamples: 4, sigma: 0.5 },
    { type: 'blackbox', solver: topK, lambda: 3 },
    { type: 'kSubsetScoreFunction', k: 2, nbSamples: 4, baseline: 'mean' },
  ]
  assert.equal([...estimators.names].sort(), configs.map((c) => c.type).sort(), 'one config per registered name')
  const theta = tf.randomNormal([6], 0, 1, 'float32', 1)
  for (const json of configs) {
    const r = estimators.decode(json)
    assert.ok(E.isRight(r), `${json.type}: ${E.isLeft(r) ? r.left.message : ''}`)
    if (E.isLeft(r)) continue
    const layer = r.right
    const g = grad((th: tf.Tensor) => ops.sum(layer(th, random.key(3))))(theta)
    assert.equal(g.shape, [6], json.type)
  }
})

t('a decoded imle equals the factory call', () => {
  const r = estimators.decode({ type: 'imle', solver: topK, noise: { type: 'gumbel' }, target: { type: 'standard', beta: 5 }, nbSamples: 3 })
  const direct = imle(solvers.topK(2), noise.gumbel(), target.standard({ beta: 5 }), { nbSamples: 3 })
  const theta = tf.randomNormal([6], 0, 1, 'float32', 2)
  const w = tf.randomNormal([3, 6], 0, 1, 'float32', 3)
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    const layer = r.right
    assertClose(grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, random.key(4)), w)))(theta), grad((th: tf.Tensor) => ops.sum(ops.mul(direct(th, random.key(4)), w)))(theta), 0, 0)
  }
})

t('errors name the path of the bad field, in nested configs too', () => {
  const bad: [unknown, RegExp][] = [
    [{ type: 'imle', solver: topK, noise: { type: 'sumOfGamma', k: -1 }, target: { type: 'standard' } }, /^estimators\.decode\(json\.noise\.k\): expected Positive but got -1$/],
    [{ type: 'imle', solver: { type: 'topK', k: 0 }, noise: { type: 'gumbel' }, target: { type: 'standard' } }, /^estimators\.decode\(json\.solver\.k\): expected PositiveInt but got 0$/],
    [{ type: 'imle', solver: topK, noise: { type: 'gumbel' }, target: { type: 'standard' }, nbSamples: 0 }, /^estimators\.decode\(json\.nbSamples\): expected PositiveInt but got 0$/],
    [{ type: 'imle', solver: topK, noise: { type: 'gumbel' } }, /^estimators\.decode\(json\.target\): expected an object with a "type" field/],
    [{ type: 'ste', solver: topK, noise: { type: 'gumbel' }, nbSample: 2 }, /^estimators\.decode\(json\): unknown option 'nbSample'/],
    [{ type: 'simulatedAnnealing' }, /^estimators\.decode\(json\.type\): expected one of 'imle' \| 'aimle'/],
    [{ type: 'aimle', solver: topK, noise: { type: 'cauchy' } }, /^estimators\.decode\(json\.noise\.type\): expected one of/],
  ]
  for (const [json, re] of bad) {
    const r = estimators.decode(json)
    assert.ok(E.isLeft(r) && r.left instanceof ConfigError && re.test(r.left.message), `${JSON.stringify(json)}: ${E.isLeft(r) ? r.left.message : 'Right'}`)
  }
})

t.run()
