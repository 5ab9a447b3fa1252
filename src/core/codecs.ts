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

const isComposite = (type: t.Decoder<unknown, unknown>): boolean => {
  const tag = (type as { _tag?: string })._tag
  return tag === 'UnionType' || tag === 'IntersectionType'
}

/**
 * One line per io-ts error: the path of the bad field, the value and the expected type. Union
 * and intersection member indices are left out of paths; in a union of tagged records (a
 * `type` field), mismatches of the tag itself are reported only when nothing else is wrong, so
 * that `{ type: 'sumOfGamma', k: 'ten' }` reports `k`, not the other members' tags.
 */
export function formatErrors(errors: t.Errors): string {
  const entries = errors.map((e) => {
    const keys: string[] = []
    e.context.forEach((c, i) => {
      if (c.key === '' || (i > 0 && isComposite(e.context[i - 1]!.type))) return
      keys.push(c.key)
    })
    const path = keys.join('.')
    const expected = e.context[e.context.length - 1]?.type.name ?? 'unknown'
    return { path, line: `${path === '' ? '<root>' : path}: expected ${expected} but got ${show(e.value)}` }
  })
  const informative = entries.filter((x) => x.path !== 'type')
  const kept = informative.length > 0 && informative.length < entries.length ? informative : entries
  return [...new Set(kept.map((x) => x.line))].join('; ')
}

/** The field names a record codec knows (`t.type`, `t.partial`, their intersections), or `null`. */
export function knownKeys(codec: t.Decoder<unknown, unknown>): string[] | null {
  const c = codec as { props?: Record<string, unknown>; types?: readonly t.Decoder<unknown, unknown>[]; _tag?: string }
  if (c.props !== undefined) return Object.keys(c.props)
  if (c._tag === 'IntersectionType' && c.types !== undefined) {
    const parts = c.types.map(knownKeys)
    return parts.every((p) => p !== null) ? parts.flat() as string[] : null
  }
  return null
}

/**
 * The keys of `input` (a plain object) that `known` lacks: misspelt options must not be
 * silently ignored.
 */
export function unknownKeys(input: unknown, known: readonly string[]): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return []
  return Object.keys(input).filter((k) => !known.includes(k))
}

/**
 * Decodes `input` with `codec`; a failure is a `ConfigError` whose message starts with `where`
 * and names each bad field's path. For record codecs, keys the codec does not know are refused
 * too (`{ nbSample: 5 }` is an error, not a silent default).
 *
 * @example
 * ```ts
 * decodeWith('noise.sumOfGamma', SumOfGammaConfig, { k: -1 })   // Left(ConfigError('noise.sumOfGamma: k: expected Positive but got -1'))
 * ```
 */
export function decodeWith<A, O>(where: string, codec: t.Type<A, O, unknown>, input: unknown): E.Either<ConfigError, A> {
  const r = codec.decode(input)
  if (E.isLeft(r)) return E.left(new ConfigError(`${where}: ${formatErrors(r.left)}`))
  const known = knownKeys(codec)
  const extra = known === null ? [] : unknownKeys(input, known)
  if (extra.length > 0) {
    return E.left(
      new ConfigError(
        `${where}: unknown option ${extra.map((k) => `'${k}'`).join(', ')}; the options are ${known!.map((k) => `'${k}'`).join(', ')}`,
      ),
    )
  }
  return E.right(r.right)
}

/** `decodeWith`, throwing the `ConfigError` (for factories, where a bad literal config is a programmer error). */
export function decodeOrThrow<A, O>(where: string, codec: t.Type<A, O, unknown>, input: unknown): A {
  const r = decodeWith(where, codec, input)
  if (E.isLeft(r)) throw r.left
  return r.right
}
