/**
 * The noise distributions JSON configs can name: `{ "type": "gumbel" }`, `{ "type": "normal" }`,
 * `{ "type": "none" }`, `{ "type": "sumOfGamma", "k": 10, "nbIterations": 100 }`.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import { registry } from '../../core/config.js'
import type { ConfigError } from '../../core/errors.js'
import { gumbel, type GumbelNoise } from './gumbel.js'
import { none, type NoNoise } from './none.js'
import { normal, type NormalNoise } from './normal.js'
import { sumOfGamma, type SumOfGammaNoise } from './sum_of_gamma.js'

/** The noise records JSON can name (the one closed union of noises: JSON names them by string). */
export type BuiltinNoise = GumbelNoise | NormalNoise | NoNoise | SumOfGammaNoise

const noises = registry<BuiltinNoise>('noise.decode', { gumbel, normal, none, sumOfGamma })

/**
 * Decodes a noise config from JSON: `{"type": "gumbel"}`, `{"type": "none"}` or
 * `{"type": "sumOfGamma", "k": 10, "nbIterations": 100}`. Failures name the bad field
 * (`noise.decode(json.k): expected Positive but got -1`).
 *
 * @example
 * ```ts
 * import { noise } from 'imle'
 * const r = noise.decode(JSON.parse('{"type":"sumOfGamma","k":10}'))   // Right(SumOfGammaNoise)
 * ```
 */
export const decode: (json: unknown, where?: string, at?: string) => E.Either<ConfigError, BuiltinNoise> = noises.decode

/**
 * The noise names JSON configs may use (the `type` field).
 *
 * @example
 * ```ts
 * import { noise } from 'imle'
 * noise.names   // ['gumbel', 'normal', 'none', 'sumOfGamma']
 * ```
 */
export const names: readonly string[] = noises.names
