/**
 * The toy study's configuration: one io-ts codec (`ToyConfig`) that checks a config read from
 * JSON and gives its type, and the presets `quick` (seconds, used by the tests) and `full`
 * (100 repetitions and the learning-rate by lambda grid).
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeWith, Finite, Positive, PositiveInt } from '../../core/config.js'
import type { ConfigError } from '../../core/errors.js'
import { METHODS, type ToyMethodName } from './methods.js'

const Method = t.keyof(Object.fromEntries(METHODS.map((m) => [m, null])) as Record<ToyMethodName, null>, 'a toy method')
const Momentum = t.refinement(t.number, (n) => n >= 0 && n < 1, 'a momentum in [0, 1)')
const Seed = t.refinement(Finite, (n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1, 'an integer seed in [0, 2^31 - 1]')
const NonEmpty = <C extends t.Mixed>(c: C, name: string) => t.refinement(t.array(c), (a) => a.length > 0, name)

/**
 * The codec of a toy-study config: `seed` (problems and noise keys), `repetitions` `R`,
 * `steps` `T` of SGD with `momentum`, the grids `learningRates` and `lambdas` (I-MLE's
 * `lambda`, the perturbed optimiser's `sigma`; the other methods use the learning rates only),
 * the `methods`, and `nbIterations` (the Sum-of-Gamma noise's terms).
 *
 * @example
 * ```ts
 * toy.ToyConfig.is(toy.preset('quick'))   // true
 * toy.decodeConfig({ ...toy.preset('quick'), steps: 0 })
 * // Left(ConfigError('toy(config.steps): expected PositiveInt but got 0'))
 * ```
 */
export const ToyConfig = t.type({
  seed: Seed,
  repetitions: PositiveInt,
  steps: PositiveInt,
  momentum: Momentum,
  learningRates: NonEmpty(Positive, 'a non-empty array of positive learning rates'),
  lambdas: NonEmpty(Positive, 'a non-empty array of positive lambdas'),
  methods: NonEmpty(Method, 'a non-empty array of toy methods'),
  nbIterations: PositiveInt,
})
/** A decoded toy-study config. */
export type ToyConfig = t.TypeOf<typeof ToyConfig>

/**
 * Decodes a toy-study config from JSON; a bad field is a `ConfigError` naming its path.
 *
 * @example
 * ```ts
 * const c = toy.decodeConfig(JSON.parse(text))   // Either<ConfigError, ToyConfig>
 * ```
 */
export const decodeConfig = (json: unknown): E.Either<ConfigError, ToyConfig> => decodeWith('toy', ToyConfig, json, 'config')

/**
 * The preset names.
 *
 * @example
 * ```ts
 * toy.PRESETS.map((p) => toy.preset(p).repetitions)   // [10, 100]
 * ```
 */
export const PRESETS = ['quick', 'full'] as const
/** A preset name. */
export type ToyPreset = (typeof PRESETS)[number]

/**
 * A preset: `quick` (10 repetitions, 300 steps, 3 learning rates by 3 lambdas; seconds) or
 * `full` (100 repetitions, 500 steps, 9 learning rates from 0.003 to 30 by 6 lambdas from 0.3
 * to 100), with `seed` (default 0).
 * Both use SGD with momentum 0.9 and Sum-of-Gamma noise of 100 terms.
 *
 * @example
 * ```ts
 * const c = toy.preset('full', 1)   // ToyConfig
 * ```
 */
export function preset(name: ToyPreset, seed = 0): ToyConfig {
  const common = { seed, momentum: 0.9, methods: [...METHODS], nbIterations: 100 }
  const raw =
    name === 'quick'
      ? { ...common, repetitions: 10, steps: 300, learningRates: [0.03, 0.3, 3], lambdas: [1, 3, 10] }
      : { ...common, repetitions: 100, steps: 500, learningRates: [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30], lambdas: [0.3, 1, 3, 10, 30, 100] }
  return raw as ToyConfig
}
