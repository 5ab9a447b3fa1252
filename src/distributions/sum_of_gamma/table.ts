/**
 * The quantile table of Sum-of-Gamma noise: monotone cubic Hermite cells over the bulk and both
 * tails of the quantile function, built from the exact law (`buildSumOfGammaTable`), memoized
 * per `(k, s)` (`sumOfGammaTable`, the one piece of module state: a pure cache bounded to 32
 * tables), and sampled by inverse transform (`sampleSumOfGammaTable`). Layout, accuracy and
 * cost: `docs/derivations/sum_of_gamma.md`, section "The quantile table".
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { fillUniformOpen, NATIVE_MIN, nativeNoise } from '../../core/random/fill.js'
import type { QuantileTableConstants } from '../../core/random/native/load.js'
import { checkKS } from './checks.js'
import { LOWER, sumOfGammaLaw, UPPER } from './law.js'
import { sumOfGammaMoments } from './moments.js'
import { Sweep } from './quantile.js'

/** Bulk cells; knots `u_i = U_LO + i * BULK_DU`, `i = 0..BULK_CELLS`. */
const BULK_CELLS = 4096
/** The bulk covers `[2^-TAIL_START, 1 - 2^-TAIL_START]`. */
const TAIL_START = 10
const U_LO = Math.pow(2, -TAIL_START)
const U_HI = 1 - U_LO
const BULK_DU = (U_HI - U_LO) / BULK_CELLS
const INV_BULK_DU = 1 / BULK_DU
/** Tail knots per octave of `u` (left) or `1 - u` (right). */
const PER_OCTAVE = 4
/** Left tail knots reach `u = 2^-LEFT_END`, right tail knots `1 - u = 2^-RIGHT_END`. */
const LEFT_END = 64
const RIGHT_END = 56
const LEFT_CELLS = (LEFT_END - TAIL_START) * PER_OCTAVE
const RIGHT_CELLS = (RIGHT_END - TAIL_START) * PER_OCTAVE
const LOG2E = 1 / Math.LN2
/** The sampler's constants, handed to the native kernel so that both paths use these doubles. */
const NATIVE_CONSTANTS: QuantileTableConstants = { uLo: U_LO, uHi: U_HI, invBulkDu: INV_BULK_DU, log2e: LOG2E }

/**
 * A monotone quantile table of Sum-of-Gamma noise for one `(k, s)`, built by
 * `sumOfGammaTable`. Each region is a piecewise cubic in a local coordinate `t` (one unit per
 * cell), stored as 4 coefficients per cell: `value = c0 + tau (c1 + tau (c2 + tau c3))` with
 * `tau = t - floor(t)`. Immutable by convention: do not write into its arrays.
 */
export interface SumOfGammaTable {
  readonly _tag: 'SumOfGammaTable'
  readonly k: number
  readonly s: number
  /** `(ln s) / k`. */
  readonly shift: number
  /** `s / k`: the exponent of the left asymptote `F ~ c (eps + shift)^rho`. */
  readonly rho: number
  /** `eps` against `t = (u - 2^-10) * 4096 / (1 - 2^-9)`, `[4096 * 4]`. */
  readonly bulk: Float64Array
  /** `ln(eps + shift)` against `t = 4 (-log2(u) - 10)`, `[216 * 4]`. */
  readonly left: Float64Array
  /** `eps` against `t = 4 (-log2(1 - u) - 10)`, `[184 * 4]`. */
  readonly right: Float64Array
  /** `d ln(eps + shift) / dt` at the last left knot (`u = 2^-64`), used beyond it. */
  readonly leftSlope: number
  /** `d eps / dt` at the last right knot, used beyond it. */
  readonly rightSlope: number
}

/**
 * Writes the cubic Hermite cell through `(0, y0, m0)` and `(1, y1, m1)` at `coef[4 cell ..]`,
 * with the Fritsch-Carlson limiter so that the cell is monotone.
 */
function hermiteCell(coef: Float64Array, cell: number, y0: number, y1: number, m0: number, m1: number): void {
  const delta = y1 - y0
  if (delta === 0) {
    m0 = 0
    m1 = 0
  } else {
    let alpha = m0 / delta
    let beta = m1 / delta
    if (!(alpha >= 0)) alpha = 0
    if (!(beta >= 0)) beta = 0
    const r2 = alpha * alpha + beta * beta
    if (r2 > 9) {
      const tau = 3 / Math.sqrt(r2)
      alpha *= tau
      beta *= tau
    }
    m0 = alpha * delta
    m1 = beta * delta
  }
  const o = 4 * cell
  coef[o] = y0
  coef[o + 1] = m0
  coef[o + 2] = 3 * delta - 2 * m0 - m1
  coef[o + 3] = -2 * delta + m0 + m1
}

/**
 * Builds the quantile table of Sum-of-Gamma noise for `(k, s)` without the cache. Prefer
 * `sumOfGammaTable`, which memoizes this. 2-9 ms for `s <= 100` with a warm JIT, about 70 ms
 * for `s = 1000` (see `bench/sum_of_gamma.ts`); the series behind it costs `O(s^2)`, so seconds
 * for `s = 10^4`. The table's CDF is within `5e-8` of the exact one.
 *
 * Shapes: scalars `(k, s) -> SumOfGammaTable`.
 *
 * @example
 * ```ts
 * const table = buildSumOfGammaTable(10, 100)
 * ```
 */
export function buildSumOfGammaTable(k: number, s: number): SumOfGammaTable {
  checkKS('buildSumOfGammaTable', k, s)
  const law = sumOfGammaLaw(k, s)
  const shift = law.shift
  const lower = new Sweep(law, LOWER)
  const upper = new Sweep(law, UPPER)
  // The median, from the mean.
  lower.eval(Math.log(Math.max(sumOfGammaMoments(k, s).mean + shift, 1e-300)))
  const zMed = lower.solve(Math.log(0.5))
  upper.eval(Math.exp(zMed))

  // Knot values y and slopes m (per unit t) of each region.
  const by = new Float64Array(BULK_CELLS + 1)
  const bm = new Float64Array(BULK_CELLS + 1)
  const ly = new Float64Array(LEFT_CELLS + 1)
  const lm = new Float64Array(LEFT_CELLS + 1)
  const ry = new Float64Array(RIGHT_CELLS + 1)
  const rm = new Float64Array(RIGHT_CELLS + 1)
  const iMid = Math.floor((0.5 - U_LO) / BULK_DU) // the last bulk knot with u <= 1/2
  for (let i = iMid; i >= 0; i--) {
    const u = U_LO + i * BULK_DU
    const z = lower.solve(Math.log(u))
    const X = Math.exp(z)
    by[i] = X - shift
    bm[i] = (BULK_DU * X) / (lower.D * u) // dX/du = X / (D u)
  }
  for (let j = 0; j <= LEFT_CELLS; j++) {
    ly[j] = lower.solve(-(TAIL_START + j / PER_OCTAVE) * Math.LN2)
    lm[j] = -Math.LN2 / (PER_OCTAVE * lower.D) // dz/dt
  }
  upper.eval(Math.exp(zMed))
  for (let i = iMid + 1; i <= BULK_CELLS; i++) {
    const v = 1 - (U_LO + i * BULK_DU)
    const X = upper.solve(-Math.log(v))
    by[i] = X - shift
    bm[i] = BULK_DU / (upper.D * v) // dX/du = 1 / (D v)
  }
  for (let j = 0; j <= RIGHT_CELLS; j++) {
    ry[j] = upper.solve((TAIL_START + j / PER_OCTAVE) * Math.LN2) - shift
    rm[j] = Math.LN2 / (PER_OCTAVE * upper.D) // dX/dt
  }
  const bulk = new Float64Array(4 * BULK_CELLS)
  const left = new Float64Array(4 * LEFT_CELLS)
  const right = new Float64Array(4 * RIGHT_CELLS)
  for (let i = 0; i < BULK_CELLS; i++) hermiteCell(bulk, i, by[i]!, Math.max(by[i + 1]!, by[i]!), bm[i]!, bm[i + 1]!)
  for (let j = 0; j < LEFT_CELLS; j++) hermiteCell(left, j, ly[j]!, Math.min(ly[j + 1]!, ly[j]!), lm[j]!, lm[j + 1]!)
  for (let j = 0; j < RIGHT_CELLS; j++) hermiteCell(right, j, ry[j]!, Math.max(ry[j + 1]!, ry[j]!), rm[j]!, rm[j + 1]!)
  return {
    _tag: 'SumOfGammaTable',
    k,
    s,
    shift,
    rho: law.rho,
    bulk,
    left,
    right,
    leftSlope: Math.min(lm[LEFT_CELLS]!, 0),
    rightSlope: Math.max(rm[RIGHT_CELLS]!, 0),
  }
}

const TABLE_CACHE_SIZE = 32
/** Memoized tables by `k|s`: the module's only state, a pure cache of a deterministic build. */
const tableCache = new Map<string, SumOfGammaTable>()

/**
 * The quantile table of Sum-of-Gamma noise for `(k, s)`, built once and memoized (up to 32
 * tables, oldest evicted first). The cache is the one piece of state in this module and is
 * pure memoization: a table depends only on `(k, s)`.
 *
 * Shapes: scalars `(k, s) -> SumOfGammaTable`.
 *
 * @example
 * ```ts
 * const table = sumOfGammaTable(10, 100)
 * const uniforms = Float64Array.from({ length: 1000 }, () => Math.random() || 0.5)   // in (0, 1)
 * const eps = sampleSumOfGammaTable(table, uniforms, new Float32Array(1000))        // [1000]
 * ```
 */
export function sumOfGammaTable(k: number, s: number): SumOfGammaTable {
  checkKS('sumOfGammaTable', k, s)
  const key = `${k}|${s}`
  const hit = tableCache.get(key)
  if (hit !== undefined) return hit
  const table = buildSumOfGammaTable(k, s)
  if (tableCache.size >= TABLE_CACHE_SIZE) {
    const oldest = tableCache.keys().next()
    if (oldest.done !== true) tableCache.delete(oldest.value)
  }
  tableCache.set(key, table)
  return table
}

/**
 * Samples Sum-of-Gamma noise by inverse transform: `out[j] = Q(uniforms[j])` with `Q` the
 * table's quantile function. The uniforms must lie in the open interval `(0, 1)`; a value
 * outside it (or NaN) is an `ArgumentError`. A few nanoseconds per value. `out` may be
 * `uniforms` itself (element `j` is read before it is written). From `NATIVE_MIN` values on it
 * runs in the WebAssembly SIMD kernel where that loads (Node), with the same bits.
 *
 * Shapes: `uniforms: [n]`, `out: [n]`; returns `out`.
 *
 * @example
 * ```ts
 * const table = sumOfGammaTable(10, 100)
 * const u = new Float64Array([0.1, 0.5, 0.9])
 * sampleSumOfGammaTable(table, u, new Float32Array(3))   // three quantiles of eps
 * ```
 */
export function sampleSumOfGammaTable<T extends Float32Array | Float64Array>(
  table: SumOfGammaTable,
  uniforms: Float32Array | Float64Array,
  out: T,
): T {
  if (uniforms.length !== out.length) {
    throw new ArgumentError(
      `sampleSumOfGammaTable(table, uniforms, out): out must have the length of uniforms ` +
        `(${uniforms.length}) but has length ${out.length}`,
    )
  }
  if (uniforms.length >= NATIVE_MIN) {
    const kernels = nativeNoise()
    const result = kernels === undefined ? -2 : kernels.sumOfGamma(table, NATIVE_CONSTANTS, uniforms, out)
    if (result === -1) return out
    if (result >= 0) throw outsideOpenUnit(result, uniforms[result]!)
  }
  return sampleSumOfGammaTableHost(table, uniforms, out)
}

/** The error of a uniform outside `(0, 1)`, the same on both paths. */
const outsideOpenUnit = (i: number, u: number): ArgumentError =>
  new ArgumentError(`sampleSumOfGammaTable(table, uniforms, out): uniforms must lie in (0, 1) but uniforms[${i}] is ${String(u)}`)

/**
 * The JavaScript loop of `sampleSumOfGammaTable` (the fallback of the native kernel, which gives
 * its bits, and its reference). `uniforms` and `out` must have one length (not checked here).
 *
 * Shapes: `uniforms: [n]`, `out: [n]`; returns `out`.
 *
 * @example
 * ```ts
 * const table = sumOfGammaTable(10, 100)
 * sampleSumOfGammaTableHost(table, new Float64Array([0.1, 0.5, 0.9]), new Float32Array(3))
 * ```
 */
export function sampleSumOfGammaTableHost<T extends Float32Array | Float64Array>(
  table: SumOfGammaTable,
  uniforms: Float32Array | Float64Array,
  out: T,
): T {
  const { bulk, left, right, shift, leftSlope, rightSlope } = table
  const n = uniforms.length
  const leftEnd = left[4 * LEFT_CELLS - 4]! + left[4 * LEFT_CELLS - 3]! + left[4 * LEFT_CELLS - 2]! + left[4 * LEFT_CELLS - 1]!
  const rightEnd = right[4 * RIGHT_CELLS - 4]! + right[4 * RIGHT_CELLS - 3]! + right[4 * RIGHT_CELLS - 2]! + right[4 * RIGHT_CELLS - 1]!
  for (let i = 0; i < n; i++) {
    const u = uniforms[i]!
    if (u >= U_LO && u <= U_HI) {
      const t = (u - U_LO) * INV_BULK_DU
      let j = t | 0
      if (j >= BULK_CELLS) j = BULK_CELLS - 1
      const tau = t - j
      const o = 4 * j
      out[i] = bulk[o]! + tau * (bulk[o + 1]! + tau * (bulk[o + 2]! + tau * bulk[o + 3]!))
    } else if (u > 0 && u < U_LO) {
      const t = (-Math.log(u) * LOG2E - TAIL_START) * PER_OCTAVE
      let lx: number
      if (t >= LEFT_CELLS) lx = leftEnd + (t - LEFT_CELLS) * leftSlope
      else {
        const j = t | 0
        const tau = t - j
        const o = 4 * j
        lx = left[o]! + tau * (left[o + 1]! + tau * (left[o + 2]! + tau * left[o + 3]!))
      }
      out[i] = Math.exp(lx) - shift
    } else if (u > U_HI && u < 1) {
      const t = (-Math.log(1 - u) * LOG2E - TAIL_START) * PER_OCTAVE
      if (t >= RIGHT_CELLS) out[i] = rightEnd + (t - RIGHT_CELLS) * rightSlope
      else {
        const j = t | 0
        const tau = t - j
        const o = 4 * j
        out[i] = right[o]! + tau * (right[o + 1]! + tau * (right[o + 2]! + tau * right[o + 3]!))
      }
    } else {
      throw outsideOpenUnit(i, u)
    }
  }
  return out
}

/**
 * Fills `out` with Sum-of-Gamma noise from the key `(k0, k1)`: exactly
 * `fillUniformOpen(k0, k1, out)` then `sampleSumOfGammaTable(table, out, out)` (the same bits),
 * but for a float32 `out` of `NATIVE_MIN` values or more, in one pass of the WebAssembly SIMD
 * kernels where they load, with no copy of the uniforms in between.
 *
 * Shapes: `(k0, k1, table, out[n]) -> out[n]` (in place); returns `out`.
 *
 * @example
 * ```ts
 * const eps = fillSumOfGammaTable(0, 42, sumOfGammaTable(10, 100), new Float32Array(1e6))   // [1e6]
 * ```
 */
export function fillSumOfGammaTable<T extends Float32Array | Float64Array>(k0: number, k1: number, table: SumOfGammaTable, out: T): T {
  if (out.length >= NATIVE_MIN && out instanceof Float32Array) {
    const kernels = nativeNoise()
    if (kernels !== undefined && kernels.sumOfGammaFromKey(k0, k1, table, NATIVE_CONSTANTS, out)) return out
  }
  fillUniformOpen(k0, k1, out)
  return sampleSumOfGammaTable(table, out, out)
}
