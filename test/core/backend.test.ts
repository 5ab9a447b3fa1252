import * as tf from '@tensorflow/tfjs-core'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { BackendError, fallbackOrder, grad, init, loadBackend, ops } from '../../src/index.js'
import { BACKEND } from '../support/helpers.js'

const t = suite('backend')

t('init picks wasm then cpu in Node, and an explicit backend is honoured', async () => {
  assert.equal(fallbackOrder(), ['wasm', 'cpu'])
  assert.is(await init(), 'wasm')
  assert.is(tf.getBackend(), 'wasm')
  assert.is(await init({ backend: 'cpu' }), 'cpu')
  assert.is(tf.getBackend(), 'cpu')
})

t('gradients work after init on every Node backend', async () => {
  for (const b of ['cpu', 'wasm'] as const) {
    await init({ backend: b })
    const g = grad((x: tf.Tensor) => ops.sum(ops.mul(ops.sigmoid(x), ops.exp(x))))(tf.tensor1d([0, 1]))
    // d/dx sigmoid(x) e^x = e^x (sigmoid(x) + sigmoid(x)(1 - sigmoid(x)))
    const expect = [0, 1].map((x) => {
      const s = 1 / (1 + Math.exp(-x))
      return Math.exp(x) * (s + s * (1 - s))
    })
    const got = g.dataSync()
    expect.forEach((e, i) => assert.ok(Math.abs(got[i]! - e) < 1e-5, `${b}: ${got[i]} vs ${e}`))
  }
})

t('an unavailable or unknown backend asked for explicitly is a typed error, not a silent switch', async () => {
  await init({ backend: 'cpu' })
  // No WebGPU adapter in Node: the webgpu backend cannot initialize.
  const r = await loadBackend('webgpu')()
  assert.is(r._tag, 'Left')
  let err: unknown
  try {
    await init({ backend: 'webgpu' })
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof BackendError, String(err))
  assert.match((err as Error).message, /webgpu/)
  err = undefined
  try {
    await init({ backend: 'tpu' as 'cpu' })
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof BackendError && /unknown backend 'tpu'/.test(err.message), String(err))
  // The previous backend is still usable.
  assert.ok(['cpu', 'wasm'].includes(tf.getBackend()))
  await init({ backend: BACKEND })
})

t('an uncaught error after init() on wasm prints its own message and stack, exit code 1', () => {
  const probe = fileURLToPath(new URL('./uncaught_probe.ts', import.meta.url))
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8' })
  assert.is(r.status, 1, `exit code ${r.status}`)
  assert.ok(r.stderr.includes('Error: an uncaught error from user code'), r.stderr.slice(0, 500))
  assert.ok(r.stderr.length < 4000, `stderr is ${r.stderr.length} characters (the wasm module's handler printed its source)`)
})

t('the tfjs version init() names for a missing backend is the peer dependencies\' version', async () => {
  const { TFJS_VERSION } = await import('../../src/core/backend.js')
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { peerDependencies: Record<string, string> }
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu']) {
    assert.is(pkg.peerDependencies[name], TFJS_VERSION, name)
  }
})

t.run()
