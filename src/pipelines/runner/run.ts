/**
 * The pipeline runner: trains a learning-to-plan pipeline, evaluates it, writes its run folder
 * (`config.json`, `metrics.jsonl`, `results.json`, `checkpoints/`, `report.html`) and returns a
 * typed result. Deterministic given the seed: every key is `random.foldIn` of the seed's key by
 * role and step, and an epoch's order is a function of the seed and the epoch, so a run
 * stopped (`signal`) and resumed from its checkpoint equals an uninterrupted one bit for bit.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { decode as decodeNoise } from '../../distributions/noise/registry.js'
import { fenchelYoung } from '../../losses/fenchel_young.js'
import { adam } from '../../optim/adam.js'
import { applyUpdates, type Optimizer, type Schedule } from '../../optim/base.js'
import { chain, clipByGlobalNorm } from '../../optim/clip.js'
import { constant, cosineDecay, piecewiseConstant } from '../../optim/schedules.js'
import { sgd } from '../../optim/sgd.js'
import { decode as decodeSolver } from '../../solvers/registry.js'
import type { Solver } from '../../solvers/solver.js'
import type { Layer } from '../../transforms/estimators/perturb_and_map.js'
import { decode as decodeEstimator } from '../../transforms/estimators/registry.js'
import { valueAndGrad } from '../../transforms/grad.js'
import { vmap } from '../../transforms/vmap.js'
import { decodeTree, encodeTree, loadLatest, saveCheckpoint, writeAtomic } from '../checkpoint.js'
import { define, encode, type DataConfig, type PipelineConfig, type PipelineDefinition } from '../definition/pipeline.js'
import { evaluatePaths, type Metrics } from './metrics.js'
import { buildModel } from './model.js'

/** One split of a data set (what `data.warcraft` produces): flat row-major arrays and their shapes. */
export interface Split {
  readonly n: number
  readonly k: number
  /** float32 `[n, 8k, 8k, 3]`. */
  readonly images: Float32Array
  /** float32 `[n, k, k]` true cell costs. */
  readonly costs: Float32Array
  /** float32 `[n, k, k]` gold path masks. */
  readonly paths: Float32Array
  readonly shapes: { readonly images: readonly number[] }
}

/** A data set: three splits. */
export interface Dataset {
  readonly train: Split
  readonly val: Split
  readonly test: Split
}

/** Loads the data of a `DataConfig`. */
export type DataLoader = (config: DataConfig) => Promise<Dataset>

/** Writes `report.html` (and figures) into a run folder; returns the report's path. */
export type ReportWriter = (runDir: string) => Promise<string | undefined>

/** What `onProgress` receives after each training step and evaluation. */
export interface Progress {
  readonly phase: 'train' | 'eval'
  /** Steps done. */
  readonly step: number
  readonly totalSteps: number
  /** The current epoch (0-based) and the number of epochs the run covers. */
  readonly epoch: number
  readonly epochs: number
  /** The mean training loss over the last `evalEvery` steps. */
  readonly loss: number
  /** The latest evaluation's metrics (validation split). */
  readonly metrics: Metrics
  readonly elapsedMs: number
  /** Estimated time left, from this session's speed. */
  readonly etaMs: number
}

/** One evaluation, as one line of `metrics.jsonl`. */
export interface EvalRecord {
  readonly step: number
  readonly epoch: number
  readonly split: 'val'
  /** The mean training loss since the previous evaluation (`null` before training). */
  readonly trainLoss: number | null
  readonly metrics: Metrics
}

/** The result of `run`. */
export interface RunResult {
  readonly name: string
  readonly status: 'completed' | 'stopped'
  readonly seed: number
  readonly step: number
  readonly totalSteps: number
  /** The training loss of every step. */
  readonly losses: readonly number[]
  readonly history: readonly EvalRecord[]
  /** The final metrics on the validation and test splits (completed runs). */
  readonly final?: { readonly val: Metrics; readonly test: Metrics }
  /** sha256 of the parameters' bytes: equal digests, equal parameters. */
  readonly paramsDigest: string
  /** The estimator layer's state at the end (an adaptive target's `beta`, ...). */
  readonly layerState?: unknown
  readonly elapsedMs: number
  readonly runDir?: string
  readonly report?: string
}

/** Options of `run`. */
export interface RunOptions {
  readonly onProgress?: (p: Progress) => void
  /** Stops the run after the current step; it checkpoints (with `runDir`) and returns `status: 'stopped'`. */
  readonly signal?: AbortSignal
  /** The run folder; without it nothing is written. */
  readonly runDir?: string
  /** Resume from the newest valid checkpoint in `runDir` (default false: start afresh). */
  readonly resume?: boolean
  /** Checkpoint every this many steps (default: `training.evalEvery`). */
  readonly checkpointEvery?: number
  /** The data (default: `data.warcraft`, generated or read from `data.cacheDir`). */
  readonly data?: Dataset | DataLoader
  /** Writes the report (default: `defaultReport`, `report.html` in `runDir`; `false`: none). */
  readonly report?: ReportWriter | false
}

/** The data of a `DataConfig`: `warcraft.load` with a cache folder, `warcraft.generate` otherwise. */
export const loadData: DataLoader = async (config) => {
  const warcraft = await import('../data/warcraft/index.js')
  const options = { k: config.k, sizes: config.sizes, seed: config.seed ?? 0 }
  return config.cacheDir === undefined ? warcraft.generate(options) : warcraft.load({ ...options, cacheDir: config.cacheDir })
}

/**
 * The report of a run folder: `report.html` with its learning curves, results and test maps,
 * written from the folder's files by `writeReport` (`./report.ts`, imported when a report is
 * written, so that runs without one never load it).
 */
export const defaultReport: ReportWriter = async (runDir) => (await import('./report.js')).writeReport(runDir)

type Params = unknown

/** sha256 of the bytes of a pytree's tensor leaves, in leaf order (`RunResult.paramsDigest`). */
export const digest = (params: Params): string => {
  const h = createHash('sha256')
  for (const leaf of tree.leaves(params)) {
    const d = leaf.dataSync() as Float32Array
    h.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength))
  }
  return h.digest('hex')
}

/** Disposes the tensors of `old` that `next` does not hold. */
function release(old: unknown, next: unknown): void {
  const keep = new Set(tree.leaves(next).map((x) => x.id))
  for (const x of tree.leaves(old)) if (!keep.has(x.id) && !x.isDisposed) x.dispose()
}

function scheduleOf(config: PipelineConfig, total: number): Schedule {
  const lr = config.optimizer.learningRate ?? 1e-3
  const s = config.optimizer.schedule ?? { type: 'constant' }
  if (s.type === 'cosine') return cosineDecay({ initValue: lr, decaySteps: Math.max(1, total), alpha: s.alpha ?? 0 })
  if (s.type === 'step') return piecewiseConstant({ initValue: lr, boundaries: s.boundaries.map((b) => Math.max(1, Math.round(b * total))), scales: s.scales })
  return constant(lr)
}

function optimizerOf(config: PipelineConfig, total: number): Optimizer<unknown, Params> {
  const o = config.optimizer
  const learningRate = scheduleOf(config, total)
  const base: Optimizer<any, Params> =
    o.type === 'adam'
      ? adam<Params>({ learningRate, ...(o.b1 === undefined ? {} : { b1: o.b1 }), ...(o.b2 === undefined ? {} : { b2: o.b2 }), ...(o.eps === undefined ? {} : { eps: o.eps }) })
      : sgd<Params>({ learningRate, momentum: o.momentum ?? 0, nesterov: o.nesterov ?? false, weightDecay: o.weightDecay ?? 0 })
  return o.clipNorm === undefined ? base : (chain(clipByGlobalNorm<Params>(o.clipNorm), base) as unknown as Optimizer<unknown, Params>)
}

const right = <A>(r: E.Either<ConfigError, A>): A => {
  if (E.isLeft(r)) throw r.left
  return r.right
}

/** The training objective of a pipeline: `(theta [B, k, k], gold, costs, keys [B, 2]) -> []`. */
function objectiveOf(config: PipelineConfig, solver: Solver, cells: number): { loss: (w: tf.Tensor, gold: tf.Tensor, costs: tf.Tensor, keys: tf.Tensor) => tf.Tensor; layer?: Layer<unknown> } {
  const loss = config.loss
  if (loss.type === 'mse') return { loss: (w, _gold, costs) => ops.mean(ops.square(ops.sub(w, costs))) }
  if (loss.type === 'fenchelYoung') {
    const fy = fenchelYoung(solver, right(decodeNoise(loss.noise, 'pipeline', 'json.loss.noise')), {
      ...(loss.nbSamples === undefined ? {} : { nbSamples: loss.nbSamples }),
      ...(loss.sigma === undefined ? {} : { sigma: loss.sigma }),
      ...(loss.sense === undefined ? {} : { sense: loss.sense }),
    })
    const batched = vmap(fy)
    return { loss: (w, gold, _costs, keys) => ops.mean(batched(ops.neg(w), gold, keys)) }
  }
  const layer = right(decodeEstimator({ ...config.layer, solver: config.solver })) as unknown as Layer<unknown>
  const batched = vmap((theta: tf.Tensor, key: tf.Tensor) => layer(theta, key))
  return {
    layer,
    loss: (w, gold, _costs, keys) => {
      const z = batched(ops.neg(w), keys) // [B, k, k] or [B, R, k, k]
      const y = z.rank === 4 ? ops.expandDims(gold, 1) : gold // broadcasts against z
      // Summed over cells, averaged over maps (and samples); 'linear' is torch-imle's HammingLoss.
      const perCell = loss.form === 'squared' ? ops.square(ops.sub(z, y)) : ops.sub(ops.add(z, y), ops.mul(ops.mul(z, y), 2))
      return ops.mul(ops.mean(perCell), cells) // []
    },
  }
}

/** Rows `idx` of a flat `[n, ...row]` array. */
function gather(src: Float32Array, rowSize: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * rowSize)
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i]! * rowSize, (idx[i]! + 1) * rowSize), i * rowSize)
  return out
}

/** The order of epoch `epoch`: a permutation of `[0, n)` from the key. */
function permutation(key: tf.Tensor, epoch: number, n: number): Int32Array {
  const u = tf.tidy(() => random.uniform(random.foldIn(key, epoch), [n]).dataSync() as Float32Array)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  return idx.sort((a, b) => u[a]! - u[b]! || a - b)
}

/**
 * Runs a pipeline: trains, evaluates every `training.evalEvery` steps on the validation split,
 * and at the end on the validation and test splits. With `runDir`, writes `config.json`,
 * `metrics.jsonl`, `checkpoints/` (atomic; the previous good checkpoint is kept), `results.json`
 * and the report; with `resume`, continues from the newest valid checkpoint there (the folder's
 * `config.json` must be the same pipeline). Throws a `ConfigError` for a bad pipeline.
 *
 * @example
 * ```ts
 * const controller = new AbortController()
 * const result = await run(presets.plan({ method: 'imle', preset: 'quick' }), {
 *   runDir: 'runs/imle', resume: true, signal: controller.signal,
 *   onProgress: (p) => console.log(p.step, p.loss, p.metrics.optimalCost),
 * })
 * result.final?.test.optimalCost
 * ```
 */
export async function run(pipeline: PipelineConfig | PipelineDefinition, options: RunOptions = {}): Promise<RunResult> {
  const config = define(pipeline)
  const configJson = JSON.stringify(encode(config), null, 2)
  const { runDir, signal, onProgress } = options
  const ckptDir = runDir === undefined ? undefined : join(runDir, 'checkpoints')
  if (runDir !== undefined) {
    mkdirSync(runDir, { recursive: true })
    const existing = join(runDir, 'config.json')
    if (options.resume === true && existsSync(existing) && readFileSync(existing, 'utf8') !== configJson) {
      throw new ConfigError(`run(options.runDir): ${existing} holds another pipeline; use a new runDir or resume: false`)
    }
    writeAtomic(existing, configJson)
  }
  const data = options.data === undefined ? await loadData(config.data) : typeof options.data === 'function' ? await options.data(config.data) : options.data
  const { train, val, test } = data
  const k = train.k
  const B = config.training.batchSize
  const stepsPerEpoch = Math.floor(train.n / B)
  if (stepsPerEpoch < 1) throw new ConfigError(`pipeline(json.training.batchSize): the batch size ${B} exceeds the ${train.n} training maps`)
  const totalSteps = Math.min(config.training.maxSteps ?? Infinity, config.training.epochs * stepsPerEpoch)
  const epochs = Math.ceil(totalSteps / stepsPerEpoch)
  const evalEvery = config.training.evalEvery
  const checkpointEvery = options.checkpointEvery ?? evalEvery
  const imageSize = train.images.length / train.n
  const cells = k * k

  const solver = right(decodeSolver(config.solver, 'pipeline', 'json.solver'))
  const { loss, layer } = objectiveOf(config, solver, cells)
  const model = buildModel(config.model)
  const optimizer = optimizerOf(config, totalSteps)

  const root = random.key(config.seed)
  const [initKey, shuffleKey, trainKey] = [0, 1, 2].map((i) => random.foldIn(root, i)) as [tf.Tensor, tf.Tensor, tf.Tensor]
  root.dispose()

  let params: Params
  let modelState: unknown
  let optState: unknown
  let step = 0
  let losses: number[] = []
  let history: EvalRecord[] = []
  let elapsedBefore = 0
  const latest = options.resume === true && ckptDir !== undefined ? loadLatest(ckptDir) : undefined
  if (latest !== undefined) {
    const body = latest.body as Record<string, unknown>
    params = decodeTree(body['params'])
    modelState = decodeTree(body['modelState'])
    optState = decodeTree(body['optState'])
    if (layer !== undefined && body['layerState'] !== undefined) layer.setState(decodeTree(body['layerState']))
    step = body['step'] as number
    losses = body['losses'] as number[]
    history = body['history'] as EvalRecord[]
    elapsedBefore = body['elapsedMs'] as number
  } else {
    const [p] = model.init(initKey, train.shapes.images.slice(1))
    params = p
    modelState = model.initState(params)
    optState = optimizer.init(params)
  }

  const evaluate = (split: Split): Required<Metrics> => {
    const pred = new Float32Array(split.n * cells)
    for (let s = 0; s < split.n; s += 32) {
      const m = Math.min(32, split.n - s)
      const z = tf.tidy(() => {
        const x = tf.tensor(split.images.subarray(s * imageSize, (s + m) * imageSize), [m, ...split.shapes.images.slice(1)])
        const w = ops.reshape(model.apply(params, x, { training: false, state: modelState }) as tf.Tensor, [m, k, k]) // [m, k, k]
        return solver.batched(ops.neg(w)) // [m, k, k]
      })
      pred.set(z.dataSync(), s * cells)
      z.dispose()
    }
    const all = evaluatePaths(pred, split.paths, split.costs, split.n, cells)
    return Object.fromEntries(config.metrics.map((n) => [n, all[n]])) as Required<Metrics>
  }

  const metricsFile = runDir === undefined ? undefined : join(runDir, 'metrics.jsonl')
  if (metricsFile !== undefined) writeAtomic(metricsFile, history.map((h) => JSON.stringify(h) + '\n').join(''))
  const record = (r: EvalRecord): void => {
    history.push(r)
    if (metricsFile !== undefined) appendFileSync(metricsFile, JSON.stringify(r) + '\n')
  }
  const checkpoint = (): void => {
    if (ckptDir === undefined) return
    saveCheckpoint(ckptDir, step, {
      step,
      seed: config.seed,
      params: encodeTree(params),
      modelState: encodeTree(modelState),
      optState: encodeTree(optState),
      ...(layer === undefined ? {} : { layerState: encodeTree(layer.state()) }),
      losses,
      history,
      elapsedMs: elapsedBefore + (performance.now() - t0),
    })
  }
  const meanLoss = (): number => {
    const recent = losses.slice(-evalEvery)
    return recent.length === 0 ? NaN : recent.reduce((a, b) => a + b, 0) / recent.length
  }

  const t0 = performance.now()
  const startStep = step
  if (step === 0 && history.length === 0) record({ step: 0, epoch: 0, split: 'val', trainLoss: null, metrics: evaluate(val) })

  const objective = (p: Params, state: unknown, x: tf.Tensor, gold: tf.Tensor, costs: tf.Tensor, keys: tf.Tensor, modelKey: tf.Tensor) => {
    const [out, next] = model.applyWithState(p, state, x, { training: true, key: modelKey }) as [tf.Tensor, unknown]
    const w = ops.reshape(out, [B, k, k]) // [B, k, k] costs
    return [loss(w, gold, costs, keys), next] as const
  }
  const lossAndGrad = valueAndGrad(objective, { hasAux: true })

  let order: Int32Array | undefined
  let orderEpoch = -1
  let status: RunResult['status'] = 'completed'
  while (step < totalSteps) {
    if (signal?.aborted === true) {
      status = 'stopped'
      break
    }
    const epoch = Math.floor(step / stepsPerEpoch)
    if (orderEpoch !== epoch) {
      order = permutation(shuffleKey, epoch, train.n)
      orderEpoch = epoch
    }
    const pos = step % stepsPerEpoch
    const idx = order!.subarray(pos * B, (pos + 1) * B)
    const [value, nextParams, nextModelState, nextOptState] = tf.tidy(() => {
      const x = tf.tensor(gather(train.images, imageSize, idx), [B, ...train.shapes.images.slice(1)])
      const gold = tf.tensor(gather(train.paths, cells, idx), [B, k, k])
      const costs = tf.tensor(gather(train.costs, cells, idx), [B, k, k])
      const stepKey = random.foldIn(trainKey, step)
      const keys = random.split(stepKey, B + 1) // [B + 1, 2]
      const [[l, next], grads] = lossAndGrad(params, modelState, x, gold, costs, ops.slice(keys, [0, 0], [B, 2]), ops.reshape(ops.slice(keys, [B, 0], [1, 2]), [2]))
      const [updates, nextOpt] = optimizer.update(grads, optState, params)
      return [l, applyUpdates(params, updates), next, nextOpt] as unknown as tf.TensorContainer
    }) as unknown as [tf.Tensor, Params, unknown, unknown]
    const v = value.dataSync()[0]!
    value.dispose()
    release(params, nextParams)
    release(modelState, nextModelState)
    release(optState, nextOptState)
    params = nextParams
    modelState = nextModelState
    optState = nextOptState
    losses.push(v)
    step++
    const elapsedMs = elapsedBefore + (performance.now() - t0)
    const etaMs = ((performance.now() - t0) / (step - startStep)) * (totalSteps - step)
    let phase: Progress['phase'] = 'train'
    if (step % evalEvery === 0 || step === totalSteps) {
      record({ step, epoch: Math.floor((step - 1) / stepsPerEpoch), split: 'val', trainLoss: meanLoss(), metrics: evaluate(val) })
      phase = 'eval'
    }
    if (step % checkpointEvery === 0 && step < totalSteps) checkpoint()
    onProgress?.({ phase, step, totalSteps, epoch: Math.floor((step - 1) / stepsPerEpoch), epochs, loss: meanLoss(), metrics: history[history.length - 1]!.metrics, elapsedMs, etaMs })
    await new Promise((resolve) => setImmediate(resolve))
  }
  checkpoint()

  const final = status === 'completed' ? { val: evaluate(val), test: evaluate(test) } : undefined
  const result: RunResult = {
    name: config.name,
    status,
    seed: config.seed,
    step,
    totalSteps,
    losses,
    history,
    ...(final === undefined ? {} : { final }),
    paramsDigest: digest(params),
    ...(layer === undefined ? {} : { layerState: layer.state() }),
    elapsedMs: elapsedBefore + (performance.now() - t0),
    ...(runDir === undefined ? {} : { runDir }),
  }
  tf.dispose([initKey, shuffleKey, trainKey, ...tree.leaves(params), ...tree.leaves(modelState), ...tree.leaves(optState)])
  if (runDir === undefined) return result
  writeAtomic(join(runDir, 'results.json'), JSON.stringify(result, null, 2))
  const report = options.report === false || status !== 'completed' ? undefined : await (options.report ?? defaultReport)(runDir)
  return report === undefined ? result : { ...result, report }
}
