/**
 * Discrete samplers on TypedArrays, the host kernels behind `randint`, `permutation`,
 * `bernoulli` and `categorical`. Pure functions of the key words, the element index and the
 * parameters. Integers in `[0, r)` come by rejection, never by a bare `w mod r` of a 32-bit
 * word `w`: a word is accepted only below `2^32 - (2^32 mod r)`, a multiple of `r`, so that
 * `w mod r` is exactly uniform (each value has `floor(2^32 / r)` preimages); at least half of
 * the words are accepted, whatever `r`.
 *
 * @module
 */
import { gumbelOfWord } from './fill.js'
import { threefry2x32 } from './threefry.js'

/** Scratch block for the fill loops (JS is single-threaded and the loops call no user code). */
const W = new Uint32Array(2)
const TWO_32 = 2 ** 32

/** The rejection bound for a range `r` in `[1, 2^32]`: words `w < limit` give `w mod r` uniformly. */
export const rejectionLimit = (r: number): number => TWO_32 - (TWO_32 % r)

/**
 * Fills `out` with integers uniform in `[low, low + range)`, `range` in `[1, 2^32]`, by
 * rejection (see the module header). Element `i` reads its own counter stream: the words of the
 * blocks `(0, i), (1, i), ...` in order until one is accepted, so element `i` depends only on
 * the key and `i`, and a rejection never shifts another element.
 *
 * Shapes: `(k0, k1, low, range, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const d = new Int32Array(1000)
 * random.fillRandint(0, 42, 1, 6, d)   // dice: d[i] in [1, 6]
 * ```
 */
export function fillRandint(k0: number, k1: number, low: number, range: number, out: Int32Array): void {
  const limit = rejectionLimit(range)
  const n = out.length
  for (let i = 0; i < n; i++) {
    let w = 0
    for (let b = 0; ; b++) {
      threefry2x32(k0, k1, b, i, W, 0)
      if (W[0]! < limit) {
        w = W[0]!
        break
      }
      if (W[1]! < limit) {
        w = W[1]!
        break
      }
    }
    out[i] = low + (w % range)
  }
}

/**
 * Fills `out` (length `n`) with a uniformly random permutation of `0, ..., n - 1`: the
 * Fisher-Yates shuffle, whose swap index for position `i` is uniform in `[0, i]` by rejection
 * (see the module header), so every one of the `n!` permutations has the same probability up
 * to the generator itself. The words are the Threefry blocks `(0, 0), (0, 1), ...` read in order.
 *
 * Shapes: `(k0, k1, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const p = new Int32Array(10)
 * random.fillPermutation(0, 42, p)   // a permutation of 0..9
 * ```
 */
export function fillPermutation(k0: number, k1: number, out: Int32Array): void {
  const n = out.length
  for (let i = 0; i < n; i++) out[i] = i
  let block = 0
  let left = 0
  for (let i = n - 1; i > 0; i--) {
    const range = i + 1
    const limit = rejectionLimit(range)
    let w = 0
    do {
      if (left === 0) {
        threefry2x32(k0, k1, 0, block++, W, 0)
        left = 2
      }
      w = W[2 - left--]!
    } while (w >= limit)
    const j = w % range
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
}

/**
 * Fills `out` with Bernoulli draws (1 with probability `p[index[i]]`, else 0): element `i` is 1
 * when `w 2^-32 < p` for `w` word `i % 2` of the block `(0, floor(i / 2))` (the word of
 * element `i` of `fillUniform`, with all 32 bits), so the probability is `p` to within `2^-32`.
 * `index` maps each element to its probability (`null`: `p[0]` for all).
 *
 * Shapes: `(k0, k1, p[m], index[n] | null, out[n]) -> out[n]` (in place).
 *
 * @example
 * ```ts
 * const b = new Float32Array(1000)
 * random.fillBernoulli(0, 42, Float32Array.of(0.3), null, b)   // mean ~ 0.3
 * ```
 */
export function fillBernoulli(k0: number, k1: number, p: ArrayLike<number>, index: Int32Array | null, out: Float32Array | Int32Array): void {
  const n = out.length
  for (let i = 0; i < n; i++) {
    if ((i & 1) === 0) threefry2x32(k0, k1, 0, i >>> 1, W, 0)
    const q = p[index === null ? 0 : index[i]!]!
    out[i] = W[i & 1]! < q * TWO_32 ? 1 : 0
  }
}

/**
 * Fills `out` with categorical draws by the Gumbel-max trick: element `i` is
 * `argmax_j logits[row_i, j] + g_ij` (the first index on ties) over the `n` categories, with
 * `g_ij = gumbelOfWord(w)` for `w` word `j % 2` of the block `(floor(j / 2), i)`, so element
 * `i` depends only on the key, `i` and its row. `rows` maps each element to its row of
 * `logits` (`[m, n]`, row-major). `-Infinity` logits are never drawn (unless the whole row is).
 *
 * Shapes: `(k0, k1, logits[m * n], n, rows[len], out[len]) -> out[len]` (in place).
 *
 * @example
 * ```ts
 * const c = new Int32Array(1000)
 * random.fillCategorical(0, 42, Float32Array.of(0, Math.log(3)), 2, new Int32Array(1000), c)   // Pr[1] = 3/4
 * ```
 */
export function fillCategorical(k0: number, k1: number, logits: ArrayLike<number>, n: number, rows: Int32Array, out: Int32Array): void {
  const len = out.length
  for (let i = 0; i < len; i++) {
    const base = rows[i]! * n
    let best = -Infinity
    let arg = 0
    for (let j = 0; j < n; j++) {
      if ((j & 1) === 0) threefry2x32(k0, k1, j >>> 1, i, W, 0)
      const v = logits[base + j]! + gumbelOfWord(W[j & 1]!)
      if (v > best) {
        best = v
        arg = j
      }
    }
    out[i] = arg
  }
}
