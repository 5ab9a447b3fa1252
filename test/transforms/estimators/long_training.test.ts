/**
 * A 10,000-step training loop through `vmap(imle(...))` with Adam keeps the number of live
 * tensors constant (on the cpu backend; docs/reliability.md gives the wasm figure).
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { imle, noise, ops, optim, random, solvers, target, valueAndGrad, vmap } from '../../../src/index.js'
import { BACKEND, setup } from '../../support/helpers.js'

const t = suite('long training')
t.before(setup)

const STEPS = Number(process.env['STEPS'] ?? 10_000)

if (BACKEND === 'cpu' || process.env['STEPS'] !== undefined) {
  t(`${STEPS} steps of vmap(imle) + Adam hold a constant number of tensors`, () => {
    const B = 4
    const layer = vmap(imle(solvers.topK(3), noise.sumOfGamma({ k: 3, nbIterations: 20 }), target.standard({ beta: 5 }), { nbSamples: 2 }))
    const wanted = tf.tidy(() => solvers.topK(3).batched(tf.randomNormal([B, 12], 0, 1, 'float32', 1))) // [B, 12]
    const step = valueAndGrad((theta: tf.Tensor, keys: tf.Tensor) => ops.mean(ops.square(ops.sub(layer(theta, keys), ops.expandDims(wanted, 1)))))
    const opt = optim.adam<tf.Tensor>({ learningRate: 0.05 })
    let theta = tf.zeros([B, 12])
    let state = opt.init(theta)
    let key = random.key(0)
    const counts: number[] = []
    let first = 0
    let last = 0
    for (let i = 0; i < STEPS; i++) {
      const keys = random.split(key, B + 1) // [B + 1, 2]
      const [next, ...rest] = tf.unstack(keys)
      const stepKeys = tf.stack(rest) // [B, 2]
      const [value, g] = step(theta, stepKeys)
      const [updates, nextState] = opt.update(g, state)
      const nextTheta = optim.applyUpdates(theta, updates)
      const loss = value.dataSync()[0]!
      if (i === 0) first = loss
      last = loss
      tf.dispose([key, keys, stepKeys, ...rest, value, g, updates, theta, state.mu, state.nu])
      key = next!
      theta = nextTheta
      state = nextState
      if (i % 1000 === 0 || i === STEPS - 1) counts.push(tf.memory().numTensors)
    }
    assert.ok(counts.every((c) => c === counts[0]), `live tensors over the run: ${counts.join(', ')}`)
    assert.ok(last < first, `the loss went down: ${first} -> ${last}`)
  })
}

t.run()
