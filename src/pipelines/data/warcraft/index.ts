/**
 * A stand-in for the Warcraft shortest-path data set (Vlastelica et al., ICLR 2020), which
 * cannot be downloaded here: `k x k` terrain maps from procedural noise, with the benchmark's
 * five terrain costs, rendered as `[8k, 8k, 3]` images of textured 8x8 tiles, and gold paths
 * from the 8-neighbourhood vertex-weighted Dijkstra of `solvers.gridShortestPath`.
 * `generate` builds it in memory; `load` (Node only) caches it on disk.
 *
 * @example
 * ```ts
 * import { warcraft } from './src/pipelines/data/index.js'
 * const data = await warcraft.load({ k: 12, sizes: { train: 1000, val: 100, test: 100 }, seed: 0, cacheDir: '.cache' })
 * data.train.images   // Float32Array [1000, 96, 96, 3]
 * ```
 *
 * @module
 */
export { COSTS, TERRAINS, TEXTURE_PIXELS, TILE, type Terrain } from './terrain.js'
export {
  generate,
  GENERATOR_VERSION,
  SPLITS,
  WarcraftConfig,
  type SplitName,
  type WarcraftData,
  type WarcraftOptions,
  type WarcraftSplit,
} from './generate.js'
export { cacheFileName, load, type CacheInfo, type LoadedWarcraftData, type LoadOptions } from './cache.js'
