/**
 * imle's corrections to tfjs's gradients (`src/core/gradients.ts`), each against a closed form,
 * float64 finite differences or the per-example loop: broadcast operands summed back
 * (`maximum`, `minimum`, `squaredDifference`, `matMul`'s batch axes, the shared weight of a
 * linear layer under `grad(vmap)`), ties split equally (JAX's rule), `prod` with zeros,
 * `unstack` along a length-1 axis, `gather` on every backend, `tile` past rank 4, `topk`, and
 * comparisons on the tape.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, ops, vmap } from '../../src/index.js'
import { assertClose, setup } from '../support/helpers.js'

const t = suite('gradients')
t.before(setup)

const fd = (f: (v: number[]) => number, v: number[], h = 1e-3): number[] =>
  v.map((_, i) => {
    const up = v.slice()
    const dn = v.slice()
    up[i]! += h
    dn[i]! -= h
    return (f(up) - f(dn)) / (2 * h)
  })

/** The loop that `grad(sum(vmap(f)))` must equal for a shared first argument: the sum of per-example gradients. */
const sumOfGrads = (f: (w: tf.Tensor, x: tf.Tensor) => tf.Tensor, w: tf.Tensor, xs: tf.Tensor): tf.Tensor =>
  tf.addN(tf.unstack(xs).map((x) => grad(f)(w, x)))

t('grad(vmap) of a linear layer W x with W shared, with dot and with matMul', () => {
  const W = tf.randomNormal([3, 4], 0, 1, 'float32', 1)
  const xs = tf.randomNormal([5, 4], 0, 1, 'float32', 2)
  const c = tf.tensor1d([1, -2, 0.5])
  const viaDot = (w: tf.Tensor, x: tf.Tensor) => ops.sum(ops.mul(ops.dot(w, x), c)) // ([3, 4], [4]) -> []
  const viaMatMul = (w: tf.Tensor, x: tf.Tensor) => ops.sum(ops.mul(ops.matMul(w, ops.expandDims(x, 1)), ops.expandDims(c, 1)))
  for (const f of [viaDot, viaMatMul]) {
    const g = grad((w: tf.Tensor) => ops.sum(vmap(f, { inAxes: [null, 0] })(w, xs)))(W)
    assertClose(g, sumOfGrads(f, W, xs), 1e-4, 1e-4)
    // Closed form: sum_b c x_b^T.
    assertClose(g, tf.matMul(tf.expandDims(c, 1), tf.expandDims(tf.sum(xs, 0), 0)), 1e-4, 1e-4)
  }
})

t('grad(vmap) with a shared operand of maximum, minimum and squaredDifference', () => {
  const w = tf.tensor1d([0.3, -0.2, 0.9, -1.1])
  const xs = tf.randomNormal([6, 4], 0, 1, 'float32', 3)
  for (const op of [ops.maximum, ops.minimum, ops.squaredDifference]) {
    const f = (v: tf.Tensor, x: tf.Tensor) => ops.sum(ops.mul(op(v, x), tf.tensor1d([1, 2, 3, 4])))
    const g = grad((v: tf.Tensor) => ops.sum(vmap(f, { inAxes: [null, 0] })(v, xs)))(w)
    assertClose(g, sumOfGrads(f, w, xs), 1e-5, 1e-4, op.name)
  }
})

t('broadcast operands of maximum, minimum, squaredDifference, pow and atan2 get summed gradients', () => {
  const a = [0.5, 1.5, 1.2] // [3]
  const b = [[0.9, 1.1, 0.3], [2.0, 0.2, 1.6]] // [2, 3]
  const rows = (f: (x: number, y: number) => number) => (av: number[], bv: number[]) =>
    bv.reduce((s, y, k) => s + f(av[k % 3]!, y) * (k + 1), 0)
  const cases: [string, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
    ['maximum', ops.maximum, Math.max],
    ['minimum', ops.minimum, Math.min],
    ['squaredDifference', ops.squaredDifference, (x, y) => (x - y) ** 2],
    ['pow', ops.pow, (x, y) => x ** y],
    ['atan2', (x, y) => tf.atan2(x, y), Math.atan2],
  ]
  const weights = tf.reshape(tf.range(1, 7), [2, 3])
  for (const [name, op, f] of cases) {
    const loss = (x: tf.Tensor, y: tf.Tensor) => ops.sum(ops.mul(op(x, y), weights))
    const [ga, gb] = grad(loss, { argnums: [0, 1] })(tf.tensor1d(a), tf.tensor2d(b))
    const flatB = b.flat()
    assertClose(ga, tf.tensor1d(fd((v) => rows(f)(v, flatB), a)), 1e-3, 1e-3, `${name} a`)
    assertClose(gb, tf.tensor2d(fd((v) => rows(f)(a, v), flatB), [2, 3]), 1e-3, 1e-3, `${name} b`)
  }
})

t('ties split the cotangent equally (as JAX): max(tile(x)), maximum(x, x), ties in a max reduction', () => {
  // max(tile([a, b, c], [2])) with c the maximum: the two copies of c share the cotangent.
  assertClose(grad((x: tf.Tensor) => ops.max(ops.tile(x, [2])))(tf.tensor1d([0, 1, 2])), tf.tensor1d([0, 0, 1]))
  assertClose(grad((x: tf.Tensor) => ops.sum(ops.maximum(x, x)))(tf.tensor1d([1, -2])), tf.tensor1d([1, 1]))
  assertClose(grad((x: tf.Tensor) => ops.max(x))(tf.tensor1d([3, 1, 3, 3])), tf.tensor1d([1 / 3, 0, 1 / 3, 1 / 3]))
  assertClose(grad((x: tf.Tensor) => ops.sum(ops.min(x, 1)))(tf.tensor2d([[1, 1], [0, 2]])), tf.tensor2d([[0.5, 0.5], [1, 0]]))
  // A tie of maximum with a constant: half of the cotangent goes to the variable.
  assertClose(grad((x: tf.Tensor) => ops.sum(ops.maximum(x, 0)))(tf.tensor1d([0, 1, -1])), tf.tensor1d([0.5, 1, 0]))
})

t('prod: exact with zeros, over several axes', () => {
  assertClose(grad((x: tf.Tensor) => ops.prod(x))(tf.tensor1d([2, 0, 3])), tf.tensor1d([0, 6, 0]))
  assertClose(grad((x: tf.Tensor) => ops.prod(x))(tf.tensor1d([0, 0, 3])), tf.tensor1d([0, 0, 0]))
  const x = [[1.5, -2, 0.5], [3, 1, -1]]
  const g = grad((v: tf.Tensor) => ops.sum(ops.mul(ops.prod(v, [0]), tf.tensor1d([1, 2, 3]))))(tf.tensor2d(x))
  assertClose(g, tf.tensor2d([[3, 2, -3], [1.5, -4, 1.5]]))
  const all = grad((v: tf.Tensor) => ops.sum(ops.prod(v, [1, 0], true)))(tf.tensor2d(x))
  assertClose(all, tf.tensor2d([[3, -2.25, 9], [1.5, 4.5, -4.5]]))
})

t('unstack along a length-1 axis, and a single output of several', () => {
  assertClose(grad((x: tf.Tensor) => ops.sum(ops.mul(ops.unstack(x, 0)[0]!, tf.tensor1d([1, 2, 3]))))(tf.ones([1, 3])), tf.tensor2d([[1, 2, 3]]))
  assertClose(grad((x: tf.Tensor) => ops.sum(ops.unstack(x, 1)[1]!))(tf.ones([2, 3])), tf.tensor2d([[0, 1, 0], [0, 1, 0]]))
})

t('matMul broadcasts batch axes correctly, forward and backward (tf broadcasts by flat index)', () => {
  const a = tf.randomNormal([2, 1, 2, 3], 0, 1, 'float32', 4)
  const b = tf.randomNormal([3, 3, 4], 0, 1, 'float32', 5)
  const out = ops.matMul(a, b) // [2, 3, 2, 4]
  const loop = tf.stack(tf.unstack(a).map((ai) => tf.stack(tf.unstack(b).map((bj) => tf.matMul(tf.squeeze(ai, [0]), bj)))))
  assertClose(out, loop)
  const w = tf.randomNormal([2, 3, 2, 4], 0, 1, 'float32', 6)
  const [ga, gb] = grad((x: tf.Tensor, y: tf.Tensor) => ops.sum(ops.mul(ops.matMul(x, y), w)), { argnums: [0, 1] })(a, b)
  // d/da = sum_j w_ij b_j^T; d/db = sum_i a_i^T w_ij.
  const wb = tf.stack(tf.unstack(w).map((wi) => tf.addN(tf.unstack(wi).map((wij, j) => tf.matMul(wij, tf.unstack(b)[j]!, false, true))))) // [2, 2, 3]
  assertClose(ga, tf.expandDims(wb, 1), 1e-4, 1e-4)
  const aw = tf.stack(tf.unstack(b).map((_, j) => tf.addN(tf.unstack(a).map((ai, i) => tf.matMul(tf.squeeze(ai, [0]), tf.unstack(tf.unstack(w)[i]!)[j]!, true, false)))))
  assertClose(gb, aw, 1e-4, 1e-4)
})

t('vmap(grad) over matMul with the batch axis anywhere, either operand, transposed or not', () => {
  const w = tf.randomNormal([2, 3], 0, 1, 'float32', 7)
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    for (const axis of [0, 1, 2]) {
      const xs = tf.randomNormal(tB ? [3, 4] : [4, 3], 0, 1, 'float32', 8)
      const ys = tf.randomNormal([3, 3, 3].map((n, i) => (i === axis ? 5 : n)), 0, 1, 'float32', 9) // a batch of [3, 3]
      const f = (a: tf.Tensor, y: tf.Tensor) => ops.sum(ops.mul(ops.matMul(tA ? ops.transpose(a) : a, y, tA, tB), w)) // [2|3, 3] x [3, 3]
      const a = tf.slice(xs, [0, 0], [2, 3])
      const got = vmap(grad(f, { argnums: [0, 1] }), { inAxes: [null, axis] })(a, ys) as readonly tf.Tensor[]
      const per = tf.unstack(ys, axis).map((y) => grad(f, { argnums: [0, 1] })(a, y) as readonly tf.Tensor[])
      assertClose(got[0]!, tf.stack(per.map((p) => p[0]!)), 1e-4, 1e-4, `a tA=${tA} tB=${tB} axis=${axis}`)
      assertClose(got[1]!, tf.stack(per.map((p) => p[1]!)), 1e-4, 1e-4, `y tA=${tA} tB=${tB} axis=${axis}`)
    }
  }
})

t('gather: negative axis, repeated indices, batchDims, on every backend', () => {
  const x = tf.tensor2d([[1, 2], [3, 4]])
  const w = tf.reshape(tf.range(0, 6), [2, 3])
  assertClose(grad((v: tf.Tensor) => ops.sum(ops.mul(ops.gather(v, tf.tensor1d([0, 0, 1], 'int32'), -1), w)))(x), tf.tensor2d([[1, 2], [7, 5]]))
  // batchDims 1: row r gathers its own indices.
  const idx = tf.tensor2d([[1, 1], [0, 1]], [2, 2], 'int32')
  const g = grad((v: tf.Tensor) => ops.sum(ops.mul(ops.gather(v, idx, 1, 1), tf.tensor2d([[1, 2], [3, 4]]))))(x)
  assertClose(g, tf.tensor2d([[0, 3], [3, 4]]))
})

t('tile past rank 4 (a rank-4 tile under vmap) and topk values', () => {
  const xs = tf.randomNormal([2, 1, 2, 1, 2], 0, 1, 'float32', 10)
  const f = (x: tf.Tensor) => ops.sum(ops.mul(ops.tile(x, [2, 1, 2, 1]), tf.reshape(tf.range(0, 16), [2, 2, 2, 2]))) // [1, 2, 1, 2] -> []
  const got = vmap(grad(f))(xs)
  assertClose(got, tf.stack(tf.unstack(xs).map((x) => grad(f)(x))))
  const g = grad((x: tf.Tensor) => ops.sum(ops.mul(ops.topk(x, 2).values, tf.tensor1d([1, 10]))))(tf.tensor1d([0.5, 3, -1, 2]))
  assertClose(g, tf.tensor1d([0, 1, 0, 10]))
})

t('comparisons feeding where are on the tape with zero gradients', () => {
  const c = tf.tensor1d([0, 0, 0])
  const f = (x: tf.Tensor) => ops.sum(ops.where(ops.greater(x, c), ops.square(x), ops.neg(x)))
  assertClose(grad(f)(tf.tensor1d([1, -2, 3])), tf.tensor1d([2, -1, 6]))
  const h = (x: tf.Tensor) => ops.sum(ops.where(ops.logicalNot(ops.lessEqual(x, c)), x, 0))
  assertClose(grad(h)(tf.tensor1d([1, -2, 3])), tf.tensor1d([1, 0, 1]))
})

t('ops.oneHot with a float dtype gives exactly onValue and offValue (wasm writes int32 words)', () => {
  assertClose(ops.oneHot(tf.tensor1d([0, 2], 'int32'), 3, 0.9, 0.05, 'float32'), tf.tensor2d([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]]), 0, 0)
})

t('sum and mean: the gradient spreads the cotangent with no host array of the input\'s size', () => {
  const x = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 9)
  const c = tf.randomNormal([3, 4], 0, 1, 'float32', 10)
  // d/dx sum_j c_j . sum(x, 1)_j = c broadcast along axis 1; mean divides by 5.
  assertClose(grad((v: tf.Tensor) => ops.sum(ops.mul(ops.sum(v, 1), c)))(x), tf.tile(tf.expandDims(c, 1), [1, 5, 1]), 0, 0)
  assertClose(grad((v: tf.Tensor) => ops.sum(ops.mul(ops.mean(v, 1), c)))(x), tf.div(tf.tile(tf.expandDims(c, 1), [1, 5, 1]), 5), 1e-7, 1e-7)
  assertClose(grad((v: tf.Tensor) => ops.mean(v))(x), tf.fill([3, 5, 4], 1 / 60), 1e-7, 1e-7)
  // tfjs's own gradients build ones(x.shape) on the host (engine.makeTensor from a typed array):
  // record the largest host array made into a tensor while the gradients run.
  const big = tf.randomNormal([200, 50], 0, 1, 'float32', 11)
  const engine = tf.engine() as unknown as { makeTensor: (values: { length: number }, ...rest: unknown[]) => tf.Tensor }
  const makeTensor = engine.makeTensor
  let largest = 0
  engine.makeTensor = function (this: unknown, values: { length: number }, ...rest: unknown[]) {
    largest = Math.max(largest, values?.length ?? 0)
    return makeTensor.call(this, values, ...rest)
  }
  try {
    for (const f of [ops.sum, ops.mean]) tf.tidy(() => grad((v: tf.Tensor) => f(v))(big).dataSync())
  } finally {
    engine.makeTensor = makeTensor
  }
  assert.ok(largest < 10_000, `a host array of ${largest} values was uploaded`)
})

t.run()
