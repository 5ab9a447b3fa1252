/**
 * Backend selection with a safe fallback; `init` also installs imle into tfjs (`engine.ts`).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { BackendError, describe } from './errors.js'
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
 * adapter) while `tf.getBackend()` still names it, so the result is checked; webgpu must also
 * read data back synchronously (see `init`).
 *
 * @example
 * ```ts
 * import { loadBackend } from 'imle'
 * const chosen = await loadBackend('wasm')()   // Either<BackendError, 'wasm'>
 * ```
 */
export const loadBackend = (name: BackendName): TE.TaskEither<BackendError, BackendName> =>
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
      if (name === 'webgpu') checkSyncReadback()
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
 * Throws a `BackendError` unless the current (webgpu) backend reads a GPU-computed tensor back
 * synchronously. imle's solvers and samplers read tensor data with `dataSync` (tfjs's custom
 * gradients are synchronous); where the adapter cannot do it (seen with SwiftShader in headless
 * Chromium), tfjs-webgpu's `dataSync` silently returns zeros, which would make every solver
 * answer wrong. The probe runs one tiny op on the GPU (`WEBGPU_CPU_FORWARD` off).
 */
function checkSyncReadback(): void {
  const env = tf.env()
  const forward = env.getBool('WEBGPU_CPU_FORWARD')
  env.set('WEBGPU_CPU_FORWARD', false)
  let got: number[]
  try {
    got = Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync()))
  } catch (e) {
    got = [Number.NaN, Number.NaN]
    void e
  } finally {
    env.set('WEBGPU_CPU_FORWARD', forward)
  }
  if (got[0] !== 4 || got[1] !== 6) {
    throw new BackendError(
      `init(backend): the webgpu backend loaded but cannot read tensor data back synchronously on this adapter ` +
        `(a probe computed [4, 6] and read [${got.join(', ')}]); imle's solvers and noise samplers read tensor ` +
        `data synchronously, so they would return wrong results. Use 'wasm' or 'cpu' here.`,
    )
  }
}

/**
 * Selects a tfjs backend and returns its name. With `backend` given, that backend or a
 * `BackendError` (no silent switch); without, the first that loads of the fallback order
 * (Node: wasm, cpu; browser: webgpu, wasm, cpu). It also installs what imle needs in tfjs
 * (its gradients and the guard against raw tf ops on batched values); importing imle does not.
 *
 * webgpu counts as loaded only if it can read a GPU tensor back synchronously, because the
 * solvers and noise samplers do (custom gradients in tfjs are synchronous); where it cannot,
 * the automatic choice moves on to wasm, and an explicit request fails with a `BackendError`.
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
  const unknown = Object.keys(options).find((k) => k !== 'backend')
  if (unknown !== undefined) throw new BackendError(`init(options): unknown option '${unknown}' (the only option is backend: ${BACKENDS.map((n) => `'${n}'`).join(' | ')})`)
  installEngine()
  if (options.backend !== undefined) {
    const r = await loadBackend(options.backend)()
    if (r._tag === 'Left') throw r.left
    return r.right
  }
  const failures: string[] = []
  for (const name of fallbackOrder()) {
    const r = await loadBackend(name)()
    if (r._tag === 'Right') return r.right
    failures.push(r.left.message)
  }
  throw new BackendError(`init: no backend could be loaded:\n  ${failures.join('\n  ')}`)
}
