import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { customVjp, grad, GradError, imle, noise, ops, random, solvers, target, valueAndGrad, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

const t = suite('grad')
t.before(setup)

// A function of a pytree, written twice: with ops (differentiated by tfjs) and in float64 JS
// (differentiated by central finite differences, the reference).
type P = { w: tf.Tensor; b: readonly [tf.Tensor] }
const fOps = (p: P, x: tf.Tensor): tf.Tensor =>
  ops.sum(ops.mul(ops.tanh(ops.add(ops.mul(p.w, x), p.b[0])), ops.exp(ops.mul(p.w, 0.3)))) // ([n], [n]) -> []
const fJs = (w: number[], b: number, x: number[]): number =>
  w.reduce((s, wi, i) => s + Math.tanh(wi * x[i]! + b) * Math.exp(0.3 * wi), 0)

const fd = (g: (v: number[]) => number, v: number[], h = 1e-6): number[] =>
  v.map((_, i) => {
    const up = v.slice()
    const dn = v.slice()
    up[i]! += h
    dn[i]! -= h
    return (g(up) - g(dn)) / (2 * h)
  })

const rand = (n: number): number[] => Array.from({ length: n }, () => Math.random() * 2 - 1)

t('valueAndGrad matches float64 central differences on a pytree argument', () => {
  for (let trial = 0; trial < 5; trial++) {
    const w = rand(4)
    const b = Math.random() - 0.5
    const x = rand(4)
    const p: P = { w: tf.tensor1d(w), b: [tf.scalar(b)] }
    const [value, g] = valueAndGrad(fOps)(p, tf.tensor1d(x))
    assert.ok(Math.abs(value.dataSync()[0]! - fJs(w, b, x)) < 1e-5)
    assertClose(g.w, tf.tensor1d(fd((v) => fJs(v, b, x), w)), 1e-4, 1e-3, 'dw')
    assertClose(g.b[0], tf.scalar(fd((v) => fJs(w, v[0]!, x), [b])[0]!), 1e-4, 1e-3, 'db')
  }
})

t('argnums as an array gives a tuple of gradients; argnums picks the second argument', () => {
  const w = rand(3)
  const x = rand(3)
  const p: P = { w: tf.tensor1d(w), b: [tf.scalar(0.1)] }
  const [gp, gx] = grad(fOps, { argnums: [0, 1] })(p, tf.tensor1d(x))
  assertClose(gp.w, tf.tensor1d(fd((v) => fJs(v, 0.1, x), w)), 1e-4, 1e-3)
  const gx2 = grad(fOps, { argnums: 1 })(p, tf.tensor1d(x))
  assertClose(gx, tf.tensor1d(fd((v) => fJs(w, 0.1, v), x)), 1e-4, 1e-3)
  assertClose(gx2, gx)
})

t('hasAux passes aux through and differentiates the first output', () => {
  const f = (x: tf.Tensor) => [ops.sum(ops.square(x)), { doubled: ops.mul(x, 2), label: 'aux' }] as const
  const x = tf.tensor1d([1, 2, 3])
  const [[value, aux], g] = valueAndGrad(f, { hasAux: true })(x)
  assertClose(value, tf.scalar(14))
  assertClose(aux.doubled, tf.tensor1d([2, 4, 6]))
  assert.is(aux.label, 'aux')
  assertClose(g, tf.tensor1d([2, 4, 6]))
  const [g2, aux2] = grad(f, { hasAux: true })(x)
  assertClose(g2, g)
  assertClose(aux2.doubled, aux.doubled)
})

t('an argument leaf that does not affect the output gets zeros', () => {
  const g = grad((p: { a: tf.Tensor; b: tf.Tensor }) => ops.sum(p.a))({ a: tf.ones([2]), b: tf.ones([3]) })
  assertClose(g.b, tf.zeros([3]))
})

t('the same tensor passed as argument and closed over: only the argument is differentiated', () => {
  const x = tf.tensor1d([1, 2])
  const g = grad((y: tf.Tensor) => ops.sum(ops.mul(y, x)))(x)
  assertClose(g, x)
})

const loss = (w: tf.Tensor, x: tf.Tensor) => ops.sum(ops.square(ops.sub(ops.mul(w, x), 1))) // ([n], [n]) -> []

t('vmap(grad(f)) equals a loop of grad(f), including an unbatched argument', () => {
  const w = tf.randomNormal([4])
  const xs = tf.randomNormal([6, 4])
  const perEx = vmap(grad(loss), { inAxes: [null, 0] })(w, xs) // [6, 4]
  const loop = tf.stack(tf.unstack(xs).map((x) => grad(loss)(w, x)))
  assertClose(perEx, loop)
  const perExX = vmap(grad(loss, { argnums: 1 }), { inAxes: [null, 0] })(w, xs)
  assertClose(perExX, tf.stack(tf.unstack(xs).map((x) => grad(loss, { argnums: 1 })(w, x))))
})

t('vmap(grad(f)) with the batched value closed over (per-example gradients)', () => {
  const w = tf.randomNormal([4])
  const xs = tf.randomNormal([5, 4])
  const perEx = vmap((x: tf.Tensor) => grad((v: tf.Tensor) => loss(v, x))(w))(xs)
  assertClose(perEx, tf.stack(tf.unstack(xs).map((x) => grad(loss)(w, x))))
})

t('grad(vmap(f)) equals grad of the loop', () => {
  const w = tf.randomNormal([4])
  const xs = tf.randomNormal([6, 4])
  const g = grad((v: tf.Tensor) => ops.sum(vmap(loss, { inAxes: [null, 0] })(v, xs)))(w)
  const gLoop = grad((v: tf.Tensor) => tf.addN(tf.unstack(xs).map((x) => loss(v, x))))(w)
  assertClose(g, gLoop, 1e-4, 1e-4)
})

t('vmap(vmap(grad(f))) equals the double loop', () => {
  const w = tf.randomNormal([3])
  const xs = tf.randomNormal([2, 4, 3])
  const out = vmap(vmap(grad(loss), { inAxes: [null, 0] }), { inAxes: [null, 0] })(w, xs) // [2, 4, 3]
  const loop = tf.stack(tf.unstack(xs).map((x2) => tf.stack(tf.unstack(x2).map((x) => grad(loss)(w, x)))))
  assertClose(out, loop)
})

t('no leaks: grad, valueAndGrad, vmap(grad), grad(vmap)', () => {
  const w = tf.randomNormal([4])
  const xs = tf.randomNormal([6, 4])
  assertNoLeak(() => grad(loss)(w, xs), 1).dispose()
  tf.dispose(assertNoLeak(() => valueAndGrad(loss)(w, xs), 2))
  assertNoLeak(() => vmap(grad(loss), { inAxes: [null, 0] })(w, xs), 1).dispose()
  assertNoLeak(() => grad((v: tf.Tensor) => ops.sum(vmap(loss, { inAxes: [null, 0] })(v, xs)))(w), 1).dispose()
})

/** Calls `fail` 100 times, asserting each throws, and that no tensor is left behind. */
function assertFailuresLeakNothing(what: string, fail: () => unknown): void {
  const before = tf.memory().numTensors
  for (let i = 0; i < 100; i++) assert.throws(fail, undefined, what)
  assert.is(tf.memory().numTensors - before, 0, `${what}: tensors leaked over 100 failed calls`)
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; kernelDepth: number; activeScope: unknown } }).state
  assert.is(state.gradientDepth, 0, `${what}: a tape is still recording`)
  assert.is(state.kernelDepth, 0, `${what}: a kernel is still open`)
}

t('errors raised inside grad leak nothing: in f, after a vmap, in a customVjp backward pass, in an imle solver', () => {
  const x = tf.tensor1d([0.5, -1, 2])
  const xs = tf.ones([4, 3])
  assertFailuresLeakNothing('f throws after some ops', () =>
    grad((a: tf.Tensor) => {
      ops.sum(ops.exp(ops.mul(a, 2)))
      throw new Error('f failed')
    })(x),
  )
  assertFailuresLeakNothing('f throws under vmap', () =>
    grad((a: tf.Tensor) => ops.sum(vmap((r: tf.Tensor) => ops.mul(ops.exp(r), ops.sum(ops.reshape(r, [2, -1]))))(a)))(xs),
  )
  const failing = customVjp(
    (a: tf.Tensor) => [ops.square(a), a] as const,
    (): [tf.Tensor] => {
      throw new Error('bwd failed')
    },
  )
  assertFailuresLeakNothing('customVjp bwd throws', () => grad((a: tf.Tensor) => ops.sum(ops.exp(failing(ops.mul(a, 2)))))(x))
  assertFailuresLeakNothing('customVjp bwd throws under vmap', () =>
    grad((a: tf.Tensor) => ops.sum(vmap((r: tf.Tensor) => ops.exp(failing(r)))(a)))(xs),
  )
  // A user's solver that throws on every second call: the forward pass solves, the backward fails.
  let calls = 0
  const flaky = solvers.define({
    name: 'flakyArgmax',
    instanceRank: 1,
    axes: ['n'],
    kernel: (theta, out, count, [n]) => {
      if (++calls % 2 === 0) throw new Error('solver failed')
      for (let r = 0; r < count; r++) {
        let best = 0
        for (let i = 1; i < n!; i++) if (theta[r * n! + i]! > theta[r * n! + best]!) best = i
        out[r * n! + best] = 1
      }
    },
  })
  const layer = imle(flaky, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 2 })
  const key = random.key(0)
  const keys = random.split(key, 4)
  const w = tf.tensor2d([[1, 2, 3], [3, 2, 1]])
  assertFailuresLeakNothing('imle solver throws in the backward pass', () => {
    calls = 0
    return grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, key), w)))(x)
  })
  assertFailuresLeakNothing('vmap(imle) solver throws in the backward pass', () => {
    calls = 0
    return grad((th: tf.Tensor) => ops.sum(vmap((r: tf.Tensor, k: tf.Tensor) => ops.sum(ops.mul(layer(r, k), w)))(th, keys)))(xs)
  })
  // And the engine still differentiates afterwards.
  assertClose(grad((a: tf.Tensor) => ops.sum(ops.square(a)))(x), tf.tensor1d([1, -2, 4]))
})

t('errors: non-scalar output, argnums out of range, int argument', () => {
  assert.throws(() => grad((x: tf.Tensor) => ops.mul(x, 2))(tf.ones([3])), (e: unknown) => e instanceof GradError && /scalar/.test(e.message))
  assert.throws(() => grad(loss, { argnums: 2 })(tf.ones([2]), tf.ones([2])), (e: unknown) => e instanceof GradError && /argnums/.test(e.message))
  assert.throws(() => grad((x: tf.Tensor) => ops.sum(x))(tf.ones([2], 'int32')), (e: unknown) => e instanceof GradError && /int32/.test(e.message))
})

t.run()
