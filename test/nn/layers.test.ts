/**
 * Each `nn` layer against a hand computation on a tiny input and against its float64
 * reference, and `grad` of a weighted sum of its output (with respect to the parameters and
 * the input) against float64 central differences; the same for a small serial CNN
 * (conv2d -> relu -> maxPool -> flatten -> dense) and a residual block built from
 * `fanOut`/`parallel`/`fanInSum`.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, nn, ops, random } from '../../src/index.js'
import { assertClose, setup } from '../support/helpers.js'
import * as ref from './reference.js'

const t = suite('nn layers')
t.before(setup)

const normal = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed)

/** `sum(y * c)` in float32 with the reference's weights. */
const weighted = (y: tf.Tensor): tf.Tensor => ops.sum(ops.mul(y, tf.tensor(Float32Array.from(ref.weights(y.size)), y.shape)))

t('dense: hand computation, float64 reference and gradients', () => {
  const layer = nn.dense(2)
  const w = tf.tensor2d([[1, 2], [3, 4], [5, 6]])
  const b = tf.tensor1d([0.5, -1])
  // [1, 0, -1] W + b = [1 - 5, 2 - 6] + b = [-3.5, -5]
  assertClose(layer.apply({ w, b }, tf.tensor2d([[1, 0, -1]])), tf.tensor2d([[-3.5, -5]]))
  const [params, outShape] = layer.init(random.key(1), [3])
  assert.equal(outShape, [2])
  assert.equal(params.w.shape, [3, 2])
  assert.equal([...params.b!.dataSync()], [0, 0])
  const x = normal([4, 3], 2)
  const refLoss = ([xv, wv, bv]: ref.Arr[]) => ref.weightedSum(ref.dense(xv!, wv!, bv!), ref.weights(8))
  assertClose(layer.apply({ w, b }, x), ref.toTensor(ref.dense(ref.fromTensor(x), ref.fromTensor(w), ref.fromTensor(b))))
  const g = grad((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => weighted(layer.apply({ w: wv, b: bv }, xv)), { argnums: [0, 1, 2] })(x, w, b)
  ref.checkGrads('dense', refLoss, [x, w, b], g)
  // Any axes between the batch and the features are kept: [B, L, in] -> [B, L, units].
  const x3 = normal([2, 5, 3], 3)
  assertClose(layer.apply({ w, b }, x3), tf.reshape(layer.apply({ w, b }, tf.reshape(x3, [10, 3])), [2, 5, 2]))
  assert.equal(nn.dense(4).init(random.key(0), [5, 3])[1], [5, 4])
  const noBias = nn.dense(2, { useBias: false }).init(random.key(0), [3])[0]
  assert.is(noBias.b, undefined)
})

t('conv2d: hand computation, float64 reference (valid and same, strides) and gradients', () => {
  // A 3x3 single-channel image and a 2x2 filter of ones: each output is the sum of a 2x2 window.
  const img = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])
  const layer = nn.conv2d(1, 2)
  const y = layer.apply({ w: tf.ones([2, 2, 1, 1]), b: tf.tensor1d([1]) }, img)
  assertClose(y, tf.tensor4d([12 + 1, 16 + 1, 24 + 1, 28 + 1], [1, 2, 2, 1]))
  for (const [strides, padding] of [[[1, 1], 'valid'], [[2, 1], 'same'], [[2, 2], 'valid']] as const) {
    const conv = nn.conv2d(3, [3, 2], { strides: [...strides], padding })
    const [p, outShape] = conv.init(random.key(4), [5, 4, 2])
    const x = normal([2, 5, 4, 2], 5)
    const b = normal([3], 6)
    const r = ref.conv2d(ref.fromTensor(x), ref.fromTensor(p.w), ref.fromTensor(b), [...strides], padding)
    assert.equal(outShape, r.shape.slice(1), `conv2d ${padding} ${strides} outShape`)
    assertClose(conv.apply({ w: p.w, b }, x), ref.toTensor(r), 1e-5, 1e-4, `conv2d ${padding} ${strides}`)
    const n = r.data.length
    const refLoss = ([xv, wv, bv]: ref.Arr[]) => ref.weightedSum(ref.conv2d(xv!, wv!, bv!, [...strides], padding), ref.weights(n))
    const g = grad((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => weighted(conv.apply({ w: wv, b: bv }, xv)), { argnums: [0, 1, 2] })(x, p.w, b)
    ref.checkGrads(`conv2d ${padding} ${strides}`, refLoss, [x, p.w, b], g)
  }
})

t('maxPool and avgPool: hand computation, float64 reference and gradients', () => {
  const img = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1])
  assertClose(nn.maxPool(2).apply(undefined, img), tf.tensor4d([6, 8, 14, 16], [1, 2, 2, 1]))
  assertClose(nn.avgPool(2).apply(undefined, img), tf.tensor4d([3.5, 5.5, 11.5, 13.5], [1, 2, 2, 1]))
  for (const kind of ['max', 'avg'] as const) {
    for (const [win, strides, padding] of [[[2, 2], [2, 2], 'valid'], [[3, 2], [1, 2], 'same']] as const) {
      const layer = (kind === 'max' ? nn.maxPool : nn.avgPool)([...win], { strides: [...strides], padding })
      const x = normal([2, 5, 4, 3], 7)
      const r = ref.pool(kind, ref.fromTensor(x), [...win], [...strides], padding)
      assert.equal(layer.init(random.key(0), [5, 4, 3])[1], r.shape.slice(1), `${kind}Pool outShape`)
      assertClose(layer.apply(undefined, x), ref.toTensor(r), 1e-5, 1e-4, `${kind}Pool ${padding}`)
      const n = r.data.length
      const refLoss = ([xv]: ref.Arr[]) => ref.weightedSum(ref.pool(kind, xv!, [...win], [...strides], padding), ref.weights(n))
      const g = grad((xv: tf.Tensor) => weighted(layer.apply(undefined, xv)))(x)
      ref.checkGrads(`${kind}Pool ${padding}`, refLoss, [x], [g])
    }
  }
})

t('activations and flatten: hand computation and gradients', () => {
  const x = tf.tensor2d([[-2, -0.5, 0.5, 3]])
  const cases: [nn.Layer<undefined>, (v: number) => number][] = [
    [nn.relu, (v) => Math.max(v, 0)],
    [nn.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    [nn.tanh, Math.tanh],
    [nn.softplus, (v) => Math.log1p(Math.exp(v))],
  ]
  for (const [layer, f] of cases) {
    assertClose(layer.apply(undefined, x), tf.tensor2d([[-2, -0.5, 0.5, 3].map(f)]), 1e-6, 1e-5, layer._tag)
    const xs = normal([3, 2, 2], 8)
    const g = grad((v: tf.Tensor) => weighted(layer.apply(undefined, v)))(xs)
    ref.checkGrads(layer._tag, ([v]) => ref.weightedSum(ref.map(v!, f), ref.weights(12)), [xs], [g])
  }
  const img = normal([2, 3, 2, 2], 9)
  assertClose(nn.flatten.apply(undefined, img), tf.reshape(img, [2, 12]))
  assert.equal(nn.flatten.init(random.key(0), [3, 2, 2])[1], [12])
  const g = grad((v: tf.Tensor) => weighted(nn.flatten.apply(undefined, v)))(img)
  ref.checkGrads('flatten', ([v]) => ref.weightedSum(ref.flatten(v!), ref.weights(24)), [img], [g])
})

t('embedding: hand computation and gradient with respect to the table (repeated indices add up)', () => {
  const layer = nn.embedding(4, 2)
  const table = tf.tensor2d([[0, 1], [2, 3], [4, 5], [6, 7]])
  const idx = [3, 0, 3, 1]
  const x = tf.tensor2d(idx, [2, 2], 'int32')
  assertClose(layer.apply({ table }, x), tf.tensor3d([[[6, 7], [0, 1]], [[6, 7], [2, 3]]]))
  const [p, outShape] = layer.init(random.key(2), [2])
  assert.equal(outShape, [2, 2])
  assert.equal(p.table.shape, [4, 2])
  const g = grad((tb: tf.Tensor) => weighted(layer.apply({ table: tb }, x)))(table)
  ref.checkGrads('embedding', ([tb]) => ref.weightedSum(ref.embedding(tb!, idx, [2, 2]), ref.weights(8)), [table], [g])
})

t('batchNorm (training mode): float64 reference and gradients through the batch statistics', () => {
  const layer = nn.batchNorm({ eps: 1e-3 })
  const x = normal([4, 2, 3], 10)
  const gamma = tf.tensor1d([1.5, -0.5, 2])
  const beta = tf.tensor1d([0.1, 0.2, -0.3])
  // Hand: features [1, 3] and [3, 5] over a batch of two: means 2 and 4, variances 1, so y = +-1/sqrt(1 + eps).
  const hand = layer.apply({ gamma: tf.ones([2]), beta: tf.zeros([2]) }, tf.tensor2d([[1, 3], [3, 5]]), { training: true })
  const s = 1 / Math.sqrt(1 + 1e-3)
  assertClose(hand, tf.tensor2d([[-s, -s], [s, s]]))
  const [r] = ref.batchNorm(ref.fromTensor(x), ref.fromTensor(gamma), ref.fromTensor(beta), 1e-3)
  assertClose(layer.apply({ gamma, beta }, x, { training: true }), ref.toTensor(r), 1e-5, 1e-4)
  const refLoss = ([xv, gv, bv]: ref.Arr[]) => ref.weightedSum(ref.batchNorm(xv!, gv!, bv!, 1e-3)[0], ref.weights(24))
  const g = grad((xv: tf.Tensor, gv: tf.Tensor, bv: tf.Tensor) => weighted(layer.apply({ gamma: gv, beta: bv }, xv, { training: true })), {
    argnums: [0, 1, 2],
  })(x, gamma, beta)
  ref.checkGrads('batchNorm', refLoss, [x, gamma, beta], g, 5e-4, 5e-3)
})

t('a serial CNN (conv2d -> relu -> maxPool -> flatten -> dense): forward and gradients against float64', () => {
  const net = nn.serial(nn.conv2d(2, 3, { padding: 'same' }), nn.relu, nn.maxPool(2), nn.flatten, nn.dense(3))
  const [params, outShape] = net.init(random.key(11), [4, 4, 1])
  assert.equal(outShape, [3])
  const [pc, , , , pd] = params as [nn.Conv2DParams, undefined, undefined, undefined, nn.DenseParams]
  // Nonzero biases so that no relu input sits at its kink by construction.
  const bc = tf.tensor1d([0.05, -0.07])
  const bd = tf.tensor1d([0.3, -0.2, 0.1])
  const x = normal([2, 4, 4, 1], 12)
  const forward = ([xv, wc, bcv, wd, bdv]: ref.Arr[]) => {
    const h = ref.map(ref.conv2d(xv!, wc!, bcv!, [1, 1], 'same'), (v) => Math.max(v, 0))
    return ref.dense(ref.flatten(ref.pool('max', h, [2, 2], [2, 2], 'valid')), wd!, bdv!)
  }
  const inputs = [x, pc.w, bc, pd.w, bd]
  const apply = (xv: tf.Tensor, wc: tf.Tensor, bcv: tf.Tensor, wd: tf.Tensor, bdv: tf.Tensor) =>
    net.apply([{ w: wc, b: bcv }, undefined, undefined, undefined, { w: wd, b: bdv }], xv)
  assertClose(apply(x, pc.w, bc, pd.w, bd), ref.toTensor(forward(inputs.map(ref.fromTensor))), 1e-5, 1e-4)
  const g = grad((...v: tf.Tensor[]) => weighted(apply(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!)), { argnums: [0, 1, 2, 3, 4] })(...inputs)
  ref.checkGrads('serial CNN', (v) => ref.weightedSum(forward(v), ref.weights(6)), inputs, g)
  // grad over the params pytree gives the structure of params.
  const gp = grad((p: nn.Children) => weighted(net.apply(p, x)))(params) as unknown as [nn.Conv2DParams, unknown, unknown, unknown, nn.DenseParams]
  assert.equal(gp[0].w.shape, [3, 3, 1, 2])
  assert.is(gp[1], undefined)
  assert.equal(gp[4].w.shape, [8, 3])
})

t('a residual block serial(fanOut(2), parallel(dense, serial()), fanInSum) is x W + b + x', () => {
  const block = nn.serial(nn.fanOut(2), nn.parallel(nn.dense(3), nn.serial()), nn.fanInSum)
  const [params, outShape] = block.init(random.key(3), [3])
  assert.equal(outShape, [3])
  const [, [pd]] = params as [undefined, [nn.DenseParams, unknown[]]]
  const x = normal([4, 3], 13)
  assertClose(block.apply(params, x), tf.add(tf.add(tf.matMul(x, pd.w), pd.b!), x))
  const g = grad((xv: tf.Tensor) => weighted(block.apply(params, xv)))(x)
  const w = ref.fromTensor(pd.w)
  const b = ref.fromTensor(pd.b!)
  ref.checkGrads('residual', ([xv]) => {
    const y = ref.dense(xv!, w, b)
    return ref.weightedSum(ref.arr(y.shape, y.data.map((v, i) => v + xv!.data[i]!)), ref.weights(12))
  }, [x], [g])
  const cat = nn.serial(nn.fanOut(2), nn.parallel(nn.dense(2), nn.relu), nn.fanInConcat())
  const [pc, shape] = cat.init(random.key(4), [3])
  assert.equal(shape, [5])
  assert.equal(cat.apply(pc, x).shape, [4, 5])
})

t('initialisers: shapes and moments (tolerances from the sample size)', () => {
  const n = 20000
  const shape = [100, 200]
  const fans = { fanIn: 100, fanOut: 200 }
  const moments = (x: tf.Tensor): [number, number] => {
    const d = x.dataSync()
    let m = 0
    for (let i = 0; i < d.length; i++) m += d[i]!
    m /= d.length
    let v = 0
    for (let i = 0; i < d.length; i++) v += (d[i]! - m) ** 2
    return [m, v / d.length]
  }
  // Glorot uniform: U(-a, a), variance a^2 / 3 = 2 / (fanIn + fanOut).
  const a = Math.sqrt(6 / 300)
  const cases: [nn.Initializer, number][] = [
    [nn.glorotUniform(), 2 / 300],
    [nn.heNormal(), 2 / 100],
    [nn.normal(0.1), 0.01],
  ]
  for (const [init, variance] of cases) {
    const x = init.init(random.key(5), shape, fans)
    assert.equal(x.shape, shape)
    const [m, v] = moments(x)
    // Standard errors: of the mean sqrt(v / n); of the variance about v sqrt(2 / n) (normal) or less (uniform).
    assert.ok(Math.abs(m) < 5 * Math.sqrt(variance / n), `${init._tag}: mean ${m}`)
    assert.ok(Math.abs(v - variance) < 5 * variance * Math.sqrt(2 / n), `${init._tag}: variance ${v} vs ${variance}`)
  }
  const gu = nn.glorotUniform().init(random.key(6), shape, fans)
  assert.ok(tf.max(tf.abs(gu)).dataSync()[0]! <= a)
  assert.equal([...nn.zeros().init(random.key(0), [3], fans).dataSync()], [0, 0, 0])
  assert.equal([...nn.ones().init(random.key(0), [2], fans).dataSync()], [1, 1])
  // Selectable per layer.
  const [p] = nn.dense(3, { wInit: nn.zeros(), bInit: nn.ones() }).init(random.key(0), [2])
  assert.equal([...p.w.dataSync()], [0, 0, 0, 0, 0, 0])
  assert.equal([...p.b!.dataSync()], [1, 1, 1])
})

t.run()
