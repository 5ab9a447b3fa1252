/**
 * Presets of the learning-to-plan experiment: one pipeline per method (the I-MLE paper's
 * Warcraft comparison) at a size (`quick`: minutes on a CPU; `paper-12`: the 12x12 benchmark
 * sizes; `tiny`: seconds, for tests).
 *
 * @module
 */
import type { LayerConfig, LossConfig, PipelineDefinition } from './pipeline.js'

/** The methods: I-MLE (Sum-of-Gamma noise, μ–μ), I-MLE MAP–MAP (no noise), AIMLE, blackbox, STE, the perturbed optimiser (Fenchel–Young loss), and cost regression. */
export const METHODS = ['imle', 'imle-map', 'aimle', 'blackbox', 'ste', 'perturbed', 'regression'] as const
/** A method name. */
export type Method = (typeof METHODS)[number]
/** The preset sizes. */
export const PRESETS = ['tiny', 'quick', 'paper-12'] as const
/** A preset size. */
export type Preset = (typeof PRESETS)[number]

/** Options of `plan`. */
export interface PlanOptions {
  readonly method?: Method
  readonly preset?: Preset
  /** The grid side `k` (default: the preset's). */
  readonly grid?: number
  readonly seed?: number
}

/** The discrete layer and loss of a method, for a `k x k` grid. */
export function methodParts(method: Method, k: number): { readonly layer?: LayerConfig; readonly loss: LossConfig } {
  const sog = { type: 'sumOfGamma', k: Math.max(1, Math.round(1.3 * k)), nbIterations: 10 } as const
  const hamming = { type: 'hamming' } as const
  switch (method) {
    case 'imle':
      return { layer: { type: 'imle', noise: sog, target: { type: 'standard', beta: 20 }, nbSamples: 1, nbMarginalSamples: 5 }, loss: hamming }
    case 'imle-map':
      return { layer: { type: 'imle', noise: { type: 'none' }, target: { type: 'standard', beta: 20 }, targetNoiseTemperature: 0 }, loss: hamming }
    case 'aimle':
      // initialBeta: the step is beta * rms(theta) per cell, 0.2 of a typical cost (1 would move
      // every cost by its own size, far past the gold path); beta then steers to ~k/2 changed cells.
      return { layer: { type: 'aimle', noise: sog, nbSamples: 1, initialBeta: 0.2, targetNorm: Math.max(1, Math.round(k / 2)), betaUpdateStep: 0.01 }, loss: hamming }
    case 'blackbox':
      return { layer: { type: 'blackbox', lambda: 20 }, loss: hamming }
    case 'ste':
      // The identity backward through the solver's own answer (no noise), on the squared form
      // of the Hamming loss: with torch-imle's linear form dL/dz = 1 - 2y does not depend on the
      // path (docs/experiments.md, "STE").
      return { layer: { type: 'ste', noise: { type: 'none' } }, loss: { type: 'hamming', form: 'squared' } }
    case 'perturbed':
      return { loss: { type: 'fenchelYoung', noise: { type: 'normal' }, nbSamples: 4, sigma: 1 } }
    case 'regression':
      return { loss: { type: 'mse' } }
  }
}

/**
 * Whether a method's model normalises its costs to mean 1 per map (`ModelConfig.normalize`):
 * the methods without noise, whose gradients leave the scale of the costs free and drift it
 * (blackbox and MAP-MAP to 0, where softplus saturates; STE to infinity). The noise of I-MLE
 * and AIMLE and the perturbed optimiser fixes the scale; regression learns the true costs.
 */
export const normalized = (method: Method): boolean => method === 'imle-map' || method === 'blackbox' || method === 'ste'

const sizes = {
  tiny: { k: 10, sizes: { train: 96, val: 32, test: 32 }, epochs: 25, batchSize: 16, evalEvery: 25, model: { type: 'tileMlp', hidden: 16 }, lr: 0.02 },
  quick: { k: 12, sizes: { train: 200, val: 50, test: 50 }, epochs: 4, batchSize: 16, evalEvery: 10, model: { type: 'cnn', channels: [16, 16, 16], batchNorm: true }, lr: 5e-3 },
  'paper-12': { k: 12, sizes: { train: 10000, val: 1000, test: 1000 }, epochs: 50, batchSize: 70, evalEvery: 100, model: { type: 'cnn', channels: [64, 64, 64], batchNorm: true }, lr: 5e-4 },
} as const

/**
 * The pipeline of a method at a preset size.
 *
 * @example
 * ```ts
 * const p = plan({ method: 'aimle', preset: 'quick', grid: 12, seed: 1 })   // PipelineDefinition
 * await run(p, { runDir: 'runs/aimle-1' })
 * ```
 */
export function plan({ method = 'imle', preset = 'quick', grid, seed = 0 }: PlanOptions = {}): PipelineDefinition {
  const s = sizes[preset]
  const k = grid ?? s.k
  const { layer, loss } = methodParts(method, k)
  const common = {
    name: `${method}-${preset}-k${k}-seed${seed}`,
    seed,
    data: { type: 'warcraft' as const, k, sizes: s.sizes, seed: 0 },
    model: normalized(method) ? { ...s.model, normalize: true } : s.model,
    solver: { type: 'gridShortestPath' as const, neighbourhood: 8 as const },
    optimizer: { type: 'adam' as const, learningRate: s.lr },
    training: { epochs: s.epochs, batchSize: s.batchSize, evalEvery: s.evalEvery },
  }
  return (layer === undefined ? { ...common, loss } : { ...common, layer, loss }) as PipelineDefinition
}
