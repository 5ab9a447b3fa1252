/**
 * Learning-rate schedules, as optax's: functions `(step) => number` of the number of updates
 * done so far, usable as the `learningRate` of `sgd` and `adam`. Each factory decodes its
 * options with an io-ts codec (a `ConfigError` names the bad field) and returns a pure function.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOptionsOrThrow, decodeOrThrow, Finite, NonNegative, PositiveInt } from '../core/config.js'
import { ConfigError } from '../core/errors.js'
import type { Schedule } from './base.js'

export type { Schedule } from './base.js'

/** A non-negative integer (a step count). */
const Step = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer')
/** A finite number > 0. */
const PositiveFinite = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0, 'a finite number > 0')

/**
 * A constant learning rate: `constant(v)(step) = v`.
 *
 * @example
 * ```ts
 * const lr = optim.schedules.constant(0.1)
 * lr(1000)   // 0.1
 * ```
 */
export function constant(value: number): Schedule {
  const v = decodeOrThrow('optim.schedules.constant', Finite, value, 'value')
  return () => v
}

/**
 * The codec of `exponentialDecay`'s options.
 *
 * @example
 * ```ts
 * optim.schedules.ExponentialDecayConfig.is({ initValue: 0.1, transitionSteps: 100, decayRate: 0.5, transitionBegin: 0, staircase: false, endValue: undefined })   // true
 * ```
 */
export const ExponentialDecayConfig = t.type({
  initValue: Finite,
  transitionSteps: PositiveInt,
  decayRate: PositiveFinite,
  transitionBegin: Step,
  staircase: t.boolean,
  endValue: t.union([Finite, t.undefined]),
})

/**
 * Exponential decay (optax's `exponential_decay`): `initValue` up to `transitionBegin`, then
 * `initValue * decayRate^((step - transitionBegin) / transitionSteps)` (the exponent floored
 * with `staircase`), clipped at `endValue` when given (from below when `decayRate < 1`, from
 * above otherwise).
 *
 * @example
 * ```ts
 * const lr = optim.schedules.exponentialDecay({ initValue: 0.1, transitionSteps: 100, decayRate: 0.5 })
 * lr(0)     // 0.1
 * lr(100)   // 0.05
 * lr(200)   // 0.025
 * ```
 */
export function exponentialDecay(options: {
  readonly initValue: number
  readonly transitionSteps: number
  readonly decayRate: number
  readonly transitionBegin?: number
  readonly staircase?: boolean
  readonly endValue?: number
}): Schedule {
  const c = decodeOptionsOrThrow('optim.schedules.exponentialDecay', ExponentialDecayConfig, { transitionBegin: 0, staircase: false }, options)
  return (step) => {
    if (step <= c.transitionBegin) return c.initValue
    let p = (step - c.transitionBegin) / c.transitionSteps
    if (c.staircase) p = Math.floor(p)
    const v = c.initValue * c.decayRate ** p
    if (c.endValue === undefined) return v
    return c.decayRate < 1 ? Math.max(v, c.endValue) : Math.min(v, c.endValue)
  }
}

/**
 * The codec of `cosineDecay`'s options.
 *
 * @example
 * ```ts
 * optim.schedules.CosineDecayConfig.is({ initValue: 0.1, decaySteps: 100, alpha: 0, exponent: 1 })   // true
 * ```
 */
export const CosineDecayConfig = t.type({ initValue: Finite, decaySteps: PositiveInt, alpha: Finite, exponent: PositiveFinite })

/**
 * Cosine decay (optax's `cosine_decay_schedule`, Loshchilov and Hutter 2017):
 * `initValue * ((1 - alpha) * c^exponent + alpha)` with
 * `c = (1 + cos(pi * min(step, decaySteps) / decaySteps)) / 2`: from `initValue` at step 0 to
 * `alpha * initValue` from `decaySteps` on.
 *
 * @example
 * ```ts
 * const lr = optim.schedules.cosineDecay({ initValue: 0.1, decaySteps: 100 })
 * lr(0)     // 0.1
 * lr(50)    // 0.05
 * lr(100)   // 0
 * ```
 */
export function cosineDecay(options: { readonly initValue: number; readonly decaySteps: number; readonly alpha?: number; readonly exponent?: number }): Schedule {
  const c = decodeOptionsOrThrow('optim.schedules.cosineDecay', CosineDecayConfig, { alpha: 0, exponent: 1 }, options)
  return (step) => {
    const cos = 0.5 * (1 + Math.cos((Math.PI * Math.min(Math.max(step, 0), c.decaySteps)) / c.decaySteps))
    return c.initValue * ((1 - c.alpha) * cos ** c.exponent + c.alpha)
  }
}

/**
 * The codec of `piecewiseConstant`'s options.
 *
 * @example
 * ```ts
 * optim.schedules.PiecewiseConstantConfig.is({ initValue: 1, boundaries: [10], scales: [0.1] })   // true
 * ```
 */
export const PiecewiseConstantConfig = t.type({
  initValue: Finite,
  boundaries: t.readonlyArray(Step),
  scales: t.readonlyArray(NonNegative),
})

/**
 * A piecewise constant schedule (optax's `piecewise_constant_schedule`, with the boundaries and
 * scales as two arrays): `initValue` times the product of `scales[i]` over the boundaries
 * `boundaries[i] <= step`. Boundaries must increase strictly; there is one scale per boundary.
 *
 * @example
 * ```ts
 * const lr = optim.schedules.piecewiseConstant({ initValue: 1, boundaries: [10, 20], scales: [0.1, 0.5] })
 * lr(9)    // 1
 * lr(10)   // 0.1
 * lr(20)   // 0.05
 * ```
 */
export function piecewiseConstant(options: { readonly initValue: number; readonly boundaries: readonly number[]; readonly scales: readonly number[] }): Schedule {
  const fn = 'optim.schedules.piecewiseConstant'
  const c = decodeOptionsOrThrow(fn, PiecewiseConstantConfig, {}, options)
  if (c.boundaries.length !== c.scales.length) {
    throw new ConfigError(
      `${fn}(options.scales): need one scale per boundary but got ${c.scales.length} scales for ${c.boundaries.length} boundaries`,
    )
  }
  for (let i = 1; i < c.boundaries.length; i++) {
    if (!(c.boundaries[i]! > c.boundaries[i - 1]!)) {
      throw new ConfigError(`${fn}(options.boundaries): boundaries must increase strictly but got [${c.boundaries.join(', ')}]`)
    }
  }
  const boundaries = [...c.boundaries]
  const scales = [...c.scales]
  return (step) => {
    let v: number = c.initValue
    for (let i = 0; i < boundaries.length && step >= boundaries[i]!; i++) v *= scales[i]!
    return v
  }
}

/**
 * The codec of `warmupCosine`'s options.
 *
 * @example
 * ```ts
 * optim.schedules.WarmupCosineConfig.is({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110, endValue: 0, exponent: 1 })   // true
 * ```
 */
export const WarmupCosineConfig = t.type({
  initValue: Finite,
  peakValue: Finite,
  warmupSteps: Step,
  decaySteps: PositiveInt,
  endValue: Finite,
  exponent: PositiveFinite,
})

/**
 * Linear warm-up then cosine decay (optax's `warmup_cosine_decay_schedule`): from `initValue`
 * at step 0 linearly to `peakValue` at `warmupSteps`, then a cosine from `peakValue` to
 * `endValue` at `decaySteps` (which counts the warm-up steps), `endValue` after.
 *
 * @example
 * ```ts
 * const lr = optim.schedules.warmupCosine({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110 })
 * lr(5)     // 0.5
 * lr(10)    // 1
 * lr(60)    // 0.5
 * lr(110)   // 0
 * ```
 */
export function warmupCosine(options: {
  readonly initValue: number
  readonly peakValue: number
  readonly warmupSteps: number
  readonly decaySteps: number
  readonly endValue?: number
  readonly exponent?: number
}): Schedule {
  const fn = 'optim.schedules.warmupCosine'
  const c = decodeOptionsOrThrow(fn, WarmupCosineConfig, { endValue: 0, exponent: 1 }, options)
  if (!(c.decaySteps > c.warmupSteps)) {
    throw new ConfigError(`${fn}(options.decaySteps): decaySteps counts the warm-up steps, so it must exceed warmupSteps (${c.warmupSteps}) but got ${c.decaySteps}`)
  }
  const span = c.decaySteps - c.warmupSteps
  return (step) => {
    if (step < c.warmupSteps) return c.initValue + ((c.peakValue - c.initValue) * step) / c.warmupSteps
    const cos = 0.5 * (1 + Math.cos((Math.PI * Math.min(step - c.warmupSteps, span)) / span))
    return c.endValue + (c.peakValue - c.endValue) * cos ** c.exponent
  }
}
