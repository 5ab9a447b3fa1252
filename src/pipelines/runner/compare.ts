/**
 * Comparisons: several pipelines (methods, seeds) run one after another on data generated once,
 * each in its own sub-folder of one comparison folder, which gets a `config.json` (the
 * manifest: title and runs), a `metrics.jsonl` (every run's evaluations, tagged with its
 * method and run), a `results.json` (the per-method summary and each run's final metrics) and
 * one `report.html` over all of them.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../../core/errors.js'
import { writeAtomic } from '../checkpoint.js'
import { define, type DataConfig, type PipelineConfig, type PipelineDefinition } from '../definition/pipeline.js'
import { COMPARISON_KIND, writeComparisonReport, type ComparisonManifest } from './report.js'
import { loadData, run, type DataLoader, type Dataset, type Progress, type RunResult } from './run.js'
import { summarize, type GroupSummary } from './summary.js'

/** One run of a comparison: a pipeline and the group (method) it is summarised in. */
export interface ComparisonEntry {
  readonly group: string
  readonly pipeline: PipelineConfig | PipelineDefinition
}

/** Which run of a comparison an event is about. */
export interface RunInfo {
  /** 0-based position and the number of runs. */
  readonly index: number
  readonly count: number
  readonly group: string
  readonly name: string
}

/** Options of `compare`. */
export interface CompareOptions {
  /** The comparison folder; without it nothing is written. */
  readonly runDir?: string
  /** The report's title (default: from the first pipeline). */
  readonly title?: string
  /** Resume every run from its checkpoint (a finished run is only evaluated again). */
  readonly resume?: boolean
  /** Stops the current run after its step (it checkpoints) and skips the rest. */
  readonly signal?: AbortSignal
  /** The data (default: each distinct `data` config loaded once and shared by its runs). */
  readonly data?: Dataset | DataLoader
  readonly onRunStart?: (info: RunInfo) => void
  readonly onProgress?: (info: RunInfo, progress: Progress) => void
  readonly onRunEnd?: (info: RunInfo, result: RunResult) => void
  /** Writes the comparison's report (default `writeComparisonReport`; `false`: none). */
  readonly report?: ((runDir: string) => Promise<string>) | false
}

/** The result of `compare`. */
export interface ComparisonResult {
  readonly status: 'completed' | 'stopped'
  readonly runs: readonly { readonly group: string; readonly result: RunResult }[]
  /** Per group: the test metrics' mean ± std over its completed runs. */
  readonly summary: readonly GroupSummary[]
  readonly elapsedMs: number
  readonly runDir?: string
  readonly report?: string
}

/** One line of a comparison's `metrics.jsonl`: a run's evaluation, tagged with its group and run. */
export type ComparisonMetricsLine = { readonly group: string; readonly run: string } & RunResult['history'][number]

/** Each distinct data config loaded once. */
function sharedLoader(base: DataLoader): DataLoader {
  const cache = new Map<string, Promise<Dataset>>()
  return (config: DataConfig) => {
    const key = JSON.stringify([config.k, config.sizes, config.seed ?? 0, config.cacheDir ?? null])
    let d = cache.get(key)
    if (d === undefined) {
      d = base(config)
      cache.set(key, d)
    }
    return d
  }
}

/**
 * Runs `entries` in order and summarises them by group. With `runDir`: run `i` writes its own
 * run folder `runDir/<its pipeline's name>` (names must be distinct), and `runDir` gets the
 * manifest `config.json`, `metrics.jsonl`, `results.json` (rewritten after every run) and,
 * when all runs completed, `report.html`. Throws a `ConfigError` for a bad pipeline (all are
 * checked before the first run starts) or for two runs of the same name.
 *
 * @example
 * ```ts
 * const entries = METHODS.map((method) => ({ group: method, pipeline: plan({ method, preset: 'quick' }) }))
 * const r = await compare(entries, { runDir: 'out/quick-k12' })
 * console.log(formatTable(summaryTable(r.summary)))
 * ```
 */
export async function compare(entries: readonly ComparisonEntry[], options: CompareOptions = {}): Promise<ComparisonResult> {
  if (entries.length === 0) throw new ConfigError('compare(entries): expected at least one pipeline but got none')
  const configs = entries.map((e) => ({ group: e.group, config: define(e.pipeline) }))
  const names = configs.map((c) => c.config.name)
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup !== undefined) throw new ConfigError(`compare(entries): two pipelines are named '${dup}'; each run needs its own name (its sub-folder)`)
  const { runDir } = options
  const first = configs[0]!.config
  const manifest: ComparisonManifest = {
    kind: COMPARISON_KIND,
    title: options.title ?? `Learning to plan on ${first.data.k}x${first.data.k} maps: ${[...new Set(configs.map((c) => c.group))].join(', ')}`,
    runs: configs.map((c) => ({ group: c.group, name: c.config.name, dir: c.config.name })),
  }
  if (runDir !== undefined) {
    const path = join(runDir, 'config.json')
    const text = JSON.stringify(manifest, null, 2)
    if (options.resume === true && existsSync(path) && readFileSync(path, 'utf8') !== text) {
      throw new ConfigError(`compare(options.runDir): ${path} holds another comparison; use a new runDir or resume: false`)
    }
    writeAtomic(path, text)
  }
  const data: Dataset | DataLoader = options.data === undefined ? sharedLoader(loadData) : typeof options.data === 'function' ? sharedLoader(options.data) : options.data

  const t0 = performance.now()
  const runs: { group: string; result: RunResult }[] = []
  const save = (): GroupSummary[] => {
    const summary = summarize(runs.map((r) => ({ group: r.group, ...r.result })))
    if (runDir === undefined) return summary
    const lines: ComparisonMetricsLine[] = runs.flatMap((r) => r.result.history.map((h) => ({ group: r.group, run: r.result.name, ...h })))
    writeAtomic(join(runDir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l) + '\n').join(''))
    const perRun = runs.map(({ group, result: { name, status, seed, step, totalSteps, final, elapsedMs, paramsDigest } }) => ({ group, name, status, seed, step, totalSteps, final, elapsedMs, paramsDigest }))
    writeAtomic(join(runDir, 'results.json'), JSON.stringify({ kind: COMPARISON_KIND, summary, runs: perRun }, null, 2))
    return summary
  }
  let status: ComparisonResult['status'] = 'completed'
  for (const [index, { group, config }] of configs.entries()) {
    if (options.signal?.aborted === true) {
      status = 'stopped'
      break
    }
    const info: RunInfo = { index, count: configs.length, group, name: config.name }
    options.onRunStart?.(info)
    const onProgress = options.onProgress
    const result = await run(config, {
      data,
      report: false,
      ...(runDir === undefined ? {} : { runDir: join(runDir, config.name) }),
      ...(options.resume === undefined ? {} : { resume: options.resume }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(onProgress === undefined ? {} : { onProgress: (p: Progress) => onProgress(info, p) }),
    })
    runs.push({ group, result })
    save()
    options.onRunEnd?.(info, result)
    if (result.status !== 'completed') {
      status = 'stopped'
      break
    }
  }
  const summary = save()
  const report = runDir === undefined || status !== 'completed' || options.report === false ? undefined : await (options.report ?? writeComparisonReport)(runDir)
  return {
    status,
    runs,
    summary,
    elapsedMs: performance.now() - t0,
    ...(runDir === undefined ? {} : { runDir }),
    ...(report === undefined ? {} : { report }),
  }
}
