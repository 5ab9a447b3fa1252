/**
 * The browser side of the browser test, bundled by `run.ts` with esbuild (the `imle` import is
 * redirected to `dist/index.js` unless the runner is given `--src`). The page's `?mode=`
 * says what to do:
 *
 * - `auto`: `init()` with no argument (expected: webgpu when an adapter exists), then the checks;
 * - `webgpu` | `wasm` | `cpu`: `init({ backend })`, then the checks;
 * - `webgpu-direct`: `tf.setBackend('webgpu')` directly, bypassing `init`'s synchronous
 *   read-back check, to exercise imle on the webgpu kernels where that check fails;
 * - `no-adapter`: `init({ backend: 'webgpu' })` must reject with a `BackendError`; then `init()`
 *   (expected: the fallback, wasm), then the checks;
 * - `probe`: only whether a synchronous GPU read-back works here (no tfjs).
 *
 * The result is left in `window.__results` for the runner, which asserts in Node.
 *
 * @module
 */
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import * as lib from '../../src/index.js'
import { runChecks, type Report } from './checks.js'

/** What the page reports. */
export interface PageResult {
  readonly mode: string
  /** The adapter `navigator.gpu.requestAdapter()` gave, or why there is none. */
  readonly adapter: string
  /**
   * `probe` mode: whether a GPU buffer can be read back synchronously the way tfjs-webgpu's
   * `dataSync` does it (copy to a WebGPU canvas, draw it into a 2D canvas, `getImageData`).
   * Absent without an adapter. Its own page: where it fails (SwiftShader), the page's WebGPU
   * instance can be lost with it, and tfjs would then find no adapter.
   */
  readonly gpuReadSync?: { readonly ok: boolean; readonly detail: string }
  /** The backend `init` returned, and tfjs's current backend after it. */
  readonly chosen?: string
  readonly tfBackend?: string
  /** `no-adapter` mode: how `init({ backend: 'webgpu' })` failed. */
  readonly webgpuError?: { readonly isBackendError: boolean; readonly tag: string; readonly name: string; readonly message: string }
  readonly report?: Report
  readonly initMs?: number
  /** An unexpected exception, with its stack. */
  readonly error?: string
}

declare global {
  interface Window {
    __results?: PageResult
  }
}

/** The WebGPU adapter, or null; `navigator.gpu` is absent where WebGPU is off. */
const requestAdapter = async (): Promise<GPUAdapter | null> => ('gpu' in navigator ? navigator.gpu.requestAdapter() : null)

/**
 * Writes 16 known bytes to a GPU buffer and reads them back through the path of tfjs-webgpu's
 * `readSync` (4.22: `backend_webgpu.js`): `copyBufferToTexture` into an OffscreenCanvas
 * 'webgpu' context (bgra8unorm, premultiplied), `drawImage` into a 2D OffscreenCanvas,
 * `getImageData`. Where that is unsupported (SwiftShader) it reads zeros and the device is
 * destroyed, so it runs in a page of its own (`?mode=probe`). Premultiplied alpha would alter
 * colour bytes above alpha, so the bytes are chosen below their pixel's alpha (255).
 */
async function probeGpuReadSync(): Promise<PageResult['gpuReadSync']> {
  const adapter = await requestAdapter()
  if (adapter === null) return undefined
  const device = await adapter.requestDevice()
  let lost = ''
  void device.lost.then((info) => {
    lost = ` (device lost: ${info.reason}: ${info.message})`
  })
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? 255 : 10 * (i + 1)))
  const buffer = device.createBuffer({ size: 1024, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST })
  device.queue.writeBuffer(buffer, 0, bytes)
  const canvas = new OffscreenCanvas(256, 1)
  const context = canvas.getContext('webgpu') as GPUCanvasContext
  context.configure({ device, format: 'bgra8unorm', usage: GPUTextureUsage.COPY_DST, alphaMode: 'premultiplied' })
  const encoder = device.createCommandEncoder()
  encoder.copyBufferToTexture({ buffer, bytesPerRow: 1024 }, { texture: context.getCurrentTexture() }, { width: 256, height: 1 })
  device.queue.submit([encoder.finish()])
  const host = new OffscreenCanvas(256, 1).getContext('2d', { willReadFrequently: true })!
  host.drawImage(canvas, 0, 0)
  const rgba = host.getImageData(0, 0, 4, 1).data // bgra in the buffer -> rgba here
  const got = Array.from(rgba, (_, i) => rgba[i - (i % 4) + [2, 1, 0, 3][i % 4]!]!)
  await new Promise((r) => setTimeout(r, 50)) // let a device loss be reported
  device.destroy()
  const ok = got.every((v, i) => v === bytes[i])
  return { ok, detail: `wrote [${Array.from(bytes)}], read [${got}]${lost}` }
}

async function describeAdapter(): Promise<string> {
  if (!('gpu' in navigator)) return 'no navigator.gpu'
  // `info` is newer than the @webgpu/types that tfjs-backend-webgpu 4.22 brings.
  const adapter = (await navigator.gpu.requestAdapter()) as (GPUAdapter & { info?: { vendor: string; architecture: string } }) | null
  return adapter === null ? 'requestAdapter() gave null' : `${adapter.info?.vendor || '?'} / ${adapter.info?.architecture || '?'}`
}

async function main(): Promise<PageResult> {
  const mode = new URLSearchParams(location.search).get('mode') ?? 'auto'
  // The runner serves tfjs-backend-wasm's .wasm files under /wasm/; this must precede the
  // first initialization of the wasm backend (init below).
  setWasmPaths('/wasm/')
  const adapter = await describeAdapter()
  if (mode === 'probe') {
    const gpuReadSync = await probeGpuReadSync().catch((e: unknown) => ({ ok: false, detail: `probe threw ${String(e)}` }))
    return { mode, adapter, ...(gpuReadSync ? { gpuReadSync } : {}) }
  }
  let webgpuError: PageResult['webgpuError']
  if (mode === 'no-adapter') {
    try {
      const got = await lib.init({ backend: 'webgpu' })
      return { mode, adapter, error: `init({ backend: 'webgpu' }) resolved to '${got}' without an adapter` }
    } catch (e) {
      const err = e as Error & { _tag?: string }
      webgpuError = { isBackendError: e instanceof lib.BackendError, tag: String(err._tag), name: err.name, message: err.message }
    }
  }
  if (mode === 'auto') {
    // An explicit request first: webgpu (reading asynchronously), or a BackendError (no adapter).
    try {
      await lib.init({ backend: 'webgpu' })
    } catch (e) {
      const err = e as Error & { _tag?: string }
      webgpuError = { isBackendError: e instanceof lib.BackendError, tag: String(err._tag), name: err.name, message: err.message }
    }
  }
  const t0 = performance.now()
  const chosen =
    mode === 'webgpu-direct'
      ? await import('@tensorflow/tfjs-backend-webgpu').then(() => tf.setBackend('webgpu')).then((ok) => (ok ? 'webgpu' : 'none'))
      : mode === 'auto' || mode === 'no-adapter'
        ? await lib.init()
        : await lib.init({ backend: mode as lib.BackendName })
  const initMs = Math.round(performance.now() - t0)
  const only = new URLSearchParams(location.search).get('only')
  const report = await runChecks(lib, only === null ? {} : { only })
  return { mode, adapter, chosen, tfBackend: tf.getBackend(), initMs, report, ...(webgpuError ? { webgpuError } : {}) }
}

main().then(
  (r) => {
    window.__results = r
  },
  (e: unknown) => {
    window.__results = {
      mode: location.search,
      adapter: '?',
      error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e),
    }
  },
)
