/**
 * How an op is defined: a `Primitive` (its tf implementation and its batch rule) registered in
 * the table `primitives`, and the typed function that binds it.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import { ArgumentError, beforeInit, ImleError, VmapError } from '../errors.js'
import { bind, type BatchRule, type Primitive } from '../tracer.js'

/** A tensor operand: a tensor (or tracer) or anything tfjs converts to one. */
export type Operand = tf.Tensor | tf.TensorLike

/** Axes of a reduction: one, several, or all (`null`/omitted). */
export type Axis = number | number[] | null | undefined

const table = new Map<string, Primitive<any>>()

/** Every op's primitive by name: the rule table (a test checks each op has an entry). */
export const primitives: ReadonlyMap<string, Primitive<any>> = table

/** The single output of a one-output primitive. */
export const one = (t: tf.Tensor | tf.Tensor[]): tf.Tensor => t as tf.Tensor

/** The outputs of a several-output primitive. */
export const many = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => t as tf.Tensor[]

/** A non-imle error from an op's tfjs call: `BackendError` before `init()`, else an `ArgumentError` naming the op. */
function opError(fn: string, e: unknown): unknown {
  const typed = beforeInit(fn, e)
  if (typed !== e) return typed
  return new ArgumentError(`${fn}: ${e instanceof Error ? e.message : String(e)}`)
}

/**
 * A check of an op's operands and parameters against each other, run before the op binds: it
 * sees the operands as the caller passed them, so under `vmap` their shapes are the
 * per-example shapes the caller wrote code for, and its errors say so (see `check.ts`).
 */
export type OpCheck<P> = (args: readonly unknown[], params: P) => void

/**
 * Defines an op from its tf implementation and a rule factory, called once on first use so
 * that the rule may refer to the op itself (for the recursive call on lower levels). `api`
 * turns the binder into the op's public signature. `check`, when given, runs on every call
 * before the op binds (a few comparisons of shapes: no tensor is made or read).
 */
export function defOp<P, F extends (...args: never[]) => unknown>(
  name: string,
  impl: Primitive<P>['impl'],
  makeRule: () => BatchRule<P>,
  api: (bindIt: (args: readonly unknown[], params: P) => tf.Tensor | tf.Tensor[]) => F,
  check?: OpCheck<P>,
): F {
  let rule: BatchRule<P> | undefined
  // tfjs's own errors (inconsistent shapes, bad attributes) become typed errors naming the op.
  const checked: Primitive<P>['impl'] = (args, params) => {
    try {
      return impl(args, params)
    } catch (e) {
      throw e instanceof ImleError ? e : opError(`ops.${name}`, e)
    }
  }
  const p: Primitive<P> = { name, impl: checked, rule: (a, params, size) => (rule ??= makeRule())(a, params, size) }
  if (table.has(name)) throw new VmapError(`ops: the op '${name}' is defined twice`)
  table.set(name, p)
  if (check === undefined) return api((args, params) => bind(p, args, params))
  return api((args, params) => {
    check(args, params)
    return bind(p, args, params)
  })
}
