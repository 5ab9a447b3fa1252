/**
 * The decision-focused shortest-path experiment as data: the methods, an io-ts codec of the
 * experiment's config (the single source of truth for its runtime check and static type) and
 * the presets `quick` and `full`.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeWith, NonNegative, Positive, PositiveInt } from '../../core/config.js'
import type { ConfigError } from '../../core/errors.js'

/**
 * The methods, PyEPO's names in brackets: two-stage least squares (2S), SPO+ (SPO+), blackbox
 * differentiation (DBB), the perturbed optimiser (DPO), the perturbed Fenchel–Young loss
 * (PFYL), I-MLE and AIMLE.
 *
 * @example
 * ```ts
 * dfl.METHODS.includes('spo-plus')   // true
 * ```
 */
export const METHODS = ['two-stage', 'spo-plus', 'blackbox', 'perturbed', 'fenchel-young', 'imle', 'aimle'] as const
/** A method name. */
export type Method = (typeof METHODS)[number]

/**
 * The codec of a method name.
 *
 * @example
 * ```ts
 * dfl.MethodCodec.is('imle')   // true
 * ```
 */
export const MethodCodec = t.keyof(Object.fromEntries(METHODS.map((m) => [m, null])) as Record<Method, null>, 'a method name')

/**
 * The preset names.
 *
 * @example
 * ```ts
 * dfl.PRESETS   // ['quick', 'full']
 * ```
 */
export const PRESETS = ['quick', 'full'] as const
/** A preset name. */
export type Preset = (typeof PRESETS)[number]

const NoiseWidth = t.refinement(NonNegative, (e) => e < 1, 'a noise half-width in [0, 1)')

/**
 * The codec of the methods' hyperparameters (PyEPO's defaults where it has them):
 * - `blackbox.lambda`: the interpolation strength (PyEPO's `blackboxOpt` default 10);
 * - `perturbed` and `fenchelYoung`: `nbSamples` and the Gaussian noise scale `sigma` (PyEPO's
 *   `perturbedOpt` and `perturbedFenchelYoung` defaults: 10 and 1);
 * - `imle`: `nbSamples`, the target step `lambda` (the gradient is divided by it), Sum-of-Gamma
 *   noise with `kappa` terms and `nbIterations` series terms, at `temperature` (PyEPO's
 *   `implicitMLE`: 10, 10, kappa 5, sigma 1);
 * - `aimle`: the same noise and samples, and the adaptive target's `initialBeta` and
 *   `targetNorm` (torch-adaptive-imle's defaults 1 and 1).
 *
 * @example
 * ```ts
 * dfl.HyperCodec.is(dfl.presets.quick.hyper)   // true
 * ```
 */
export const HyperCodec = t.type({
  blackbox: t.type({ lambda: Positive }),
  perturbed: t.type({ nbSamples: PositiveInt, sigma: Positive }),
  fenchelYoung: t.type({ nbSamples: PositiveInt, sigma: Positive }),
  imle: t.type({ nbSamples: PositiveInt, lambda: Positive, kappa: PositiveInt, nbIterations: PositiveInt, temperature: Positive }),
  aimle: t.type({ nbSamples: PositiveInt, kappa: PositiveInt, nbIterations: PositiveInt, temperature: Positive, initialBeta: Positive, targetNorm: Positive }),
})
/** The methods' hyperparameters (plain numbers; a decoded `HyperCodec` value is one too). */
export type Hyper = t.OutputOf<typeof HyperCodec>

/**
 * The codec of a decision-focused shortest-path experiment: every cell of the grid
 * `trainSizes x noiseWidths x degrees`, every method of `methods`, `seeds` seeds from `seed`;
 * data from `generate` with `features` and `grid` (PyEPO: 5 and `[5, 5]`), `testSize` test
 * instances; the linear model trained by Adam (`training`); two-stage is solved exactly.
 *
 * @example
 * ```ts
 * dfl.DflConfigCodec.is(dfl.presets.full)   // true
 * ```
 */
export const DflConfigCodec = t.type({
  name: t.string,
  seed: t.Int,
  seeds: PositiveInt,
  features: PositiveInt,
  grid: t.tuple([PositiveInt, PositiveInt], '[h, w] (positive integers)'),
  degrees: t.array(PositiveInt),
  noiseWidths: t.array(NoiseWidth),
  trainSizes: t.array(PositiveInt),
  testSize: PositiveInt,
  methods: t.array(MethodCodec),
  training: t.type({ epochs: PositiveInt, batchSize: PositiveInt, learningRate: Positive }),
  hyper: HyperCodec,
})
/** A decoded experiment config. */
export type DflConfig = t.TypeOf<typeof DflConfigCodec>
/** An experiment config as JSON (plain numbers). */
export type DflConfigJson = t.OutputOf<typeof DflConfigCodec>

const hyper: DflConfigJson['hyper'] = {
  blackbox: { lambda: 10 },
  perturbed: { nbSamples: 10, sigma: 1 },
  fenchelYoung: { nbSamples: 10, sigma: 1 },
  imle: { nbSamples: 10, lambda: 10, kappa: 5, nbIterations: 10, temperature: 1 },
  aimle: { nbSamples: 10, kappa: 5, nbIterations: 10, temperature: 1, initialBeta: 1, targetNorm: 1 },
}

/**
 * The presets: `quick` (degrees 1 and 6, 100 training instances, noise 0.5, one seed: under
 * a minute on a CPU) and `full` (PyEPO's grid: degrees 1, 2, 4, 6, noise 0 and 0.5, 100 and
 * 1000 training instances, seeds 0, 1, 2: about 31 minutes on two shared cores). Both: all
 * seven methods, 1000 test instances, Adam at 1e-2, batches of 32, 50 epochs (200 steps at
 * n = 100, 1600 at n = 1000).
 *
 * @example
 * ```ts
 * dfl.presets.quick.degrees   // [1, 6]
 * ```
 */
export const presets: Readonly<Record<Preset, DflConfigJson>> = {
  quick: {
    name: 'dfl-quick',
    seed: 0,
    seeds: 1,
    features: 5,
    grid: [5, 5],
    degrees: [1, 6],
    noiseWidths: [0.5],
    trainSizes: [100],
    testSize: 1000,
    methods: [...METHODS],
    training: { epochs: 50, batchSize: 32, learningRate: 1e-2 },
    hyper,
  },
  full: {
    name: 'dfl-full',
    seed: 0,
    seeds: 3,
    features: 5,
    grid: [5, 5],
    degrees: [1, 2, 4, 6],
    noiseWidths: [0, 0.5],
    trainSizes: [100, 1000],
    testSize: 1000,
    methods: [...METHODS],
    training: { epochs: 50, batchSize: 32, learningRate: 1e-2 },
    hyper,
  },
}

/**
 * Decodes an experiment config (JSON); a failure is a `ConfigError` naming the path of the
 * bad field (`dfl(json.training.epochs): ...`).
 *
 * @example
 * ```ts
 * dfl.decodeConfig({ ...dfl.presets.quick, degrees: [0] })   // Left(ConfigError('dfl(json.degrees.0): ...'))
 * ```
 */
export function decodeConfig(json: unknown): E.Either<ConfigError, DflConfig> {
  return decodeWith('dfl', DflConfigCodec, json, 'json')
}
