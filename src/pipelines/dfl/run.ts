/**
 * The runner of the decision-focused shortest-path experiment: for every seed, training size,
 * noise width and degree, one data set (training instances then test instances of one
 * `generate` call, so both share `B`), every method trained on it and scored by its normalised
 * regret on the test instances. Writes the run folder: `config.json`, `results.jsonl` (one line
 * per trained model, as it finishes), `results.json` and `report.html`.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as random from '../../core/random/index.js'
import { writeAtomic } from '../checkpoint.js'
import { decodeConfig, DflConfigCodec, type DflConfig, type DflConfigJson, type Method } from './definition.js'
import { generate, slice } from './generate.js'
import { normalizedRegret, shortestPaths } from './regret.js'
import { predict, train } from './train.js'

/** One trained model: its cell of the grid, its method and seed, and its test regret. */
export interface DflRecord {
  readonly trainSize: number
  readonly noiseWidth: number
  readonly degree: number
  readonly method: Method
  readonly seed: number
  /** Normalised regret on the test instances. */
  readonly regret: number
  readonly steps: number
  /** The mean training loss of the last epoch (`null` for two-stage). */
  readonly finalLoss: number | null
  /** Training and evaluation time, ms. */
  readonly ms: number
}

/** The mean (and standard deviation over seeds) of the regret of one method in one cell. */
export interface DflSummaryRow {
  readonly trainSize: number
  readonly noiseWidth: number
  readonly degree: number
  readonly method: Method
  readonly mean: number
  /** Sample standard deviation over seeds (0 for one seed). */
  readonly std: number
  readonly seeds: number
}

/** What `runDfl` returns (and writes as `results.json`). */
export interface DflResult {
  readonly name: string
  readonly status: 'completed' | 'stopped'
  readonly config: DflConfigJson
  readonly records: readonly DflRecord[]
  readonly summary: readonly DflSummaryRow[]
  readonly elapsedMs: number
  readonly runDir?: string
  readonly report?: string
}

/** Where a run is: passed to `onRunStart` and `onRunEnd`. */
export interface DflRunInfo {
  readonly index: number
  readonly count: number
  readonly trainSize: number
  readonly noiseWidth: number
  readonly degree: number
  readonly method: Method
  readonly seed: number
}

/** Options of `runDfl`. */
export interface DflRunOptions {
  /** The run folder; without it nothing is written. */
  readonly runDir?: string
  /**
   * Stops the run: checked before each model and between training steps (training is
   * synchronous, so a Ctrl-C handler runs between models); the result has `status: 'stopped'`
   * and the records so far.
   */
  readonly signal?: AbortSignal
  readonly onRunStart?: (info: DflRunInfo) => void
  readonly onRunEnd?: (info: DflRunInfo, record: DflRecord) => void
  /** Writes the report into the run folder (default `writeDflReport`; `false`: none). */
  readonly report?: ((runDir: string) => Promise<string>) | false
}

/**
 * The mean and sample standard deviation of the regret per (training size, noise, degree,
 * method), in the order the records first show each.
 *
 * @example
 * ```ts
 * dfl.summarize(result.records)   // [{ trainSize: 100, noiseWidth: 0.5, degree: 1, method: 'two-stage', mean, std, seeds }, ...]
 * ```
 */
export function summarize(records: readonly DflRecord[]): DflSummaryRow[] {
  const groups = new Map<string, DflRecord[]>()
  for (const r of records) {
    const k = `${r.trainSize}|${r.noiseWidth}|${r.degree}|${r.method}`
    const g = groups.get(k)
    if (g === undefined) groups.set(k, [r])
    else g.push(r)
  }
  return [...groups.values()].map((g) => {
    const mean = g.reduce((s, r) => s + r.regret, 0) / g.length
    const std = g.length < 2 ? 0 : Math.sqrt(g.reduce((s, r) => s + (r.regret - mean) ** 2, 0) / (g.length - 1))
    const { trainSize, noiseWidth, degree, method } = g[0]!
    return { trainSize, noiseWidth, degree, method, mean, std, seeds: g.length }
  })
}

/**
 * The summary as a text table: one row per (training size, noise, method), one column per
 * degree, `mean` (`mean ± std` with several seeds).
 *
 * @example
 * ```ts
 * console.log(dfl.formatRegretTable(result.summary))
 * // n     noise  method         deg 1   deg 6
 * // 100   0.5    two-stage      0.062   0.155 ...
 * ```
 */
export function formatRegretTable(summary: readonly DflSummaryRow[]): string {
  const degrees = [...new Set(summary.map((s) => s.degree))].sort((a, b) => a - b)
  const keys = [...new Set(summary.map((s) => `${s.trainSize}|${s.noiseWidth}|${s.method}`))]
  const cell = (s: DflSummaryRow | undefined): string => (s === undefined ? '-' : s.seeds > 1 ? `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}` : s.mean.toFixed(3))
  const rows = [['n', 'noise', 'method', ...degrees.map((d) => `deg ${d}`)]]
  for (const k of keys) {
    const [n, noise, method] = k.split('|') as [string, string, string]
    rows.push([n, noise, method, ...degrees.map((d) => cell(summary.find((s) => `${s.trainSize}|${s.noiseWidth}|${s.method}` === k && s.degree === d)))])
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)))
  return rows.map((r) => r.map((v, j) => v.padEnd(widths[j]!)).join('  ').trimEnd()).join('\n')
}

/**
 * Runs the experiment: for each seed `s` of `seed .. seed + seeds - 1`, training size `n`,
 * noise width and degree, generates `n + testSize` instances with seed `s` (training: the first
 * `n`, test: the rest), trains every method (`train`, key `foldIn(key(s), cell index)`, the same
 * for every method of a cell) and records its normalised regret on the test instances.
 * Deterministic given the config. With `runDir`, writes `config.json`, appends each record to
 * `results.jsonl` as it finishes, then writes `results.json` and the report. Throws the
 * `ConfigError` of a bad config.
 *
 * @example
 * ```ts
 * const result = await dfl.runDfl(dfl.presets.quick, { runDir: 'out/dfl-quick' })
 * console.log(dfl.formatRegretTable(result.summary))
 * ```
 */
export async function runDfl(input: DflConfig | DflConfigJson, options: DflRunOptions = {}): Promise<DflResult> {
  const decoded = decodeConfig(input)
  if (E.isLeft(decoded)) throw decoded.left
  const config = decoded.right
  const json = DflConfigCodec.encode(config)
  const { runDir, signal } = options
  if (runDir !== undefined) {
    mkdirSync(runDir, { recursive: true })
    writeAtomic(join(runDir, 'config.json'), JSON.stringify(json, null, 2))
    writeFileSync(join(runDir, 'results.jsonl'), '')
  }
  const t0 = performance.now()
  const { features, grid, testSize, training, hyper } = config
  const cells = config.trainSizes.flatMap((trainSize) => config.noiseWidths.flatMap((noiseWidth) => config.degrees.map((degree) => ({ trainSize, noiseWidth, degree }))))
  const count = config.seeds * cells.length * config.methods.length
  const records: DflRecord[] = []
  let status: DflResult['status'] = 'completed'
  let index = 0
  outer: for (let s = 0; s < config.seeds; s++) {
    const seed = config.seed + s
    const root = random.key(seed)
    try {
      for (const [c, { trainSize, noiseWidth, degree }] of cells.entries()) {
        const data = generate({ n: trainSize + testSize, features, grid, deg: degree, noiseWidth, seed })
        const trainSet = slice(data, 0, trainSize)
        const testSet = slice(data, trainSize, trainSize + testSize)
        const zTest = shortestPaths(testSet.c, testSize, grid) // [testSize, m]
        for (const method of config.methods) {
          if (signal?.aborted === true) {
            status = 'stopped'
            break outer
          }
          const info: DflRunInfo = { index, count, trainSize, noiseWidth, degree, method, seed }
          options.onRunStart?.(info)
          const started = performance.now()
          const key = random.foldIn(root, c)
          const r = train(method, trainSet, { ...training, hyper, grid, key, ...(signal === undefined ? {} : { signal }) })
          key.dispose()
          if (r.stopped) {
            status = 'stopped'
            break outer
          }
          const zPred = shortestPaths(predict(r.model, testSet.x, testSize), testSize, grid) // [testSize, m]
          const record: DflRecord = {
            trainSize,
            noiseWidth,
            degree,
            method,
            seed,
            regret: normalizedRegret(testSet.c, zPred, zTest, testSize, data.m),
            steps: r.steps,
            finalLoss: r.epochLosses.at(-1) ?? null,
            ms: performance.now() - started,
          }
          records.push(record)
          if (runDir !== undefined) appendFileSync(join(runDir, 'results.jsonl'), JSON.stringify(record) + '\n')
          options.onRunEnd?.(info, record)
          index++
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
    } finally {
      root.dispose()
    }
  }
  const result: DflResult = { name: config.name, status, config: json, records, summary: summarize(records), elapsedMs: performance.now() - t0, ...(runDir === undefined ? {} : { runDir }) }
  if (runDir === undefined) return result
  writeAtomic(join(runDir, 'results.json'), JSON.stringify(result, null, 2))
  if (options.report === false || records.length === 0) return result
  const report = await (options.report ?? (async (dir: string) => (await import('./report.js')).writeDflReport(dir)))(runDir)
  return { ...result, report }
}
