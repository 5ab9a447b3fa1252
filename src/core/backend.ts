/**
 * Backend selection with a safe fallback; `init` also installs imle into tfjs (`engine.ts`).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { BackendError, describe } from './errors.js'
import { markAsyncOnly } from './reads.js'
import { engineInstalled as installed, installEngine } from './engine.js'
import { registerWasmKernels } from './wasm_kernels.js'

/** The tfjs backends `imle` supports. */
export type BackendName = 'cpu' | 'wasm' | 'webgpu'

/** Options of `init`. */
export interface InitOptions {
  /**
   * The backend to use. When given, it must load or `init` fails with a `BackendError`; when
   * omitted, the first that loads of: webgpu, wasm, cpu in a browser; wasm, cpu in Node.
   */
  readonly backend?: BackendName
  /**
   * webgpu only: how host code (solvers, samplers, callbacks) reads GPU tensors. `'async'` (the
   * default): through `valueAndGradAsync`, `gradAsync` and `callAsync`, which works on every
   * adapter (`readMode()` is `'async'`). `'sync'`: with `dataSync`, so that the synchronous
   * transformations work too, after a probe that it does (a `BackendError` where it does not).
   * The default never tries a synchronous read: on some adapters (SwiftShader in headless
   * Chromium) tfjs-webgpu's `dataSync` returns zeros and loses the device.
   */
  readonly readback?: 'async' | 'sync'
}

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgpu']

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions === 'object' && process.versions.node !== undefined

/**
 * The automatic fallback order for this environment.
 *
 * @example
 * ```ts
 * fallbackOrder()   // ['wasm', 'cpu'] in Node; ['webgpu', 'wasm', 'cpu'] in a browser
 * ```
 */
export const fallbackOrder = (): readonly BackendName[] => (isNode() ? ['wasm', 'cpu'] : ['webgpu', 'wasm', 'cpu'])

/** The tfjs version imle is built and tested with (its peer dependencies'). */
export const TFJS_VERSION = '4.22.0'

/** Each backend's package: optional peer dependencies, installed by the user as needed. */
const PACKAGES: Record<BackendName, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
}

/** Whether `e` says an imported package is not installed (Node's ESM and CJS codes, bundlers' messages). */
const missingPackage = (e: unknown): boolean =>
  e instanceof Error &&
  ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (e as { code?: string }).code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(e.message))

// Each backend package registers itself with tfjs when imported; import lazily, so that a
// bundle which never asks for webgpu never evaluates it.
const registerBackend: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
}

/**
 * Loads and selects one backend. `tf.setBackend` can resolve `false` (webgpu without an
 * adapter) while `tf.getBackend()` still names it, so the result is checked; on webgpu the
 * read-back mode is probed (see `init`).
 *
 * @example
 * ```ts
 * import { loadBackend } from 'imle'
 * const chosen = await loadBackend('wasm')()   // Either<BackendError, 'wasm'>
 * ```
 */
export const loadBackend = (name: BackendName, readback: 'async' | 'sync' = 'async'): TE.TaskEither<BackendError, BackendName> =>
  TE.tryCatch(
    async () => {
      if (!BACKENDS.includes(name)) {
        throw new BackendError(`init(backend): unknown backend '${String(name)}'; expected one of ${BACKENDS.join(', ')}`)
      }
      await registerBackend[name]().catch((e: unknown) => {
        throw missingPackage(e) ? new BackendError(
          `init(backend): the '${name}' backend needs the package ${PACKAGES[name]}, which is not installed; ` +
            `install it next to imle: npm install ${PACKAGES[name]}@${TFJS_VERSION}`,
        ) : e
      })
      // Importing the wasm package registers its kernels, over imle's fixes: register them again.
      if (name === 'wasm' && installed()) registerWasmKernels()
      const ok = await withoutNewProcessHandlers(() => tf.setBackend(name))
      if (!ok) throw new BackendError(`init(backend): the '${name}' backend is registered but failed to initialize here`)
      await tf.ready()
      if (name === 'webgpu') await setupReadback(readback)
      // The cpu backend prints a banner recommending tfjs-node on its first write in Node;
      // imle deliberately runs without native bindings, so mark it as already shown.
      if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false
      if (tf.getBackend() !== name) throw new BackendError(`init(backend): asked for '${name}' but tfjs chose '${tf.getBackend()}'`)
      return name
    },
    (e) =>
      e instanceof BackendError
        ? e
        : new BackendError(`init(backend): the '${name}' backend failed to load: ${e instanceof Error ? e.message : String(e)}`),
  )

/**
 * Runs `body` and removes the `uncaughtException` and `unhandledRejection` handlers it adds to
 * Node's `process`. The wasm backend's emscripten module installs handlers that rethrow every
 * uncaught error from inside themselves, so Node prints the 39 KB minified line of the handler
 * instead of the user's stack and exits with code 7; without them, an uncaught error prints the
 * library's message and a normal stack, with the normal exit code. Browsers are untouched.
 */
async function withoutNewProcessHandlers<R>(body: () => Promise<R>): Promise<R> {
  const events = ['uncaughtException', 'unhandledRejection'] as const
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return body()
  const emitter = process as unknown as { listeners(event: string): unknown[]; removeListener(event: string, listener: unknown): void }
  const before = events.map((e) => new Set(emitter.listeners(e)))
  try {
    return await body()
  } finally {
    events.forEach((e, i) => {
      for (const l of emitter.listeners(e)) if (!before[i]!.has(l)) emitter.removeListener(e, l)
    })
  }
}

/**
 * Sets up the read-back mode of the current (webgpu) backend (see `InitOptions.readback`):
 * checks one tiny op read back asynchronously (`WEBGPU_CPU_FORWARD` off), then either records
 * the asynchronous mode (`readMode`) or checks a synchronous read of the same op.
 */
async function setupReadback(readback: 'async' | 'sync'): Promise<void> {
  const env = tf.env()
  const forward = env.getBool('WEBGPU_CPU_FORWARD')
  env.set('WEBGPU_CPU_FORWARD', false)
  const probe = (): tf.Tensor => tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])))
  let got: number[]
  try {
    const t = probe()
    got = Array.from(await t.data())
    t.dispose()
    if (got[0] !== 4 || got[1] !== 6) {
      throw new BackendError(`init(backend): the webgpu backend loaded but computed [${got.join(', ')}] for [1, 2] + [3, 4] on this adapter; use 'wasm' or 'cpu' here`)
    }
    if (readback === 'async') {
      markAsyncOnly('webgpu')
      return
    }
    try {
      got = Array.from(tf.tidy(() => probe().dataSync()))
    } catch {
      got = [Number.NaN, Number.NaN]
    }
  } finally {
    env.set('WEBGPU_CPU_FORWARD', forward)
  }
  markAsyncOnly('webgpu', false)
  if (got[0] !== 4 || got[1] !== 6) {
    throw new BackendError(
      `init(readback): the webgpu backend cannot read tensor data back synchronously on this adapter ` +
        `(a probe computed [4, 6] and read [${got.join(', ')}]); use init({ backend: 'webgpu' }) (asynchronous read-back, ` +
        `with valueAndGradAsync, gradAsync and callAsync), or 'wasm' or 'cpu'`,
    )
  }
}

/**
 * Selects a tfjs backend and returns its name. With `backend` given, that backend or a
 * `BackendError` (no silent switch); without, the first that loads of the fallback order
 * (Node: wasm, cpu; browser: webgpu, wasm, cpu). It also installs what imle needs in tfjs
 * (its gradients and the guard against raw tf ops on batched values); importing imle does not.
 *
 * On webgpu, host code (solvers, samplers, callbacks) reads GPU tensors asynchronously by
 * default: `readMode()` says `'async'`, and a step with host code runs through
 * `valueAndGradAsync`, `gradAsync` or `callAsync` (a synchronous one fails with a
 * `BackendError` saying so). This works on every adapter; `readback: 'sync'` asks for `dataSync`
 * instead, where the adapter supports it (see `InitOptions.readback`).
 * In a browser, the wasm backend fetches its `.wasm` binaries relative to the page unless
 * `setWasmPaths` from `@tensorflow/tfjs-backend-wasm` is called before `init`.
 *
 * @example
 * ```ts
 * import { init } from 'imle'
 * const backend = await init()                    // 'wasm' in Node
 * await init({ backend: 'cpu' })                  // 'cpu'
 * ```
 */
export async function init(options: InitOptions = {}): Promise<BackendName> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const hint = typeof options === 'string' ? `; pass an object: init({ backend: '${options}' })` : ''
    throw new BackendError(`init(options): expected an object { backend? } but got ${describe(options)}${hint}`)
  }
  const unknown = Object.keys(options).find((k) => k !== 'backend' && k !== 'readback')
  if (unknown !== undefined) throw new BackendError(`init(options): unknown option '${unknown}' (the options are backend: ${BACKENDS.map((n) => `'${n}'`).join(' | ')}, and readback: 'async' | 'sync')`)
  const { readback = 'async' } = options
  if (readback !== 'async' && readback !== 'sync') throw new BackendError(`init(options.readback): expected 'async' or 'sync' but got ${describe(readback)}`)
  installEngine()
  if (options.backend !== undefined) {
    const r = await loadBackend(options.backend, readback)()
    if (r._tag === 'Left') throw r.left
    return r.right
  }
  const failures: string[] = []
  for (const name of fallbackOrder()) {
    const r = await loadBackend(name, readback)()
    if (r._tag === 'Right') return r.right
    failures.push(r.left.message)
  }
  throw new BackendError(`init: no backend could be loaded:\n  ${failures.join('\n  ')}`)
}
