/**
 * The generator of the Warcraft stand-in data set: terrain from two fields of fractal value
 * noise (elevation and moisture, a classic biome rule), 8x8 textured tiles with per-tile and
 * per-pixel noise, and gold paths by the 8-neighbourhood vertex-weighted Dijkstra of
 * `solvers.gridShortestPath`. Pure, synchronous TypedArray code (no tfjs, no I/O).
 *
 * Randomness: `root = random.key(seed)`; split `s` (train 0, val 1, test 2) uses
 * `foldIn(root, s)`, and its map `i` uses `foldIn(splitKey, i)`, so a map depends only on
 * `(seed, split, i)`, not on the sizes of the splits. Inside a map, `foldIn(mapKey, 0)` draws
 * the elevation, 1 the moisture, 2 the tile shifts and tints, 3 the pixel noise.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOptionsOrThrow } from '../../../core/config.js'
import { fillNormal, fillUniform } from '../../../core/random/fill.js'
import { gridShortestPathMask } from '../../../solvers/grid_shortest_path/kernel.js'
import { foldIn, keyWords, valueNoise, type KeyWords, type Octave } from './noise.js'
import { COSTS, TEXTURE_PIXELS, TILE } from './terrain.js'

/**
 * The version of the generator; part of every cache key, bumped whenever the same parameters
 * would give different data.
 */
export const GENERATOR_VERSION = 'warcraft-standin/1'

/** The names of the splits, in key order. */
export const SPLITS = ['train', 'val', 'test'] as const
/** A split's name. */
export type SplitName = (typeof SPLITS)[number]

/** An integer codec named by its range, so that messages read `expected an integer in [2, 64]`. */
const intIn = (lo: number, hi: number, name: string): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= lo && u <= hi,
    (u, c) => (typeof u === 'number' && Number.isInteger(u) && u >= lo && u <= hi ? t.success(u) : t.failure(u, c)),
    (n) => n,
  )
const NonNegativeInt = intIn(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer')
const GridSide = intIn(2, 64, 'an integer in [2, 64]')
const SafeInt = intIn(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a safe integer')

/**
 * The codec of the generator's parameters: `k` the grid side (the benchmark uses 12, 18, 24,
 * 30; any integer in [2, 64] works), `sizes` the number of maps per split, `seed` a safe
 * integer (default 0). The decoded value is the whole cache key, with `GENERATOR_VERSION`.
 *
 * @example
 * ```ts
 * warcraft.WarcraftConfig.is({ k: 12, sizes: { train: 10, val: 2, test: 2 }, seed: 0 })   // true
 * ```
 */
export const WarcraftConfig = t.type({
  k: GridSide,
  sizes: t.type({ train: NonNegativeInt, val: NonNegativeInt, test: NonNegativeInt }),
  seed: SafeInt,
})
/** The decoded parameters of the generator. */
export type WarcraftConfig = t.TypeOf<typeof WarcraftConfig>

/** The options of `generate`: `k` and `sizes` required, `seed` defaulting to 0. */
export interface WarcraftOptions {
  /** The grid side: the maps are `k x k` cells, the images `8k x 8k` pixels. */
  readonly k: number
  /** Maps per split. */
  readonly sizes: { readonly train: number; readonly val: number; readonly test: number }
  /** Any safe integer; the same seed gives the same data, bit for bit. Default 0. */
  readonly seed?: number
}

/**
 * One split as TypedArrays (row-major, shapes in `shapes`). `images` are float32 in [0, 1]
 * (exact multiples of 1/255: the generator quantises to 8 bits, as the real images are),
 * `costs` the five Warcraft costs, `paths` the 0/1 mask of the gold shortest path from the
 * top-left cell to the bottom-right one, `terrain` the index of each cell's terrain in
 * `TERRAINS`.
 */
export interface WarcraftSplit {
  /** Number of maps. */
  readonly n: number
  /** Grid side. */
  readonly k: number
  /** float32 `[n, 8k, 8k, 3]` in [0, 1]. */
  readonly images: Float32Array
  /** float32 `[n, k, k]`, each one of `COSTS`. */
  readonly costs: Float32Array
  /** float32 `[n, k, k]`, 0/1 gold path mask. */
  readonly paths: Float32Array
  /** uint8 `[n, k, k]`, index into `TERRAINS`. */
  readonly terrain: Uint8Array
  /** The shapes of the arrays above, for `tf.tensor(array, shape)`. */
  readonly shapes: {
    readonly images: readonly [number, number, number, number]
    readonly costs: readonly [number, number, number]
    readonly paths: readonly [number, number, number]
  }
}

/** A generated data set: its decoded parameters and the three splits. */
export interface WarcraftData {
  readonly config: WarcraftConfig
  readonly train: WarcraftSplit
  readonly val: WarcraftSplit
  readonly test: WarcraftSplit
}

// The terrain layout: lattice periods in cells (fixed, as Warcraft tiles have a fixed size,
// so regions cover as many cells at every k), and thresholds calibrated on 2000 maps so that
// about 12% of cells are water (low elevation), 12% mountain (high), and of the rest ~30%
// earth (dry), ~28% forest (wet), ~42% grass.
const OCTAVES: readonly Octave[] = [
  { period: 5, weight: 1 },
  { period: 2.5, weight: 0.5 },
  { period: 1.25, weight: 0.25 },
]
const WATER_BELOW = 0.33
const MOUNTAIN_ABOVE = 0.67
const EARTH_BELOW = 0.42
const FOREST_ABOVE = 0.59

// Image noise: a per-tile brightness factor (1 + TINT_SD z), a per-tile, per-channel colour
// shift (HUE_SD z), and per-pixel noise (PIXEL_SD z), z standard normal.
const TINT_SD = 0.1
const HUE_SD = 0.035
const PIXEL_SD = 0.06

/** Terrain indices `[k, k]` of the map with key `mapKey`. */
function layTerrain(mapKey: KeyWords, k: number, out: Uint8Array, offset: number, elev: Float64Array, moist: Float64Array): void {
  valueNoise(foldIn(mapKey, 0), k, OCTAVES, elev)
  valueNoise(foldIn(mapKey, 1), k, OCTAVES, moist)
  for (let i = 0; i < k * k; i++) {
    const e = elev[i]!
    const m = moist[i]!
    out[offset + i] = e < WATER_BELOW ? 3 : e > MOUNTAIN_ABOVE ? 4 : m < EARTH_BELOW ? 1 : m > FOREST_ABOVE ? 2 : 0
  }
}

/**
 * Draws the `[8k, 8k, 3]` uint8 image of a map of terrain `terrain[offset ..]` into
 * `out[outOffset ..]`: each cell's texture, cyclically shifted by a random (dx, dy), times a
 * brightness factor, plus a colour shift and per-pixel noise, clamped and rounded to 8 bits.
 */
function render(mapKey: KeyWords, k: number, terrain: Uint8Array, offset: number, out: Uint8Array, outOffset: number, scratch: Scratch): void {
  const side = k * TILE
  const { tile, pixel } = scratch
  let [a, b] = foldIn(mapKey, 2)
  fillNormal(a, b, tile) // [k*k, 4]: brightness, then 3 channel shifts
  ;[a, b] = foldIn(mapKey, 3)
  fillNormal(a, b, pixel) // [8k, 8k, 3]
  const shifts = scratch.shifts
  ;[a, b] = foldIn(mapKey, 4)
  fillUniform(a, b, shifts) // [k*k, 2]
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const cell = r * k + c
      const tex = terrain[offset + cell]! * TILE * TILE * 3
      const gain = 1 + TINT_SD * tile[4 * cell]!
      const dx = Math.floor(shifts[2 * cell]! * TILE)
      const dy = Math.floor(shifts[2 * cell + 1]! * TILE)
      for (let y = 0; y < TILE; y++) {
        const ty = (y + dy) % TILE
        const row = (r * TILE + y) * side
        for (let x = 0; x < TILE; x++) {
          const src = tex + (ty * TILE + ((x + dx) % TILE)) * 3
          const px = (row + c * TILE + x) * 3
          for (let ch = 0; ch < 3; ch++) {
            const v = TEXTURE_PIXELS[src + ch]! * gain + HUE_SD * tile[4 * cell + 1 + ch]! + PIXEL_SD * pixel[px + ch]!
            out[outOffset + px + ch] = Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v))
          }
        }
      }
    }
  }
}

interface Scratch {
  readonly tile: Float64Array
  readonly pixel: Float64Array
  readonly shifts: Float64Array
}

/** The raw (uint8) form of a split, as the cache stores it. */
export interface RawSplit {
  readonly n: number
  readonly k: number
  /** uint8 `[n, k, k]`, index into `TERRAINS`. */
  readonly terrain: Uint8Array
  /** uint8 `[n, k, k]`, 0/1. */
  readonly paths: Uint8Array
  /** uint8 `[n, 8k, 8k, 3]`. */
  readonly images: Uint8Array
}

/** Generates split `s` of `config` in raw form. */
export function generateRaw(config: WarcraftConfig, split: SplitName): RawSplit {
  const { k } = config
  const n = config.sizes[split]
  const cells = k * k
  const pixels = cells * TILE * TILE * 3
  const terrain = new Uint8Array(n * cells)
  const images = new Uint8Array(n * pixels)
  const elev = new Float64Array(cells)
  const moist = new Float64Array(cells)
  const scratch: Scratch = { tile: new Float64Array(4 * cells), pixel: new Float64Array(pixels), shifts: new Float64Array(2 * cells) }
  const splitKey = foldIn(keyWords(config.seed), SPLITS.indexOf(split))
  const theta = new Float32Array(n * cells) // minus the costs, [n, k, k]
  for (let i = 0; i < n; i++) {
    const mapKey = foldIn(splitKey, i)
    layTerrain(mapKey, k, terrain, i * cells, elev, moist)
    render(mapKey, k, terrain, i * cells, images, i * pixels, scratch)
    for (let j = 0; j < cells; j++) theta[i * cells + j] = -COSTS[terrain[i * cells + j]!]!
  }
  const mask = new Float32Array(n * cells)
  gridShortestPathMask(theta, n, k, k, 8, mask) // [n, k, k]
  return { n, k, terrain, paths: Uint8Array.from(mask), images }
}

/** The float form of a raw split (images / 255, costs looked up, paths as float32). */
export function fromRaw(raw: RawSplit): WarcraftSplit {
  const { n, k } = raw
  const images = new Float32Array(raw.images.length)
  for (let i = 0; i < images.length; i++) images[i] = raw.images[i]! / 255
  const costs = new Float32Array(raw.terrain.length)
  for (let i = 0; i < costs.length; i++) costs[i] = COSTS[raw.terrain[i]!]!
  return {
    n,
    k,
    images,
    costs,
    paths: Float32Array.from(raw.paths),
    terrain: raw.terrain,
    shapes: { images: [n, k * TILE, k * TILE, 3], costs: [n, k, k], paths: [n, k, k] },
  }
}

/** Decodes `generate`'s and `load`'s options (a `ConfigError` names the bad field). */
export function decodeConfig(fn: string, options: WarcraftOptions): WarcraftConfig {
  return decodeOptionsOrThrow(fn, WarcraftConfig, { seed: 0 }, options)
}

/**
 * Generates the Warcraft stand-in data set in memory: for each split, `sizes[split]` maps of
 * `k x k` cells, their `[8k, 8k, 3]` images, costs and gold paths (see `WarcraftSplit`).
 * Deterministic: the same options give the same arrays bit for bit, and map `i` of a split
 * does not depend on the split sizes. Throws a `ConfigError` for bad options. Memory: the
 * images take `768 k^2` bytes per map as float32 (110 KB at k = 12, 691 KB at k = 30).
 *
 * Shapes: `images [n, 8k, 8k, 3]`, `costs [n, k, k]`, `paths [n, k, k]` per split.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { warcraft } from './src/pipelines/data/index.js'
 * const data = warcraft.generate({ k: 12, sizes: { train: 100, val: 10, test: 10 }, seed: 1 })
 * const x = tf.tensor4d(data.train.images, data.train.shapes.images)   // [100, 96, 96, 3]
 * const y = tf.tensor3d(data.train.paths, data.train.shapes.paths)     // [100, 12, 12]
 * ```
 */
export function generate(options: WarcraftOptions): WarcraftData {
  const config = decodeConfig('warcraft.generate', options)
  return {
    config,
    train: fromRaw(generateRaw(config, 'train')),
    val: fromRaw(generateRaw(config, 'val')),
    test: fromRaw(generateRaw(config, 'test')),
  }
}
