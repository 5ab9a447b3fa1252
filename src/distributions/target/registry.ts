/**
 * The targets JSON configs can name: `{ "type": "standard", "beta": 10 }`,
 * `{ "type": "adaptive", "initialBeta": 1 }`.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import { registry } from '../../core/config.js'
import type { ConfigError } from '../../core/errors.js'
import { adaptive, type AdaptiveTarget } from './adaptive.js'
import { standard, type StandardTarget } from './standard.js'

/** The target records JSON can name. */
export type BuiltinTarget = StandardTarget | AdaptiveTarget

const targets = registry<BuiltinTarget>('target.decode', { standard, adaptive })

/**
 * Decodes a target config from JSON (`{ "type": "standard", "alpha": 1, "beta": 10 }`,
 * `{ "type": "adaptive" }`).
 *
 * @example
 * ```ts
 * import { target } from 'imle'
 * const r = target.decode(JSON.parse('{"type":"standard","beta":10}'))   // Either<ConfigError, Target>
 * ```
 */
export const decode: (json: unknown, where?: string, at?: string) => E.Either<ConfigError, BuiltinTarget> = targets.decode
