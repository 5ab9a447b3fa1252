/**
 * Configs: the shared io-ts codecs, the one decoder (every config error in the library is made
 * here, in one format naming the function and the path of the bad field), and `configured`,
 * which derives a factory, its options type and its JSON entry from one codec.
 *
 * The message format: `fn(options.path): expected X but got Y`, `fn(options): unknown option
 * 'x'; the options are ...`; for JSON, `fn(json.path)`.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { ConfigError } from './errors.js'

/**
 * The smallest normal float32, `2^-126` (about `1.18e-38`). Scales, temperatures and step sizes
 * (`Positive`, `NonNegative`) must be 0 or at least this: the library computes in float32, where
 * a smaller (denormal) value is flushed to 0 or makes its reciprocal overflow to `Infinity`.
 */
export const MIN_NORMAL = 2 ** -126

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
/** A finite number >= 0, not a denormal (0, or at least `MIN_NORMAL`). */
export const NonNegative = t.brand(t.number, (n): n is t.Branded<number, NonNegativeBrand> => Number.isFinite(n) && (n === 0 || n >= MIN_NORMAL), 'NonNegative')
/** A finite number >= 0, not a denormal (0, or at least `MIN_NORMAL`). */
export type NonNegative = t.TypeOf<typeof NonNegative>

/** Brand of the codec of the same name. */
export interface PositiveBrand {
  readonly Positive: unique symbol
}
/** A finite number > 0, not a denormal (at least `MIN_NORMAL`). */
export const Positive = t.brand(t.number, (n): n is t.Branded<number, PositiveBrand> => Number.isFinite(n) && n >= MIN_NORMAL, 'Positive')
/** A finite number > 0, not a denormal (at least `MIN_NORMAL`). */
export type Positive = t.TypeOf<typeof Positive>

/** Brand of the codec of the same name. */
export interface FiniteBrand {
  readonly Finite: unique symbol
}
/** A finite number. */
export const Finite = t.brand(t.number, (n): n is t.Branded<number, FiniteBrand> => Number.isFinite(n), 'Finite')
/** A finite number. */
export type Finite = t.TypeOf<typeof Finite>

/** Brand of the codec of the same name. */
export interface UnitIntervalBrand {
  readonly UnitInterval: unique symbol
}
/** A number in [0, 1]. */
export const UnitInterval = t.brand(t.number, (n): n is t.Branded<number, UnitIntervalBrand> => n >= 0 && n <= 1, 'UnitInterval')
/** A number in [0, 1]. */
export type UnitInterval = t.TypeOf<typeof UnitInterval>

/** A value as a message shows it: JSON where it has one (NaN and Infinity by name). */
export const show = (v: unknown): string => {
  if (typeof v === 'number') return String(v)
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

const tagOf = (type: t.Decoder<unknown, unknown>): string | undefined => (type as { _tag?: string })._tag

/** A union's name as messages show it: literals quoted as in TypeScript, `'table' | 'exact'`. */
function unionName(type: t.Decoder<unknown, unknown>): string {
  const members = (type as { types?: readonly t.Decoder<unknown, unknown>[] }).types ?? []
  return members.length > 0 && members.every((m) => tagOf(m) === 'LiteralType')
    ? members.map((m) => show((m as unknown as { value: unknown }).value).replace(/^"(.*)"$/, "'$1'")).join(' | ')
    : type.name
}

const isDenormal = (x: unknown): boolean => typeof x === 'number' && x !== 0 && Math.abs(x) < MIN_NORMAL
const DENORMAL = ` (a denormal: below the smallest normal float32, 2^-126 ≈ 1.18e-38, it computes as 0 or makes 1/x Infinity; use 0 or a larger value)`

/**
 * One line per io-ts error, `fn(arg.path): expected X but got Y`. Intersection member indices
 * are left out of paths; an error inside a union (`4 | 8`) is reported once, at the union,
 * with the union's name and the value it received.
 */
export function formatErrors(fn: string, arg: string, errors: t.Errors): string {
  const lines = errors.map((e) => {
    const keys: string[] = []
    let expected = e.context[e.context.length - 1]?.type.name ?? 'a valid value'
    let got: unknown = e.value
    for (const [i, c] of e.context.entries()) {
      if (i > 0 && c.key !== '' && tagOf(e.context[i - 1]!.type) !== 'IntersectionType') keys.push(c.key)
      if (tagOf(c.type) === 'UnionType') {
        expected = unionName(c.type)
        got = c.actual
        break
      }
    }
    return `${fn}(${[arg, ...keys].join('.')}): expected ${expected} but got ${show(got)}${isDenormal(got) ? DENORMAL : ''}`
  })
  return [...new Set(lines)].join('; ')
}

/** The field names a record codec knows (`t.type`, `t.partial`, their intersections), or `null`. */
export function knownKeys(codec: t.Decoder<unknown, unknown>): string[] | null {
  const c = codec as { props?: Record<string, unknown>; types?: readonly t.Decoder<unknown, unknown>[]; _tag?: string }
  if (c.props !== undefined) return Object.keys(c.props)
  if (c._tag === 'IntersectionType' && c.types !== undefined) {
    const parts = c.types.map(knownKeys)
    return parts.every((p) => p !== null) ? (parts.flat() as string[]) : null
  }
  return null
}

/**
 * Decodes `input` with `codec`; a failure is a `ConfigError` in the library's one format
 * (`fn(arg.path): expected X but got Y`, `arg` defaulting to `options`). For record codecs,
 * keys the codec does not know are refused too: a misspelt option is an error, not a silent
 * default.
 *
 * @example
 * ```ts
 * decodeWith('noise.sumOfGamma', SumOfGammaConfig, { k: -1 })
 * // Left(ConfigError('noise.sumOfGamma(options.k): expected Positive but got -1'))
 * ```
 */
export function decodeWith<A, O>(fn: string, codec: t.Type<A, O, unknown>, input: unknown, arg = 'options'): E.Either<ConfigError, A> {
  const r = codec.decode(input)
  if (E.isLeft(r)) return E.left(new ConfigError(formatErrors(fn, arg, r.left)))
  const known = knownKeys(codec)
  const extra = known === null || typeof input !== 'object' || input === null ? [] : Object.keys(input).filter((k) => !known.includes(k))
  if (extra.length > 0) {
    return E.left(
      new ConfigError(
        `${fn}(${arg}): unknown option ${extra.map((k) => `'${k}'`).join(', ')}; ` +
          (known!.length === 0 ? 'it takes no options' : `the options are ${known!.map((k) => `'${k}'`).join(', ')}`),
      ),
    )
  }
  return E.right(r.right)
}

/** `decodeWith`, throwing the `ConfigError` (for factories, where a bad literal config is a programmer error). */
export function decodeOrThrow<A, O>(fn: string, codec: t.Type<A, O, unknown>, input: unknown, arg = 'options'): A {
  const r = decodeWith(fn, codec, input, arg)
  if (E.isLeft(r)) throw r.left
  return r.right
}

/**
 * Decodes a factory's options argument: `undefined` stands for `{}`, anything but a plain
 * object (`null`, a number, an array) is refused (`fn(options): expected an object of options
 * but got null`), then `defaults` are filled in under the caller's fields and the result is
 * decoded by `decodeWith` (unknown keys refused). The one way every factory reads its options.
 *
 * @example
 * ```ts
 * decodeOptions('imle', ImleConfig, imleDefaults, null)   // Left(ConfigError('imle(options): expected an object of options but got null'))
 * ```
 */
export function decodeOptions<A, O>(
  fn: string,
  codec: t.Type<A, O, unknown>,
  defaults: object,
  input: unknown,
  arg = 'options',
): E.Either<ConfigError, A> {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    return E.left(new ConfigError(`${fn}(${arg}): expected an object of options but got ${show(input)}`))
  }
  return decodeWith(fn, codec, { ...defaults, ...(input as object | undefined) }, arg)
}

/** `decodeOptions`, throwing the `ConfigError` (a bad literal option is a programmer error). */
export function decodeOptionsOrThrow<A, O>(fn: string, codec: t.Type<A, O, unknown>, defaults: object, input: unknown, arg = 'options'): A {
  const r = decodeOptions(fn, codec, defaults, input, arg)
  if (E.isLeft(r)) throw r.left
  return r.right
}

/**
 * The options a caller passes for config codec `C`: the codec's input types (plain numbers for
 * branded fields), every field optional except those in `Req`.
 */
export type OptionsOf<C extends t.Any, Req extends keyof t.OutputOf<C> = never> = Readonly<
  Partial<t.OutputOf<C>> & Pick<t.OutputOf<C>, Req>
>

/**
 * A factory built from a config codec: `factory(options)` fills in `defaults`, decodes with
 * `codec` (a `ConfigError` names the bad field) and calls `make`; `factory.fromJson(json)` does
 * the same for a config read from JSON, with errors at `json.path`. Options types derive from
 * the codec (`OptionsOf`), so each config is declared once.
 */
export interface Configured<C extends t.Any, R, Opts> {
  (options?: Opts): R
  /** The factory's public name, used in messages (`noise.sumOfGamma`). */
  readonly fnName: string
  readonly codec: C
  readonly defaults: Readonly<Partial<t.TypeOf<C>>>
  /** Builds from an already-parsed JSON object (no `type` field); errors name `json.<path>`. */
  readonly fromJson: (json: unknown, where?: string, arg?: string) => E.Either<ConfigError, R>
}

/**
 * Makes a `Configured` factory (see its docs).
 *
 * @example
 * ```ts
 * const Cfg = t.type({ k: PositiveInt })
 * const make = configured('demo', Cfg, { k: 1 }, (c) => c.k * 2)
 * make({ k: 3 })   // 6
 * make({ k: 0 })   // throws ConfigError: demo(options.k): expected PositiveInt but got 0
 * ```
 */
export function configured<C extends t.Any, R, Opts = OptionsOf<C>>(
  fnName: string,
  codec: C,
  defaults: Readonly<Partial<t.TypeOf<C>>>,
  make: (config: t.TypeOf<C>) => R,
): Configured<C, R, Opts> {
  const decodeInput = (input: unknown, where: string, arg: string): E.Either<ConfigError, t.TypeOf<C>> =>
    decodeOptions(where, codec as t.Type<t.TypeOf<C>, unknown, unknown>, defaults, input, arg)
  const factory = (options?: Opts): R => {
    const r = decodeInput(options, fnName, 'options')
    if (E.isLeft(r)) throw r.left
    return make(r.right)
  }
  const fromJson = (json: unknown, where = fnName, arg = 'json'): E.Either<ConfigError, R> =>
    E.flatMap(decodeInput(json, where, arg), (config) =>
      E.tryCatch(
        () => make(config),
        (e) => (e instanceof ConfigError ? e : new ConfigError(`${where}(${arg}): ${e instanceof Error ? e.message : String(e)}`)),
      ),
    )
  return Object.assign(factory, { fnName, codec, defaults, fromJson })
}

/** Decoders from JSON (`{ "type": name, ...options }`) to records, for one kind of record. */
export interface Registry<R> {
  /** The names `type` may take. */
  readonly names: readonly string[]
  /**
   * Builds the record a JSON object names; errors name the path of the bad field. `where` and
   * `at` place a nested config in its parent's message (`estimators.decode(json.noise.k)`).
   */
  readonly decode: (json: unknown, where?: string, at?: string) => E.Either<ConfigError, R>
}

/** What a registry entry provides: building its record from JSON (a `Configured` factory does). */
export interface RegistryEntry<R> {
  readonly fromJson: (json: unknown, where?: string, arg?: string) => E.Either<ConfigError, R>
}

/**
 * The registry of one kind of record (noise, target, solver, estimator): the only place a
 * closed set of names exists, because JSON names a record by a string. `fn` names the decoder
 * in messages (`noise.decode`).
 *
 * @example
 * ```ts
 * const reg = registry('noise.decode', { gumbel: noise.gumbel, sumOfGamma: noise.sumOfGamma })
 * reg.decode({ type: 'sumOfGamma', k: 10 })   // Right(the record)
 * reg.decode({ type: 'cauchy' })              // Left: noise.decode(json.type): expected one of ...
 * ```
 */
export function registry<R>(fn: string, entries: Readonly<Record<string, RegistryEntry<R>>>): Registry<R> {
  const names = Object.keys(entries)
  const oneOf = names.map((n) => `'${n}'`).join(' | ')
  return {
    names,
    decode: (json, where = fn, at = 'json') => {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        return E.left(new ConfigError(`${where}(${at}): expected an object with a "type" field (${oneOf}) but got ${show(json)}`))
      }
      const { type, ...rest } = json as { type?: unknown }
      if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(entries, type)) {
        return E.left(new ConfigError(`${where}(${at}.type): expected one of ${oneOf} but got ${show(type)}`))
      }
      return entries[type]!.fromJson(rest, where, at)
    },
  }
}
