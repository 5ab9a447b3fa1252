/**
 * The on-disk cache of the Warcraft stand-in data set (Node only; `node:fs` and `node:crypto`
 * are imported when `load` runs, so bundling this module for a browser loads neither).
 *
 * Format (one file per parameter set, `warcraft-k<k>-<key>.bin`, `<key>` the first 16 hex
 * digits of the SHA-256 of the canonical JSON of the decoded parameters and
 * `GENERATOR_VERSION`):
 *
 * ```
 * bytes 0..8      magic "IMLEWC\0\1"
 * bytes 8..12     uint32 LE: length H of the header
 * bytes 12..12+H  UTF-8 JSON header: { format: 1, generator, config, payloadBytes, sha256 }
 * then            the payload: for train, val, test in turn, uint8 terrain [n, k, k],
 *                 uint8 paths [n, k, k], uint8 images [n, 8k, 8k, 3]
 * ```
 *
 * A file is used only when its magic, header, generator version and parameters match, its
 * length is exactly `12 + H + payloadBytes`, the payload's SHA-256 matches and every terrain
 * and path value is in range; anything else (a truncated write, flipped bits, another
 * version) is reported as `corrupt` and the data are regenerated and written again. Writes
 * are atomic: a temporary file in the same directory, renamed over the target.
 *
 * @module
 */
import { TILE, TERRAINS } from './terrain.js'
import { decodeConfig, fromRaw, generateRaw, GENERATOR_VERSION, SPLITS, type RawSplit, type WarcraftConfig, type WarcraftData, type WarcraftOptions } from './generate.js'

const MAGIC = Uint8Array.of(0x49, 0x4d, 0x4c, 0x45, 0x57, 0x43, 0x00, 0x01) // "IMLEWC\0\1"
const FORMAT = 1

/** What `load` did with the cache. */
export interface CacheInfo {
  /** The cache file of these parameters. */
  readonly path: string
  /** `hit`: read from the file; `miss`: no file, generated and written; `corrupt`: the file was unusable (see `reason`), regenerated and rewritten. */
  readonly status: 'hit' | 'miss' | 'corrupt'
  /** Why a file was found unusable (`status: 'corrupt'`). */
  readonly reason?: string
}

/** `load`'s result: the data set and what happened with its cache file. */
export interface LoadedWarcraftData extends WarcraftData {
  readonly cache: CacheInfo
}

/** The options of `load`: those of `generate` and the cache directory. */
export interface LoadOptions extends WarcraftOptions {
  /** The directory of the cache files (created if missing). */
  readonly cacheDir: string
}

/** The canonical JSON of a config and the generator version: the cache key's preimage. */
const canonical = (config: WarcraftConfig): string =>
  JSON.stringify({ generator: GENERATOR_VERSION, k: config.k, seed: config.seed, sizes: { train: config.sizes.train, val: config.sizes.val, test: config.sizes.test } })

/** The bytes of split `s`'s three arrays in the payload. */
const splitBytes = (k: number, n: number): number => n * k * k * (2 + TILE * TILE * 3)

/**
 * The cache file name of a parameter set: `warcraft-k<k>-<16 hex digits>.bin`.
 *
 * @example
 * ```ts
 * await warcraft.cacheFileName({ k: 12, sizes: { train: 10, val: 2, test: 2 } })   // 'warcraft-k12-....bin'
 * ```
 */
export async function cacheFileName(options: WarcraftOptions): Promise<string> {
  const config = decodeConfig('warcraft.cacheFileName', options)
  const { createHash } = await import('node:crypto')
  return `warcraft-k${config.k}-${createHash('sha256').update(canonical(config)).digest('hex').slice(0, 16)}.bin`
}

/** The payload and header of a file, or why it is unusable. */
function parse(buf: Uint8Array, config: WarcraftConfig, sha256: (b: Uint8Array) => string): { raw: Record<string, RawSplit> } | { error: string } {
  if (buf.length < 12) return { error: `file too short (${buf.length} bytes)` }
  for (let i = 0; i < MAGIC.length; i++) if (buf[i] !== MAGIC[i]) return { error: 'bad magic bytes' }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const h = view.getUint32(8, true)
  if (12 + h > buf.length) return { error: `header length ${h} runs past the end of the file (${buf.length} bytes)` }
  let header: { format?: unknown; generator?: unknown; config?: unknown; payloadBytes?: unknown; sha256?: unknown }
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(12, 12 + h))) as typeof header
  } catch (e) {
    return { error: `unreadable header (${e instanceof Error ? e.message : String(e)})` }
  }
  if (header.format !== FORMAT) return { error: `format ${String(header.format)}, expected ${FORMAT}` }
  if (header.generator !== GENERATOR_VERSION) return { error: `generator ${String(header.generator)}, expected ${GENERATOR_VERSION}` }
  if (JSON.stringify(header.config) !== canonical(config)) return { error: 'parameters differ from those asked for' }
  const { k } = config
  const expected = SPLITS.reduce((s, name) => s + splitBytes(k, config.sizes[name]), 0)
  if (header.payloadBytes !== expected) return { error: `payloadBytes ${String(header.payloadBytes)}, expected ${expected}` }
  if (buf.length !== 12 + h + expected) return { error: `file is ${buf.length} bytes, expected ${12 + h + expected} (truncated or padded)` }
  const payload = buf.subarray(12 + h)
  if (sha256(payload) !== header.sha256) return { error: 'payload checksum (SHA-256) mismatch' }
  const raw: Record<string, RawSplit> = {}
  let at = 0
  for (const name of SPLITS) {
    const n = config.sizes[name]
    const cells = n * k * k
    // Copies, so that the arrays own aligned buffers of their own.
    const terrain = payload.slice(at, at + cells)
    const paths = payload.slice(at + cells, at + 2 * cells)
    const images = payload.slice(at + 2 * cells, at + 2 * cells + cells * TILE * TILE * 3)
    at += splitBytes(k, n)
    for (let i = 0; i < cells; i++) {
      if (terrain[i]! >= TERRAINS.length || paths[i]! > 1) return { error: `split ${name}: value out of range at cell ${i}` }
    }
    raw[name] = { n, k, terrain, paths, images }
  }
  return { raw }
}

/** The file bytes of raw splits. */
function serialise(config: WarcraftConfig, raw: Record<string, RawSplit>, sha256: (b: Uint8Array) => string): Uint8Array[] {
  const parts: Uint8Array[] = []
  for (const name of SPLITS) parts.push(raw[name]!.terrain, raw[name]!.paths, raw[name]!.images)
  const payloadBytes = parts.reduce((s, p) => s + p.length, 0)
  const payload = new Uint8Array(payloadBytes)
  let at = 0
  for (const p of parts) {
    payload.set(p, at)
    at += p.length
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ format: FORMAT, generator: GENERATOR_VERSION, config: JSON.parse(canonical(config)) as unknown, payloadBytes, sha256: sha256(payload) }),
  )
  const head = new Uint8Array(12)
  head.set(MAGIC)
  new DataView(head.buffer).setUint32(8, header.length, true)
  return [head, header, payload]
}

/**
 * The Warcraft stand-in data set of `options`, from its cache file in `cacheDir` when that
 * file is present and intact, else generated (`generate`) and written there atomically (a
 * temporary file renamed over the target, so a concurrent reader never sees a partial file).
 * A corrupted, truncated or outdated file is detected (magic, header, exact length, SHA-256 of
 * the payload, value ranges) and regenerated; `cache.status` says which case happened. The
 * result equals `generate(options)` bit for bit. Node only. Throws a `ConfigError` for bad
 * options; file-system errors other than a missing cache file are thrown as they are.
 *
 * Shapes: as `generate`: `images [n, 8k, 8k, 3]`, `costs [n, k, k]`, `paths [n, k, k]`.
 *
 * @example
 * ```ts
 * const data = await warcraft.load({ k: 12, sizes: { train: 1000, val: 100, test: 100 }, seed: 0, cacheDir: '.cache/warcraft' })
 * data.cache.status           // 'miss' the first time, 'hit' afterwards
 * data.train.shapes.images    // [1000, 96, 96, 3]
 * ```
 */
export async function load(options: LoadOptions): Promise<LoadedWarcraftData> {
  const { cacheDir, ...rest } = options
  const config = decodeConfig('warcraft.load', rest)
  const fs = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { createHash, randomBytes } = await import('node:crypto')
  const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
  const path = join(cacheDir, await cacheFileName(rest))

  let status: CacheInfo['status'] = 'miss'
  let reason: string | undefined
  let buf: Uint8Array | undefined
  try {
    buf = await fs.readFile(path)
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e
  }
  if (buf !== undefined) {
    const parsed = parse(buf, config, sha256)
    if ('raw' in parsed) {
      return {
        config,
        train: fromRaw(parsed.raw['train']!),
        val: fromRaw(parsed.raw['val']!),
        test: fromRaw(parsed.raw['test']!),
        cache: { path, status: 'hit' },
      }
    }
    status = 'corrupt'
    reason = parsed.error
  }

  const raw: Record<string, RawSplit> = {}
  for (const name of SPLITS) raw[name] = generateRaw(config, name)
  await fs.mkdir(cacheDir, { recursive: true })
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await fs.open(tmp, 'w')
    try {
      for (const part of serialise(config, raw, sha256)) await handle.write(part)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(tmp, path)
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw e
  }
  return {
    config,
    train: fromRaw(raw['train']!),
    val: fromRaw(raw['val']!),
    test: fromRaw(raw['test']!),
    cache: reason === undefined ? { path, status } : { path, status, reason },
  }
}
