/**
 * The toy study's runner: for each method, every grid point (learning rate x lambda) and every
 * repetition train together as the rows of one `[G, n]` parameter tensor (one batched gradient
 * call per step), with `optim.sgd` (momentum) per learning rate; the exact loss of every row is
 * recorded at every step; the summary picks each method's best grid point by final mean loss.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { foldIn, key as makeKey, split } from '../../core/random/index.js'
import { applyUpdates } from '../../optim/base.js'
import { sgd, type SgdState } from '../../optim/sgd.js'
import { decodeConfig, type ToyConfig } from './config.js'
import { exactLoss, optimum } from './exact.js'
import { method as makeMethod, type ToyMethod, type ToyMethodName } from './methods.js'
import { N, problem } from './problem.js'

/**
 * A curve at one step, over repetitions: the exact loss's mean, standard deviation and 10% and
 * 90% quantiles, and the mean and quantiles of each repetition's gap to its own optimum.
 */
export interface CurvePoint {
  readonly step: number
  readonly mean: number
  readonly std: number
  readonly q10: number
  readonly q90: number
  readonly gapMean: number
  readonly gapQ10: number
  readonly gapQ90: number
}

/** One grid point of a method: its final exact loss over the repetitions and its noise. */
export interface GridPoint {
  readonly learningRate: number
  /** I-MLE's `lambda` or the perturbed optimiser's `sigma`; `null` for the other methods. */
  readonly lambda: number | null
  /** Mean and standard deviation over repetitions of the exact loss after the last step. */
  readonly finalMean: number
  readonly finalStd: number
  /** The noise measure (see `noiseOf`). */
  readonly noise: number
}

/** A method's results: every grid point and, at the best one, its curve and per-repetition losses. */
export interface MethodResult {
  readonly method: ToyMethodName
  readonly label: string
  readonly lambdaName: 'lambda' | 'sigma' | null
  readonly grid: readonly GridPoint[]
  /** The grid point with the lowest final mean loss. */
  readonly best: GridPoint & {
    /** `100 (finalMean - mean optimum) / mean optimum`. */
    readonly gapPercent: number
    /** The exact loss at steps `0..T`, over repetitions. */
    readonly curve: readonly CurvePoint[]
    /** The final exact loss of each repetition. */
    readonly final: readonly number[]
  }
  readonly elapsedMs: number
}

/** The results of a toy study (`results.json` in a run folder). */
export interface ToyResult {
  readonly config: ToyConfig
  readonly status: 'completed' | 'stopped'
  /** The exact optimum: mean and standard deviation over repetitions, and each repetition's. */
  readonly optimum: { readonly mean: number; readonly std: number; readonly values: readonly number[] }
  /** The mean exact loss at `theta0`. */
  readonly initialLoss: number
  readonly methods: readonly MethodResult[]
  readonly elapsedMs: number
}

/** Progress: method `index` of `count` at `step` of `steps`. */
export interface ToyProgress {
  readonly method: ToyMethodName
  readonly index: number
  readonly count: number
  readonly step: number
  readonly steps: number
  readonly elapsedMs: number
}

/** Options of `runToy`. */
export interface RunToyOptions {
  readonly onProgress?: (p: ToyProgress) => void
  /** Stops after the current step; the result's status is then `'stopped'` (and has the finished methods). */
  readonly signal?: AbortSignal
}

const meanOf = (x: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i]!
  return s / x.length
}
const stdOf = (x: ArrayLike<number>): number => {
  if (x.length < 2) return 0
  const m = meanOf(x)
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2
  return Math.sqrt(s / (x.length - 1))
}
const quantile = (sorted: Float64Array, q: number): number => {
  const p = q * (sorted.length - 1)
  const lo = Math.floor(p)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (p - lo)
}

/**
 * The noise measure of loss curves: the mean, over repetitions and over the steps of the
 * second half of training (`t` from `floor(T / 2)` to `T - 1`), of the absolute step-to-step
 * change `|L_{t+1} - L_t|` of a repetition's exact loss. Over the second half the trend is
 * small, so the measure is mostly the estimator's noise (a smooth descent scores near 0).
 * `losses` is `[(T + 1), G]` row-major; `rows` lists the columns (repetitions) to average.
 *
 * Shapes: `(losses [(T + 1) * G], T, G, rows [R]) -> number`.
 *
 * @example
 * ```ts
 * toy.noiseOf(Float64Array.of(1, 2, 1, 2, 1), 4, 1, [0])   // 1: |1 - 2| and |2 - 1| over steps 2..4
 * ```
 */
export function noiseOf(losses: ArrayLike<number>, T: number, G: number, rows: readonly number[]): number {
  let s = 0
  let c = 0
  for (const g of rows) {
    for (let t = Math.floor(T / 2); t < T; t++) {
      s += Math.abs(losses[(t + 1) * G + g]! - losses[t * G + g]!)
      c++
    }
  }
  return c === 0 ? 0 : s / c
}

/** Tiles the rows `[R, ...]` of `x` `P` times: `[P * R, ...]`, row `p * R + r` is row `r`. */
const tileRows = (x: tf.Tensor, P: number): tf.Tensor => tf.tile(x, [P, ...x.shape.slice(1).map(() => 1)])

/** Trains one method over the grid; returns the exact losses `[(T + 1), G]` (row `g = (l * Λ + j) * R + r`). */
async function train(
  m: ToyMethod,
  config: ToyConfig,
  theta0: tf.Tensor,
  b: tf.Tensor,
  bHost: Float32Array,
  trainKey: tf.Tensor,
  lambdas: readonly number[],
  progress: (step: number) => void,
  signal: AbortSignal | undefined,
): Promise<Float64Array | undefined> {
  const { repetitions: R, steps: T, learningRates, momentum } = config
  const L = learningRates.length
  const P = L * lambdas.length
  const G = P * R
  const bRows = new Float32Array(G * N)
  for (let p = 0; p < P; p++) bRows.set(bHost, p * R * N)
  const bAll = tf.tensor2d(bRows, [G, N]) // [G, n]
  const lambdaAll = tf.tensor1d(Float32Array.from({ length: G }, (_, g) => lambdas[Math.floor(g / R) % lambdas.length]!)) // [G]
  const opts = learningRates.map((lr) => sgd<tf.Tensor>({ learningRate: lr, momentum }))
  let theta = tileRows(theta0, P) // [G, n]
  let states: SgdState<tf.Tensor>[] = tf.tidy(() => tf.split(theta, L).map((c, l) => opts[l]!.init(c)) as unknown as tf.TensorContainer) as unknown as SgdState<tf.Tensor>[]
  const losses = new Float64Array((T + 1) * G)
  const disposeState = (s: SgdState<tf.Tensor>): void => {
    if (s.trace !== null) s.trace.dispose()
  }
  try {
    for (let t = 0; ; t++) {
      losses.set(exactLoss(theta.dataSync(), bRows), t * G)
      progress(t)
      if (t === T) return losses
      if (t % 10 === 9) await new Promise((resolve) => setImmediate(resolve)) // lets a signal (Ctrl-C) arrive
      if (signal?.aborted) return undefined
      const [next, nextStates] = tf.tidy(() => {
        const keys = tileRows(split(foldIn(trainKey, t), R), P) // [G, 2]: the same noise for a repetition at every grid point
        const g = m.gradient(theta, bAll, keys, lambdaAll) // [G, n]
        const gs = tf.split(g, L) // L x [Λ R, n]
        const ps = tf.split(theta, L) // L x [Λ R, n]
        const out = opts.map((o, l) => {
          const [updates, s] = o.update(gs[l]!, states[l]!)
          return [applyUpdates(ps[l]!, updates), s] as const
        })
        return [tf.concat(out.map((o) => o[0]), 0), out.map((o) => o[1])] as unknown as tf.TensorContainer
      }) as unknown as readonly [tf.Tensor, SgdState<tf.Tensor>[]]
      theta.dispose()
      states.forEach(disposeState)
      theta = next
      states = nextStates
    }
  } finally {
    theta.dispose()
    states.forEach(disposeState)
    bAll.dispose()
    lambdaAll.dispose()
  }
}

/** Summarises one method's losses over its grid. */
function summarise(m: ToyMethod, config: ToyConfig, lambdas: readonly number[], losses: Float64Array, opt: Float64Array, elapsedMs: number): MethodResult {
  const optMean = meanOf(opt)
  const { repetitions: R, steps: T, learningRates } = config
  const P = learningRates.length * lambdas.length
  const G = P * R
  const grid: GridPoint[] = []
  for (let p = 0; p < P; p++) {
    const rows = Array.from({ length: R }, (_, r) => p * R + r)
    const final = rows.map((g) => losses[T * G + g]!)
    grid.push({
      learningRate: learningRates[Math.floor(p / lambdas.length)]!,
      lambda: m.lambda === null ? null : lambdas[p % lambdas.length]!,
      finalMean: meanOf(final),
      finalStd: stdOf(final),
      noise: noiseOf(losses, T, G, rows),
    })
  }
  let bestP = 0
  for (let p = 1; p < P; p++) if (grid[p]!.finalMean < grid[bestP]!.finalMean) bestP = p
  const curve: CurvePoint[] = []
  const col = new Float64Array(R)
  const gap = new Float64Array(R)
  for (let t = 0; t <= T; t++) {
    for (let r = 0; r < R; r++) (col[r] = losses[t * G + bestP * R + r]!), (gap[r] = col[r]! - opt[r]!)
    const mean = meanOf(col)
    const std = stdOf(col)
    const gapMean = meanOf(gap)
    col.sort()
    gap.sort()
    curve.push({ step: t, mean, std, q10: quantile(col, 0.1), q90: quantile(col, 0.9), gapMean, gapQ10: quantile(gap, 0.1), gapQ90: quantile(gap, 0.9) })
  }
  const best = grid[bestP]!
  return {
    method: m.name,
    label: m.label,
    lambdaName: m.lambda,
    grid,
    best: {
      ...best,
      gapPercent: (100 * (best.finalMean - optMean)) / optMean,
      curve,
      final: Array.from({ length: R }, (_, r) => losses[T * G + bestP * R + r]!),
    },
    elapsedMs,
  }
}

/**
 * Runs the toy study: draws `R` problems from `key(seed)` (`foldIn(key, 0)`), then trains each
 * method on every grid point and repetition from the same `theta0`, with the same noise keys per
 * repetition and step (`split(foldIn(foldIn(key, 1), t), R)`), and records the exact loss of
 * every row at every step. A config read from JSON is decoded first (a bad one throws its
 * `ConfigError`). Deterministic in the config; leaves no tensor behind.
 *
 * @example
 * ```ts
 * const result = await toy.runToy(toy.preset('quick'))
 * result.methods.map((m) => [m.method, m.best.gapPercent])
 * ```
 */
export async function runToy(config: ToyConfig, options: RunToyOptions = {}): Promise<ToyResult> {
  const decoded = decodeConfig(config)
  if (E.isLeft(decoded)) throw decoded.left
  const c = decoded.right
  const start = Date.now()
  const root = makeKey(c.seed)
  const problemKey = foldIn(root, 0)
  const trainKey = foldIn(root, 1)
  const { theta0, b } = problem(problemKey, c.repetitions)
  problemKey.dispose()
  root.dispose()
  try {
    const bHost = b.dataSync() as Float32Array
    const opt = optimum(bHost)
    const optMean = meanOf(opt)
    const initialLoss = meanOf(exactLoss(theta0.dataSync(), bHost))
    const methods: MethodResult[] = []
    let stopped = false
    for (const [index, name] of c.methods.entries()) {
      const m = makeMethod(name, { nbIterations: c.nbIterations })
      const lambdas = m.lambda === null ? [Number.NaN] : c.lambdas
      const t0 = Date.now()
      const report = (step: number): void =>
        options.onProgress?.({ method: name, index, count: c.methods.length, step, steps: c.steps, elapsedMs: Date.now() - start })
      const losses = await train(m, c, theta0, b, bHost, trainKey, lambdas, report, options.signal)
      if (losses === undefined) {
        stopped = true
        break
      }
      methods.push(summarise(m, c, lambdas, losses, opt, Date.now() - t0))
    }
    return {
      config: c,
      status: stopped ? 'stopped' : 'completed',
      optimum: { mean: optMean, std: stdOf(opt), values: Array.from(opt) },
      initialLoss,
      methods,
      elapsedMs: Date.now() - start,
    }
  } finally {
    theta0.dispose()
    b.dispose()
    trainKey.dispose()
  }
}
