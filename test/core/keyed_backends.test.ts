// Node test of the wiring the WebGPU samplers use: `keyedOp`'s `backends` field. A tensor
// implementation registered under the active backend's name replaces the fill loop, receives
// every key of every vmap level as one [N, 2] tensor, and its temporaries are disposed. The WGSL
// programs themselves run in the browser test (`run.ts`, `sampling.ts`).
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ops, valueAndGrad, vmap } from '../../src/index.js'
import { ArgumentError } from '../../src/core/errors.js'
import * as random from '../../src/core/random/index.js'
import { setup } from '../support/helpers.js'

const t = suite('keyedOp backends')
t.before(setup)

/** Host fill: element i is k0 + i; the tensor implementation computes the same from the keys. */
function makeOp(seen: number[][]) {
  return random.keyedOp<number, 'float32'>({
    name: 'test.keyedBackends',
    dtype: 'float32',
    shape: (n) => [n],
    fill: (k0, _k1, out) => {
      for (let i = 0; i < out.length; i++) out[i] = k0 + i
    },
    backends: {
      [tf.getBackend()]: (keys, n) => {
        seen.push([...keys.shape])
        const k0 = tf.cast(tf.slice(keys, [0, 0], [keys.shape[0]!, 1]), 'float32') // [N, 1]
        return tf.add(k0, tf.range(0, n, 1, 'float32')) // [N, n]
      },
    },
  })
}

t('the active backend implementation replaces fill: one call for nested vmap, keys [N, 2], same values, no leak', () => {
  const seen: number[][] = []
  const op = makeOp(seen)
  const keys = tf.tensor3d(Int32Array.from({ length: 4 * 3 * 2 }, (_, i) => i), [4, 3, 2], 'int32') // [4, 3, 2]
  const before = tf.memory().numTensors
  const out = vmap(vmap((k: tf.Tensor) => op(k, 5)))(keys) // [4, 3, 5]
  assert.is(tf.memory().numTensors - before, 1, 'only the result is new')
  assert.equal(seen, [[12, 2]])
  assert.equal(out.shape, [4, 3, 5])
  const v = out.dataSync()
  for (let r = 0; r < 12; r++) for (let i = 0; i < 5; i++) assert.is(v[5 * r + i], 2 * r + i)
  const key = tf.tensor1d([7, 9], 'int32') // [2]
  const beforeSingle = tf.memory().numTensors
  const single = op(key, 3) // [3]
  assert.is(tf.memory().numTensors - beforeSingle, 1, 'only the result is new (outside vmap)')
  assert.equal(Array.from(single.dataSync()), [7, 8, 9])
  assert.equal(seen, [[12, 2], [1, 2]])
  tf.dispose([keys, out, key, single])
})

t('a backend implementation inside valueAndGrad: the gradient of sum(x * op(key)) is op(key), and nothing leaks', () => {
  const op = makeOp([])
  const key = tf.tensor1d([3, 4], 'int32') // [2]
  const x = tf.tensor1d([1, 2, 3, 4]) // [4]
  const before = tf.memory().numTensors
  const [value, g] = valueAndGrad((v: tf.Tensor) => ops.sum(ops.mul(v, op(key, 4))))(x) // [], [4]
  assert.is(tf.memory().numTensors - before, 2, 'only the value and the gradient are new')
  assert.equal(Array.from(g.dataSync()), [3, 4, 5, 6])
  assert.is(value.dataSync()[0], 3 + 8 + 15 + 24)
  tf.dispose([key, x, value, g])
})

t('keyedOp refuses a malformed backends field, naming it', () => {
  const base = { name: 'x', dtype: 'float32' as const, shape: () => [1], fill: () => undefined }
  assert.throws(() => random.keyedOp({ ...base, backends: 3 as never }), (e: unknown) => e instanceof ArgumentError && /spec\.backends/.test((e as Error).message))
  assert.throws(() => random.keyedOp({ ...base, backends: { webgpu: 'no' as never } }), (e: unknown) => e instanceof ArgumentError && /spec\.backends\.webgpu/.test((e as Error).message))
})

t.run()
