/**
 * Checkpoints of pipeline runs: a JSON encoding of pytrees with tensor leaves (bit-exact:
 * tensors as base64 bytes, numbers as JSON numbers, NaN and infinities by name), atomic file
 * writes (temporary file, fsync, rename, fsync of the folder), and a checkpoint folder that
 * keeps the previous good checkpoint until a new one is complete: a run killed mid-write
 * loses nothing but the checkpoint being written.
 *
 * File format: line 1 `imle-checkpoint/1 <sha256 of line 2>`, line 2 the JSON body.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ArgumentError } from '../core/errors.js'

const MAGIC = 'imle-checkpoint/1'

/** A JSON value. */
type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue }

/**
 * Encodes a pytree (tensors, numbers, strings, booleans, null, arrays, plain objects) as JSON,
 * bit-exact: a tensor is `{ "$tensor": { dtype, shape, data: base64 } }`, a non-finite number
 * `{ "$number": "NaN" }`. `decodeTree` reverses it.
 *
 * @example
 * ```ts
 * const json = encodeTree({ w: tf.ones([2]), count: 3 })
 * decodeTree(json)   // { w: float32 [2] (new tensor), count: 3 }
 * ```
 */
export function encodeTree(x: unknown, path = 'tree'): JsonValue {
  if (x instanceof tf.Tensor) {
    const data = x.dataSync() as Float32Array | Int32Array | Uint8Array
    return { $tensor: { dtype: x.dtype, shape: [...x.shape], data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') } }
  }
  if (x === undefined) return { $undefined: true }
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return x
  if (typeof x === 'number') return Number.isFinite(x) ? x : { $number: String(x) }
  if (Array.isArray(x)) return x.map((v, i) => encodeTree(v, `${path}[${i}]`))
  if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, encodeTree(v, `${path}.${k}`)]))
  }
  throw new ArgumentError(`checkpoint.encodeTree(${path}): expected a tensor, number, string, boolean, null, array or plain object but got ${typeof x}`)
}

/**
 * Decodes what `encodeTree` wrote; tensors are new tensors the caller owns.
 *
 * @example
 * ```ts
 * const params = decodeTree(JSON.parse(text).params)
 * ```
 */
export function decodeTree(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(decodeTree)
  if (json !== null && typeof json === 'object') {
    const o = json as Record<string, unknown>
    if ('$tensor' in o) {
      const { dtype, shape, data } = o['$tensor'] as { dtype: tf.DataType; shape: number[]; data: string }
      const bytes = Buffer.from(data, 'base64')
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      const values = dtype === 'int32' ? new Int32Array(buf) : dtype === 'bool' ? new Uint8Array(buf) : new Float32Array(buf)
      return tf.tensor(values, shape, dtype)
    }
    if ('$number' in o) return Number(o['$number'])
    if ('$undefined' in o) return undefined
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeTree(v)]))
  }
  return json
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same folder, fsync, rename over
 * `path`, fsync of the folder. A crash leaves either the old file or the new one, never a part.
 *
 * @example
 * ```ts
 * writeAtomic('run/results.json', JSON.stringify(result))
 * ```
 */
export function writeAtomic(path: string, text: string): void {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = `${path}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  try {
    const dfd = openSync(dir, 'r')
    try {
      fsyncSync(dfd)
    } finally {
      closeSync(dfd)
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic.
  }
}

const NAME = /^ckpt-(\d{9})\.json$/
const fileOf = (dir: string, step: number): string => join(dir, `ckpt-${String(step).padStart(9, '0')}.json`)

/**
 * Saves a checkpoint body (any JSON) for `step` in `dir` atomically, then removes all but the
 * `keep` newest complete checkpoints (default 2: the previous good one survives until the new
 * one is complete) and stale temporary files. Returns the file's path.
 *
 * @example
 * ```ts
 * saveCheckpoint('run/checkpoints', 120, { step: 120, params: encodeTree(params) })
 * ```
 */
export function saveCheckpoint(dir: string, step: number, body: unknown, keep = 2): string {
  const text = JSON.stringify(body)
  const path = fileOf(dir, step)
  writeAtomic(path, `${MAGIC} ${createHash('sha256').update(text).digest('hex')}\n${text}`)
  const steps = listCheckpoints(dir)
  for (const s of steps.slice(keep)) rmSync(fileOf(dir, s), { force: true })
  for (const f of readdirSync(dir)) if (f.includes('.tmp-')) rmSync(join(dir, f), { force: true })
  return path
}

/** The steps of the checkpoint files in `dir`, newest first (complete or not: see `loadLatest`). */
export function listCheckpoints(dir: string): number[] {
  let files: string[]
  try {
    files = readdirSync(dir)
  } catch {
    return []
  }
  return files
    .map((f) => NAME.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a)
}

/** Reads one checkpoint file; `undefined` unless its header and checksum are right. */
export function readCheckpoint(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  const nl = text.indexOf('\n')
  if (nl < 0) return undefined
  const [magic, hash] = text.slice(0, nl).split(' ')
  const body = text.slice(nl + 1)
  if (magic !== MAGIC || hash !== createHash('sha256').update(body).digest('hex')) return undefined
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

/**
 * The newest valid checkpoint in `dir` (header and checksum verified; a damaged or truncated
 * file is skipped for the one before it), or `undefined` when there is none.
 *
 * @example
 * ```ts
 * const latest = loadLatest('run/checkpoints')   // { step, body } | undefined
 * ```
 */
export function loadLatest(dir: string): { readonly step: number; readonly body: unknown } | undefined {
  for (const step of listCheckpoints(dir)) {
    const body = readCheckpoint(fileOf(dir, step))
    if (body !== undefined) return { step, body }
  }
  return undefined
}
