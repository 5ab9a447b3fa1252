/**
 * Host kernels: several operands with their own instance ranks and broadcasting leads, one
 * call for every vmap level, per-backend implementations, the load step, and typed errors.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, defineKernel, grad, ops, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, BACKEND, setup } from '../support/helpers.js'

const t = suite('kernel')
t.before(setup)

// <x, w> per instance and x scaled by the sum of w: two operands of rank 1, two outputs.
const dotScale = defineKernel<number>({
  name: 'test.dotScale',
  operands: [
    { name: 'x', rank: 1 },
    { name: 'w', rank: 1 },
  ],
  outputs: (shapes) => [
    { shape: [], dtype: 'float32' },
    { shape: shapes[0]!, dtype: 'float32' },
  ],
  host: ({ inputs: [x, w], shapes, count, params, outputs: [dot, scaled] }) => {
    const n = shapes[0]![0]!
    for (let r = 0; r < count; r++) {
      let d = 0
      let s = 0
      for (let i = 0; i < n; i++) {
        d += x![r * n + i]! * w![r * n + i]!
        s += w![r * n + i]!
      }
      dot![r] = d * params
      for (let i = 0; i < n; i++) scaled![r * n + i] = x![r * n + i]! * s
    }
  },
})
const reference = (x: tf.Tensor, w: tf.Tensor, c: number): tf.Tensor[] => [
  tf.mul(tf.sum(tf.mul(x, w), -1), c),
  tf.mul(x, tf.expandDims(tf.sum(w, -1), -1)),
]

t('several operands: leads broadcast (numpy rules) and outputs follow the common lead', () => {
  const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1)
  for (const w of [tf.randomNormal([4], 0, 1, 'float32', 2), tf.randomNormal([3, 4], 0, 1, 'float32', 3), tf.randomNormal([2, 1, 4], 0, 1, 'float32', 4)]) {
    const [d, s] = dotScale([x, w], 2)
    const [rd, rs] = reference(x, w, 2)
    assertClose(d!, rd!, 1e-5, 1e-5, `w [${w.shape}]`)
    assertClose(s!, rs!, 1e-5, 1e-5, `w [${w.shape}]`)
  }
  assert.throws(() => dotScale([x, tf.ones([2, 2, 4])], 1), (e: unknown) => e instanceof ArgumentError && /do not broadcast/.test(e.message))
})

t('under vmap (operands batched at different levels, or shared): the loop, in one call', () => {
  const xs = tf.randomNormal([3, 2, 4], 0, 1, 'float32', 5)
  const ws = tf.randomNormal([2, 4], 0, 1, 'float32', 6)
  const f = (x: tf.Tensor, w: tf.Tensor) => dotScale([x, w], 3)[0]!
  const before = dotScale.calls()
  // The outer vmap maps x's first axis with w shared; the inner maps x's and w's first axes.
  const got = vmap((x: tf.Tensor) => vmap(f)(x, ws), { inAxes: 0 })(xs) // [3, 2]
  assert.is(dotScale.calls() - before, 1, 'one host call for both levels')
  const loop = tf.stack(tf.unstack(xs).map((x) => tf.stack(tf.unstack(x).map((xi, j) => f(xi, tf.unstack(ws)[j]!)))))
  assertClose(got, loop, 1e-5, 1e-5)
  // Shared x, batched w.
  const x0 = tf.unstack(xs)[0]! // [2, 4]
  const wb = tf.randomNormal([5, 2, 4], 0, 1, 'float32', 7)
  const shared = vmap((w: tf.Tensor) => dotScale([x0, w], 3)[0]!)(wb) // [5, 2]
  assertClose(shared, tf.stack(tf.unstack(wb).map((w) => dotScale([x0, w], 3)[0]!)), 1e-5, 1e-5, 'shared x')
  assertNoLeak(() => vmap(f)(x0, ws).dispose(), 0, 'the unused second output is freed')
})

t('a per-backend implementation replaces the host kernel on its backend', () => {
  let used = 0
  const viaTf = defineKernel<void>({
    name: 'test.double',
    operands: [{ name: 'x', rank: 1 }],
    outputs: (shapes) => [{ shape: shapes[0]!, dtype: 'float32' }],
    host: ({ inputs: [x], outputs: [out] }) => {
      for (let i = 0; i < x!.length; i++) out![i] = 2 * x![i]!
    },
    backends: {
      [BACKEND]: ([x]) => {
        used++
        return [tf.mul(x!, 2)] // [N, n]
      },
    },
  })
  const x = tf.randomNormal([3, 2, 5], 0, 1, 'float32', 8)
  assertClose(vmap(vmap((v: tf.Tensor) => viaTf([v], undefined)[0]!))(x), tf.mul(x, 2), 1e-6, 1e-6)
  assert.is(used, 1, 'the backend implementation ran once, on [N, n]')
})

t('a kernel with a load step refuses to run before it has loaded', async () => {
  let loads = 0
  const lazy = defineKernel<void>({
    name: 'test.lazy',
    operands: [{ name: 'x', rank: 0 }],
    outputs: () => [{ shape: [], dtype: 'float32' }],
    host: ({ inputs: [x], outputs: [out] }) => out!.set(x!),
    load: async () => {
      loads++
    },
  })
  assert.is(lazy.loaded(), false)
  assert.throws(() => lazy([tf.ones([2])], undefined), (e: unknown) => e instanceof ArgumentError && /test\.lazy: .*await its load\(\)/.test(e.message))
  await Promise.all([lazy.load(), lazy.load()])
  assert.is(loads, 1, 'load runs once')
  assert.ok(lazy.loaded())
  assertClose(lazy([tf.ones([2])], undefined)[0]!, tf.ones([2]))
})

t('typed errors: too few operands, an operand below its instance rank', () => {
  assert.throws(() => dotScale([tf.ones([4])], 1), (e: unknown) => e instanceof ArgumentError && /expected 2 operand/.test(e.message))
  assert.throws(() => dotScale([tf.scalar(1), tf.ones([4])], 1), (e: unknown) => e instanceof ArgumentError && /operand 0 must be a tensor of rank >= 1/.test(e.message))
})

t('kernel outputs are constants under grad (no gradient flows through the host)', () => {
  const g = grad((x: tf.Tensor) => ops.sum(ops.mul(x, dotScale([x, tf.ones([4])], 1)[0]!)))(tf.ones([4]))
  assertClose(g, tf.fill([4], 4))
})

t('on wasm the kernel reads and writes the heap in place; a kernel that grows the heap is run again on host buffers', () => {
  // Outputs are the inputs doubled, read from the heap views (or host copies) and zeroed first.
  const heapBytes = (): number => (BACKEND === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : 0)
  let calls = 0
  let grow = false
  const double = defineKernel<void>({
    name: 'test.double',
    operands: [{ name: 'x', rank: 1 }],
    outputs: ([s]) => [{ shape: s!, dtype: 'float32' }],
    host: ({ inputs: [x], count, shapes: [s], outputs: [out] }) => {
      calls++
      // A kernel that calls tfjs and allocates enough to grow the wasm heap detaches the views.
      if (grow) tf.zeros([(heapBytes() >> 2) + 1024]).dispose() // more than the whole heap: it must grow
      for (let i = 0; i < count * s![0]!; i++) out![i] = out![i]! + 2 * x![i]!
    },
  })
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]) // [2, 3]
  const want = tf.tensor2d([[2, 4, 6], [8, 10, 12]])
  assertClose(double([x], undefined)[0]!, want, 0, 0, 'in place (wasm) or on host buffers (cpu)')
  assert.is(calls, 1)
  assertNoLeak(() => double([x], undefined)[0]!.dispose(), 0, 'no leak')
  grow = BACKEND === 'wasm'
  calls = 0
  const before = tf.memory().numTensors
  assertClose(double([x], undefined)[0]!, want, 0, 0, 'a kernel that grew the heap')
  assert.is(calls, BACKEND === 'wasm' ? 2 : 1, 'run again on host buffers when the heap grew (wasm only)')
  assert.is(tf.memory().numTensors, before + 1, 'the detached outputs are freed')
})

t.run()
