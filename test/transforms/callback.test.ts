import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, callback, grad, ops, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

const t = suite('callback')
t.before(setup)

// Opaque per-example code: reads data, computes in JS (the running maximum of a vector).
let sequentialCalls = 0
const cummaxJs = (x: tf.Tensor): tf.Tensor => {
  sequentialCalls++
  const d = x.dataSync()
  const out = new Float32Array(d.length)
  let m = -Infinity
  for (let i = 0; i < d.length; i++) out[i] = m = Math.max(m, d[i]!)
  return tf.tensor1d(out)
}
// Its vectorized form: [N, n] -> [N, n].
let vectorizedCalls = 0
const cummaxRowsJs = (x: tf.Tensor): tf.Tensor => {
  vectorizedCalls++
  return tf.stack(tf.unstack(x).map((r) => cummaxJs(r)))
}

t('outside vmap a callback is the function itself', () => {
  const f = callback(cummaxJs, { vmapMethod: 'sequential' })
  assertClose(f(tf.tensor1d([1, 3, 2, 5])), tf.tensor1d([1, 3, 3, 5]))
})

t('sequential and vectorized agree with the loop, with inAxes, outAxes and nesting', () => {
  const xs = tf.randomNormal([3, 4, 5])
  const loop = tf.stack(tf.unstack(xs).map((a) => tf.stack(tf.unstack(a).map(cummaxJs))))
  for (const method of ['sequential', 'vectorized'] as const) {
    const g = method === 'sequential' ? callback(cummaxJs, { vmapMethod: method }) : callback(cummaxRowsJs, { vmapMethod: method })
    assertClose(vmap(vmap(g))(xs), loop, 1e-6, 0, method)
    // batched along axis 1 of the input, batch axis last in the output
    const out = vmap(g, { inAxes: 1, outAxes: -1 })(tf.transpose(tf.reshape(xs, [12, 5]))) // [5, 12] -> [5, 12]
    assertClose(out, tf.transpose(tf.reshape(loop, [12, 5])), 1e-6, 0, method)
  }
  const vectorized = vmap(vmap(callback(cummaxRowsJs, { vmapMethod: 'vectorized' })))
  vectorizedCalls = 0
  vectorized(xs)
  // The first call with a new input signature also runs fn on the first example alone, to
  // check that it keeps the batch axis; after that, one call per vmapped call.
  assert.is(vectorizedCalls, 2, 'vectorized: the first call of a signature: the batch, then the check on one example')
  vectorizedCalls = 0
  vectorized(xs)
  assert.is(vectorizedCalls, 1, 'vectorized: one call for all 12 examples of the nested vmap')
  sequentialCalls = 0
  vmap(vmap(callback(cummaxJs, { vmapMethod: 'sequential' })))(xs)
  assert.is(sequentialCalls, 12, 'sequential: one call per example')
})

t('an unbatched argument is broadcast for a vectorized callback; mixed with ops', () => {
  const addRows = callback((x: tf.Tensor, y: tf.Tensor) => tf.add(x, y), { vmapMethod: 'vectorized' })
  const xs = tf.randomNormal([4, 3])
  const y = tf.randomNormal([3])
  const out = vmap((x: tf.Tensor) => ops.mul(addRows(x, y), 2))(xs)
  assertClose(out, tf.mul(tf.add(xs, y), 2))
})

t('pytree in and out', () => {
  const f = callback((p: { a: tf.Tensor; b: tf.Tensor }) => [tf.add(p.a, p.b), { d: tf.sub(p.a, p.b) }] as const, { vmapMethod: 'sequential' })
  const a = tf.randomNormal([5, 2])
  const b = tf.randomNormal([2])
  const [s, { d }] = vmap(f, { inAxes: [{ a: 0, b: null }] })({ a, b })
  assertClose(s, tf.add(a, b))
  assertClose(d, tf.sub(a, b))
})

t('transformations inside a callback do not see the enclosing vmap', () => {
  // grad inside opaque code: per-example gradients, computed on plain tensors.
  const f = (x: tf.Tensor) => ops.sum(ops.mul(ops.square(x), x)) // sum x^3
  const xs = tf.randomNormal([4, 3])
  for (const vmapMethod of ['sequential', 'vectorized'] as const) {
    const g = callback((x: tf.Tensor) => grad(vmapMethod === 'sequential' ? f : (v: tf.Tensor) => ops.sum(vmap(f)(v)))(x), { vmapMethod })
    assertClose(vmap(g)(xs), tf.mul(tf.square(xs), 3), 1e-5, 1e-4, vmapMethod)
    assertClose(vmap(vmap(g))(tf.reshape(xs, [2, 2, 3])), tf.reshape(tf.mul(tf.square(xs), 3), [2, 2, 3]), 1e-5, 1e-4, vmapMethod)
  }
})

t('no leaks; errors', () => {
  const xs = tf.randomNormal([3, 4])
  assertNoLeak(() => vmap(callback(cummaxJs, { vmapMethod: 'sequential' }))(xs), 1).dispose()
  assertNoLeak(() => vmap(callback(cummaxRowsJs, { vmapMethod: 'vectorized' }))(xs), 1).dispose()
  const bad = callback((x: tf.Tensor) => tf.sum(x), { vmapMethod: 'vectorized' }) // drops the batch axis
  assert.throws(() => vmap(bad)(xs), (e: unknown) => e instanceof ArgumentError && /leading axis/.test(e.message))
  assert.throws(() => callback(cummaxJs, { vmapMethod: 'parallel' as 'sequential' }), (e: unknown) => e instanceof ArgumentError && /vmapMethod/.test(e.message))
})

t.run()
