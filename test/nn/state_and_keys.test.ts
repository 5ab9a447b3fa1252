/**
 * Explicit state and keys: `batchNorm`'s running statistics (their update rule, training vs
 * evaluation mode, state threaded through `serial`, no gradient into the state), and
 * `dropout` (identity in evaluation, deterministic given the key, keep-probability and
 * scaling by moments with tolerances derived from the sample size, an error without a key).
 * Also the typed errors of every layer for bad options and bad input shapes.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, nn, ops, random, tree } from '../../src/index.js'
import { argumentError, assertClose, assertSameBits, configError, setup } from '../support/helpers.js'

const t = suite('nn state and keys')
t.before(setup)

const normal = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed)

t('batchNorm: running statistics update as momentum * old + (1 - momentum) * batch; eval uses them', () => {
  const bn = nn.batchNorm({ momentum: 0.9, eps: 1e-5 })
  const [params] = bn.init(random.key(0), [3])
  const state0 = bn.initState(params)
  assert.equal([...state0.mean.dataSync()], [0, 0, 0])
  assert.equal([...state0.variance.dataSync()], [1, 1, 1])
  const xs = tf.add(tf.mul(normal([64, 3], 1), tf.tensor1d([1, 2, 3])), tf.tensor1d([5, -1, 0]))
  const [y, s1] = bn.applyWithState(params, state0, xs, { training: true })
  const m = tf.mean(xs, 0)
  const v = tf.mean(tf.square(tf.sub(xs, m)), 0)
  assertClose(s1.mean, tf.mul(m, 0.1), 1e-5, 1e-4, 'mean')
  assertClose(s1.variance, tf.add(tf.mul(v, 0.1), 0.9), 1e-5, 1e-4, 'variance')
  // Training output: batch statistics, equal to apply in training mode (which needs no state).
  assertClose(y, bn.apply(params, xs, { training: true }))
  assertClose(tf.mean(y, 0), tf.zeros([3]), 1e-4)
  // Evaluation: the running statistics, and the state comes back as a fresh copy.
  const [yEval, s2] = bn.applyWithState(params, s1, xs)
  assertClose(yEval, tf.div(tf.sub(xs, s1.mean), tf.sqrt(tf.add(s1.variance, 1e-5))), 1e-4, 1e-4)
  assertClose(bn.apply(params, xs, { state: s1 }), yEval)
  assert.ok(s2.mean !== s1.mean)
  assertSameBits(s2.mean, s1.mean, 'eval keeps the state')
  tf.dispose([s1.mean, s1.variance])
  assert.equal(s2.mean.shape, [3]) // still alive after disposing the old state
  // Many training steps on one batch converge to its statistics.
  let s = bn.initState(params)
  for (let i = 0; i < 200; i++) {
    const [yy, next] = bn.applyWithState(params, s, xs, { training: true })
    tf.dispose([yy, s.mean, s.variance])
    s = next
  }
  assertClose(s.mean, m, 1e-3, 1e-3)
  assertClose(s.variance, v, 1e-3, 1e-3)
})

t('batchNorm: state threads through serial, carries no gradient, and eval mode needs it', () => {
  const net = nn.serial(nn.dense(4), nn.batchNorm({ momentum: 0.5 }), nn.relu, nn.dense(2))
  const [params] = net.init(random.key(2), [3])
  const state = net.initState(params)
  assert.equal(state.map((x) => (x === undefined ? null : Object.keys(x as object))), [null, ['mean', 'variance'], null, null])
  const xs = normal([8, 3], 3)
  const [, next] = net.applyWithState(params, state, xs, { training: true })
  assert.ok(!tf.all(tf.equal((next[1] as nn.BatchNormState).mean, 0)).dataSync()[0], 'the mean moved')
  // No gradient flows into the returned state: d/dparams of sum(state.mean) is zero.
  const g = grad((p: nn.Children) => ops.sum((net.applyWithState(p, state, xs, { training: true })[1][1] as nn.BatchNormState).mean))(params)
  for (const leaf of tree.leaves(g)) assertClose(leaf, tf.zerosLike(leaf))
  assert.throws(() => net.apply(params, xs), argumentError(/nn\.batchNorm\.apply\(options\.state\)/, /evaluation mode/, /undefined/))
  assert.throws(() => net.apply(params, xs, { state: [1, 2] }), argumentError(/nn\.serial\.apply\(options\.state\)/, /array of 4 states/))
  assert.throws(() => net.applyWithState(params, undefined as unknown as nn.Children, xs), argumentError(/nn\.serial\.applyWithState\(state\)/))
})

t('dropout: identity in evaluation; deterministic given the key; keep-probability and scale by moments', () => {
  const rate = 0.3
  const drop = nn.dropout(rate)
  const x = tf.add(normal([50, 40], 4), 3)
  assertSameBits(drop.apply(undefined, x), x, 'evaluation is the identity')
  assertSameBits(nn.dropout(0).apply(undefined, x, { training: true, key: random.key(0) }), x, 'rate 0')
  const key = random.key(5)
  const y1 = drop.apply(undefined, x, { training: true, key })
  assertSameBits(drop.apply(undefined, x, { training: true, key }), y1, 'same key, same mask')
  const y2 = drop.apply(undefined, x, { training: true, key: random.key(6) })
  assert.ok(tf.any(tf.notEqual(y1, y2)).dataSync()[0], 'another key, another mask')
  // Kept entries are x / (1 - rate); the rest are 0.
  const kept = tf.notEqual(y1, 0)
  assertClose(tf.where(kept, y1, 0), tf.where(kept, tf.div(x, 1 - rate), 0), 1e-5, 1e-5)
  // The fraction kept: binomial, standard error sqrt(p (1 - p) / n); 5 standard errors.
  const n = 200000
  const ones = tf.ones([n, 1])
  const frac = tf.mean(tf.cast(tf.notEqual(drop.apply(undefined, ones, { training: true, key: random.key(7) }), 0), 'float32')).dataSync()[0]!
  const p = 1 - rate
  assert.ok(Math.abs(frac - p) < 5 * Math.sqrt((p * (1 - p)) / n), `kept fraction ${frac} vs ${p}`)
  // The mean of y over ones is kept / (1 - rate): unbiased, standard error sqrt(rate / ((1 - rate) n)).
  const mean = tf.mean(drop.apply(undefined, ones, { training: true, key: random.key(8) })).dataSync()[0]!
  assert.ok(Math.abs(mean - 1) < 5 * Math.sqrt(rate / ((1 - rate) * n)), `mean ${mean} vs 1`)
  // Without a key in training mode: a clear error.
  assert.throws(() => drop.apply(undefined, x, { training: true }), argumentError(/nn\.dropout\.apply\(options\.key\)/, /needs a PRNG key/))
  assert.throws(() => drop.apply(undefined, x, { training: true, key: tf.ones([2]) }), argumentError(/options\.key/, /int32 tensor of shape \[2\]/, /float32/))
  // In serial, every child gets its own key: two dropouts draw different masks.
  const net = nn.serial(nn.dropout(0.5), nn.fanOut(1), nn.parallel(nn.dropout(0.5)), nn.fanInSum)
  const [pn] = net.init(random.key(0), [1000])
  const both = net.apply(pn, tf.ones([1, 1000]), { training: true, key })
  const zeros = tf.sum(tf.cast(tf.equal(both, 0), 'float32')).dataSync()[0]!
  // Independent masks keep 1/4 of the entries: at least 3 standard errors away from a shared mask's 1/2.
  assert.ok(Math.abs(zeros / 1000 - 0.75) < 5 * Math.sqrt((0.75 * 0.25) / 1000), `zeros ${zeros} of 1000`)
})

t('typed errors: bad options (ConfigError) name the layer, the option and the value', () => {
  assert.throws(() => nn.dense(0), configError(/nn\.dense\(units\)/, /PositiveInt/, /got 0/))
  assert.throws(() => nn.dense(3, { useBias: 'yes' as unknown as boolean }), configError(/nn\.dense\(options\.useBias\)/, /"yes"/))
  assert.throws(() => nn.dense(3, { wInit: 'he' as unknown as nn.Initializer }), configError(/nn\.dense\(options\.wInit\)/, /Initializer/))
  assert.throws(() => nn.dense(3, { bais: true } as never), configError(/nn\.dense\(options\)/, /unknown option 'bais'/))
  assert.throws(() => nn.conv2d(2, 0), configError(/nn\.conv2d\(kernelSize\)/, /got 0/))
  assert.throws(() => nn.conv2d(2, 3, { padding: 'full' as 'same' }), configError(/nn\.conv2d\(options\.padding\)/, /'valid' \| 'same'/, /"full"/))
  assert.throws(() => nn.conv2d(2, 3, { strides: [1, 0] }), configError(/nn\.conv2d\(options\.strides\)/))
  assert.throws(() => nn.maxPool(2.5), configError(/nn\.maxPool\(window\)/, /2\.5/))
  assert.throws(() => nn.avgPool(2, { strides: -1 }), configError(/nn\.avgPool\(options\.strides\)/))
  assert.throws(() => nn.batchNorm({ momentum: 1 }), configError(/nn\.batchNorm\(options\.momentum\)/, /\[0, 1\)/, /got 1/))
  assert.throws(() => nn.batchNorm({ eps: 0 }), configError(/nn\.batchNorm\(options\.eps\)/, /Positive/))
  assert.throws(() => nn.dropout(1), configError(/nn\.dropout\(rate\)/, /\[0, 1\)/, /got 1/))
  assert.throws(() => nn.embedding(0, 3), configError(/nn\.embedding\(vocab\)/))
  assert.throws(() => nn.embedding(3, 1.5), configError(/nn\.embedding\(dim\)/, /1\.5/))
  assert.throws(() => nn.normal(-1), configError(/nn\.normal\(std\)/, /-1/))
  assert.throws(() => nn.fanOut(0), configError(/nn\.fanOut\(n\)/))
})

t('typed errors: bad input shapes (ArgumentError) name the layer, the argument and the shape', () => {
  const [pd] = nn.dense(3).init(random.key(0), [4])
  assert.throws(() => nn.dense(3).apply(pd, tf.ones([2, 5])), argumentError(/nn\.dense\.apply\(x\)/, /\[B, \.\.\.s, 4\]/, /got \[2, 5\]/))
  assert.throws(() => nn.dense(3).apply(pd, tf.ones([4])), argumentError(/nn\.dense\.apply\(x\)/, /got \[4\]/))
  assert.throws(() => nn.dense(3).init(random.key(0), []), argumentError(/nn\.dense\.init\(inShape\)/, /rank >= 1/, /got \[\]/))
  assert.throws(() => nn.dense(3).init(random.key(0), [0]), argumentError(/nn\.dense\.init\(inShape\)/, /got \[0\]/))
  const conv = nn.conv2d(2, 3)
  assert.throws(() => conv.init(random.key(0), [5, 5]), argumentError(/nn\.conv2d\.init\(inShape\)/, /\[height, width, channels\]/, /got \[5,5\]/))
  assert.throws(() => conv.init(random.key(0), [2, 5, 1]), argumentError(/nn\.conv2d\.init\(inShape\)/, /3x3 kernel does not fit in the 2x5 input/))
  const [pc] = conv.init(random.key(0), [5, 5, 2])
  assert.throws(() => conv.apply(pc, tf.ones([5, 5, 2])), argumentError(/nn\.conv2d\.apply\(x\)/, /\[B, H, W, 2\]/, /got \[5, 5, 2\]/))
  assert.throws(() => conv.apply(pc, tf.ones([1, 5, 5, 3])), argumentError(/nn\.conv2d\.apply\(x\)/, /got \[1, 5, 5, 3\]/))
  assert.throws(() => nn.maxPool(3).init(random.key(0), [2, 4, 1]), argumentError(/nn\.maxPool\.init\(inShape\)/, /3x3 window/))
  assert.throws(() => nn.maxPool(3).apply(undefined, tf.ones([1, 2, 4, 1])), argumentError(/nn\.maxPool\.apply\(x\)/, /got \[1, 2, 4, 1\]/))
  assert.throws(() => nn.avgPool(2).apply(undefined, tf.ones([4, 4, 1])), argumentError(/nn\.avgPool\.apply\(x\)/, /got \[4, 4, 1\]/))
  const [pb] = nn.batchNorm().init(random.key(0), [3])
  assert.throws(() => nn.batchNorm().apply(pb, tf.ones([2, 4]), { training: true }), argumentError(/nn\.batchNorm\.apply\(x\)/, /got \[2, 4\]/))
  const [pe] = nn.embedding(5, 2).init(random.key(0), [3])
  assert.throws(() => nn.embedding(5, 2).apply(pe, tf.ones([2, 3])), argumentError(/nn\.embedding\.apply\(x\)/, /int32/, /float32/))
  assert.throws(() => nn.relu.apply(undefined, tf.scalar(1)), argumentError(/nn\.relu\.apply\(x\)/, /got \[\]/))
  assert.throws(() => nn.relu.apply(undefined, tf.ones([2]), { training: 1 as unknown as boolean }), argumentError(/nn\.relu\.apply\(options\.training\)/))
  assert.throws(() => nn.serial(nn.relu, 3 as never), argumentError(/nn\.serial\(\.\.\.layers\): layer 1/))
  assert.throws(() => nn.parallel(), argumentError(/nn\.parallel\(\.\.\.layers\)/, /at least one/))
  const par = nn.parallel(nn.relu, nn.relu)
  assert.throws(() => par.apply([undefined, undefined], [tf.ones([1, 2])]), argumentError(/nn\.parallel\.apply\(x\)/, /array of 2 tensors/))
  assert.throws(() => nn.serial(nn.relu).apply([], tf.ones([1, 2])), argumentError(/nn\.serial\.apply\(params\)/, /array of 1 parameters/))
  assert.throws(() => nn.fanInSum.apply(undefined, [tf.ones([1, 2]), tf.ones([1, 3])]), argumentError(/nn\.fanInSum\.apply\(x\)/, /\[1, 3\]/))
})

t.run()
