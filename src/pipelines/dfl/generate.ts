/**
 * PyEPO's synthetic shortest-path data (`pyepo.data.shortestpath.genData`, Tang and Khalil,
 * "PyEPO", 2022): features `x ~ N(0, I_p)`, a fixed 0/1 matrix `B ~ Bernoulli(0.5)^(m x p)`,
 * and arc costs `c = ((x B^T / sqrt(p) + 3)^deg + 1) / 3.5^deg * eps`, with the multiplicative
 * noise `eps ~ U(1 - noiseWidth, 1 + noiseWidth)` drawn per instance and arc. The arcs are
 * those of `solvers.dagShortestPath({ grid })`, in PyEPO's order. Randomness comes from a
 * Threefry key of the seed (PyEPO's NumPy stream is not reproduced, only its law): the same
 * seed gives the same bits on every backend.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, NonNegative, PositiveInt, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import * as random from '../../core/random/index.js'
import { dagArcCount } from '../../solvers/dag_shortest_path/kernel.js'

/**
 * The codec of `generate`'s options: `n` instances, `features` `p` (default 5), `grid` the
 * `[h, w]` node grid (default `[5, 5]`: 40 arcs), `deg` the polynomial degree (default 1),
 * `noiseWidth` the half-width of the multiplicative noise, in `[0, 1)` (default 0), `seed` an
 * integer (default 135, PyEPO's).
 *
 * @example
 * ```ts
 * dfl.GenerateConfig.is({ n: 10, features: 5, grid: [5, 5], deg: 2, noiseWidth: 0.5, seed: 0 })   // true
 * ```
 */
export const GenerateConfig = t.type({
  n: PositiveInt,
  features: PositiveInt,
  grid: t.tuple([PositiveInt, PositiveInt], '[h, w] (positive integers)'),
  deg: PositiveInt,
  noiseWidth: t.refinement(NonNegative, (e) => e < 1, 'a number in [0, 1)'),
  seed: t.Int,
})
/** The decoded options of `generate`. */
export type GenerateConfig = t.TypeOf<typeof GenerateConfig>
/** Options of `generate`: `n` required, the others defaulted. */
export type GenerateOptions = OptionsOf<typeof GenerateConfig, 'n'>

/**
 * The defaults of `generate`'s options (PyEPO's shortest-path setting).
 *
 * @example
 * ```ts
 * dfl.generateDefaults.grid   // [5, 5]
 * ```
 */
export const generateDefaults = { features: 5, grid: [5, 5], deg: 1, noiseWidth: 0, seed: 135 } as const

/** A shortest-path data set: flat row-major float32 arrays. */
export interface ShortestPathData {
  /** The options it was generated from. */
  readonly config: GenerateConfig
  /** Instances. */
  readonly n: number
  /** Features `p`. */
  readonly p: number
  /** Arcs `m` (40 on the 5x5 grid). */
  readonly m: number
  /** `[n, p]` features. */
  readonly x: Float32Array
  /** `[n, m]` arc costs (noise included), in the solver's (PyEPO's) arc order. */
  readonly c: Float32Array
  /** `[m, p]` the 0/1 matrix `B`. */
  readonly B: Float32Array
  /** `[n, m]` the multiplicative noise factors `eps` (all 1 when `noiseWidth = 0`). */
  readonly eps: Float32Array
}

/** The words `[k0, k1]` of `random.foldIn(key, i)`. */
function words(key: tf.Tensor, i: number): [number, number] {
  const d = tf.tidy(() => random.foldIn(key, i).dataSync() as Int32Array)
  return [d[0]!, d[1]!]
}

/**
 * The noise-free cost of one arc: `((<x, b> / sqrt(p) + 3)^deg + 1) / 3.5^deg`, `x` and `b` the
 * rows `xRow` of `x` `[., p]` and `bRow` of `B` `[m, p]`. In float64.
 *
 * @example
 * ```ts
 * dfl.costOf(new Float32Array([0, 0]), 0, new Float32Array([1, 1]), 0, 2, 1)   // (3 + 1) / 3.5
 * ```
 */
export function costOf(x: ArrayLike<number>, xRow: number, B: ArrayLike<number>, bRow: number, p: number, deg: number): number {
  let s = 0
  for (let f = 0; f < p; f++) s += x[xRow * p + f]! * B[bRow * p + f]!
  return ((s / Math.sqrt(p) + 3) ** deg + 1) / 3.5 ** deg
}

/**
 * Generates PyEPO's shortest-path data: `B [m, p]` from `foldIn(key(seed), 0)` (0/1 with
 * probability 1/2 each: a uniform below 1/2), `x [n, p] ~ N(0, 1)` from `foldIn(key, 1)`,
 * `eps [n, m] ~ U(1 - noiseWidth, 1 + noiseWidth)` from `foldIn(key, 2)`, and
 * `c[i, a] = costOf(x_i, B_a) * eps[i, a]` (PyEPO's formula and order of operations: the
 * divisor `3.5^deg` before the noise). `B` does not depend on `n`, `deg` or `noiseWidth`, so a
 * seed fixes one problem; split one call into a training and a test set so both share it.
 * Deterministic in the options, bit for bit on every backend. Throws a `ConfigError` for bad
 * options.
 *
 * Shapes: `x [n, p]`, `c [n, m]`, `B [m, p]`, `eps [n, m]`, `m = h (w - 1) + (h - 1) w`.
 *
 * @example
 * ```ts
 * const data = dfl.generate({ n: 1100, deg: 6, noiseWidth: 0.5, seed: 1 })
 * data.m                          // 40
 * data.c.length                   // 1100 * 40
 * const train = dfl.slice(data, 0, 100)
 * ```
 */
export function generate(options: GenerateOptions): ShortestPathData {
  const config = decodeOptionsOrThrow('dfl.generate', GenerateConfig, generateDefaults, options)
  const { n, features: p, grid, deg, noiseWidth } = config
  const m = dagArcCount(grid[0], grid[1])
  const key = random.key(config.seed)
  const [b0, b1] = words(key, 0)
  const [x0, x1] = words(key, 1)
  const [e0, e1] = words(key, 2)
  key.dispose()
  const B = new Float32Array(m * p)
  random.fillUniform(b0, b1, B)
  for (let i = 0; i < B.length; i++) B[i] = B[i]! < 0.5 ? 1 : 0
  const x = new Float32Array(n * p)
  random.fillNormal(x0, x1, x)
  const eps = new Float32Array(n * m)
  random.fillUniform(e0, e1, eps)
  for (let i = 0; i < eps.length; i++) eps[i] = 1 - noiseWidth + 2 * noiseWidth * eps[i]!
  const c = new Float32Array(n * m)
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) c[i * m + a] = costOf(x, i, B, a, p, deg) * eps[i * m + a]!
  }
  return { config, n, p, m, x, c, B, eps }
}

/**
 * Instances `[from, to)` of a data set (views, no copy): a training or test split.
 *
 * @example
 * ```ts
 * const data = dfl.generate({ n: 1100, seed: 0 })
 * const [train, test] = [dfl.slice(data, 0, 100), dfl.slice(data, 100, 1100)]
 * ```
 */
export function slice(data: ShortestPathData, from: number, to: number): ShortestPathData {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > data.n || from >= to) {
    throw new ArgumentError(`dfl.slice(from, to): expected integers 0 <= from < to <= ${data.n} (the instances) but got ${from} and ${to}`)
  }
  const { p, m } = data
  return { ...data, n: to - from, x: data.x.subarray(from * p, to * p), c: data.c.subarray(from * m, to * m), eps: data.eps.subarray(from * m, to * m) }
}
