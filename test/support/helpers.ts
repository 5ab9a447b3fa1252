/**
 * Shared test helpers: the backend under test, numeric and bitwise tensor comparisons, the
 * per-key loop that vmap is checked against, error predicates, and cpu-vs-wasm runs.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as assert from 'uvu/assert'
import { ArgumentError, ConfigError, init, vmap, type BackendName } from '../../src/index.js'

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

/** The raw 32-bit patterns of a float32 or int32 tensor (a copy). */
export function bits(x: tf.Tensor): Uint32Array {
  const d = x.dataSync() as Float32Array | Int32Array
  return new Uint32Array(d.buffer, d.byteOffset, d.length).slice()
}

/** Asserts two word arrays have the same length and the same words. */
export function sameWords(x: Uint32Array, y: Uint32Array, msg: string): void {
  assert.is(x.length, y.length, `${msg}: length`)
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) assert.unreachable(`${msg}: differ at flat index ${i}: 0x${x[i]!.toString(16)} vs 0x${y[i]!.toString(16)}`)
  }
}

/** Asserts bit-identical contents (and equal shapes and dtypes). */
export function assertSameBits(a: tf.Tensor, b: tf.Tensor, msg = ''): void {
  assert.equal(a.shape, b.shape, `${msg}: shape [${a.shape}] vs [${b.shape}]`)
  assert.is(a.dtype, b.dtype, `${msg}: dtype`)
  sameWords(bits(a), bits(b), msg)
}

/** Stacks `f(row)` over the rows of `keys` [B, 2]: the loop that vmap over keys must equal. */
export const loop = (keys: tf.Tensor, f: (k: tf.Tensor) => tf.Tensor): tf.Tensor => tf.stack(tf.unstack(keys).map(f))

/** A predicate for `assert.throws`: an `ArgumentError` whose message matches every pattern. */
export const argumentError = (...parts: RegExp[]) => (e: unknown): boolean =>
  e instanceof ArgumentError && e._tag === 'ArgumentError' && parts.every((p) => p.test(e.message))

/** A predicate for `assert.throws`: a `ConfigError` whose message matches every pattern. */
export const configError = (...parts: RegExp[]) => (e: unknown): boolean =>
  e instanceof ConfigError && e._tag === 'ConfigError' && parts.every((p) => p.test(e.message))

/**
 * Runs `run` on the cpu backend, then on wasm (asserting each switch), and returns both results;
 * the backend under test is restored afterwards, also on failure, and asserted.
 */
export async function onCpuAndWasm<R>(run: () => R): Promise<[onCpu: R, onWasm: R]> {
  let out: [R, R]
  try {
    assert.is(await init({ backend: 'cpu' }), 'cpu')
    const onCpu = run()
    assert.is(await init({ backend: 'wasm' }), 'wasm')
    const onWasm = run()
    out = [onCpu, onWasm]
  } finally {
    await init({ backend: BACKEND })
  }
  assert.is(tf.getBackend(), BACKEND)
  return out
}

/**
 * Asserts that a solver leaks no tensor on one instance, `batched`, `vmap` and nested `vmap`
 * (from `thetas` `[2, 3, ...s]`), nor when NaN entries make nested `vmap` throw an
 * `ArgumentError` naming NaN.
 */
export function assertSolverNoLeak(s: ((theta: tf.Tensor) => tf.Tensor) & { readonly batched: (theta: tf.Tensor) => tf.Tensor }, thetas: tf.Tensor): void {
  const bt = tf.tidy(() => tf.unstack(thetas)[0]!) // [3, ...s]
  const one = tf.tidy(() => tf.unstack(bt)[0]!) // [...s]
  assertNoLeak(() => s(one), 1).dispose()
  assertNoLeak(() => s.batched(bt), 1).dispose()
  assertNoLeak(() => vmap(s)(bt), 1).dispose()
  assertNoLeak(() => vmap(vmap(s))(thetas), 1).dispose()
  const bad = tf.tidy(() => tf.where(tf.greater(thetas, 0.5), tf.fill(thetas.shape, NaN), thetas)) // [2, 3, ...s]
  assertNoLeak(() => assert.throws(() => vmap(vmap(s))(bad), argumentError(/NaN/)), 0)
  tf.dispose([bt, one, bad])
}
