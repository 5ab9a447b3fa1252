/**
 * What every optimiser and gradient transformation shares: the `Optimizer` record type
 * (optax's `GradientTransformation`), learning rates that are a number or a schedule, the
 * structure check of `update`'s arguments, and `applyUpdates`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { MIN_NORMAL, show } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import * as tree from '../core/tree.js'

/**
 * An optimiser or gradient transformation: `init(params)` gives the state, `update(grads,
 * state, params?)` gives the updates (same structure as `grads`) and the next state. Pure
 * functions over pytrees of float32 tensors; the state is explicit data. `params` is needed
 * only by transformations that read the parameters (`sgd` with `weightDecay`).
 */
export interface Optimizer<S, P> {
  readonly _tag: string
  readonly init: (params: P) => S
  readonly update: (grads: P, state: S, params?: P) => readonly [P, S]
}

/** The state type of an optimiser. */
export type StateOf<O> = O extends Optimizer<infer S, any> ? S : never

/**
 * A learning-rate schedule: the learning rate of the update that follows `step` earlier
 * updates (`step = 0` for the first update), as optax's schedules. See `optim.schedules`.
 */
export type Schedule = (step: number) => number

/** The codec of a schedule: any function (its values are checked when it is called). */
export const ScheduleCodec = new t.Type<Schedule, Schedule, unknown>(
  'a schedule (step) => number',
  (u): u is Schedule => typeof u === 'function',
  (u, c) => (typeof u === 'function' ? t.success(u as Schedule) : t.failure(u, c)),
  t.identity,
)

const PositiveNumber = t.refinement(t.number, (n) => Number.isFinite(n) && n >= MIN_NORMAL, 'Positive')

/**
 * The codec of a `learningRate` option: a positive finite number or a schedule.
 *
 * @example
 * ```ts
 * optim.LearningRate.decode(0.1)                                  // Right(0.1)
 * optim.LearningRate.decode(optim.schedules.constant(0.1))       // Right(schedule)
 * ```
 */
export const LearningRate = t.union([PositiveNumber, ScheduleCodec], 'a positive number or a schedule (step) => number')
/** A learning rate: a positive number or a schedule `(step) => number`. */
export type LearningRate = number | Schedule

/**
 * The learning rate for the update after `step` earlier ones: `lr` itself, or `lr(step)`,
 * which must be a finite number (an `ArgumentError` naming `fn` otherwise).
 */
export function learningRateAt(fn: string, lr: LearningRate, step: number): number {
  if (typeof lr === 'number') return lr
  const v = lr(step)
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ArgumentError(`${fn}: the learningRate schedule returned ${show(v)} at step ${step}; a schedule must return a finite number`)
  }
  return v
}

/**
 * Throws unless `value` (the argument `arg` of `fn`) has the structure of `like` (a
 * `TreeMismatchError` naming the key path) and each tensor leaf its shape (an `ArgumentError`).
 */
export function checkLike(fn: string, arg: string, value: unknown, likeName: string, like: unknown): void {
  const [ls, def] = tree.flatten(value)
  const [rs, likeDef] = tree.flatten(like)
  tree.assertSameStructure(`${fn}(${arg}) against ${likeName}`, likeDef, def)
  for (let i = 0; i < ls.length; i++) {
    const [a, b] = [ls[i]!, rs[i]!]
    if (a.shape.length !== b.shape.length || a.shape.some((d, j) => d !== b.shape[j])) {
      throw new ArgumentError(`${fn}(${arg}): tensor leaf ${i} has shape ${fmtShape(a.shape)} but in ${likeName} it has shape ${fmtShape(b.shape)}`)
    }
  }
}

/** Throws an `ArgumentError` naming `fn` unless `params` holds at least one tensor. */
export function checkParams(fn: string, params: unknown): void {
  if (tree.leaves(params).length === 0) {
    throw new ArgumentError(`${fn}(params): params must be a tensor or a pytree of float32 tensors but got ${show(params)} (no tensor leaf)`)
  }
}

/**
 * `params + updates`, leaf by leaf.
 *
 * Shapes: `(P, P) -> P` (every leaf keeps its shape).
 *
 * @example
 * ```ts
 * params = optim.applyUpdates(params, updates)
 * ```
 */
export const applyUpdates = <P>(params: P, updates: P): P => {
  checkLike('optim.applyUpdates', 'updates', updates, 'params', params)
  return tree.map((p, u) => tf.add(p, u), params, updates) as P
}
