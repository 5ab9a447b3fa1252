/**
 * The quantile solve of the exact Sum-of-Gamma law: safeguarded Newton steps on `ln F` (below
 * the median) or `-ln(1 - F)` (above it), each solve starting from the previous one. It gives
 * the knots of the quantile table. For the sibling modules only (not re-exported by
 * `index.ts`). Derivation: `docs/derivations/sum_of_gamma.md`, section "The quantile table".
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { evaluateLaw, LOWER, type SumOfGammaLaw } from './law.js'

/**
 * One side of the quantile solve. The variable is `z = ln X` on the lower side
 * (`L = ln F`) and `X` on the upper side (`L = -ln(1 - F)`); `L` increases with it. Holds the
 * last evaluation so that the next knot starts with a Newton step from it.
 */
export class Sweep {
  p = 0
  L = 0
  D = 1
  private readonly res = new Float64Array(2)
  constructor(
    private readonly law: SumOfGammaLaw,
    private readonly side: number,
  ) {}

  eval(v: number): void {
    const res = this.res
    const X = this.side === LOWER ? Math.exp(v) : v
    if (X > 0) evaluateLaw(this.law, X, this.side, res)
    else {
      res[0] = this.side === LOWER ? 0 : 1
      res[1] = 0
    }
    const P = res[0]!
    this.p = v
    if (this.side === LOWER) {
      this.L = P > 0 ? Math.log(P) : -Infinity
      this.D = P > 0 ? (X * res[1]!) / P : NaN
    } else {
      this.L = P > 0 ? -Math.log(P) : Infinity
      this.D = P > 0 ? res[1]! / P : NaN
    }
  }

  /**
   * Solves `L(v) = T` by safeguarded Newton from the last evaluation; returns `v` and leaves
   * `this.D` (at a point within `1e-7` of `v`) for the slope. Accepts the Newton-corrected point
   * once the correction is below `1e-7 max(1, |v|)`: its error is then about `1e-14`.
   */
  solve(T: number): number {
    let lo = -Infinity
    let hi = Infinity
    if (this.L < T) lo = this.p
    else hi = this.p
    let v = this.p + (T - this.L) / this.D
    if (!(v > lo && v < hi)) v = Number.isFinite(lo) ? lo + 1 : hi - 1
    for (let it = 0; it < 200; it++) {
      this.eval(v)
      const L = this.L
      if (L < T) lo = v
      else hi = v
      const c = (T - L) / this.D
      if (Math.abs(c) <= 1e-7 * Math.max(1, Math.abs(v))) return v + c
      let vn = v + c
      if (!(vn > lo && vn < hi)) {
        if (Number.isFinite(lo) && Number.isFinite(hi)) vn = 0.5 * (lo + hi)
        else if (Number.isFinite(lo)) vn = lo + Math.max(1, 2 * (v - lo))
        else vn = hi - Math.max(1, 2 * (hi - v))
      }
      if (hi - lo <= 1e-15 * Math.max(1, Math.abs(v))) return v
      v = vn
    }
    throw new ArgumentError(
      `buildSumOfGammaTable(k, s): the quantile solve did not converge for k=${this.law.k}, ` +
        `s=${this.law.s} (target ${T}); this is a bug, please report it with k and s`,
    )
  }
}
