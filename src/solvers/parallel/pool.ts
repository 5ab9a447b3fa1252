/**
 * The worker pool behind `solvers.parallel`: Node worker threads that each rebuild the solver
 * from its origin, and a synchronous `run` that splits a batch into contiguous chunks, solves
 * the first on the calling thread and the others in the workers (theta and the outputs in
 * shared memory), and blocks on `Atomics.wait` until they finish, because a solver is called
 * from tfjs's synchronous gradient code and cannot await. Node's modules are imported when the
 * pool starts, never at module load, so a browser bundle of the library is unaffected.
 *
 * @module
 */
import type * as WorkerThreads from 'node:worker_threads'
import { ArgumentError, BackendError, ConfigError, GradError, TreeMismatchError, VmapError } from '../../core/errors.js'
import type { SolverDefinition, SolverOrigin } from '../solver.js'
import { EXITED, FAILED, OK, PENDING, STATUS, type Started, type Task, type WireError, type WorkerInit } from './protocol.js'

/** Where a pool is in its life: started by `start`, ended by `close` (for good). */
export type PoolStatus = 'idle' | 'starting' | 'ready' | 'closed'

/** A pool of workers for one solver. */
export interface Pool {
  readonly status: () => PoolStatus
  /** Starts the workers and resolves once each has rebuilt and loaded the solver (once). */
  readonly start: () => Promise<void>
  /** Throws a typed error unless the pool is ready. */
  readonly ready: () => void
  /** Solves `count` instances of `shape` from `theta` into `out` (zeroed), like the solver's kernel. */
  readonly run: (theta: Float32Array, out: Float32Array, count: number, shape: readonly number[]) => void
  /** Stops the workers; later calls are typed errors. */
  readonly close: () => Promise<void>
}

/** What a pool needs: its name for messages, the solver's definition and origin, the worker count. */
export interface PoolSpec {
  readonly name: string
  readonly definition: SolverDefinition
  readonly origin: SolverOrigin
  readonly workers: number
}

// A variable specifier, so that bundlers leave Node's modules alone.
const builtin = (name: string): Promise<unknown> => import(name)

/** This module's own extension: `.ts` when run from source (tsx), `.js` when built. */
const EXT = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js'
const isTypeScript = (url: string): boolean => /\.[cm]?tsx?$/.test(new URL(url).pathname)

/**
 * The worker's first script (CommonJS, `eval`): registers tsx's ESM loader when a module to
 * import is TypeScript (a worker does not inherit the hooks of `uvu -r tsx`, nor of the `tsx`
 * command), then imports the worker module; a failure is reported as its start message.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads')
;(async () => {
  if (workerData.tsx !== undefined) (await import(workerData.tsx)).register()
  await import(workerData.entry)
})().catch((e) => parentPort.postMessage({ type: 'failed', error: { tag: e && e._tag, name: (e && e.name) || 'Error', message: String(e && e.stack || e) } }))
`

const CLASSES: Readonly<Record<string, new (message: string) => Error>> = {
  ArgumentError,
  BackendError,
  ConfigError,
  GradError,
  TreeMismatchError,
  VmapError,
}

const NATIVE: Readonly<Record<string, new (message: string) => Error>> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError }

/** The error `w` describes: the library's class of its `_tag`, a built-in class of its name, or an `Error` of that name. */
const revive = (w: WireError, message: string): Error => {
  const Class = (w.tag === undefined ? undefined : CLASSES[w.tag]) ?? NATIVE[w.name]
  if (Class !== undefined) return new Class(message)
  const e = new Error(message)
  e.name = w.name
  return e
}

/**
 * `message` with the instance numbers it names (`instance 3`, the kernels' convention, counted
 * in the chunk) counted in the whole batch; a message naming none gets the chunk appended.
 */
const renumber = (message: string, start: number, end: number): string =>
  /\binstance \d+/.test(message)
    ? message.replace(/\binstance (\d+)/g, (_m, r: string) => `instance ${start + Number(r)}`)
    : `${message} (in instances [${start}, ${end}) of the batch)`

/**
 * The URL of tsx's ESM API (`tsx/esm/api`, its `import` build: the CommonJS build cannot be
 * imported from a worker), resolved from here; a `BackendError` from `fn` when tsx is missing.
 */
async function tsxApi(fn: string, url: string): Promise<string> {
  const { createRequire } = (await builtin('node:module')) as typeof import('node:module')
  const { pathToFileURL } = (await builtin('node:url')) as typeof import('node:url')
  const { readFileSync } = (await builtin('node:fs')) as typeof import('node:fs')
  const { dirname, join } = (await builtin('node:path')) as typeof import('node:path')
  try {
    const manifest = createRequire(import.meta.url).resolve('tsx/package.json')
    const api = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, unknown> }).exports['./esm/api']
    const file = typeof api === 'string' ? api : ((api as { import?: { default?: string } | string }).import ?? '')
    return pathToFileURL(join(dirname(manifest), typeof file === 'string' ? file : (file.default ?? ''))).href
  } catch {
    throw new BackendError(
      `${fn}.load(): the workers must import TypeScript (${url}) and need tsx for it, which is not installed here; ` +
        'install it (npm install -D tsx) or run the built JavaScript',
    )
  }
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Makes a pool (no thread starts before `start`). */
export function makePool(spec: PoolSpec): Pool {
  const { name, definition, origin, workers: count } = spec
  const outputShape = definition.outputShape ?? ((s: readonly number[]) => s)
  let status: PoolStatus = 'idle'
  /** Why the pool closed by itself, if it did. */
  let broken: string | undefined
  let starting: Promise<void> | undefined
  let threads: WorkerThreads.Worker[] = []
  let ports: WorkerThreads.MessagePort[] = []
  let receive: typeof WorkerThreads.receiveMessageOnPort | undefined
  let control = new Int32Array(new SharedArrayBuffer(0))
  let thetaBuf: Float32Array<SharedArrayBuffer> = new Float32Array(new SharedArrayBuffer(0))
  let outBuf: Float32Array<SharedArrayBuffer> = new Float32Array(new SharedArrayBuffer(0))

  const stop = async (): Promise<void> => {
    const ts = threads
    threads = []
    ports.forEach((p) => p.close())
    ports = []
    await Promise.all(ts.map((t) => t.terminate()))
  }

  const launch = async (): Promise<void> => {
    await definition.load?.() // this thread solves a chunk too
    const wt = (await builtin('node:worker_threads')) as typeof WorkerThreads
    receive = wt.receiveMessageOnPort
    const entry = new URL(`./worker${EXT}`, import.meta.url).href
    const tsx = isTypeScript(entry) || isTypeScript(origin.module) ? await tsxApi(name, isTypeScript(origin.module) ? origin.module : entry) : undefined
    const sab = new SharedArrayBuffer(4 * (STATUS + count))
    control = new Int32Array(sab)
    const started = Array.from({ length: count }, (_, index) => {
      const { port1, port2 } = new wt.MessageChannel()
      const data: WorkerInit & { entry: string; tsx: string | undefined } = { index, origin, name: definition.name, control: sab, results: port2, entry, tsx }
      const worker = new wt.Worker(BOOTSTRAP, { eval: true, workerData: data, transferList: [port2] })
      worker.unref()
      threads.push(worker)
      ports.push(port1)
      return new Promise<void>((resolve, reject) => {
        const fail = (why: string): void =>
          reject(new BackendError(`${name}.load(): worker ${index} could not rebuild the solver from its origin (${origin.export} in ${origin.module}): ${why}`))
        worker.once('message', (m: Started) => (m.type === 'ready' ? resolve() : fail(m.error.message)))
        worker.once('error', (e) => fail(e.message))
        worker.once('exit', (code) => fail(`the thread exited with code ${code}`))
      })
    })
    try {
      await Promise.all(started)
    } catch (e) {
      await stop()
      throw e
    }
    // A worker that dies between calls (unref'd, its listeners keep nothing alive) ends the
    // pool rather than leaving the next call waiting for it.
    threads.forEach((t, index) =>
      t.on('exit', (code) => {
        if (status !== 'closed') {
          status = 'closed'
          broken = `worker ${index} exited with code ${code}`
          void stop()
        }
      }),
    )
  }

  const start = (): Promise<void> => {
    if (status === 'closed') return Promise.reject(closedError())
    starting ??= (status = 'starting', launch()).then(
      () => {
        if (status === 'starting') status = 'ready'
      },
      (e: unknown) => {
        status = 'idle'
        starting = undefined
        throw e
      },
    )
    return starting
  }

  const closedError = (): ArgumentError =>
    new ArgumentError(
      `${name}: the worker pool is closed (${broken ?? 'close() was called'}); make a new solvers.parallel(...) and await its load()`,
    )

  const ready = (): void => {
    if (status === 'ready') return
    if (status === 'closed') throw closedError()
    throw new ArgumentError(`${name}: the worker pool is not started; \`await solver.load()\` (asynchronous, once) before solving`)
  }

  const grow = (buf: Float32Array<SharedArrayBuffer>, floats: number): Float32Array<SharedArrayBuffer> =>
    buf.length >= floats ? buf : new Float32Array(new SharedArrayBuffer(4 * Math.max(floats, 2 * buf.length)))

  const run = (theta: Float32Array, out: Float32Array, n: number, shape: readonly number[]): void => {
    ready()
    const size = sizeOf(shape)
    const outSize = sizeOf(outputShape(shape))
    // Contiguous chunks, as equal as can be: chunk 0 on this thread, chunk k in worker k - 1.
    const parts = Math.min(n, count + 1)
    if (parts <= 1) return definition.kernel(theta, out, n, shape)
    const bounds = Array.from({ length: parts + 1 }, (_, k) => Math.round((k * n) / parts))
    const first = bounds[1]!
    thetaBuf = grow(thetaBuf, (n - first) * size)
    outBuf = grow(outBuf, (n - first) * outSize)
    thetaBuf.set(theta.subarray(first * size, n * size))
    Atomics.store(control, PENDING, parts - 1)
    for (let k = 1; k < parts; k++) {
      Atomics.store(control, STATUS + k - 1, OK)
      const task: Task = {
        theta: thetaBuf.buffer,
        out: outBuf.buffer,
        thetaOffset: (bounds[k]! - first) * size,
        outOffset: (bounds[k]! - first) * outSize,
        count: bounds[k + 1]! - bounds[k]!,
        shape,
        outSize,
      }
      threads[k - 1]!.postMessage(task)
    }
    let own: unknown
    try {
      definition.kernel(theta.subarray(0, first * size), out.subarray(0, first * outSize), first, shape)
    } catch (e) {
      own = e
    }
    for (let p = Atomics.load(control, PENDING); p !== 0; p = Atomics.load(control, PENDING)) Atomics.wait(control, PENDING, p)
    // Every worker error is read, so that none is left for the next call.
    let failure: Error | undefined
    let exited = false
    for (let k = 1; k < parts; k++) {
      const code = Atomics.load(control, STATUS + k - 1)
      if (code === OK) continue
      if (code === EXITED) {
        exited = true
        failure ??= new BackendError(`${name}: worker ${k - 1} exited while solving instances [${bounds[k]}, ${bounds[k + 1]}); the pool is closed`)
        continue
      }
      const w = receive!(ports[k - 1]!)?.message as WireError | undefined
      failure ??=
        code === FAILED && w !== undefined
          ? revive(w, renumber(w.message, bounds[k]!, bounds[k + 1]!))
          : new BackendError(`${name}: worker ${k - 1} failed on instances [${bounds[k]}, ${bounds[k + 1]}) without an error`)
    }
    if (exited) {
      status = 'closed'
      broken = 'a worker exited during a call'
      void stop()
    }
    if (own !== undefined) throw own
    if (failure !== undefined) throw failure
    out.set(outBuf.subarray(0, (n - first) * outSize), first * outSize)
  }

  const close = async (): Promise<void> => {
    const pending = starting
    status = 'closed'
    await pending?.catch(() => undefined)
    await stop()
  }

  return { status: () => status, start, ready, run, close }
}
