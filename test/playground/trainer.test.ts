/**
 * The playground's trainer, in Node: every estimator trains each preset map to its gold path,
 * the gold path is the shortest path under the true costs (checked against the solver record),
 * a step leaks nothing, the same seed gives the same run, and changing the settings between
 * steps takes effect (input temperature 0: all samples are one path).
 */
import * as tf from '@tensorflow/tfjs-core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { solvers } from '../../src/index.js'
import { createTrainer, DEFAULTS, presetMap, shortestPath, trueCosts, type EstimatorName } from '../../playground/trainer.js'
import { setup } from '../support/helpers.js'

test.before(setup)

test('the gold path is the solver record\'s shortest path under the true costs', () => {
  for (const i of [0, 1, 2]) {
    const map = presetMap(i)
    const costs = trueCosts(map)
    const z = solvers.gridShortestPath({ neighbourhood: 8 })(tf.neg(tf.tensor2d(costs, [map.k, map.k])))
    assert.equal(Array.from(shortestPath(costs, map.k)), Array.from(z.dataSync()), `map ${i}`)
    z.dispose()
  }
})

for (const estimator of ['imle', 'aimle', 'ste', 'blackbox'] as EstimatorName[]) {
  test(`${estimator} trains every preset map to its gold path within 60 steps, leaking nothing`, async () => {
    for (const i of [0, 1, 2]) {
      const trainer = createTrainer(presetMap(i), { ...DEFAULTS, estimator })
      await trainer.step() // first-call caches (kernels, tables) are made here
      const before = tf.memory().numTensors
      let reached = 0
      for (let s = 2; s <= 60 && reached === 0; s++) if ((await trainer.step()).matchesGold) reached = s
      assert.is(tf.memory().numTensors, before, `${estimator} map ${i}: tensors leaked`)
      assert.ok(reached > 0, `${estimator} map ${i}: the gold path was not reached in 60 steps`)
      trainer.dispose()
    }
  })
}

test('the same seed gives the same run; settings changes take effect at the next step', async () => {
  const run = async () => {
    const trainer = createTrainer(presetMap(1), DEFAULTS, 5)
    const losses: number[] = []
    for (let s = 0; s < 5; s++) losses.push((await trainer.step()).loss)
    trainer.settings = { ...trainer.settings, inputTemperature: 0 }
    const cold = await trainer.step()
    trainer.dispose()
    return { losses, cold }
  }
  const [a, b] = [await run(), await run()]
  assert.equal(a.losses, b.losses)
  assert.ok(a.cold.marginals.every((m) => m === 0 || m === 1), 'at input temperature 0 the samples are one path')
})

test.run()
