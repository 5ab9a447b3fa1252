/**
 * The metrics of learning to plan, on the host: for predicted and gold path masks and the true
 * cell costs, the fraction of maps whose predicted path has the optimal cost (to 1e-4
 * relative), the fraction of perfect matches, and the mean Hamming distance (the fraction of
 * cells where the masks differ); and mean ± std over runs.
 *
 * @module
 */
import type { MetricName } from '../definition/pipeline.js'

/** Metric values by name. */
export type Metrics = { readonly [K in MetricName]?: number }

/** The relative tolerance of `optimalCost`. */
export const COST_TOLERANCE = 1e-4

/**
 * The metrics of `n` maps of `cells` cells: `pred`, `gold` 0/1 masks and `costs` true costs,
 * each `[n, cells]` flat.
 *
 * @example
 * ```ts
 * evaluatePaths(Float32Array.of(1, 0, 1), Float32Array.of(1, 0, 1), Float32Array.of(1, 5, 1), 1, 3)
 * // { optimalCost: 1, perfectMatch: 1, hamming: 0 }
 * ```
 */
export function evaluatePaths(pred: ArrayLike<number>, gold: ArrayLike<number>, costs: ArrayLike<number>, n: number, cells: number): Required<Metrics> {
  let optimal = 0
  let perfect = 0
  let hamming = 0
  for (let m = 0; m < n; m++) {
    let cp = 0
    let cg = 0
    let diff = 0
    for (let i = m * cells; i < (m + 1) * cells; i++) {
      cp += pred[i]! * costs[i]!
      cg += gold[i]! * costs[i]!
      if (pred[i] !== gold[i]) diff++
    }
    if (Math.abs(cp - cg) <= COST_TOLERANCE * Math.abs(cg)) optimal++
    if (diff === 0) perfect++
    hamming += diff / cells
  }
  return { optimalCost: optimal / n, perfectMatch: perfect / n, hamming: hamming / n }
}

/** A mean and a (sample) standard deviation. */
export interface MeanStd {
  readonly mean: number
  readonly std: number
  readonly n: number
}

/**
 * Mean ± std of each metric over runs (sample std, 0 for one run).
 *
 * @example
 * ```ts
 * meanStd([{ hamming: 0.1 }, { hamming: 0.3 }])   // { hamming: { mean: 0.2, std: 0.1414..., n: 2 } }
 * ```
 */
export function meanStd(runs: readonly Metrics[]): Record<string, MeanStd> {
  const out: Record<string, MeanStd> = {}
  const names = new Set(runs.flatMap((r) => Object.keys(r)))
  for (const name of names) {
    const xs = runs.map((r) => r[name as MetricName]).filter((x): x is number => typeof x === 'number')
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0
    out[name] = { mean, std, n: xs.length }
  }
  return out
}
