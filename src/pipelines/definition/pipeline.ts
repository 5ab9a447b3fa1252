/**
 * Typed pipeline definitions for learning to plan: data, model, solver, discrete layer
 * (estimator with its noise and target), loss, optimiser, training schedule, metrics and seed.
 * A pipeline is written in TypeScript (`PipelineDefinition`: a misspelt field or a wrong
 * estimator option is a type error) or read from JSON by `decode`, which composes the
 * library's own decoders (`solvers.decode`, `noise.decode`, `target.decode`,
 * `estimators.decode`, the optimisers' codecs) and names the path of a bad field:
 * `pipeline(json.layer.noise.k): expected Positive but got -1`. `decode` returns the resolved
 * config (every default filled in); `encode(decode(json))` is that resolved config as JSON.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeOptions, decodeWith, PositiveInt, show } from '../../core/config.js'
import { ConfigError } from '../../core/errors.js'
import { gumbel, none, normal, sumOfGamma } from '../../distributions/noise/index.js'
import { decode as decodeNoise } from '../../distributions/noise/registry.js'
import { adaptive, standard } from '../../distributions/target/index.js'
import { decode as decodeTarget } from '../../distributions/target/registry.js'
import { FenchelYoungConfig, type FenchelYoungOptions } from '../../losses/fenchel_young.js'
import { AdamConfig } from '../../optim/adam.js'
import { SgdConfig } from '../../optim/sgd.js'
import { gridShortestPath } from '../../solvers/grid_shortest_path/index.js'
import { decode as decodeSolver } from '../../solvers/registry.js'
import { aimleDefaults, type AimleOptions } from '../../transforms/estimators/aimle.js'
import { imleDefaults, type ImleOptions } from '../../transforms/estimators/imle.js'
import { perturbedDefaults, type PerturbedOptions } from '../../transforms/estimators/perturbed.js'
import { perturbDefaults, type PerturbOptions } from '../../transforms/estimators/perturb_and_map.js'
import { decode as decodeEstimator } from '../../transforms/estimators/registry.js'
import { WarcraftConfig } from '../data/warcraft/generate.js'

/** The options type of a factory `(options?) => R`. */
type OptionsOfFactory<F> = F extends (options?: infer O) => unknown ? NonNullable<O> : never
/** `{ type: name, ...options }` for each factory of a table: the JSON form of its records. */
type JsonOf<T> = { [N in keyof T & string]: { readonly type: N } & OptionsOfFactory<T[N]> }[keyof T & string]

const noiseFactories = { gumbel, normal, none, sumOfGamma }
const targetFactories = { standard, adaptive }
const solverFactories = { gridShortestPath }

/** A noise as JSON: `{ type: 'sumOfGamma', k: 15 }`, `{ type: 'none' }`, ... (the options of `noise.<type>`). */
export type NoiseConfig = JsonOf<typeof noiseFactories>
/** A target as JSON: `{ type: 'standard', beta: 20 }`, `{ type: 'adaptive', targetNorm: 1 }`. */
export type TargetConfig = JsonOf<typeof targetFactories>
/** The solver of a learning-to-plan pipeline: `{ type: 'gridShortestPath', neighbourhood: 8 }`. */
export type SolverConfig = JsonOf<typeof solverFactories>

/**
 * The discrete layer as JSON: an estimator (`estimators.decode`'s `type`) with its options,
 * noise and target; its solver is the pipeline's `solver`.
 */
export type LayerConfig =
  | ({ readonly type: 'imle'; readonly noise: NoiseConfig; readonly target: TargetConfig } & ImleOptions)
  | ({ readonly type: 'aimle'; readonly noise: NoiseConfig } & AimleOptions)
  | ({ readonly type: 'ste'; readonly noise: NoiseConfig } & PerturbOptions)
  | ({ readonly type: 'perturbed'; readonly noise: NoiseConfig } & PerturbedOptions)
  | { readonly type: 'blackbox'; readonly lambda: number }

/**
 * A loss that trains through the layer: the Hamming loss between the layer's paths and the gold
 * ones, summed over cells. `form` is how it is written off the 0/1 paths, which sets `dL/dz`:
 * `'linear'` (the default, torch-imle's `HammingLoss`) `z + y - 2 z y`, with `dL/dz = 1 - 2y`
 * whatever `z` is; `'squared'` `(z - y)^2`, with `dL/dz = 2 (z - y)`, zero on the cells the
 * path gets right. The two are equal on paths. The straight-through estimator passes `dL/dz` on
 * unchanged, so it needs `'squared'`: with `'linear'` its gradient does not depend on the path
 * (docs/experiments.md).
 */
export interface HammingLossConfig {
  readonly type: 'hamming'
  readonly form?: 'linear' | 'squared'
}
/** The perturbed Fenchel–Young loss (`losses.fenchelYoung`): the perturbed optimiser's loss, no layer. */
export type FenchelYoungLossConfig = { readonly type: 'fenchelYoung'; readonly noise: NoiseConfig } & FenchelYoungOptions
/** The regression baseline: mean squared error between predicted and true costs, no solver in training. */
export interface MseLossConfig {
  readonly type: 'mse'
}
/** A loss as JSON. */
export type LossConfig = HammingLossConfig | FenchelYoungLossConfig | MseLossConfig

/** The data: the Warcraft stand-in (`data.warcraft`), `k x k` maps, `sizes` per split, optional disk cache. */
export interface DataConfig {
  readonly type: 'warcraft'
  readonly k: number
  readonly sizes: { readonly train: number; readonly val: number; readonly test: number }
  readonly seed?: number
  /** A directory for `warcraft.load`'s cache (default: generate in memory). */
  readonly cacheDir?: string
}

/**
 * The model: image `[8k, 8k, 3]` -> costs `[k, k]` (softplus, > 0).
 * - `cnn`: per entry of `channels`, conv 3x3 'same' (+ batchNorm) + relu, with a 2x2 max-pool
 *   after each of the first three blocks (8k -> k), then a 1x1 conv to one cost per cell;
 * - `tileMlp`: the mean colour of each 8x8 tile, then a per-cell MLP with `hidden` units;
 * - `normalize` (either, default false): divide each map's costs by their mean. The shortest
 *   path is unchanged (it is invariant to the scale of the costs), but the overall scale is
 *   fixed: the estimators without noise (blackbox, MAP-MAP, STE) and AIMLE's step leave it
 *   free, and their gradients drift it to 0 or to infinity (see `docs/experiments.md`).
 */
export type ModelConfig =
  | { readonly type: 'cnn'; readonly channels?: readonly number[]; readonly batchNorm?: boolean; readonly normalize?: boolean }
  | { readonly type: 'tileMlp'; readonly hidden?: number; readonly normalize?: boolean }

/** A learning-rate schedule over the run's total steps. */
export type ScheduleConfig =
  | { readonly type: 'constant' }
  | { readonly type: 'cosine'; readonly alpha?: number }
  | { readonly type: 'step'; readonly boundaries: readonly number[]; readonly scales: readonly number[] }

/** The optimiser: `optim.adam` or `optim.sgd` options, an optional global-norm clip and a schedule. */
export type OptimizerConfig =
  | {
      readonly type: 'adam'
      readonly learningRate?: number
      readonly b1?: number
      readonly b2?: number
      readonly eps?: number
      readonly clipNorm?: number
      readonly schedule?: ScheduleConfig
    }
  | {
      readonly type: 'sgd'
      readonly learningRate: number
      readonly momentum?: number
      readonly nesterov?: boolean
      readonly weightDecay?: number
      readonly clipNorm?: number
      readonly schedule?: ScheduleConfig
    }

/** The training schedule: epochs, batch size, evaluation every `evalEvery` steps, an optional cap `maxSteps`. */
export interface TrainingConfig {
  readonly epochs: number
  readonly batchSize: number
  readonly evalEvery: number
  readonly maxSteps?: number
}

/** The metrics an evaluation computes (see `runner.evaluatePaths`). */
export const METRICS = ['optimalCost', 'perfectMatch', 'hamming'] as const
/** A metric name. */
export type MetricName = (typeof METRICS)[number]

interface Common {
  readonly name: string
  readonly seed: number
  readonly data: DataConfig
  readonly model: ModelConfig
  readonly solver: SolverConfig
  readonly optimizer: OptimizerConfig
  readonly training: TrainingConfig
  readonly metrics?: readonly MetricName[]
}

/**
 * A pipeline as written in TypeScript or JSON. A `hamming` loss trains through `layer`; the
 * `fenchelYoung` and `mse` losses take no layer.
 *
 * @example
 * ```ts
 * const p: PipelineDefinition = {
 *   name: 'imle-k12', seed: 0,
 *   data: { type: 'warcraft', k: 12, sizes: { train: 200, val: 50, test: 50 } },
 *   model: { type: 'cnn', channels: [16, 16, 16] },
 *   solver: { type: 'gridShortestPath', neighbourhood: 8 },
 *   layer: { type: 'imle', noise: { type: 'sumOfGamma', k: 15 }, target: { type: 'standard', beta: 20 }, nbSamples: 1 },
 *   loss: { type: 'hamming' },
 *   optimizer: { type: 'adam', learningRate: 5e-3 },
 *   training: { epochs: 4, batchSize: 16, evalEvery: 10 },
 * }
 * ```
 */
export type PipelineDefinition = Common &
  ({ readonly loss: HammingLossConfig; readonly layer: LayerConfig } | { readonly loss: FenchelYoungLossConfig | MseLossConfig; readonly layer?: undefined })

/** A JSON value: what a resolved config is made of. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json }

/**
 * A resolved pipeline: the definition with every default filled in, as plain JSON (what
 * `config.json` holds; `encode` returns it). Branded so that only `decode`/`define` make one.
 */
export type PipelineConfig = PipelineDefinition & { readonly metrics: readonly MetricName[]; readonly __resolved: true }

const FN = 'pipeline'

/** A record `{ type, ...rest }` or a `ConfigError` at `at`. */
function record(json: unknown, at: string): E.Either<ConfigError, Record<string, unknown>> {
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? E.right(json as Record<string, unknown>)
    : E.left(new ConfigError(`${FN}(${at}): expected an object but got ${show(json)}`))
}

/** `type` must be one of `names`. */
function typeOf(json: Record<string, unknown>, names: readonly string[], at: string): E.Either<ConfigError, string> {
  const type = json['type']
  return typeof type === 'string' && names.includes(type)
    ? E.right(type)
    : E.left(new ConfigError(`${FN}(${at}.type): expected one of ${names.map((n) => `'${n}'`).join(' | ')} but got ${show(type)}`))
}

/** Fills a registry record's defaults (`{ type, ...factory.defaults, ...json }`) when the factory is known. */
function withDefaults(json: Record<string, unknown>, table: Readonly<Record<string, { readonly defaults: object }>>): Record<string, unknown> {
  const { type, ...rest } = json
  const f = typeof type === 'string' ? table[type] : undefined
  return { type, ...(f?.defaults ?? {}), ...rest }
}

/** Decodes a nested record with its registry (errors at `at`), then fills its defaults. */
function nested(
  decode: (json: unknown, where?: string, at?: string) => E.Either<ConfigError, unknown>,
  table: Readonly<Record<string, { readonly defaults: object }>>,
  json: unknown,
  at: string,
): E.Either<ConfigError, Record<string, unknown>> {
  const r = decode(json, FN, at)
  return E.isLeft(r) ? r : E.right(withDefaults(json as Record<string, unknown>, table))
}

const estimatorDefaults: Readonly<Record<string, object>> = {
  imle: imleDefaults,
  aimle: aimleDefaults,
  ste: perturbDefaults,
  perturbed: perturbedDefaults,
  blackbox: {},
}
const estimatorParts: Readonly<Record<string, readonly ('noise' | 'target')[]>> = {
  imle: ['noise', 'target'],
  aimle: ['noise'],
  ste: ['noise'],
  perturbed: ['noise'],
  blackbox: [],
}

/**
 * The layer: its noise and target decoded by their registries (at `json.layer.noise`, ...),
 * then the whole layer by `estimators.decode` with the pipeline's solver, whose messages are
 * placed at `json.layer`.
 */
function decodeLayer(json: unknown, solver: unknown): E.Either<ConfigError, Record<string, unknown>> {
  const at = 'json.layer'
  const rec = record(json, at)
  if (E.isLeft(rec)) return rec
  const type = typeOf(rec.right, Object.keys(estimatorDefaults), at)
  if (E.isLeft(type)) return type
  if ('solver' in rec.right) return E.left(new ConfigError(`${FN}(${at}.solver): the layer's solver is the pipeline's 'solver' field; remove it here`))
  const resolved: Record<string, unknown> = { type: type.right, ...estimatorDefaults[type.right], ...rec.right }
  for (const part of estimatorParts[type.right]!) {
    const r = part === 'noise' ? nested(decodeNoise, noiseFactories, rec.right[part], `${at}.${part}`) : nested(decodeTarget, targetFactories, rec.right[part], `${at}.${part}`)
    if (E.isLeft(r)) return r
    resolved[part] = r.right
  }
  const built = decodeEstimator({ ...rec.right, solver })
  if (E.isLeft(built)) return E.left(new ConfigError(built.left.message.replace(/^estimators\.decode\(json/, `${FN}(${at}`)))
  return E.right(resolved)
}

const Training = t.intersection([t.type({ epochs: PositiveInt, batchSize: PositiveInt, evalEvery: PositiveInt }), t.partial({ maxSteps: PositiveInt })])
const Normalize = t.partial({ normalize: t.boolean })
const Model = {
  cnn: t.intersection([t.type({ channels: t.readonlyArray(PositiveInt), batchNorm: t.boolean }), Normalize]),
  tileMlp: t.intersection([t.type({ hidden: PositiveInt }), Normalize]),
}
const modelDefaults = { cnn: { channels: [16, 16, 16], batchNorm: false }, tileMlp: { hidden: 16 } }
const Fraction = t.refinement(t.number, (n) => n > 0 && n < 1, 'a fraction in (0, 1)')
const Schedule = {
  constant: t.type({}),
  cosine: t.type({ alpha: t.number }),
  step: t.type({ boundaries: t.readonlyArray(Fraction), scales: t.readonlyArray(t.number) }),
}
const scheduleDefaults = { constant: {}, cosine: { alpha: 0 }, step: {} }
const Data = t.intersection([WarcraftConfig, t.partial({ cacheDir: t.string })])
const Metrics = t.readonlyArray(t.keyof({ optimalCost: null, perfectMatch: null, hamming: null }))
const Top = t.intersection([
  t.type({
    name: t.string,
    seed: t.number,
    data: t.unknown,
    model: t.unknown,
    solver: t.unknown,
    loss: t.unknown,
    optimizer: t.unknown,
    training: t.unknown,
  }),
  t.partial({ layer: t.unknown, metrics: t.unknown }),
])

/** Decodes a `{ type, ...options }` section with the codec of its type and its defaults. */
function section<T extends Record<string, t.Any>>(
  json: unknown,
  at: string,
  codecs: T,
  defaults: { readonly [K in keyof T]: object },
): E.Either<ConfigError, Record<string, unknown>> {
  const rec = record(json, at)
  if (E.isLeft(rec)) return rec
  const type = typeOf(rec.right, Object.keys(codecs), at)
  if (E.isLeft(type)) return type
  const { type: _, ...rest } = rec.right
  const r = decodeOptions(FN, codecs[type.right]! as t.Type<unknown, unknown, unknown>, defaults[type.right]!, rest, at)
  return E.isLeft(r) ? r : E.right({ type: type.right, ...defaults[type.right], ...rest })
}

function decodeOptimizer(json: unknown): E.Either<ConfigError, Record<string, unknown>> {
  const at = 'json.optimizer'
  const rec = record(json, at)
  if (E.isLeft(rec)) return rec
  const type = typeOf(rec.right, ['adam', 'sgd'], at)
  if (E.isLeft(type)) return type
  const { type: _, clipNorm, schedule, ...rest } = rec.right
  const out: Record<string, unknown> = { type: type.right }
  const defaults = type.right === 'adam' ? { learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8 } : { momentum: 0, nesterov: false, weightDecay: 0 }
  const codec = (type.right === 'adam' ? AdamConfig : SgdConfig) as t.Type<unknown, unknown, unknown>
  const r = decodeOptions(FN, codec, defaults, rest, at)
  if (E.isLeft(r)) return r
  for (const [k, v] of Object.entries({ ...defaults, ...rest })) {
    if (typeof v !== 'number' && typeof v !== 'boolean') return E.left(new ConfigError(`${FN}(${at}.${k}): expected a number but got ${show(v)}`))
    out[k] = v
  }
  if (clipNorm !== undefined) {
    if (typeof clipNorm !== 'number' || !(clipNorm > 0) || !Number.isFinite(clipNorm)) return E.left(new ConfigError(`${FN}(${at}.clipNorm): expected a positive number but got ${show(clipNorm)}`))
    out['clipNorm'] = clipNorm
  }
  const s = section(schedule ?? { type: 'constant' }, `${at}.schedule`, Schedule, scheduleDefaults)
  if (E.isLeft(s)) return s
  if (s.right['type'] === 'step' && (s.right['boundaries'] as unknown[]).length !== (s.right['scales'] as unknown[]).length) {
    return E.left(new ConfigError(`${FN}(${at}.schedule.scales): expected one scale per boundary but got ${show(s.right['scales'])}`))
  }
  out['schedule'] = s.right
  return E.right(out)
}

const HammingConfig = t.type({ form: t.keyof({ linear: null, squared: null }) })

function decodeLoss(json: unknown): E.Either<ConfigError, Record<string, unknown>> {
  const at = 'json.loss'
  const rec = record(json, at)
  if (E.isLeft(rec)) return rec
  const type = typeOf(rec.right, ['hamming', 'fenchelYoung', 'mse'], at)
  if (E.isLeft(type)) return type
  const { type: _, noise, ...rest } = rec.right
  if (type.right === 'hamming') {
    const r = decodeOptions(FN, HammingConfig, { form: 'linear' }, rest, at)
    return E.isLeft(r) ? r : E.right({ type: 'hamming', ...r.right })
  }
  if (type.right !== 'fenchelYoung') {
    const r = decodeWith(FN, t.type({}), rest, at)
    return E.isLeft(r) ? r : E.right({ type: type.right })
  }
  const n = nested(decodeNoise, noiseFactories, noise, `${at}.noise`)
  if (E.isLeft(n)) return n
  const defaults = { nbSamples: 1, sigma: 1, sense: 'max' }
  const r = decodeOptions(FN, FenchelYoungConfig, defaults, rest, at)
  return E.isLeft(r) ? r : E.right({ type: 'fenchelYoung', noise: n.right, ...defaults, ...rest })
}

/**
 * Decodes a pipeline from JSON: every section by its own decoder, errors naming the path of the
 * bad field (`pipeline(json.optimizer.learningRate): expected ... but got -1`). Returns the
 * resolved config (defaults filled in).
 *
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js'
 * const r = decode(JSON.parse(readFileSync('pipeline.json', 'utf8')))
 * if (E.isLeft(r)) console.error(r.left.message)   // pipeline(json.layer.noise.k): expected Positive but got -1
 * ```
 */
export function decode(json: unknown): E.Either<ConfigError, PipelineConfig> {
  const top = decodeWith(FN, Top, json, 'json')
  if (E.isLeft(top)) return top
  const j = top.right
  const data = record(j.data, 'json.data')
  if (E.isLeft(data)) return data
  const { type: dataType, ...dataRest } = data.right
  if (dataType !== 'warcraft') return E.left(new ConfigError(`${FN}(json.data.type): expected 'warcraft' but got ${show(dataType)}`))
  const d = decodeOptions(FN, Data, { seed: 0 }, dataRest, 'json.data')
  if (E.isLeft(d)) return d
  const model = section(j.model, 'json.model', Model, modelDefaults)
  if (E.isLeft(model)) return model
  const solver = nested(decodeSolver, solverFactories, j.solver, 'json.solver')
  if (E.isLeft(solver)) return solver
  const loss = decodeLoss(j.loss)
  if (E.isLeft(loss)) return loss
  let layer: Record<string, unknown> | undefined
  if (loss.right['type'] === 'hamming') {
    if (j.layer === undefined) return E.left(new ConfigError(`${FN}(json.layer): the 'hamming' loss trains through a layer; give one (an estimator: { "type": "imle", ... })`))
    const l = decodeLayer(j.layer, j.solver)
    if (E.isLeft(l)) return l
    layer = l.right
  } else if (j.layer !== undefined) {
    return E.left(new ConfigError(`${FN}(json.layer): the '${String(loss.right['type'])}' loss takes no layer; remove it`))
  }
  const optimizer = decodeOptimizer(j.optimizer)
  if (E.isLeft(optimizer)) return optimizer
  const training = decodeWith(FN, Training, j.training, 'json.training')
  if (E.isLeft(training)) return training
  const metrics = decodeWith(FN, Metrics, j.metrics ?? METRICS, 'json.metrics')
  if (E.isLeft(metrics)) return metrics
  if (!Number.isSafeInteger(j.seed)) return E.left(new ConfigError(`${FN}(json.seed): expected a safe integer but got ${show(j.seed)}`))
  const config = {
    name: j.name,
    seed: j.seed,
    data: { type: 'warcraft', seed: 0, ...dataRest },
    model: model.right,
    solver: solver.right,
    ...(layer === undefined ? {} : { layer }),
    loss: loss.right,
    optimizer: optimizer.right,
    training: training.right,
    metrics: [...metrics.right],
  }
  return E.right(JSON.parse(JSON.stringify(config)) as PipelineConfig)
}

/**
 * A typed definition, checked and resolved: `decode` for pipelines written in TypeScript
 * (throws the `ConfigError` of a bad value the types cannot see, such as a negative rate).
 *
 * @example
 * ```ts
 * const config = define({ ...quickPreset, seed: 3 })   // PipelineConfig
 * ```
 */
export function define(definition: PipelineDefinition): PipelineConfig {
  const r = decode(definition)
  if (E.isLeft(r)) throw r.left
  return r.right
}

/**
 * The resolved config as JSON (what `config.json` holds): `encode(decode(json))` is the
 * resolved config, and `decode(encode(c))` gives `c` back.
 *
 * @example
 * ```ts
 * writeFileSync('config.json', JSON.stringify(encode(config), null, 2))
 * ```
 */
export const encode = (config: PipelineConfig): Json => JSON.parse(JSON.stringify(config)) as Json
