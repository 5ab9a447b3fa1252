import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, callback, ConfigError, grad, imle, noise, ops, random, solvers, target, valueAndGrad, vmap, VmapError } from '../../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../../support/helpers.js'

const t = suite('imle')
t.before(setup)

const linear = (w: tf.Tensor) => (z: tf.Tensor) => ops.sum(ops.mul(z, w)) // L = <w, z>

t('zero noise, top-k by hand, S = 1 and S = 3', () => {
  const theta = tf.tensor1d([3, 1, 2, 0])
  const w = tf.tensor1d([1, -1, 0, 0])
  for (const S of [1, 3]) {
    const layer = imle(solvers.topK(2), noise.none(), target.standard({ alpha: 1, beta: 2 }), { nbSamples: S })
    const z = layer(theta, random.key(0))
    const expected = tf.tensor1d([1, 0, 1, 0]) // top-2 of theta
    assertClose(z, S === 1 ? expected : tf.stack([expected, expected, expected]))
    // dL/dz_s = w for every sample: theta' = theta - 2w = [1, 3, 2, 0], top-2 = [0, 1, 1, 0].
    const g = grad((th: tf.Tensor) => linear(w)(layer(th, random.key(0))))(theta)
    assertClose(g, tf.tensor1d([1, -1, 0, 0]), 1e-6, 0, `S=${S}`)
  }
})

t('zero noise, grid path by hand, S = 1 and S = 3', () => {
  // Costs [[1, 5], [2, 1]]: the cheapest 4-neighbourhood path goes down then right.
  const theta = tf.neg(tf.tensor2d([[1, 5], [2, 1]]))
  const w = tf.tensor2d([[0, -10], [0, 0]]) // the loss rewards visiting (0, 1)
  for (const S of [1, 3]) {
    const layer = imle(solvers.gridShortestPath({ neighbourhood: 4 }), noise.none(), target.standard({ beta: 1 }), { nbSamples: S })
    const z = layer(theta, random.key(1))
    const path = tf.tensor2d([[1, 0], [1, 1]])
    assertClose(z, S === 1 ? path : tf.stack([path, path, path]))
    // theta' = theta - w = [[-1, 5], [-2, -1]]: the path now goes right then down.
    const g = grad((th: tf.Tensor) => linear(w)(layer(th, random.key(1))))(theta)
    assertClose(g, tf.tensor2d([[0, -1], [1, 0]]), 1e-6, 0, `S=${S}`)
  }
})

t('custom fixed noise: the same eps in both passes, each temperature scales it', () => {
  // The sampler returns eps = [0, 1, 2] on its first call and zeros afterwards, so a second
  // draw in the backward pass would change the result.
  let calls = 0
  const fixed = noise.custom((_key, shape) => {
    calls++
    return calls === 1 ? tf.reshape(tf.tensor1d([0, 1, 2]), [...shape]) : tf.zeros([...shape])
  })
  const layer = imle(solvers.topK(1), fixed, target.standard({ beta: 1 }), { inputNoiseTemperature: 0.5, targetNoiseTemperature: 2 })
  const theta = tf.tensor1d([1.2, 0, 0])
  const w = tf.tensor1d([0, 0, 3])
  const [value, g] = valueAndGrad((th: tf.Tensor) => linear(w)(layer(th, random.key(2))))(theta)
  // forward: theta + 0.5 eps = [1.2, 0.5, 1.0] -> e0 (with tau 1: [1.2, 1, 2] -> e2).
  assertClose(value, tf.scalar(0))
  // backward: theta - w + 2 eps = [1.2, 2, 1] -> e1 (with tau 1: e0; with a fresh zero eps: e0).
  assertClose(g, tf.tensor1d([1, -1, 0]), 1e-6, 0)
  assert.is(calls, 1, 'noise is drawn once per call')
})

t('k = 1, Gumbel noise: the scaled I-MLE gradient approaches the exact gradient of <w, softmax(theta)>', () => {
  const n = 5
  const theta = tf.tensor1d([0.5, -0.3, 1.0, 0.1, -1.2])
  const w = tf.tensor1d([1, -0.5, 0.3, -1, 0.8])
  const beta = 0.02
  const S = 10000
  const K = 20
  const layer = imle(solvers.topK(1), noise.gumbel(), target.standard({ beta, scaleGradient: true }), { nbSamples: S })
  // K independent estimates (vmap over keys), each the mean over S samples. The loss sums over
  // samples, so that dL/dz_s = w for each sample and the gradient is mean_s (z_s - z'_s) / beta.
  const loss = (th: tf.Tensor, key: tf.Tensor) => ops.sum(ops.mul(layer(th, key), w)) // sum_s <w, z_s>
  const gs = vmap(grad(loss), { inAxes: [null, 0] })(theta, random.split(random.key(3), K)) // [K, n]
  const mean = tf.mean(gs, 0).dataSync()
  const se = tf.div(tf.sqrt(tf.div(tf.sum(tf.square(tf.sub(gs, tf.mean(gs, 0))), 0), K - 1)), Math.sqrt(K)).dataSync()
  const p = tf.softmax(theta)
  const exact = tf.mul(p, tf.sub(w, tf.sum(tf.mul(w, p)))).dataSync() // J^T w, J = diag(p) - p p^T
  for (let i = 0; i < n; i++) {
    // Tolerance: 4 standard errors (estimated from the K estimates) plus the O(beta) bias
    // of the one-sided difference (|second derivative of softmax| * |w|^2 / 2 <= 1 here).
    const tol = 4 * se[i]! + beta
    assert.ok(Math.abs(mean[i]! - exact[i]!) < tol, `component ${i}: I-MLE ${mean[i]} vs exact ${exact[i]} (tolerance ${tol})`)
  }
  // And the estimate is informative: its error is well below the gradient's own size.
  const err = Math.hypot(...Array.from(mean, (m, i) => m - exact[i]!))
  assert.ok(err < 0.25 * Math.hypot(...exact), `relative error ${err / Math.hypot(...exact)}`)
})

t('vmap(imle) equals the per-instance loop (forward and gradient); one solver call, one noise draw', () => {
  const B = 6
  const n = 12
  let draws = 0
  const sog = noise.sumOfGamma({ k: 3, nbIterations: 20 })
  const counted = noise.custom((key, shape) => {
    draws++
    return sog.sample(key, shape)
  })
  const layer = imle(solvers.topK(3), counted, target.standard({ beta: 5 }), { nbSamples: 4 })
  const thetas = tf.randomNormal([B, n])
  const keys = random.split(random.key(4), B)
  const before = solvers.kernelCalls.topK
  const zs = vmap(layer)(thetas, keys) // [B, 4, n]
  assert.is(solvers.kernelCalls.topK - before, 1, 'one batched solver call for B * S instances')
  assert.is(draws, 1, 'one vectorized noise draw')
  assert.equal(zs.shape, [B, 4, n])
  const loop = tf.stack(tf.unstack(thetas).map((th, b) => layer(th, tf.gather(keys, b))))
  assertClose(zs, loop)
  const w = tf.randomNormal([4, n])
  const lossB = (th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w))
  const mid = solvers.kernelCalls.topK
  const g = grad(lossB)(thetas)
  assert.is(solvers.kernelCalls.topK - mid, 2, 'forward + backward: two solver calls for the whole batch')
  const gLoop = tf.stack(tf.unstack(thetas).map((th, b) => grad((x: tf.Tensor) => ops.sum(ops.mul(layer(x, tf.gather(keys, b)), w)))(th)))
  assertClose(g, gLoop)
  // per-example gradients: vmap(grad(...)) equals the loop too
  const per = vmap(grad((x: tf.Tensor, k: tf.Tensor) => ops.sum(ops.mul(layer(x, k), w))))(thetas, keys)
  assertClose(per, gLoop)
})

t('a user solver wrapped in callback gives the same layer as the built-in one', () => {
  // argmax one-hot in plain JS (ties to the lower index, as solvers.topK(1)).
  const argmaxJs = (theta: tf.Tensor): tf.Tensor => {
    const d = theta.dataSync()
    let best = 0
    for (let i = 1; i < d.length; i++) if (d[i]! > d[best]!) best = i
    const out = new Float32Array(d.length)
    out[best] = 1
    return tf.tensor1d(out)
  }
  const mine = imle(callback(argmaxJs, { vmapMethod: 'sequential' }), noise.gumbel(), target.standard({ beta: 3 }), { nbSamples: 3 })
  const builtIn = imle(solvers.topK(1), noise.gumbel(), target.standard({ beta: 3 }), { nbSamples: 3 })
  const thetas = tf.randomNormal([4, 6])
  const keys = random.split(random.key(6), 4)
  const w = tf.randomNormal([4, 3, 6])
  const lossOf = (layer: typeof mine) => (th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w))
  assertClose(vmap(mine)(thetas, keys), vmap(builtIn)(thetas, keys))
  assertClose(grad(lossOf(mine))(thetas), grad(lossOf(builtIn))(thetas))
})

t('grid paths under vmap: the same as the loop', () => {
  const layer = imle(solvers.gridShortestPath({ neighbourhood: 8 }), noise.sumOfGamma({ k: 1.3 * 5, nbIterations: 50 }), target.standard({ beta: 2 }), { nbSamples: 2 })
  const thetas = tf.neg(tf.add(tf.randomUniform([3, 5, 5]), 0.1))
  const keys = random.split(random.key(5), 3)
  const w = tf.randomNormal([2, 5, 5])
  const g = grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w)))(thetas)
  const gLoop = tf.stack(tf.unstack(thetas).map((th, b) => grad((x: tf.Tensor) => ops.sum(ops.mul(layer(x, tf.gather(keys, b)), w)))(th)))
  assertClose(g, gLoop)
})

t('no leaks over 1000 training steps', () => {
  const layer = imle(solvers.topK(3), noise.sumOfGamma({ k: 3, nbIterations: 10 }), target.standard({ beta: 5 }), { nbSamples: 2 })
  const w = tf.randomNormal([2, 10])
  const loss = (th: tf.Tensor, key: tf.Tensor) => ops.sum(ops.mul(layer(th, key), w))
  let theta = tf.randomNormal([10])
  const g0 = grad(loss)(theta, random.key(0)) // warm up (table build, kernels)
  g0.dispose()
  const before = tf.memory().numTensors
  for (let step = 0; step < 1000; step++) {
    const key = random.key(step)
    const g = grad(loss)(theta, key)
    const next = tf.tidy(() => tf.sub(theta, tf.mul(g, 0.01)))
    tf.dispose([key, g, theta])
    theta = next
  }
  assert.is(tf.memory().numTensors, before)
  const thetas = tf.ones([4, 10])
  const keys = random.split(random.key(9), 4)
  assertNoLeak(() => vmap(layer)(thetas, keys), 1).dispose()
})

t('errors: options failing their codecs, theta of the wrong rank, NaN theta', () => {
  const ok = [solvers.topK(2), noise.gumbel(), target.standard()] as const
  assert.throws(() => imle(...ok, { nbSamples: 0 }), (e: unknown) => e instanceof ConfigError && /nbSamples/.test(e.message))
  assert.throws(() => imle(...ok, { nbSamples: 1.5 }), (e: unknown) => e instanceof ConfigError && /nbSamples/.test(e.message))
  assert.throws(() => imle(...ok, { inputNoiseTemperature: -1 }), (e: unknown) => e instanceof ConfigError && /inputNoiseTemperature/.test(e.message))
  assert.throws(() => noise.sumOfGamma({ k: -2 }), (e: unknown) => e instanceof ConfigError && /k/.test(e.message))
  // A misspelt option is refused, not silently replaced by its default.
  assert.throws(() => imle(...ok, { nbSample: 5 } as never), (e: unknown) => e instanceof ConfigError && /unknown option 'nbSample'/.test(e.message))
  assert.throws(() => target.standard({ Beta: 5 } as never), (e: unknown) => e instanceof ConfigError && /unknown option 'Beta'/.test(e.message))
  assert.throws(() => noise.sumOfGamma({ k: 5, iterations: 100 } as never), (e: unknown) => e instanceof ConfigError && /unknown option 'iterations'/.test(e.message))
  assert.throws(() => target.standard({ beta: Number.NaN }), (e: unknown) => e instanceof ConfigError && /beta/.test(e.message))
  const layer = imle(...ok)
  assert.throws(() => layer(tf.ones([2, 3]), random.key(0)), (e: unknown) => e instanceof ArgumentError && /rank/.test(e.message))
  assert.throws(() => layer(tf.tensor1d([1, Number.NaN, 0]), random.key(0)), (e: unknown) => e instanceof ArgumentError && /NaN/.test(e.message))
  assert.throws(() => layer(tf.scalar(1), random.key(0)), (e: unknown) => e instanceof ArgumentError)
  assert.throws(() => layer(tf.ones([3]), undefined as never), (e: unknown) => e instanceof ArgumentError && /imle: key must be a PRNG key/.test(e.message))
  assert.throws(() => vmap(layer)(tf.ones([4, 3]), random.key(0)), (e: unknown) => e instanceof VmapError || e instanceof ArgumentError)
})

t('noise.decode and target.decode: configs from JSON', () => {
  const r = noise.decode({ type: 'sumOfGamma', k: 10, nbIterations: 100 })
  assert.ok(r._tag === 'Right' && r.right._tag === 'sumOfGamma' && r.right.config.nbIterations === 100)
  const bad = noise.decode({ type: 'sumOfGamma', k: 'ten' })
  assert.ok(bad._tag === 'Left' && bad.left instanceof ConfigError && /k/.test(bad.left.message), bad._tag === 'Left' ? bad.left.message : '')
  const bad2 = noise.decode({ type: 'sumOfGamma', k: 10, nbIterations: 0 })
  assert.ok(bad2._tag === 'Left' && /nbIterations/.test(bad2.left.message), bad2._tag === 'Left' ? bad2.left.message : '')
  assert.ok(noise.decode({ type: 'gumbel' })._tag === 'Right')
  assert.ok(noise.decode({ type: 'poisson' })._tag === 'Left')
  const tg = target.decode({ type: 'standard', beta: 10 })
  assert.ok(tg._tag === 'Right' && tg.right._tag === 'standard' && tg.right.config.beta === 10 && tg.right.config.alpha === 1)
})

t.run()
