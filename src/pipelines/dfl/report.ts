/**
 * The report of the decision-focused shortest-path experiment: PyEPO's figure (normalised
 * regret against the polynomial degree, one line per method, one panel per training size and
 * noise width), one line chart per panel, and the results table, written with `report.write`.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ArgumentError } from '../../core/errors.js'
import { lineChart, vegaLiteToSvg, type Row } from '../report/charts.js'
import { write } from '../report/write.js'
import type { DflResult, DflSummaryRow } from './run.js'

/** The panel title of a cell: `n = 100, noise 0.5`. */
const panel = (s: Pick<DflSummaryRow, 'trainSize' | 'noiseWidth'>): string => `n = ${s.trainSize}, noise ${s.noiseWidth}`

/**
 * PyEPO's figure as one SVG: normalised regret (mean over seeds) against the polynomial degree,
 * one line per method, one panel per (training size, noise width), rows by training size;
 * `options.title` above it.
 *
 * @example
 * ```ts
 * const svg = await dfl.regretFigure(result.summary)
 * writeFileSync('docs/images/dfl_regret.svg', svg)
 * ```
 */
export async function regretFigure(summary: readonly DflSummaryRow[], options: { readonly title?: string } = {}): Promise<string> {
  if (summary.length === 0) throw new ArgumentError('dfl.regretFigure(summary): expected at least one summary row but got none')
  const values: Row[] = summary.map((s) => ({ degree: s.degree, regret: s.mean, method: s.method, n: `n = ${s.trainSize}`, noise: `noise ${s.noiseWidth}` }))
  return vegaLiteToSvg({
    title: options.title ?? 'Shortest path (5x5 grid): normalised regret on the test instances',
    data: { values },
    facet: { row: { field: 'n', type: 'nominal', title: null }, column: { field: 'noise', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 180,
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'degree', type: 'quantitative', title: 'polynomial degree', scale: { domain: [1, Math.max(...summary.map((s) => s.degree))] } },
        y: { field: 'regret', type: 'quantitative', title: 'normalised regret' },
        color: { field: 'method', type: 'nominal', title: 'method' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' },
  })
}

/**
 * Writes `report.html` for a result (the figure, one chart per panel, the table of mean regret
 * per cell and method, and the configuration) into `runDir`; returns the report's path.
 *
 * @example
 * ```ts
 * await dfl.writeResultReport('out/dfl-quick', result)   // 'out/dfl-quick/report.html'
 * ```
 */
export async function writeResultReport(runDir: string, result: DflResult): Promise<string> {
  const summary = result.summary
  const figures = summary.length === 0 ? [] : [{ name: 'regret-by-degree', svg: await regretFigure(summary, { title: `Shortest path (5x5 grid): normalised regret on ${result.config.testSize} test instances` }), caption: "Normalised regret against the polynomial degree, one panel per training size and noise width (the layout of PyEPO's shortest-path figure)." }]
  const panels = [...new Set(summary.map(panel))]
  for (const [i, title] of panels.entries()) {
    const rows: Row[] = summary.filter((s) => panel(s) === title).map((s) => ({ degree: s.degree, regret: s.mean, method: s.method }))
    figures.push({ name: `panel-${i}`, svg: await lineChart(rows, { x: 'degree', y: 'regret', color: 'method', title, xTitle: 'polynomial degree', yTitle: 'normalised regret' }), caption: title })
  }
  const seconds = new Map<string, number>()
  for (const r of result.records) {
    const k = `${r.trainSize}|${r.noiseWidth}|${r.degree}|${r.method}`
    seconds.set(k, (seconds.get(k) ?? 0) + r.ms / 1000)
  }
  const files = await write(runDir, {
    title: `Decision-focused shortest path: ${result.name}`,
    notes:
      `PyEPO's shortest-path benchmark on a 5x5 grid (40 arcs, 5 features): a linear model from features to arc costs, trained by each method; ` +
      `normalised regret on ${result.config.testSize} test instances (lower is better). ${result.records.length} models in ${(result.elapsedMs / 1000).toFixed(1)} s` +
      `${result.status === 'stopped' ? ' (stopped before the end)' : ''}.`,
    config: result.config,
    results: {
      columns: ['train size', 'noise', 'degree', 'method', 'regret', 'std', 'seeds', 'seconds'],
      rows: summary.map((s) => [s.trainSize, s.noiseWidth, s.degree, s.method, s.mean, s.std, s.seeds, seconds.get(`${s.trainSize}|${s.noiseWidth}|${s.degree}|${s.method}`) ?? 0]),
    },
    figures,
  })
  return files.html
}

/**
 * Writes `report.html` from a run folder's `results.json` (see `writeResultReport`); returns its
 * path. Throws an `ArgumentError` when the folder has no readable `results.json`.
 *
 * @example
 * ```ts
 * await dfl.writeDflReport('out/dfl-full')
 * ```
 */
export async function writeDflReport(runDir: string): Promise<string> {
  let result: DflResult
  try {
    result = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as DflResult
  } catch (e) {
    throw new ArgumentError(`dfl.writeDflReport(runDir): cannot read ${join(runDir, 'results.json')} (${e instanceof Error ? e.message : String(e)}); run the experiment into this folder first`)
  }
  return writeResultReport(runDir, result)
}
