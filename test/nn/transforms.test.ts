/**
 * `nn` under the transformations: `vmap(apply)` over a stack of batches equals the loop over
 * them for every layer (and a CNN), a batch equals the stack of its one-example batches,
 * `grad(vmap(...))` with shared parameters equals the sum of per-batch gradients, and
 * `vmap(grad(...))` over batches of one gives per-example gradients. Also `ops.stopGradient`
 * under `grad` and `vmap`, and that nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, nn, ops, random, tree, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

const t = suite('nn transforms')
t.before(setup)

const normal = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed)

/** Every layer with an input shape and an input generator (batch `[B, ...inShape]`). */
const layers = (): [string, nn.AnyLayer, number[], (shape: number[], seed: number) => tf.Tensor][] => [
  ['dense', nn.dense(3), [4], normal],
  ['conv2d', nn.conv2d(2, 2, { padding: 'same', strides: 2 }), [5, 5, 2], normal],
  ['maxPool', nn.maxPool(2, { strides: 1 }), [4, 4, 2], normal],
  ['avgPool', nn.avgPool(3, { strides: 2, padding: 'same' }), [5, 4, 2], normal],
  ['relu', nn.relu, [3, 2], normal],
  ['sigmoid', nn.sigmoid, [3], normal],
  ['tanh', nn.tanh, [3], normal],
  ['softplus', nn.softplus, [3], normal],
  ['flatten', nn.flatten, [2, 3, 2], normal],
  ['embedding', nn.embedding(6, 3), [4], (s, seed) => tf.randomUniform(s, 0, 6, 'int32', seed)],
  ['batchNorm', nn.batchNorm(), [2, 3], normal],
  ['dropout', nn.dropout(0.3), [5], normal],
  ['cnn', nn.serial(nn.conv2d(2, 3), nn.relu, nn.maxPool(2), nn.flatten, nn.dense(3)), [6, 6, 1], normal],
]

t('vmap(apply) over a stack of batches [V, B, ...] equals the loop over V, for every layer', () => {
  const [V, B] = [3, 4]
  for (const [name, layer, inShape, gen] of layers()) {
    const [params] = layer.init(random.key(1), inShape)
    const xs = gen([V, B, ...inShape], 2)
    const key = random.key(3)
    const training = name === 'batchNorm' || name === 'dropout'
    const options = { training, key }
    const f = (x: tf.Tensor) => layer.apply(params, x, options) as tf.Tensor
    const before = tf.memory().numTensors
    const got = vmap(f)(xs)
    assert.is(tf.memory().numTensors - before, 1, `${name}: vmap leaves only its output`)
    assertClose(got, tf.stack(tf.unstack(xs).map(f)), 1e-5, 1e-4, name)
  }
})

t('a batch equals the stack of its one-example batches (every layer but batchNorm in training)', () => {
  for (const [name, layer, inShape, gen] of layers()) {
    if (name === 'dropout') continue // the mask is drawn for the batch's shape; see the dropout tests
    const [params] = layer.init(random.key(4), inShape)
    const xs = gen([5, ...inShape], 5)
    const state = layer.initState(params)
    const f = (x: tf.Tensor) => layer.apply(params, x, { state }) as tf.Tensor
    const rows = tf.unstack(xs).map((x) => tf.squeeze(f(tf.expandDims(x, 0)), [0]))
    assertClose(f(xs), tf.stack(rows), 1e-5, 1e-4, name)
  }
})

t('grad(vmap(loss)) with shared params equals the sum of per-batch gradients; vmap(grad) gives per-example gradients', () => {
  const net = nn.serial(nn.conv2d(2, 3), nn.relu, nn.maxPool(2), nn.flatten, nn.dense(3))
  const [params] = net.init(random.key(6), [6, 6, 1])
  const xs = normal([3, 2, 6, 6, 1], 7) // 3 batches of 2
  const loss = (p: nn.Children, x: tf.Tensor) => ops.sum(ops.square(net.apply(p, x))) // ([2, 6, 6, 1]) -> []
  const viaVmap = grad((p: nn.Children) => ops.sum(vmap(loss, { inAxes: [null, 0] })(p, xs)))(params)
  const loop = tf.unstack(xs).map((x) => grad(loss)(params, x))
  const summed = tree.map((...gs: tf.Tensor[]) => tf.addN(gs), loop[0], ...loop.slice(1))
  tree.leaves(viaVmap).forEach((g, i) => assertClose(g, tree.leaves(summed)[i]!, 1e-4, 1e-4, `leaf ${i}`))
  // Per-example gradients: batches of one under vmap(grad).
  const one = (p: nn.Children, x: tf.Tensor) => loss(p, ops.expandDims(x, 0)) // ([6, 6, 1]) -> []
  const examples = tf.reshape(xs, [6, 6, 6, 1])
  const perExample = vmap(grad(one), { inAxes: [null, 0] })(params, examples)
  const direct = tf.unstack(examples).map((x) => grad(one)(params, x))
  tree.leaves(perExample).forEach((g, i) => assertClose(g, tf.stack(direct.map((d) => tree.leaves(d)[i]!)), 1e-4, 1e-4, `per-example leaf ${i}`))
})

t('vmap over init (an ensemble from a batch of keys) equals the loop over keys', () => {
  const layer = nn.dense(3)
  const keys = random.split(random.key(8), 4)
  const ws = vmap((k: tf.Tensor) => layer.init(k, [2])[0].w)(keys)
  assertClose(ws, tf.stack(tf.unstack(keys).map((k) => layer.init(k, [2])[0].w)))
})

t('ops.stopGradient: identity forward, zero gradient, under grad and vmap, no leak', () => {
  const x = tf.tensor1d([1, 2, 3])
  assertClose(ops.stopGradient(x), x)
  // d/dv sum(v * sg(v)) = sg(v) = v, not 2 v.
  assertClose(grad((v: tf.Tensor) => ops.sum(ops.mul(v, ops.stopGradient(v))))(x), x)
  assertClose(grad((v: tf.Tensor) => ops.sum(ops.stopGradient(ops.square(v))))(x), tf.zeros([3]))
  const xs = normal([4, 3], 9)
  assertClose(vmap(ops.stopGradient)(xs), xs)
  const f = (v: tf.Tensor) => ops.sum(ops.mul(ops.square(v), ops.stopGradient(v))) // [3] -> [], gradient 2 v sg(v)
  assertClose(vmap(grad(f))(xs), tf.mul(tf.mul(xs, xs), 2))
  assertClose(grad((v: tf.Tensor) => ops.sum(vmap(f)(v)))(xs), tf.mul(tf.mul(xs, xs), 2))
  assertClose(vmap(vmap(ops.stopGradient))(tf.reshape(xs, [2, 2, 3])), tf.reshape(xs, [2, 2, 3]))
  const ints = tf.tensor1d([1, 2], 'int32')
  assert.equal([...ops.stopGradient(ints).dataSync()], [1, 2])
  assert.is(ops.stopGradient(ints).dtype, 'int32')
  assertNoLeak(() => ops.stopGradient(x), 1).dispose()
  assertNoLeak(() => grad((v: tf.Tensor) => ops.sum(ops.mul(v, ops.stopGradient(v))))(x), 1).dispose()
})

t('no tensor leaks: init, initState, apply, applyWithState and grad each leave exactly their outputs', () => {
  const net = nn.serial(nn.conv2d(2, 3), nn.batchNorm(), nn.relu, nn.dropout(0.5), nn.avgPool(2, { padding: 'same' }), nn.flatten, nn.dense(3))
  const k0 = random.key(1)
  const [params] = assertNoLeak(() => net.init(k0, [6, 6, 1]), 6) // conv w, b; batchNorm gamma, beta; dense w, b
  const state = assertNoLeak(() => net.initState(params), 2)
  const xs = normal([4, 6, 6, 1], 2)
  const key = random.key(3)
  assertNoLeak(() => net.apply(params, xs, { state }), 1).dispose()
  assertNoLeak(() => net.apply(params, xs, { training: true, key }), 1).dispose()
  const [y, next] = assertNoLeak(() => net.applyWithState(params, state, xs, { training: true, key }), 3)
  tf.dispose([y, tree.leaves(next)])
  const [y2, next2] = assertNoLeak(() => net.applyWithState(params, state, xs), 3)
  tf.dispose([y2, tree.leaves(next2)])
  const g = assertNoLeak(() => grad((p: nn.Children) => ops.sum(net.apply(p, xs, { training: true, key })))(params), 6)
  tf.dispose(tree.leaves(g))
  const emb = nn.embedding(5, 2)
  const [pe] = assertNoLeak(() => emb.init(k0, [3]), 1)
  assertNoLeak(() => emb.apply(pe, tf.zeros([2, 3], 'int32')), 2) // the input and the output
  const res = nn.serial(nn.fanOut(2), nn.parallel(nn.dense(2), nn.serial()), nn.fanInSum)
  const [pr] = assertNoLeak(() => res.init(k0, [2]), 2)
  const x2 = normal([3, 2], 4)
  assertNoLeak(() => res.apply(pr, x2), 1).dispose()
  assertNoLeak(() => vmap((x: tf.Tensor) => net.apply(params, x, { state }))(normal([2, 4, 6, 6, 1], 5)), 2) // the input and the output
})

t.run()
