import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { customVjp, grad, ops, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

const t = suite('customVjp')
t.before(setup)

// f(x, y) = x * y with a backward pass written by hand; the residuals are the inputs.
const mulVjp = customVjp(
  (x: tf.Tensor, y: tf.Tensor) => [ops.mul(x, y), { x, y }] as const,
  (res: { x: tf.Tensor; y: tf.Tensor }, ct: tf.Tensor) => [ops.mul(ct, res.y), ops.mul(ct, res.x)] as const,
)
// A deliberately non-standard backward pass (3x the true gradient), to prove bwd is used.
const tripled = customVjp(
  (x: tf.Tensor) => [ops.square(x), x] as const,
  (x: tf.Tensor, ct: tf.Tensor) => [ops.mul(ops.mul(ct, x), 6)] as const,
)

t('forward value and the custom backward pass', () => {
  const x = tf.tensor1d([1, 2, 3])
  const y = tf.tensor1d([4, 5, 6])
  assertClose(mulVjp(x, y), tf.mul(x, y))
  const [gx, gy] = grad((a: tf.Tensor, b: tf.Tensor) => ops.sum(mulVjp(a, b)), { argnums: [0, 1] })(x, y)
  assertClose(gx, y)
  assertClose(gy, x)
  assertClose(grad((a: tf.Tensor) => ops.sum(tripled(a)))(x), tf.mul(x, 6))
})

t('pytree outputs and a null cotangent', () => {
  const two = customVjp(
    (x: tf.Tensor, n: tf.Tensor) => [{ a: ops.mul(x, 2), b: [ops.sum(x)] }, null] as const,
    (_: null, ct: { a: tf.Tensor; b: readonly [tf.Tensor] }) => [ops.add(ops.mul(ct.a, 2), ct.b[0]), null] as const,
  )
  const x = tf.tensor1d([1, 2])
  const g = grad((v: tf.Tensor) => {
    const o = two(v, tf.scalar(3, 'int32'))
    return ops.add(ops.sum(ops.mul(o.a, tf.tensor1d([1, 10]))), ops.mul(o.b[0], 5))
  })(x)
  assertClose(g, tf.tensor1d([2 + 5, 20 + 5]))
})

t('vmap(customVjp) equals the loop, forward and gradient; unbatched argument', () => {
  const xs = tf.randomNormal([5, 3])
  const y = tf.randomNormal([3])
  const out = vmap(mulVjp, { inAxes: [0, null] })(xs, y)
  assertClose(out, tf.mul(xs, y))
  // grad(vmap): the unbatched y's gradient sums over the batch.
  const [gxs, gy] = grad((a: tf.Tensor, b: tf.Tensor) => ops.sum(vmap(mulVjp, { inAxes: [0, null] })(a, b)), { argnums: [0, 1] })(xs, y)
  assertClose(gxs, tf.broadcastTo(y, [5, 3]))
  assertClose(gy, tf.sum(xs, 0))
  // vmap(grad): per-example gradients, batched even for the unbatched argument.
  const per = vmap(grad((a: tf.Tensor, b: tf.Tensor) => ops.sum(tripled(ops.mul(a, b))), { argnums: 1 }), { inAxes: [0, null] })(xs, y)
  const loop = tf.stack(tf.unstack(xs).map((x) => grad((a: tf.Tensor, b: tf.Tensor) => ops.sum(tripled(ops.mul(a, b))), { argnums: 1 })(x, y)))
  assertClose(per, loop)
  // nested
  const xs2 = tf.randomNormal([2, 3, 3])
  const nested = vmap(vmap(mulVjp, { inAxes: [0, null] }), { inAxes: [0, null] })(xs2, y)
  assertClose(nested, tf.mul(xs2, y))
  const gNested = grad((a: tf.Tensor) => ops.sum(vmap(vmap(tripled))(a)))(xs2)
  assertClose(gNested, tf.mul(xs2, 6))
})

t('a customVjp function closing over a batched value, under vmap and grad', () => {
  const xs = tf.randomNormal([5, 3])
  const y = tf.randomNormal([3])
  // f(y) = sum(x * y) per example, x closed over; its custom backward is the true one.
  const perExample = vmap((x: tf.Tensor) => {
    const dot = customVjp(
      (v: tf.Tensor) => [ops.sum(ops.mul(x, v)), null] as const,
      (_: null, ct: tf.Tensor) => [ops.mul(ct, x)] as const,
    )
    return grad((v: tf.Tensor) => dot(v))(y)
  })(xs)
  assertClose(perExample, xs)
  // grad outside the vmap: the customVjp function receives the unbatched w and closes over x.
  const gw = grad((w: tf.Tensor) =>
    ops.sum(
      vmap((x: tf.Tensor) => {
        const dot = customVjp(
          (v: tf.Tensor) => [ops.sum(ops.mul(x, v)), null] as const,
          (_: null, ct: tf.Tensor) => [ops.mul(ct, x)] as const,
        )
        return dot(w)
      })(xs),
    ),
  )(y)
  assertClose(gw, tf.sum(xs, 0))
})

t('a failing fwd or bwd leaks nothing over 100 calls, with and without vmap', () => {
  const fwdFails = customVjp(
    (x: tf.Tensor): readonly [tf.Tensor, tf.Tensor] => {
      ops.exp(ops.mul(x, 2))
      throw new Error('fwd failed')
    },
    (_r: tf.Tensor, ct: tf.Tensor) => [ct] as const,
  )
  const bwdFails = customVjp(
    (x: tf.Tensor) => [ops.square(x), x] as const,
    (): [tf.Tensor] => {
      throw new Error('bwd failed')
    },
  )
  const x = tf.tensor1d([1, 2, 3])
  const xs = tf.ones([4, 3])
  const calls: [string, () => unknown][] = [
    ['fwd', () => fwdFails(x)],
    ['vmap fwd', () => vmap(fwdFails)(xs)],
    ['grad fwd', () => grad((a: tf.Tensor) => ops.sum(fwdFails(a)))(x)],
    ['grad bwd', () => grad((a: tf.Tensor) => ops.sum(bwdFails(ops.exp(a))))(x)],
    ['grad vmap bwd', () => grad((a: tf.Tensor) => ops.sum(vmap(bwdFails)(a)))(xs)],
    ['vmap grad bwd', () => vmap(grad((a: tf.Tensor) => ops.sum(bwdFails(a))))(xs)],
  ]
  for (const [what, call] of calls) {
    const before = tf.memory().numTensors
    for (let i = 0; i < 100; i++) assert.throws(call, undefined, what)
    assert.is(tf.memory().numTensors - before, 0, `${what}: tensors leaked over 100 failed calls`)
  }
})

t('no leaks', () => {
  const xs = tf.randomNormal([5, 3])
  const y = tf.randomNormal([3])
  assertNoLeak(() => mulVjp(xs, xs), 1).dispose()
  assertNoLeak(() => grad((a: tf.Tensor) => ops.sum(vmap(mulVjp, { inAxes: [0, null] })(a, y)))(xs), 1).dispose()
  assertNoLeak(() => vmap(grad((a: tf.Tensor) => ops.sum(tripled(a))))(xs), 1).dispose()
  assert.ok(true)
})

t.run()
