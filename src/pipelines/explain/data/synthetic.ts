/**
 * The four synthetic data sets of L2X (Chen, Song, Wainwright, Jordan, ICML 2018, their
 * `synthetic/make_data.py`): ten standard-normal features and a binary label whose log-odds
 * depend on a few of them. Generated on the host from the library's Threefry generator, so a
 * seed gives the same bits on every backend.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOrThrow, PositiveInt } from '../../../core/config.js'
import { fillNormal, fillUniform } from '../../../core/random/fill.js'
import { foldIn, keyWords } from '../../data/warcraft/noise.js'

/**
 * The synthetic data set names.
 *
 * @example
 * ```ts
 * SYNTHETIC.includes('xor')   // true
 * ```
 */
export const SYNTHETIC = ['xor', 'orange', 'additive', 'switch'] as const
/** A synthetic data set name. */
export type SyntheticName = (typeof SYNTHETIC)[number]

/**
 * The number of features of every synthetic set.
 *
 * @example
 * ```ts
 * synthetic({ dataset: 'xor', n: 3, seed: 0 }).x.length === 3 * FEATURES   // true
 * ```
 */
export const FEATURES = 10

/**
 * The subset size `k` of each set: the number of features its label depends on.
 *
 * @example
 * ```ts
 * SUBSET_SIZE.switch   // 5
 * ```
 */
export const SUBSET_SIZE: { readonly [K in SyntheticName]: number } = { xor: 2, orange: 4, additive: 4, switch: 5 }

/**
 * The codec of `synthetic`'s options: the set, the number of examples and the seed (any safe
 * integer).
 *
 * @example
 * ```ts
 * SyntheticConfig.is({ dataset: 'xor', n: 100, seed: 0 })   // true
 * ```
 */
export const SyntheticConfig = t.type({
  dataset: t.union([t.literal('xor'), t.literal('orange'), t.literal('additive'), t.literal('switch')]),
  n: PositiveInt,
  seed: t.refinement(t.number, Number.isSafeInteger, 'SafeInteger'),
})
/** The decoded options of `synthetic`. */
export type SyntheticConfig = t.TypeOf<typeof SyntheticConfig>

/** A generated synthetic set: flat row-major arrays. */
export interface SyntheticSet {
  readonly dataset: SyntheticName
  readonly n: number
  /** Features per example (10). */
  readonly d: number
  /** The subset size `k`. */
  readonly k: number
  /** float32 `[n, d]`: the features. */
  readonly x: Float32Array
  /** float64 `[n]`: `P(y = 1 | x)`, L2X's soft label (the training target). */
  readonly p1: Float64Array
  /** uint8 `[n, d]`: 1 on the features the label of that example depends on (`k` per row). */
  readonly relevant: Uint8Array
  /** uint8 `[n]`: for `switch`, 0 where the orange-skin rule applies and 1 for the additive one; 0 elsewhere. */
  readonly component: Uint8Array
}

/**
 * L2X's orange-skin log-odds of `P(y = 0)`: `sum_{j<4} x_j^2 - 4` on features `at .. at + 3`.
 *
 * @example
 * ```ts
 * orangeLogit([1, 1, 1, 1], 0)   // 0
 * ```
 */
export const orangeLogit = (x: ArrayLike<number>, at: number): number => x[at]! ** 2 + x[at + 1]! ** 2 + x[at + 2]! ** 2 + x[at + 3]! ** 2 - 4

/**
 * L2X's nonlinear additive log-odds of `P(y = 0)`: `-100 sin(0.2 x_0) + |x_1| + x_2 + exp(-x_3) - 2.4`
 * on features `at .. at + 3`.
 *
 * @example
 * ```ts
 * additiveLogit([0, 0, 0, 0], 0)   // -1.4
 * ```
 */
export const additiveLogit = (x: ArrayLike<number>, at: number): number =>
  -100 * Math.sin(0.2 * x[at]!) + Math.abs(x[at + 1]!) + x[at + 2]! + Math.exp(-x[at + 3]!) - 2.4

/**
 * L2X's XOR log-odds of `P(y = 0)`: `x_0 x_1`.
 *
 * @example
 * ```ts
 * xorLogit([2, -1], 0)   // -2
 * ```
 */
export const xorLogit = (x: ArrayLike<number>, at: number): number => x[at]! * x[at + 1]!

/**
 * `P(y = 1) = 1 / (1 + exp(f))` for the log-odds `f` of class 0, as L2X writes it (stable for large `|f|`).
 *
 * @example
 * ```ts
 * probOne(0)   // 0.5
 * ```
 */
export const probOne = (f: number): number => (f >= 0 ? Math.exp(-f) / (1 + Math.exp(-f)) : 1 / (1 + Math.exp(f)))

/**
 * Generates a synthetic set as L2X's `generate_data` does, with our generator instead of
 * numpy's (the laws are the same, the draws are not):
 * - `x ~ N(0, I_10)`;
 * - `xor`: `f = x_0 x_1`; `orange`: `f = sum_{j<4} x_j^2 - 4`; `additive`:
 *   `f = -100 sin(0.2 x_0) + |x_1| + x_2 + exp(-x_3) - 2.4`; and `P(y = 1 | x) = 1 / (1 + e^f)`.
 *   The label is this probability itself: L2X trains on the soft labels `[1 - p, p]` with the
 *   cross-entropy (it never samples nor thresholds them);
 * - `switch`: the first `floor(n / 2)` examples get `x_9 += 3` and the orange-skin rule on
 *   features 0..3, the others `x_9 -= 3` and the additive rule on features 4..7 (L2X swaps
 *   features 0..3 and 4..7 of those rows, which is the same law); the rows are then permuted
 *   (a uniform permutation from the seed). The relevant features are {0, 1, 2, 3, 9} and
 *   {4, 5, 6, 7, 9}, as L2X's evaluation takes them.
 *
 * The features of example `i` are drawn from `foldIn(foldIn(key(seed), 0), i)` (so a set of
 * `n` examples is a prefix of one of `n' > n`, except for `switch`'s split and permutation);
 * the permutation from `foldIn(key(seed), 1)`.
 *
 * Shapes: `x [n, 10]`, `p1 [n]`, `relevant [n, 10]`, `component [n]`.
 *
 * @example
 * ```ts
 * const s = synthetic({ dataset: 'orange', n: 1000, seed: 0 })
 * s.k                 // 4
 * s.x.length          // 10000
 * s.relevant[0 * 10 + 2]  // 1: feature 2 matters for every orange-skin example
 * ```
 */
export function synthetic(options: { readonly dataset: SyntheticName; readonly n: number; readonly seed: number }): SyntheticSet {
  const { dataset, n, seed } = decodeOrThrow('explain.synthetic', SyntheticConfig, options)
  const d = FEATURES
  const root = keyWords(seed)
  const featureKey = foldIn(root, 0)
  const x = new Float32Array(n * d)
  const row = new Float32Array(d)
  for (let i = 0; i < n; i++) {
    const [k0, k1] = foldIn(featureKey, i)
    fillNormal(k0, k1, row)
    x.set(row, i * d)
  }
  const p1 = new Float64Array(n)
  const relevant = new Uint8Array(n * d)
  const component = new Uint8Array(n)
  if (dataset === 'switch') {
    const half = Math.floor(n / 2)
    // Row i of the output is generated row perm[i].
    const perm = permutation(foldIn(root, 1), n)
    const src = x.slice()
    for (let i = 0; i < n; i++) {
      const j = perm[i]!
      const xi = x.subarray(i * d, (i + 1) * d)
      xi.set(src.subarray(j * d, (j + 1) * d))
      const additive = j >= half
      xi[9] = xi[9]! + (additive ? -3 : 3)
      component[i] = additive ? 1 : 0
      p1[i] = probOne(additive ? additiveLogit(xi, 4) : orangeLogit(xi, 0))
      const first = additive ? 4 : 0
      for (let f = first; f < first + 4; f++) relevant[i * d + f] = 1
      relevant[i * d + 9] = 1
    }
  } else {
    const logit = dataset === 'xor' ? xorLogit : dataset === 'orange' ? orangeLogit : additiveLogit
    const k = SUBSET_SIZE[dataset]
    for (let i = 0; i < n; i++) {
      p1[i] = probOne(logit(x.subarray(i * d, (i + 1) * d), 0))
      for (let f = 0; f < k; f++) relevant[i * d + f] = 1
    }
  }
  return { dataset, n, d, k: SUBSET_SIZE[dataset], x, p1, relevant, component }
}

/**
 * A uniform permutation of `[0, n)` from key words (Fisher-Yates on uniforms of 46 bits).
 *
 * @example
 * ```ts
 * permutation([0, 1], 5)   // Int32Array, a permutation of 0..4
 * ```
 */
export function permutation([k0, k1]: readonly [number, number], n: number): Int32Array {
  const u = new Float64Array(2 * n)
  fillUniform(k0, k1, u)
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  for (let i = n - 1; i > 0; i--) {
    const r = u[2 * i]! + u[2 * i + 1]! * 2 ** -23
    const j = Math.min(i, Math.floor(r * (i + 1)))
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
  return out
}
