/**
 * The special functions behind the exact Sum-of-Gamma law: `ln Gamma` and the regularized upper
 * incomplete Gamma function `Q(a, x)`, in float64. For the sibling modules only (not
 * re-exported by `index.ts`). Their accuracy budget: `docs/derivations/sum_of_gamma.md`,
 * section "Accuracy".
 *
 * @module
 */

const HALF_LOG_2PI = 0.9189385332046728

/** `ln Gamma(x)` for `x > 0`: Stirling series at `x >= 10` (error < 1e-16 relative to terms). */
export function lgamma(x: number): number {
  let prod = 1
  while (x < 10) {
    prod *= x
    x += 1
  }
  const r = 1 / x
  const r2 = r * r
  const series =
    r *
    (1 / 12 +
      r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 / 156))))))
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - Math.log(prod)
}

/** The regularized upper incomplete Gamma function `Q(a, x)`, `a > 0`. */
export function gammaQ(a: number, x: number): number {
  if (!(x > 0)) return 1
  const logPre = a * Math.log(x) - x - lgamma(a)
  if (x < a + 1) {
    // P(a, x) = x^a e^{-x} / Gamma(a) * sum_n x^n / (a (a+1) ... (a+n))
    let ap = a
    let del = 1 / a
    let sum = del
    for (let n = 0; n < 100000; n++) {
      ap += 1
      del *= x / ap
      sum += del
      if (del < sum * 1e-17) break
    }
    return 1 - sum * Math.exp(logPre)
  }
  // Continued fraction (modified Lentz), as in Numerical Recipes' gcf.
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-16) break
  }
  return Math.exp(logPre) * h
}
