/**
 * Shared io-ts codecs and the decoding helper that turns io-ts errors into one `ConfigError`
 * whose message names the path of every bad field. A codec is the single source of truth of a
 * config: its runtime check and its static type share one name.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { ConfigError } from './errors.js'

/** Brand of the codec of the same name. */
export interface PositiveIntBrand {
  readonly PositiveInt: unique symbol
}
/** An integer >= 1. */
export const PositiveInt = t.brand(t.number, (n): n is t.Branded<number, PositiveIntBrand> => Number.isInteger(n) && n >= 1, 'PositiveInt')
/** An integer >= 1. */
export type PositiveInt = t.TypeOf<typeof PositiveInt>

/** Brand of the codec of the same name. */
export interface NonNegativeBrand {
  readonly NonNegative: unique symbol
}
/** A finite number >= 0. */
export const NonNegative = t.brand(t.number, (n): n is t.Branded<number, NonNegativeBrand> => Number.isFinite(n) && n >= 0, 'NonNegative')
/** A finite number >= 0. */
export type NonNegative = t.TypeOf<typeof NonNegative>

/** Brand of the codec of the same name. */
export interface PositiveBrand {
  readonly Positive: unique symbol
}
/** A finite number > 0. */
export const Positive = t.brand(t.number, (n): n is t.Branded<number, PositiveBrand> => Number.isFinite(n) && n > 0, 'Positive')
/** A finite number > 0. */
export type Positive = t.TypeOf<typeof Positive>

/** Brand of the codec of the same name. */
export interface FiniteBrand {
  readonly Finite: unique symbol
}
/** A finite number. */
export const Finite = t.brand(t.number, (n): n is t.Branded<number, FiniteBrand> => Number.isFinite(n), 'Finite')
/** A finite number. */
export type Finite = t.TypeOf<typeof Finite>

const show = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

/** One line per io-ts error: the path of the bad field, the value and the expected type. */
export function formatErrors(errors: t.Errors): string {
  const lines = errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.')
    const expected = e.context[e.context.length - 1]?.type.name ?? 'unknown'
    return `${path === '' ? '<root>' : path}: expected ${expected} but got ${show(e.value)}`
  })
  return [...new Set(lines)].join('; ')
}

/**
 * Decodes `input` with `codec`; a failure is a `ConfigError` whose message starts with `where`
 * and names each bad field's path.
 *
 * @example
 * ```ts
 * decodeWith('noise.sumOfGamma', SumOfGammaConfig, { k: -1 })   // Left(ConfigError('noise.sumOfGamma: k: expected Positive but got -1'))
 * ```
 */
export function decodeWith<A, O>(where: string, codec: t.Type<A, O, unknown>, input: unknown): E.Either<ConfigError, A> {
  const r = codec.decode(input)
  return E.isLeft(r) ? E.left(new ConfigError(`${where}: ${formatErrors(r.left)}`)) : E.right(r.right)
}

/** `decodeWith`, throwing the `ConfigError` (for factories, where a bad literal config is a programmer error). */
export function decodeOrThrow<A, O>(where: string, codec: t.Type<A, O, unknown>, input: unknown): A {
  const r = decodeWith(where, codec, input)
  if (E.isLeft(r)) throw r.left
  return r.right
}
