/**
 * The batching interpreter's data: `BatchTracer`, the dynamic stack of active `vmap` levels,
 * and `bind`, which sends an operation either to tfjs (no tracer among its operands) or to its
 * batch rule at the highest level present.
 *
 * A `BatchTracer` stands for a value with one extra (hidden) batch axis `bdim` of the `vmap`
 * at `level`. Its `value` is the batched tensor, which may itself be a tracer of a lower level
 * (nested `vmap`); at the bottom there is always a real tfjs tensor. The tracer *is* a
 * `tf.Tensor` to the type system and to tfjs's own bookkeeping (shape and dtype are the
 * per-example ones), so user functions keep their types; but its data lives in its value, so
 * a raw tfjs kernel that receives one throws a `RawTfOpError` (see `engine.ts`).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { beforeInit, VmapError } from './errors.js'

/** One active `vmap`: its level (unique, increasing with nesting) and batch size. */
export interface Frame {
  readonly level: number
  readonly size: number
}

const frames: Frame[] = []
let nextLevel = 0

/** The active `vmap` frames, outermost first. */
export const activeFrames = (): readonly Frame[] => frames

/** The frame of `level`, which must be active. */
export function frameOf(level: number): Frame {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.level === level) return frames[i]!
  throw new VmapError(
    `vmap: a batched value of a vmap that has already returned was used (level ${level}). ` +
      `Return batched values from the vmapped function instead of storing them outside it.`,
  )
}

/** Runs `body` inside a new `vmap` frame of batch size `size`. */
export function withFrame<R>(size: number, body: (frame: Frame) => R): R {
  const frame: Frame = { level: nextLevel++, size }
  frames.push(frame)
  try {
    return body(frame)
  } finally {
    frames.pop()
  }
}

/**
 * Runs `body` with `saved` frames active again (those not active now), for work that a
 * transformation defers past its `vmap`'s return: tfjs runs a custom gradient's backward pass
 * after the forward's `vmap` has returned, but the tracers it rebuilds belong to those frames.
 */
export function withFramesRestored<R>(saved: readonly Frame[], body: () => R): R {
  const missing = saved.filter((f) => !frames.includes(f))
  frames.push(...missing)
  try {
    return body()
  } finally {
    frames.splice(frames.length - missing.length, missing.length)
  }
}

/**
 * Runs `body` with no `vmap` frame active, for opaque code that `callback` calls on plain
 * tensors: transformations inside it (a `grad`, a `vmap`) must not mistake the enclosing
 * `vmap`s for their own.
 */
export function withoutFrames<R>(body: () => R): R {
  const saved = frames.splice(0, frames.length)
  try {
    return body()
  } finally {
    frames.push(...saved)
  }
}

/** The chain of (level, bdim) of a possibly nested tracer, outermost first, and its base. */
export function decompose(t: tf.Tensor): { readonly base: tf.Tensor; readonly chain: readonly { level: number; bdim: number }[] } {
  const chain: { level: number; bdim: number }[] = []
  let v = t
  while (v instanceof BatchTracer) {
    chain.push({ level: v.level, bdim: v.bdim })
    v = v.value
  }
  return { base: v, chain }
}

/** The inverse of `decompose`. */
export function recompose(base: tf.Tensor, chain: readonly { level: number; bdim: number }[]): tf.Tensor {
  let v = base
  for (let i = chain.length - 1; i >= 0; i--) v = new BatchTracer(chain[i]!.level, v, chain[i]!.bdim)
  return v
}

const fakeDataId = Object.freeze({ batchTracer: true })

const removeAxis = (shape: readonly number[], axis: number): number[] =>
  shape.filter((_, i) => i !== axis)

const readError = (what: string): VmapError =>
  new VmapError(
    `vmap: ${what}() was called on a batched value. Data cannot be read inside vmap; wrap code ` +
      `that reads tensor data in callback(fn, { vmapMethod: 'sequential' | 'vectorized' }).`,
  )

/**
 * A value batched along axis `bdim` of `value` by the `vmap` at `level`. `shape` is the
 * per-example shape (`value.shape` without `bdim`).
 */
export class BatchTracer extends tf.Tensor {
  readonly level: number
  readonly value: tf.Tensor
  readonly bdim: number

  // tfjs gives `Tensor` a duck-typed `Symbol.hasInstance` (so that tensors from duplicate
  // copies of tfjs pass `instanceof`), which subclasses inherit: restore the prototype check.
  static override [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(BatchTracer, x)
  }

  constructor(level: number, value: tf.Tensor, bdim: number) {
    super(removeAxis(value.shape, bdim), value.dtype, fakeDataId, -1)
    this.level = level
    this.value = value
    this.bdim = bdim
  }

  /** The real tfjs tensor at the bottom of this (possibly nested) tracer. */
  get base(): tf.Tensor {
    let v: tf.Tensor = this.value
    while (v instanceof BatchTracer) v = v.value
    return v
  }

  override dataSync<D extends tf.DataType = tf.DataType>(): tf.DataTypeMap[D] {
    throw readError('dataSync')
  }
  override data<D extends tf.DataType = tf.DataType>(): Promise<tf.DataTypeMap[D]> {
    throw readError('data')
  }
  override arraySync(): never {
    throw readError('arraySync')
  }
  override array(): never {
    throw readError('array')
  }
  override bufferSync(): never {
    throw readError('bufferSync')
  }
  override buffer(): never {
    throw readError('buffer')
  }
  override dispose(): void {
    this.base.dispose()
  }
  override get isDisposed(): boolean {
    return this.base.isDisposed
  }
  override toString(): string {
    return `BatchTracer(level=${this.level}, bdim=${this.bdim}, shape=[${this.shape.join(', ')}], value shape=[${this.value.shape.join(', ')}])`
  }
}

// tfjs's `tidy` and `keep` book-keep tensors by `id`, `scopeId` and `kept`. A tracer forwards
// these to its base tensor, so that `tf.tidy(() => batchedValue)` inside a vmapped function
// keeps the data alive and moves it to the parent scope, exactly as it would a plain tensor.
// (Accessors are defined here rather than in the class because tfjs declares these as fields.)
for (const key of ['id', 'scopeId', 'kept'] as const) {
  Object.defineProperty(BatchTracer.prototype, key, {
    get(this: BatchTracer) {
      return this.value === undefined ? undefined : (this.base as unknown as Record<string, unknown>)[key]
    },
    set(this: BatchTracer, v: unknown) {
      // tfjs's constructor assigns these before `value` exists; those writes are dropped.
      if (this.value !== undefined) (this.base as unknown as Record<string, unknown>)[key] = v
    },
    configurable: true,
  })
}

/** Whether `x` is a `BatchTracer`. */
export const isTracer = (x: unknown): x is BatchTracer => x instanceof BatchTracer

/** A value at one level of the batching interpreter: its tensor and its batch axis, if any. */
export interface Batched {
  readonly value: tf.Tensor
  readonly bdim: number | null
}

/** A batch rule: how an operation acts on values batched along `bdim` (size `size`). */
export type BatchRule<P> = (args: readonly Batched[], params: P, size: number) => Batched | readonly Batched[]

/** An operation of the batching interpreter: its tfjs implementation and its batch rule. */
export interface Primitive<P> {
  readonly name: string
  /** The tfjs implementation; operands may be `TensorLike` (numbers, arrays) as in tfjs. */
  readonly impl: (args: readonly any[], params: P) => tf.Tensor | readonly tf.Tensor[]
  readonly rule: BatchRule<P>
}

/** The highest tracer level among `xs`, or -1 when none is a tracer. */
export function topLevel(xs: readonly unknown[]): number {
  let level = -1
  for (const x of xs) if (x instanceof BatchTracer && x.level > level) level = x.level
  return level
}

/** Wraps a rule's output at `level` (a tracer when batched, the value itself otherwise). */
export const wrap = (level: number, b: Batched): tf.Tensor =>
  b.bdim === null ? b.value : new BatchTracer(level, b.value, b.bdim)

/**
 * Applies `prim` to tensor operands `args`: with no tracer among them this is exactly
 * `prim.impl`; otherwise the batch rule of the highest level runs on the operands' values at
 * that level (the rule itself calls `ops`, so lower levels are handled recursively).
 */
export function bind<P>(prim: Primitive<P>, args: readonly unknown[], params: P): tf.Tensor | tf.Tensor[] {
  const level = topLevel(args)
  if (level < 0) {
    try {
      return prim.impl(args, params) as tf.Tensor | tf.Tensor[]
    } catch (e) {
      throw beforeInit(prim.name, e)
    }
  }
  const { size } = frameOf(level)
  const inner: Batched[] = args.map((a) =>
    a instanceof BatchTracer && a.level === level
      ? { value: a.value, bdim: a.bdim }
      : { value: a instanceof tf.Tensor ? a : tf.tensor(a as tf.TensorLike), bdim: null },
  )
  const out = prim.rule(inner, params, size)
  return Array.isArray(out) ? out.map((b) => wrap(level, b)) : wrap(level, out as Batched)
}
