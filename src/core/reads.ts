/**
 * How host code reads tensor values: synchronously (`dataSync`), or by replaying a step.
 *
 * Solvers, samplers and callbacks run on the host and read their operands. tfjs's gradients are
 * synchronous, so the reads are too; on a backend that can only read asynchronously (webgpu on
 * some adapters, where `dataSync` returns zeros), a step runs in a *read session*
 * (`transforms/async.ts`): the step runs; at the first host read whose values are not known yet
 * it starts an asynchronous read of the operands and stops (`PendingRead`); the driver awaits the
 * read and runs the step again from the start, the same ops on the same inputs, now with the
 * values of that read (and the host kernel's outputs) taken from the session by their position
 * in the sequence of reads. A step with `n` read points runs `n + 1` times and reads each
 * operand once; each host kernel runs once. State a step changes on the host (an adaptive
 * target's `beta`) lives in `stateCell`s, which a session puts back before each replay, so the
 * updates of the finished step are exactly those of a synchronous run.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { BackendError, ImleError } from './errors.js'

/** Values read from a tensor: a float32 or int32 (or bool) buffer, row-major. */
export type ReadValues = Float32Array | Int32Array | Uint8Array

/**
 * Thrown through a step that must wait for an asynchronous read; the driver of
 * `valueAndGradAsync`, `gradAsync` or `callAsync` catches it, awaits the read and runs the step
 * again. Code inside such a step that catches errors must rethrow this one.
 *
 * @example
 * ```ts
 * import { PendingRead } from 'imle'
 * try {
 *   // ... host work inside an asynchronous step
 * } catch (e) {
 *   if (e instanceof PendingRead) throw e
 *   // handle the step's own errors
 * }
 * ```
 */
export class PendingRead extends ImleError {
  readonly _tag = 'PendingRead'
  constructor(
    readonly session: object,
    readonly ready: Promise<void>,
  ) {
    super('imle: an asynchronous read is pending (run the step with valueAndGradAsync, gradAsync or callAsync)')
  }
}

/** A read session (see the module documentation). */
export interface ReadSession {
  /** `'replay'`: every host read goes through the session; `'auto'`: only where the backend cannot read synchronously. */
  readonly mode: 'auto' | 'replay'
  /** The position of the next read in this run. */
  cursor: number
  /** Values by read position. */
  readonly values: (readonly ReadValues[] | undefined)[]
  /** Host-kernel outputs by read position. */
  readonly outputs: (readonly ReadValues[] | undefined)[]
  /** The value each state cell had when the session first changed it. */
  readonly saved: Map<StateCell<unknown>, unknown>
  /** Asynchronous reads started (one per read position). */
  reads: number
  /** Runs of the step (replays included). */
  runs: number
}

let active: ReadSession | undefined
const asyncOnly = new Set<string>()

/**
 * Marks `backend` as one that can only read tensor data asynchronously (`init` does, for webgpu
 * where the probe fails), or (`asyncOnly` false) as one that reads synchronously again.
 */
export function markAsyncOnly(backend: string, isAsyncOnly = true): void {
  if (isAsyncOnly) asyncOnly.add(backend)
  else asyncOnly.delete(backend)
}

/**
 * Whether the current tfjs backend reads tensor data synchronously (`'sync'`: every
 * transformation works as it is) or only asynchronously (`'async'`: webgpu on an adapter where
 * `dataSync` does not work; steps with solvers, samplers or callbacks run through
 * `valueAndGradAsync`, `gradAsync` or `callAsync`).
 *
 * @example
 * ```ts
 * import { init, readMode } from 'imle'
 * await init()
 * readMode()   // 'sync' on cpu and wasm
 * ```
 */
export const readMode = (): 'sync' | 'async' => (asyncOnly.has(tf.getBackend()) ? 'async' : 'sync')

/** A new session; `run` runs the step in it (see `transforms/async.ts`). */
export function newSession(mode: 'auto' | 'replay'): ReadSession {
  return { mode, cursor: 0, values: [], outputs: [], saved: new Map(), reads: 0, runs: 0 }
}

/** Runs `body` once in `session`, from the first read position, with the state cells as they were before the session. */
export function runInSession<R>(session: ReadSession, body: () => R): R {
  const outer = active
  session.cursor = 0
  session.runs++
  for (const [cell, value] of session.saved) cell.value = value
  active = session
  try {
    return body()
  } finally {
    active = outer
  }
}

/** The session whose reads go through replays, or `undefined` where reads are synchronous. */
function replaying(): ReadSession | undefined {
  if (active === undefined) return undefined
  return active.mode === 'replay' || asyncOnly.has(tf.getBackend()) ? active : undefined
}

/**
 * Whether `x`'s values are still on the host, so that reading them needs no GPU read-back:
 * tfjs-webgpu keeps the values of a tensor made from host data (`tf.tensor`, a host kernel's
 * output, a key) until an op first uploads them. Only asked on webgpu.
 */
function onHost(x: tf.Tensor): boolean {
  if (tf.getBackend() !== 'webgpu') return false
  const backend = tf.backend() as unknown as { tensorMap?: { get(id: object): { values?: unknown } | undefined } }
  return backend.tensorMap?.get(x.dataId)?.values != null
}

/** Throws the `BackendError` of a synchronous read on a backend that cannot do one (unless every operand is on the host). */
function checkSyncRead(what: string, xs: readonly tf.Tensor[]): void {
  if (asyncOnly.has(tf.getBackend()) && !xs.every(onHost)) {
    throw new BackendError(
      `${what}: the ${tf.getBackend()} backend here can read tensor data only asynchronously, and this step reads ` +
        `on the host (a solver, a sampler or a callback); run it with valueAndGradAsync, gradAsync or callAsync`,
    )
  }
}

/**
 * The values of `xs` read at once and recorded for read position `i` when all of them are still
 * on the host (no read-back, no replay), else `undefined`. Recorded, so that the positions of
 * later reads do not depend on where a tensor's values are in a replay.
 */
function hostValues(session: ReadSession, i: number, xs: readonly tf.Tensor[]): readonly ReadValues[] | undefined {
  if (!xs.every(onHost)) return undefined
  const values = xs.map((x) => x.dataSync() as ReadValues)
  session.values[i] = values
  return values
}

/** Starts an asynchronous read of `xs` for read position `i` and throws `PendingRead`. */
function request(session: ReadSession, i: number, xs: readonly tf.Tensor[]): never {
  const kept = xs.map((x) => tf.keep(tf.clone(x)))
  session.reads++
  const ready = Promise.all(kept.map((k) => k.data() as Promise<ReadValues>))
    .then((values) => {
      session.values[i] = values
    })
    .finally(() => tf.dispose(kept))
  throw new PendingRead(session, ready)
}

/**
 * Reads the values of `xs` on the host: synchronously, or in a read session from the session's
 * record (the first time: `PendingRead`). `what` names the reader in errors.
 */
export function readHost(what: string, xs: readonly tf.Tensor[]): readonly ReadValues[] {
  const session = replaying()
  if (session === undefined) {
    checkSyncRead(what, xs)
    return xs.map((x) => x.dataSync() as ReadValues)
  }
  const i = session.cursor++
  return session.values[i] ?? hostValues(session, i, xs) ?? request(session, i, xs)
}

/**
 * A host kernel's read: in a read session, the outputs recorded at this read position
 * (`{ outputs }`, the kernel does not run again), or the operands' values and `record` to keep
 * the outputs; `undefined` outside one (the caller reads synchronously, its own way).
 */
export function hostKernelRead(
  what: string,
  xs: readonly tf.Tensor[],
): { readonly outputs: readonly ReadValues[] } | { readonly values: readonly ReadValues[]; readonly record: (outputs: readonly ReadValues[]) => void } | undefined {
  const session = replaying()
  if (session === undefined) {
    checkSyncRead(what, xs)
    return undefined
  }
  const i = session.cursor++
  const outputs = session.outputs[i]
  if (outputs !== undefined) return { outputs }
  const values = session.values[i] ?? hostValues(session, i, xs) ?? request(session, i, xs)
  return {
    values,
    record: (outs) => {
      session.outputs[i] = outs
      session.values[i] = undefined // the outputs stand for the operands from now on
    },
  }
}

/** A piece of host state that a step may change (see `stateCell`). */
export interface StateCell<S> {
  value: S
}

/** A cell holding `initial`; change it with `setCell` so that read sessions can replay the step. */
export const stateCell = <S>(initial: S): StateCell<S> => ({ value: initial })

/** Sets `cell` to `value`; in a read session, first remembers the value the cell had before the session. */
export function setCell<S>(cell: StateCell<S>, value: S): void {
  if (active !== undefined && !active.saved.has(cell as StateCell<unknown>)) active.saved.set(cell as StateCell<unknown>, cell.value)
  cell.value = value
}
