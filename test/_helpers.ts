/** Shared test helpers: the backend under test and numeric comparisons. */
import * as tf from '@tensorflow/tfjs-core'
import * as assert from 'uvu/assert'
import { init, type BackendName } from '../src/index.js'

/** The backend the suite runs on: `IMLE_BACKEND` (cpu or wasm), cpu by default. */
export const BACKEND = (process.env['IMLE_BACKEND'] ?? 'cpu') as BackendName

/** Selects the backend under test; use as `suite.before(setup)`. */
export async function setup(): Promise<void> {
  await init({ backend: BACKEND })
}

/** Asserts `a` and `b` have equal shapes and values within `atol + rtol * |b|`. */
export function assertClose(a: tf.Tensor, b: tf.Tensor, atol = 1e-5, rtol = 1e-4, msg = ''): void {
  assert.equal(a.shape, b.shape, `${msg} shape [${a.shape}] vs [${b.shape}]`)
  const x = a.dataSync()
  const y = b.dataSync()
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(Number(x[i]) - Number(y[i]))
    if (!(d <= atol + rtol * Math.abs(Number(y[i]))) && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) {
      assert.unreachable(`${msg} differ at flat index ${i}: ${x[i]} vs ${y[i]} (shape [${a.shape}])`)
    }
  }
}

/** Runs `fn` and asserts it leaks no tensor beyond the `expected` it returns. */
export function assertNoLeak<R>(fn: () => R, expected: number, msg = ''): R {
  const before = tf.memory().numTensors
  const r = fn()
  const after = tf.memory().numTensors
  assert.is(after - before, expected, `${msg} tensors leaked: ${after - before - expected}`)
  return r
}
