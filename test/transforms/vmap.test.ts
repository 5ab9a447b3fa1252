import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ops, vmap, VmapError, RawTfOpError, TreeMismatchError } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

const t = suite('vmap')
t.before(setup)

const f = (x: tf.Tensor, w: tf.Tensor) => ops.sum(ops.square(ops.mul(x, w)))

t('vmap equals the per-example loop, inAxes [0, null]', () => {
  const xs = tf.randomNormal([5, 3])
  const w = tf.randomNormal([3])
  const out = vmap(f, { inAxes: [0, null] })(xs, w)
  const loop = tf.stack(tf.unstack(xs).map((x) => f(x, w)))
  assertClose(out, loop)
})

t('negative inAxes and outAxes', () => {
  const xs = tf.randomNormal([3, 4]) // batch along axis -1 (size 4)
  const g = (x: tf.Tensor) => ops.mul(x, 2) // [3] -> [3]
  const out = vmap(g, { inAxes: -1, outAxes: -1 })(xs) // [3, 4]
  assertClose(out, tf.mul(xs, 2))
  const out0 = vmap(g, { inAxes: 1, outAxes: 0 })(xs) // [4, 3]
  assertClose(out0, tf.transpose(tf.mul(xs, 2)))
})

t('pytree arguments with a prefix inAxes', () => {
  const p = { a: tf.randomNormal([4, 2]), b: tf.randomNormal([2]) }
  const out = vmap((q: { a: tf.Tensor; b: tf.Tensor }) => ops.add(q.a, q.b), { inAxes: [{ a: 0, b: null }] })(p)
  assertClose(out, tf.add(p.a, p.b))
})

t('nested vmap equals the double loop', () => {
  const xs = tf.randomNormal([2, 3, 4])
  const w = tf.randomNormal([4])
  const out = vmap(vmap(f, { inAxes: [0, null] }), { inAxes: [0, null] })(xs, w)
  const loop = tf.stack(tf.unstack(xs).map((x2) => tf.stack(tf.unstack(x2).map((x) => f(x, w)))))
  assertClose(out, loop)
})

t('tf.tidy and tf.keep inside a vmapped function keep batched values alive', () => {
  const xs = tf.randomNormal([4, 3])
  const f = (x: tf.Tensor) => {
    const y = tf.tidy(() => ops.mul(ops.add(x, 1), 2)) // a batched result returned from a tidy
    const kept = tf.tidy(() => tf.keep(ops.exp(x)))
    const out = ops.add(y, kept)
    kept.dispose()
    return out
  }
  const out = assertNoLeak(() => vmap(f)(xs), 1)
  assertClose(out, tf.add(tf.mul(tf.add(xs, 1), 2), tf.exp(xs)))
})

t('leaks no tensor', () => {
  const xs = tf.randomNormal([5, 3])
  const w = tf.randomNormal([3])
  const out = assertNoLeak(() => vmap(f, { inAxes: [0, null] })(xs, w), 1)
  out.dispose()
})

t('errors: raw tf op, batch sizes, inAxes mismatch, axis out of range', () => {
  const xs = tf.ones([3, 2])
  assert.throws(() => vmap((x: tf.Tensor) => tf.exp(x))(xs), (e: unknown) => e instanceof RawTfOpError && /ops/.test(e.message) && /callback/.test(e.message))
  assert.throws(() => vmap(ops.add)(xs, tf.ones([4, 2])), (e: unknown) => e instanceof VmapError && /batch sizes disagree/.test(e.message))
  assert.throws(() => vmap(ops.add, { inAxes: [0] })(xs, xs), (e: unknown) => e instanceof VmapError && /2 arguments/.test(e.message))
  assert.throws(() => vmap(ops.exp, { inAxes: 2 })(xs), (e: unknown) => e instanceof VmapError && /axis 2/.test(e.message))
  assert.throws(
    () => vmap((q: { a: tf.Tensor }) => q.a, { inAxes: [{ b: 0 }] })({ a: xs }),
    (e: unknown) => e instanceof VmapError || e instanceof TreeMismatchError,
  )
})

t.run()
