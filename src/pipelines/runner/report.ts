/**
 * Reports of run folders, built from the folder's files only (`config.json`, `metrics.jsonl`,
 * `results.json`, the newest checkpoint), so that `imle report <dir>` regenerates what a run
 * wrote. One run (`run`): its learning curves, its results, and a few test maps with the gold
 * path, the predicted costs and path, and the marginals of the method's layer. A comparison
 * (`compare`: one sub-folder per run): one learning curve per method, the results table
 * (mean ± std over seeds) with bar charts, and the same maps for every method. The pictures
 * need the trained model: it is rebuilt from the checkpoint, whose parameters must have the
 * digest of `results.json` (otherwise the maps are left out and the report says why).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { decode as decodeSolver } from '../../solvers/registry.js'
import { decode as decodeEstimator, type JsonLayer } from '../../transforms/estimators/registry.js'
import { vmap } from '../../transforms/vmap.js'
import { decodeTree, loadLatest } from '../checkpoint.js'
import { generate } from '../data/warcraft/generate.js'
import { decode, METRICS, type PipelineConfig } from '../definition/pipeline.js'
import * as report from '../report/index.js'
import { COST_TOLERANCE } from './metrics.js'
import { buildModel } from './model.js'
import type { EvalRecord, RunResult } from './run.js'
import { digest } from './run.js'
import { METRIC_LABELS, summarize, summaryTable } from './summary.js'

/** The `kind` of a comparison folder's `config.json`. */
export const COMPARISON_KIND = 'imle-comparison/1'

/** A comparison folder's `config.json`: its title and its runs, each in the sub-folder `dir`. */
export interface ComparisonManifest {
  readonly kind: typeof COMPARISON_KIND
  readonly title: string
  readonly runs: readonly { readonly group: string; readonly name: string; readonly dir: string }[]
}

/** Options of the report writers. */
export interface ReportOptions {
  /** How many test maps to picture (default 3 for a run, 2 for a comparison). */
  readonly maps?: number
  /** Perturbed samples per marginal (default 32). */
  readonly samples?: number
}

/** A run folder's files, read and checked. */
export interface RunFiles {
  readonly dir: string
  readonly config: PipelineConfig
  readonly history: readonly EvalRecord[]
  readonly result: RunResult
}

const readJson = (fn: string, path: string, what: string): unknown => {
  if (!existsSync(path)) throw new ArgumentError(`${fn}(dir): ${path} does not exist; ${what}`)
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new ArgumentError(`${fn}(dir): ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
}

/**
 * Reads a run folder: its pipeline (`config.json`, decoded), its evaluations (`metrics.jsonl`)
 * and its result (`results.json`). Throws an `ArgumentError` naming the missing or bad file.
 *
 * @example
 * ```ts
 * const { config, history, result } = readRun('runs/imle')
 * ```
 */
export function readRun(dir: string): RunFiles {
  const fn = 'readRun'
  const decoded = decode(readJson(fn, join(dir, 'config.json'), 'is it a run folder?'))
  if (E.isLeft(decoded)) throw new ArgumentError(`${fn}(dir): ${join(dir, 'config.json')} is not a pipeline: ${decoded.left.message}`)
  const result = readJson(fn, join(dir, 'results.json'), 'the run has not finished (resume it to finish)') as RunResult
  const metricsFile = join(dir, 'metrics.jsonl')
  const history = existsSync(metricsFile)
    ? readFileSync(metricsFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as EvalRecord)
    : result.history
  return { dir, config: decoded.right, history, result }
}

/** The pictures of `m` test maps under one run's model: predicted costs and paths, the layer's marginals. */
interface Predictions {
  readonly costs: Float32Array // [m, k, k]
  readonly paths: Float32Array // [m, k, k]
  /** The mean of `samples` paths of the method's layer, where it has noise. */
  readonly marginals?: { readonly values: Float32Array; readonly what: string } // [m, k, k]
}

/** The method's layer with `samples` samples averaged, for marginals; `undefined` for a noise-free method. */
function marginalLayer(config: PipelineConfig, samples: number): { readonly layer: JsonLayer; readonly what: string } | undefined {
  const build = (json: Record<string, unknown>): JsonLayer => {
    const r = decodeEstimator({ ...json, solver: config.solver, nbSamples: samples, reduce: 'mean' })
    if (E.isLeft(r)) throw r.left
    return r.right
  }
  if (config.loss.type === 'fenchelYoung') {
    const { noise, sigma } = config.loss
    return { layer: build({ type: 'perturbed', noise, sigma }), what: `perturbed optimiser (${noise.type} noise, sigma ${sigma ?? 1})` }
  }
  const layer = config.layer
  if (layer === undefined || layer.type === 'blackbox' || layer.noise.type === 'none') return undefined
  return { layer: build({ ...layer, nbMarginalSamples: 1 }), what: `${layer.type} layer (${layer.noise.type} noise)` }
}

/**
 * The model of a run folder applied to test maps (images `[m, 8k, 8k, 3]`), from its newest
 * checkpoint; `string` (why not) when the checkpoint is missing or is not the final one.
 */
function predict(run: RunFiles, images: Float32Array, m: number, samples: number): Predictions | string {
  const { config, result, dir } = run
  const latest = loadLatest(join(dir, 'checkpoints'))
  if (latest === undefined) return `no checkpoint in ${join(dir, 'checkpoints')}`
  const body = latest.body as Record<string, unknown>
  if (body['step'] !== result.step) return `the newest checkpoint is of step ${String(body['step'])}, results.json of step ${result.step}`
  const params = decodeTree(body['params'])
  const state = decodeTree(body['modelState'])
  try {
    if (digest(params) !== result.paramsDigest) return 'the checkpoint parameters do not match results.json (paramsDigest)'
    const k = config.data.k
    const solver = decodeSolver(config.solver, 'report', 'config.solver')
    if (E.isLeft(solver)) throw solver.left
    const marginal = marginalLayer(config, samples)
    const model = buildModel(config.model)
    const [w, z, mu] = tf.tidy(() => {
      const x = tf.tensor(images, [m, 8 * k, 8 * k, 3])
      const w = ops.reshape(model.apply(params, x, { training: false, state }) as tf.Tensor, [m, k, k]) // [m, k, k] costs
      const z = solver.right.batched(ops.neg(w)) // [m, k, k] shortest paths
      if (marginal === undefined) return [w, z]
      const keys = random.split(random.key(config.seed), m) // [m, 2]
      const out = vmap((theta: tf.Tensor, key: tf.Tensor) => marginal.layer(theta, key))(ops.neg(w), keys) // [m, k, k] or [m, S, k, k]
      return [w, z, out.rank === 4 ? ops.mean(out, 1) : out] // [m, k, k]
    }) as tf.Tensor[]
    const out: Predictions = {
      costs: w!.dataSync() as Float32Array,
      paths: z!.dataSync() as Float32Array,
      ...(mu === undefined || marginal === undefined ? {} : { marginals: { values: mu.dataSync() as Float32Array, what: marginal.what } }),
    }
    tf.dispose([w!, z!, ...(mu === undefined ? [] : [mu])])
    return out
  } finally {
    tf.dispose([...tree.leaves(params), ...tree.leaves(state)])
  }
}

/** The first `m` test maps of a run's data (a map depends only on the seed, its split and its index). */
function testMaps(config: PipelineConfig, m: number) {
  return generate({ k: config.data.k, sizes: { train: 0, val: 0, test: m }, seed: config.data.seed ?? 0 }).test
}

const cellsOf = (a: Float32Array, i: number, cells: number): Float32Array => a.subarray(i * cells, (i + 1) * cells)

/** The path cost of `mask` under `costs` (both `[cells]`). */
const pathCost = (mask: ArrayLike<number>, costs: ArrayLike<number>): number => {
  let c = 0
  for (let i = 0; i < mask.length; i++) c += mask[i]! * costs[i]!
  return c
}

/** The figures of one method on map `i`: its predicted costs and path over the gold path, and its marginals. */
function methodFigures(label: string, i: number, k: number, truth: { costs: Float32Array; paths: Float32Array }, p: Predictions, marginals: boolean, png: boolean): report.Figure[] {
  const cells = k * k
  const gold = cellsOf(truth.paths, i, cells)
  const trueCosts = cellsOf(truth.costs, i, cells)
  const pred = cellsOf(p.paths, i, cells)
  const excess = pathCost(pred, trueCosts) / pathCost(gold, trueCosts) - 1
  const cellSize = cellSizeOf(k)
  const figures: report.Figure[] = [
    {
      name: `map${i}-${slug(label)}`,
      caption: `${label}, test map ${i}: predicted costs; gold path (gold) and the shortest path under the predicted costs (magenta); its true cost is ${Math.abs(excess) <= COST_TOLERANCE ? 'optimal' : `${(100 * excess).toFixed(1)}% above the optimum`}`,
      svg: report.mapFigure({ k, cells: cellsOf(p.costs, i, cells), gold, predicted: pred, title: `${label}: predicted costs`, cellSize }),
      png,
    },
  ]
  if (marginals && p.marginals !== undefined) {
    figures.push({
      name: `map${i}-${slug(label)}-marginals`,
      caption: `${label}, test map ${i}: per-cell marginals of the ${p.marginals.what}, with the gold path`,
      svg: report.mapFigure({ k, kind: 'marginals', cells: cellsOf(p.marginals.values, i, cells), gold, title: `${label}: marginals`, cellSize }),
      png,
    })
  }
  return figures
}

const goldFigure = (i: number, k: number, truth: { costs: Float32Array; paths: Float32Array }, png: boolean): report.Figure => ({
  name: `map${i}-gold`,
  caption: `test map ${i}: true cell costs and the gold shortest path`,
  svg: report.mapFigure({ k, cells: cellsOf(truth.costs, i, k * k), gold: cellsOf(truth.paths, i, k * k), title: `test map ${i}: true costs`, cellSize: cellSizeOf(k) }),
  png,
})

/** Cells large enough for the figure's legend (colour bar, gold, predicted) to fit under the map. */
const cellSizeOf = (k: number): number => Math.max(8, Math.ceil(340 / k))

const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'x'

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/**
 * Writes `report.html` (and `figures/`) for one run folder from its files; returns its path.
 * Throws an `ArgumentError` when the folder is not a finished run.
 *
 * @example
 * ```ts
 * await writeRunReport('runs/imle')   // 'runs/imle/report.html'
 * ```
 */
export async function writeRunReport(dir: string, options: ReportOptions = {}): Promise<string> {
  const run = readRun(dir)
  const { config, history, result } = run
  const k = config.data.k
  const metrics: report.MetricRow[] = []
  for (const h of history) {
    for (const name of METRICS) {
      const v = h.metrics[name]
      if (v !== undefined) metrics.push({ step: h.step, metric: `validation ${METRIC_LABELS[name]}`, value: v, series: config.name })
    }
  }
  result.losses.forEach((value, i) => Number.isFinite(value) && metrics.push({ step: i + 1, metric: 'training loss', value, series: 'per step' }))
  for (const h of history) if (h.trainLoss !== null && Number.isFinite(h.trainLoss)) metrics.push({ step: h.step, metric: 'training loss', value: h.trainLoss, series: 'mean since last evaluation' })
  const final = result.final
  const results: report.ResultsTable | undefined =
    final === undefined
      ? undefined
      : {
          columns: ['metric', 'validation', 'test'],
          rows: METRICS.filter((n) => final.test[n] !== undefined).map((n) => [METRIC_LABELS[n], final.val[n] ?? '-', final.test[n]!]),
          chart: { x: 'metric', y: 'test', title: 'test metrics' },
        }
  const m = options.maps ?? 3
  const truth = testMaps(config, m)
  const p = predict(run, truth.images, m, options.samples ?? 32)
  const figures: report.Figure[] = []
  for (let i = 0; i < m; i++) {
    figures.push(goldFigure(i, k, truth, i === 0))
    if (typeof p !== 'string') figures.push(...methodFigures(config.name, i, k, truth, p, true, i === 0))
  }
  const notes =
    `${result.status === 'completed' ? 'Completed' : 'Stopped'} at step ${result.step} of ${result.totalSteps} in ${seconds(result.elapsedMs)}; ` +
    `${k}x${k} maps (${config.data.sizes.train} train, ${config.data.sizes.val} validation, ${config.data.sizes.test} test), seed ${config.seed}. ` +
    (typeof p === 'string' ? `The maps show no predictions: ${p}.` : 'Optimal cost: the fraction of maps whose predicted path costs no more than the gold one (true costs).')
  const files = await report.write(dir, { title: `Learning to plan: ${config.name}`, notes, config, metrics, ...(results === undefined ? {} : { results }), figures })
  return files.html
}

/** Reads a comparison folder's `config.json`, or `undefined` when the folder holds a single run. */
export function readManifest(dir: string): ComparisonManifest | undefined {
  const json = readJson('readManifest', join(dir, 'config.json'), 'is it a run folder?') as Partial<ComparisonManifest>
  return json.kind === COMPARISON_KIND ? (json as ComparisonManifest) : undefined
}

/** The mean of `xs` (NaN for none). */
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/**
 * Writes the report of a comparison folder (see `compare`) from its files; returns the path
 * of `report.html`. Runs whose folder has no `results.json` (not finished) are left out and
 * named in the notes.
 *
 * @example
 * ```ts
 * await writeComparisonReport('out/quick-k12')   // 'out/quick-k12/report.html'
 * ```
 */
export async function writeComparisonReport(dir: string, options: ReportOptions = {}): Promise<string> {
  const manifest = readManifest(dir)
  if (manifest === undefined) throw new ArgumentError(`writeComparisonReport(dir): ${join(dir, 'config.json')} is not a comparison (kind '${COMPARISON_KIND}'); use writeRunReport`)
  const runs: (RunFiles & { readonly group: string })[] = []
  const missing: string[] = []
  for (const r of manifest.runs) {
    if (existsSync(join(dir, r.dir, 'results.json'))) runs.push({ ...readRun(join(dir, r.dir)), group: r.group })
    else missing.push(r.name)
  }
  if (runs.length === 0) throw new ArgumentError(`writeComparisonReport(dir): no run in ${dir} has finished (no results.json in its sub-folders)`)
  const groups = [...new Set(runs.map((r) => r.group))]

  // Learning curves: each validation metric by step, one line per method (mean over its seeds);
  // the training loss (each method's own objective) relative to its first evaluation's.
  const metrics: report.MetricRow[] = []
  for (const group of groups) {
    const members = runs.filter((r) => r.group === group)
    const steps = [...new Set(members.flatMap((r) => r.history.map((h) => h.step)))].sort((a, b) => a - b)
    const first = members.map((r) => r.history.find((h) => h.trainLoss !== null && Number.isFinite(h.trainLoss))?.trainLoss ?? NaN)
    for (const step of steps) {
      const at = members.map((r) => r.history.find((h) => h.step === step))
      for (const name of METRICS) {
        const xs = at.map((h) => h?.metrics[name]).filter((v): v is number => typeof v === 'number')
        if (xs.length > 0) metrics.push({ step, metric: `validation ${METRIC_LABELS[name]}`, value: mean(xs), series: group })
      }
      const rel = at.map((h, j) => (h?.trainLoss == null ? NaN : h.trainLoss / first[j]!)).filter(Number.isFinite)
      if (rel.length > 0) metrics.push({ step, metric: 'training loss / first', value: mean(rel), series: group })
    }
  }

  const summary = summarize(runs.map((r) => ({ group: r.group, ...r.result })))
  const table = summaryTable(summary)
  const results: report.ResultsTable = { ...table, chart: { x: 'method', y: METRIC_LABELS.optimalCost, title: 'test optimal-cost fraction by method' } }
  const long = summary.flatMap((g) => METRICS.flatMap((n) => (g.test[n] === undefined ? [] : [{ method: g.group, metric: METRIC_LABELS[n], value: g.test[n]!.mean }])))
  const figures: report.Figure[] = [
    { name: 'results-all', caption: 'test metrics by method (mean over seeds)', svg: await report.barChart(long, { x: 'method', y: 'value', color: 'metric', title: 'test metrics by method', width: 560 }) },
  ]

  // Maps: the gold path, then each method's (first seed's) prediction; marginals on the first map.
  const m = options.maps ?? 2
  const first = runs[0]!.config
  const k = first.data.k
  const truth = testMaps(first, m)
  const skipped: string[] = []
  const predictions = groups.map((group) => {
    const r = runs.find((x) => x.group === group)!
    const same = r.config.data.k === k && r.config.data.seed === first.data.seed
    const p = same ? predict(r, truth.images, m, options.samples ?? 32) : `its data differ from ${runs[0]!.config.name}'s`
    if (typeof p === 'string') skipped.push(`${group} (${p})`)
    return { group, p }
  })
  for (let i = 0; i < m; i++) {
    figures.push(goldFigure(i, k, truth, i === 0))
    for (const { group, p } of predictions) if (typeof p !== 'string') figures.push(...methodFigures(group, i, k, truth, p, false, i === 0))
  }
  for (const { group, p } of predictions) if (typeof p !== 'string') figures.push(...methodFigures(group, 0, k, truth, p, true, false).slice(1))

  const seeds = Math.max(...summary.map((g) => g.completed))
  const notes = [
    `${groups.length} methods on ${k}x${k} maps (${first.data.sizes.train} train, ${first.data.sizes.val} validation, ${first.data.sizes.test} test), ` +
      `${seeds} seed${seeds === 1 ? '' : 's'} each${seeds > 1 ? ' (mean ± std over seeds)' : ''}; results on the test split. ` +
      'Optimal cost: the fraction of maps whose predicted path costs no more than the gold one under the true costs; perfect match: the fraction whose path equals the gold one; hamming: the mean fraction of cells where they differ.',
    missing.length > 0 ? ` Not finished (left out): ${missing.join(', ')}.` : '',
    skipped.length > 0 ? ` No map predictions for: ${skipped.join('; ')}.` : '',
  ].join('')
  const files = await report.write(dir, { title: manifest.title, notes, config: { ...manifest, pipelines: runs.map((r) => r.config) }, metrics, results, figures })
  return files.html
}

/**
 * Writes the report of a run folder or a comparison folder (by its `config.json`); returns the
 * path of `report.html`. What `run` and `compare` call at the end, and `imle report <dir>`.
 *
 * @example
 * ```ts
 * await writeReport('out/quick-k12')
 * ```
 */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<string> {
  return readManifest(dir) === undefined ? writeRunReport(dir, options) : writeComparisonReport(dir, options)
}
