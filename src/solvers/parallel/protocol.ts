/**
 * What the calling thread and the workers of `solvers.parallel` exchange: the messages, and the
 * layout of the shared control words the caller blocks on (`Atomics.wait`) while workers solve.
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads'
import type { SolverOrigin } from '../solver.js'

/** Control word 0: how many workers have not finished the current call. */
export const PENDING = 0
/** Control word `STATUS + i`: how worker `i`'s chunk ended (`OK`, `FAILED`, `EXITED`). */
export const STATUS = 1
/** The chunk was solved. */
export const OK = 0
/** The kernel threw; the error is on the worker's result port. */
export const FAILED = 1
/** The worker's thread exited during the call. */
export const EXITED = 2

/** What a worker is started with (`workerData`). */
export interface WorkerInit {
  /** The worker's index in the pool (its status word is `STATUS + index`). */
  readonly index: number
  /** The solver to rebuild. */
  readonly origin: SolverOrigin
  /** The inner solver's name, checked against the rebuilt one. */
  readonly name: string
  /** The control words (an `Int32Array` over this buffer). */
  readonly control: SharedArrayBuffer
  /** Where the worker posts a failed chunk's error, read synchronously by the caller. */
  readonly results: MessagePort
}

/** A chunk: `count` instances of `shape`, read at float `thetaOffset` and written at `outOffset`. */
export interface Task {
  readonly theta: SharedArrayBuffer
  readonly out: SharedArrayBuffer
  readonly thetaOffset: number
  readonly outOffset: number
  readonly count: number
  readonly shape: readonly number[]
  /** Floats per instance of the output. */
  readonly outSize: number
}

/** An error as it crosses threads: its class (by `_tag`, or its name) and message. */
export interface WireError {
  readonly tag: string | undefined
  readonly name: string
  readonly message: string
}

/** What a worker posts on its parent port once it has started. */
export type Started = { readonly type: 'ready' } | { readonly type: 'failed'; readonly error: WireError }

/** `e` as a `WireError`. */
export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { tag: undefined, name: 'Error', message: String(e) }
  const tag: unknown = (e as Error & { _tag?: unknown })._tag
  return { tag: typeof tag === 'string' ? tag : undefined, name: e.name, message: e.message }
}
