/**
 * The kernels imle registers on the wasm backend for gradients (`src/core/wasm_kernels.ts`):
 * the gradients of `conv2d` (strides, paddings), `conv2dTranspose`, `depthwiseConv2d`,
 * `maxPool`, `avgPool`, a batch-norm-style normalisation, `gather` and `unsortedSegmentSum`
 * computed on wasm equal the cpu backend's, for several shapes; Identity and same-dtype Cast share
 * the data, a Cast to bool is `x != 0`; nothing is registered at import.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, ops } from '../../src/index.js'
import { assertClose, onCpuAndWasm, setup } from '../support/helpers.js'

const t = suite('wasm kernels')
t.before(setup)

/** Deterministic values in [-1, 1) from a seed (a 32-bit LCG), the same on every backend. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s / 2 ** 31 - 1
  }
  return out
}
const tensor = (shape: number[], seed: number): tf.Tensor => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape)

/**
 * The gradients of `sum(f(...xs) * w)` by every input, `w` fixed weights (so that every entry of
 * the cotangent differs), as arrays: computed on cpu then on wasm, asserted equal.
 */
async function assertGradsAgree(name: string, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor, atol = 1e-4): Promise<void> {
  const run = (): { data: Float32Array; shape: number[] }[] =>
    tf.tidy(() => {
      const xs = shapes.map((s, i) => tensor(s, 17 + 31 * i))
      const y = f(...xs)
      const w = tensor(y.shape, 5)
      const gs = tf.grads((...as: tf.Tensor[]) => tf.sum(tf.mul(f(...as), w)))(xs)
      return gs.map((g) => ({ data: g.dataSync() as Float32Array, shape: g.shape }))
    })
  const [onCpu, onWasm] = await onCpuAndWasm(run)
  onCpu.forEach((g, i) => {
    assertClose(tf.tensor(onWasm[i]!.data, onWasm[i]!.shape), tf.tensor(g.data, g.shape), atol, 1e-4, `${name}: input ${i}`)
  })
}

t('conv2d: filter and input gradients on wasm equal cpu, for strides and paddings', async () => {
  const cases: [number[], number[], number | [number, number], 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]]][] = [
    [[2, 7, 7, 3], [3, 3, 3, 4], 1, 'same'],
    [[2, 7, 7, 3], [3, 3, 3, 4], 2, 'same'],
    [[1, 8, 6, 2], [2, 3, 2, 5], [2, 1], 'valid'],
    [[3, 5, 5, 1], [1, 1, 1, 2], 1, 'valid'],
    [[1, 6, 7, 2], [3, 2, 2, 3], [1, 2], [[0, 0], [1, 2], [2, 1], [0, 0]]],
    [[2, 9, 9, 2], [4, 4, 2, 2], 3, 1],
    [[3, 1, 40, 6], [1, 3, 6, 7], 1, 'same'], // a 1-D convolution over tokens, as the text models
    [[2, 6, 5, 3], [2, 4, 3, 2], 1, 'same'], // unequal padding above and below, left and right
    [[1, 6, 7, 2], [3, 2, 2, 3], 1, [[0, 0], [2, 0], [1, 0], [0, 0]]],
  ]
  for (const [xs, ws, s, p] of cases) {
    await assertGradsAgree(`conv2d x [${xs}] w [${ws}] strides ${s} pad ${JSON.stringify(p)}`, [xs, ws], (x, w) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, p as 'same'),
    )
  }
  // The filter gradient as im2col of 9 * 32 * (16 * 48 * 48) values: two row blocks of at
  // most 2^23, their products summed. Each entry sums 36,864 terms |x dy| ~ 0.25 (9,000 in
  // all) in float32 on wasm against float64 on cpu: eps_f32 * 9,000 ~ 5e-4 is the tolerance.
  await assertGradsAgree('conv2d x [16, 48, 48, 32] w [3, 3, 32, 4] (row blocks)', [[16, 48, 48, 32], [3, 3, 32, 4]], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), 5e-4)
})

t('conv2dTranspose: gradients on wasm equal cpu', async () => {
  await assertGradsAgree('conv2dTranspose', [[2, 4, 4, 3], [3, 3, 2, 3]], (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 2], 2, 'same'))
  await assertGradsAgree('conv2dTranspose valid', [[1, 3, 5, 2], [2, 2, 4, 2]], (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 4, 6, 4], 1, 'valid'))
})

t('depthwiseConv2d: filter and input gradients on wasm equal cpu, channel multipliers 1 and 3', async () => {
  const cases: [number[], number[], number | [number, number], 'same' | 'valid' | number][] = [
    [[2, 6, 6, 3], [3, 3, 3, 1], 1, 'same'],
    [[1, 7, 5, 2], [3, 2, 2, 3], 2, 'valid'],
    [[2, 8, 8, 4], [2, 2, 4, 2], [2, 1], 'same'],
    [[1, 5, 5, 2], [3, 3, 2, 2], 1, 1],
  ]
  for (const [xs, ws, s, p] of cases) {
    await assertGradsAgree(`depthwiseConv2d x [${xs}] w [${ws}] strides ${s} pad ${p}`, [xs, ws], (x, w) =>
      tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, p),
    )
  }
  // Through imle's own ops and grad (the path a model takes).
  await assertGradsAgree('ops.depthwiseConv2d', [[1, 5, 5, 2], [3, 3, 2, 2]], (x, w) => ops.depthwiseConv2d(x, w, 1, 'same'))
})

t('maxPool, avgPool and a batch-norm-style normalisation: gradients on wasm equal cpu', async () => {
  // 'same' with windows reaching into the bottom and right padding: tfjs-wasm's own MaxPoolGrad
  // gives those windows no gradient; imle replaces it.
  await assertGradsAgree('maxPool', [[2, 7, 7, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same'))
  await assertGradsAgree('maxPool 5x5 same', [[1, 5, 5, 1]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same'))
  await assertGradsAgree('maxPool 3x2 window', [[2, 6, 7, 2]], (x) => tf.maxPool(x as tf.Tensor4D, [3, 2], [2, 3], 'same'))
  await assertGradsAgree('maxPool 3x3 s1', [[1, 6, 5, 2]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'valid'))
  await assertGradsAgree('avgPool', [[2, 7, 7, 3]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'valid'))
  await assertGradsAgree('avgPool same', [[1, 5, 6, 2]], (x) => tf.avgPool(x as tf.Tensor4D, [2, 3], 1, 'same'))
  await assertGradsAgree('batch norm', [[4, 3, 3, 2], [2], [2]], (x, g, b) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2])
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), g), b)
  })
  await assertGradsAgree('tf.batchNorm', [[4, 3, 3, 2], [2], [2], [2], [2]], (x, m, v, s, o) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5), o, s, 1e-3), 1e-3)
})

t('gather (an embedding) and unsortedSegmentSum: gradients and values on wasm equal cpu', async () => {
  const idx = [3, 0, 3, 1, 4, 3]
  await assertGradsAgree('gather rows', [[5, 4]], (x) => tf.gather(x, tf.tensor1d(idx, 'int32')))
  await assertGradsAgree('imle grad of ops.gather', [[5, 4]], (x) => ops.gather(x, tf.tensor2d([[1, 1], [0, 4]], [2, 2], 'int32'), 0))
  await assertGradsAgree('unsortedSegmentSum', [[6, 3]], (x) => tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, -1, 1, 2], 'int32'), 4))
  const run = () =>
    tf.tidy(() => [
      Array.from(tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([1, 1, -1, 0], 'int32'), 3).dataSync()),
      Array.from(tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([0, 2, 2, 0], 'int32'), 3).dataSync()),
    ])
  const [onCpu, onWasm] = await onCpuAndWasm(run)
  assert.equal(onWasm, onCpu)
  assert.equal(onWasm[0], [7, 8, 4, 6, 0, 0], 'negative ids dropped')
  assert.equal(onWasm[1], [5, 0, 5], 'int32 values')
})

t('a small CNN trains on wasm: imle grad through conv2d, maxPool and a dense layer equals cpu', async () => {
  const loss = (p: { w: tf.Tensor; d: tf.Tensor }, x: tf.Tensor) => {
    const h = ops.relu(ops.conv2d(x, p.w, 1, 'same')) // [2, 6, 6, 4]
    const pooled = ops.maxPool(h, 2, 2, 'valid') // [2, 3, 3, 4]
    return ops.sum(ops.square(ops.matMul(ops.reshape(pooled, [2, 36]), p.d))) // []
  }
  const run = () =>
    tf.tidy(() => {
      const g = grad(loss)({ w: tensor([3, 3, 2, 4], 1), d: tensor([36, 3], 2) }, tensor([2, 6, 6, 2], 3))
      return [g.w.dataSync(), g.d.dataSync()] as const
    })
  const [onCpu, onWasm] = await onCpuAndWasm(run)
  assertClose(tf.tensor(onWasm[0]), tf.tensor(onCpu[0]), 1e-3, 1e-4, 'dW')
  assertClose(tf.tensor(onWasm[1]), tf.tensor(onCpu[1]), 1e-3, 1e-4, 'dD')
})

t('Identity and same-dtype Cast share the data on wasm; a Cast to bool is x != 0; disposal is reference-counted', async () => {
  const [, onWasm] = await onCpuAndWasm(() => {
    const x = tf.tensor1d([1.5, -2.25, 3])
    const copies = [tf.clone(x), tf.cast(x, 'float32'), tf.engine().runKernel('Identity', { x }) as tf.Tensor]
    const shared = copies.map((c) => c.dataId === x.dataId)
    const asInt = tf.cast(x, 'int32')
    const ints = Array.from(asInt.dataSync())
    x.dispose()
    const kept = copies.map((c) => Array.from(c.dataSync())) // still readable: one reference each
    const bools = Array.from(tf.cast(tf.tensor1d([0, 2], 'int32'), 'bool').dataSync())
    const nums = tf.engine().backend.numDataIds()
    copies.forEach((c) => c.dispose())
    asInt.dispose()
    return { shared, ints, kept, bools, freed: nums - tf.engine().backend.numDataIds() }
  })
  assert.equal(onWasm.shared, [true, true, true], 'a copy was made')
  assert.equal(onWasm.ints, [1, -2, 3])
  assert.equal(onWasm.kept, [[1.5, -2.25, 3], [1.5, -2.25, 3], [1.5, -2.25, 3]])
  assert.equal(onWasm.bools, [0, 1])
  assert.is(onWasm.freed, 2, 'the shared buffer and the int32 one are freed with their last tensors')
})

t('a matrix product with a reshaped right operand is right on wasm (the backend keeps the first packing)', async () => {
  const [onCpu, onWasm] = await onCpuAndWasm(() =>
    tf.tidy(() => {
      const x = tf.tensor(Array.from({ length: 24 }, (_, i) => i + 1), [6, 4])
      const first = Array.from(tf.matMul(tf.ones([1, 6]), x).dataSync())
      const reshaped = Array.from(tf.matMul(tf.ones([1, 12]), tf.reshape(x, [12, 2])).dataSync())
      const again = Array.from(tf.matMul(tf.ones([2, 6]), x).dataSync())
      const fused = Array.from(tf.fused.matMul({ a: tf.ones([1, 3]), b: tf.reshape(x, [3, 8]) }).dataSync())
      return { first, reshaped, again, fused }
    }),
  )
  assert.equal(onCpu.reshaped, [144, 156])
  assert.equal(onWasm, onCpu)
})

t('sum and mean over leading axes (batch norm statistics) on wasm equal cpu; other axes the backend\'s', async () => {
  const cases: [number[], number[], boolean][] = [
    [[4, 3, 5, 2], [0, 1, 2], false],
    [[4, 3, 5, 2], [0, 1, 2], true],
    [[4, 3, 5, 2], [2, 0, 1], true],
    [[6, 7], [0], false],
    [[2, 3, 4], [0, 1], true],
    [[2, 3, 4], [1, 2], false],
    [[2, 3, 4], [0, 2], false],
    [[2, 3, 4], [0, 1, 2], false],
  ]
  const [onCpu, onWasm] = await onCpuAndWasm(() =>
    tf.tidy(() =>
      cases.map(([shape, axes, keepDims], i) => {
        const x = tensor(shape, 40 + i)
        const s = tf.sum(x, axes, keepDims)
        const m = tf.mean(x, axes, keepDims)
        return { shapes: [s.shape, m.shape], sum: Array.from(s.dataSync()), mean: Array.from(m.dataSync()) }
      }),
    ),
  )
  onCpu.forEach((c, i) => {
    const w = onWasm[i]!
    assert.equal(w.shapes, c.shapes, `case ${i}: shapes`)
    assertClose(tf.tensor(w.sum), tf.tensor(c.sum), 1e-5, 1e-5, `case ${i}: sum`)
    assertClose(tf.tensor(w.mean), tf.tensor(c.mean), 1e-6, 1e-5, `case ${i}: mean`)
  })
})

t('tile and broadcasting comparisons, max, min, pow and logical ops on wasm equal cpu', async () => {
  const [onCpu, onWasm] = await onCpuAndWasm(() =>
    tf.tidy(() => {
      const f = (shape: number[], seed: number): tf.Tensor => tensor(shape, seed)
      const i = (shape: number[], seed: number): tf.Tensor => tf.cast(tf.mul(tensor(shape, seed), 3), 'int32')
      const read = (t: tf.Tensor): { shape: number[]; dtype: string; values: number[] } => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) })
      const tiles = [
        tf.tile(f([2, 1, 3], 1), [1, 4, 2]),
        tf.tile(f([3], 2), [5]),
        tf.tile(i([2, 2], 3), [3, 1]),
        tf.tile(tf.greater(f([1, 3], 4), 0), [4, 2]),
        tf.tile(f([2, 3], 5), [1, 1]),
        tf.tile(f([2, 0, 3], 6), [2, 2, 2]),
        tf.broadcastTo(f([5, 1, 7], 7), [5, 6, 7]),
        tf.tile(f([1, 1, 1, 64], 8), [5, 1, 40, 1]),
      ]
      const a = f([4, 1, 3], 10)
      const b = f([5, 1], 11)
      const withNaN = tf.tensor([[NaN, 1, -2]]) // [1, 3]
      const pairs = [
        tf.maximum(a, b), tf.minimum(a, b), tf.pow(tf.abs(a), b), tf.equal(a, tf.round(b)), tf.notEqual(a, b),
        tf.greater(a, b), tf.greaterEqual(a, b), tf.less(a, b), tf.lessEqual(a, b),
        tf.logicalAnd(tf.greater(a, 0), tf.greater(b, 0)), tf.logicalOr(tf.greater(a, 0), tf.greater(b, 0)),
        tf.floorDiv(i([4, 1, 3], 12), tf.add(tf.abs(i([5, 1], 13)), tf.scalar(1, 'int32'))), tf.mod(a, tf.add(tf.abs(b), 0.5)), tf.atan2(a, b),
        tf.maximum(withNaN, f([2, 1], 14)), tf.greater(withNaN, f([2, 1], 15)),
        tf.maximum(f([3, 4], 16), f([4], 17)), tf.equal(i([2, 3], 18), i([2, 3], 19)), tf.maximum(f([2, 3], 20), tf.scalar(0.1)),
        tf.where(tf.greater(f([2, 1], 21), 0), f([1, 3], 22), f([2, 3], 23)),
      ]
      return [...tiles, ...pairs].map(read)
    }),
  )
  onCpu.forEach((c, k) => {
    const w = onWasm[k]!
    assert.equal([w.shape, w.dtype], [c.shape, c.dtype], `case ${k}: shape and dtype`)
    assertClose(tf.tensor(w.values), tf.tensor(c.values), 1e-6, 1e-5, `case ${k}`)
  })
})

t('gather along any axis (ints, bools, repeated and empty indices) on wasm equals cpu; an index out of range is an error', async () => {
  const [onCpu, onWasm] = await onCpuAndWasm(() =>
    tf.tidy(() => {
      const x = tensor([4, 3, 5], 30)
      const idx = (v: number[], shape = [v.length]): tf.Tensor => tf.tensor(v, shape, 'int32')
      const outs = [
        tf.gather(x, idx([3, 0, 3, 1])),
        tf.gather(x, idx([2, 0], [1, 2]), 1),
        tf.gather(x, idx([4, 4, 0]), 2),
        tf.gather(x, idx([1, 2, 0, 1], [2, 2]), -1),
        tf.gather(tf.cast(tf.mul(x, 10), 'int32'), idx([1]), 0),
        tf.gather(tf.greater(x, 0), idx([0, 2]), 1),
        tf.gather(x, idx([]), 0),
        tf.gather(tensor([6], 31), idx([5, 0, 5])),
      ]
      let error = ''
      try {
        tf.gather(x, idx([4]))
      } catch (e) {
        error = (e as Error).message
      }
      return { outs: outs.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) })), error }
    }),
  )
  assert.equal(onWasm.outs, onCpu.outs)
  assert.match(onWasm.error, /index value 4 is not in \[0, 3\]/)
})

t('slice and split (any axis, ints and bools, empty parts) on wasm equal cpu', async () => {
  const [onCpu, onWasm] = await onCpuAndWasm(() =>
    tf.tidy(() => {
      const x = tensor([4, 3, 5, 2], 32)
      const outs = [
        tf.slice(x, [1, 0, 0, 0], [2, 3, 5, 2]),
        tf.slice(x, [0, 1, 2, 0], [4, 2, 3, 2]),
        tf.slice(x, [3, 2, 4, 1], [1, 1, 1, 1]),
        tf.slice(x, [0, 0, 0, 1], [-1, -1, -1, 1]),
        tf.slice(x, [2, 0, 0, 0], [0, 3, 5, 2]),
        tf.slice(tf.cast(tf.mul(x, 10), 'int32'), [1, 1, 1, 0], [2, 2, 2, 2]),
        tf.slice(tf.greater(x, 0), [0, 2, 0, 0], [4, 1, 5, 2]),
        tf.slice(tensor([7], 33), [2], [4]),
        ...tf.split(x, 2, 0),
        ...tf.split(x, [1, 3, 1], 2),
        ...tf.split(x, [2, -1], -1),
        ...tf.split(x, [0, 3], 1),
      ]
      return outs.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }))
    }),
  )
  assert.equal(onWasm, onCpu)
})

t('nothing is registered at import; init() registers the wasm kernels', () => {
  const probe = fileURLToPath(new URL('./wasm_kernels_probe.ts', import.meta.url))
  const out = execFileSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8' })
  const r = JSON.parse(out.trim().split('\n').pop()!) as { before: boolean[]; onImport: boolean[]; afterInit: boolean[] }
  assert.equal(r.before, [false, false, false, false], 'the wasm backend lacks them (the premise)')
  assert.equal(r.onImport, [false, false, false, false], 'importing imle registered a kernel')
  assert.equal(r.afterInit, [true, true, true, true], 'init() registered them')
})

t.run()
