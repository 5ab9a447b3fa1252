/**
 * Keys on host words and the fractal value noise that lays out the terrain: pure TypedArray
 * code on the library's Threefry generator, so that a seed gives the same bits everywhere.
 *
 * @module
 */
import { fillUniform } from '../../../core/random/fill.js'
import { threefry2x32 } from '../../../core/random/threefry.js'

/** A key as its two uint32 words, the host form of the library's `int32 [2]` keys. */
export type KeyWords = readonly [number, number]

const W = new Uint32Array(2)

/**
 * The words of `random.key(seed)` (the high and low words of the seed's 64-bit two's
 * complement); `seed` must be a safe integer (checked by the caller's codec).
 */
export function keyWords(seed: number): KeyWords {
  return [Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0]
}

/**
 * The words of `random.foldIn(key, i)` for `0 <= i < 2^32`: the Threefry block of counter
 * `(0, i)` under `key` (also `random.split(key, n)[i]`).
 */
export function foldIn([k0, k1]: KeyWords, i: number): KeyWords {
  threefry2x32(k0, k1, 0, i >>> 0, W, 0)
  return [W[0]!, W[1]!]
}

/** One octave of value noise: lattice period in cells and weight. */
export interface Octave {
  readonly period: number
  readonly weight: number
}

const smooth = (t: number): number => t * t * (3 - 2 * t)

/**
 * Fills `out` (`[k, k]` row-major) with fractal value noise in [0, 1] at the cell centres:
 * for each octave, uniform values on a square lattice of the octave's period (in cells),
 * shifted by a random offset, interpolated with smoothstep weights; the octaves are summed by
 * weight and divided by the total weight. Octave `o` draws from `foldIn(key, o)`.
 *
 * Shapes: `(key, k) -> out [k, k]`.
 */
export function valueNoise(key: KeyWords, k: number, octaves: readonly Octave[], out: Float64Array): void {
  out.fill(0)
  let total = 0
  for (let o = 0; o < octaves.length; o++) {
    const { period, weight } = octaves[o]!
    total += weight
    const side = Math.ceil(k / period) + 2 // lattice points per side, offset included
    const u = new Float64Array(side * side + 2) // lattice values, then the two offsets
    const [a, b] = foldIn(key, o)
    fillUniform(a, b, u)
    const ox = u[side * side]! * period
    const oy = u[side * side + 1]! * period
    for (let r = 0; r < k; r++) {
      const y = (r + 0.5 + oy) / period
      const y0 = Math.floor(y)
      const ty = smooth(y - y0)
      for (let c = 0; c < k; c++) {
        const x = (c + 0.5 + ox) / period
        const x0 = Math.floor(x)
        const tx = smooth(x - x0)
        const i = y0 * side + x0
        const top = u[i]! + tx * (u[i + 1]! - u[i]!)
        const bottom = u[i + side]! + tx * (u[i + side + 1]! - u[i + side]!)
        out[r * k + c] = out[r * k + c]! + weight * (top + ty * (bottom - top))
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / total
}
