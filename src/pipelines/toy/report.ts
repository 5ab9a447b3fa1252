/**
 * The toy study's outputs: the results table (method, best learning rate and lambda, final
 * exact loss, gap to the optimum, noise), the chart of the I-MLE paper (exact loss against
 * steps, one line per method, the optimum as a reference), the spread and gap charts, and the
 * run folder (`results.json`, `report.html` through `report.write`).
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { lineChart, vegaLiteToSvg, type Row } from '../report/charts.js'
import { write, type ReportFiles } from '../report/write.js'
import { K, N } from './problem.js'
import type { MethodResult, ToyResult } from './run.js'

/** The results table: one row per method, values formatted for display. */
export interface ToyTable {
  readonly columns: readonly string[]
  readonly rows: readonly (readonly string[])[]
}

const fix = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : String(x))

/**
 * The gap in percent of the mean loss to the mean optimum, averaged over the last tenth of the
 * steps (`t` from `T - floor(T / 10)` to `T`) of a method's best curve: less sensitive than the
 * last step to curves that oscillate.
 *
 * @example
 * ```ts
 * toy.tailGapPercent(result, result.methods[0])   // e.g. 3.1
 * ```
 */
export function tailGapPercent(result: ToyResult, m: MethodResult): number {
  const T = result.config.steps
  let s = 0
  let c = 0
  for (let t = T - Math.floor(T / 10); t <= T; t++) (s += m.best.curve[t]!.mean), c++
  return (100 * (s / c - result.optimum.mean)) / result.optimum.mean
}
const sci = (x: number): string => (x === 0 ? '0' : x.toExponential(2))

/**
 * The results table of a toy study: per method, the best grid point (`lr`, `lambda` or
 * `sigma`, `-` when the method has none), the final exact loss `mean ± std` over repetitions,
 * the gap of the mean to the mean optimum in percent (at the last step, and averaged over the
 * last tenth of the steps, `tailGapPercent`), and the noise measure (`noiseOf`: the
 * mean absolute step-to-step change of a repetition's exact loss over the second half). The
 * last row is the optimum.
 *
 * @example
 * ```ts
 * console.log(toy.formatTable(toy.table(result)))
 * ```
 */
export function table(result: ToyResult): ToyTable {
  const columns = ['method', 'best lr', 'best lambda / sigma', 'final exact loss (mean ± std)', 'gap to optimum %', 'gap %, last 10% of steps', 'noise (mean |dL| per step, 2nd half)']
  const rows = result.methods.map((m) => [
    m.label,
    String(m.best.learningRate),
    m.best.lambda === null ? '-' : `${m.lambdaName === 'sigma' ? 'sigma' : 'lambda'} ${m.best.lambda}`,
    `${fix(m.best.finalMean, 4)} ± ${fix(m.best.finalStd, 4)}`,
    fix(m.best.gapPercent, 2),
    fix(tailGapPercent(result, m), 2),
    sci(m.best.noise),
  ])
  rows.push(['optimum', '-', '-', `${fix(result.optimum.mean, 4)} ± ${fix(result.optimum.std, 4)}`, '0', '0', '-'])
  return { columns, rows }
}

/**
 * A plain-text rendering of a table with aligned columns (for the terminal).
 *
 * @example
 * ```ts
 * toy.formatTable({ columns: ['a', 'b'], rows: [['1', '22']] })   // 'a  b \n-  --\n1  22'
 * ```
 */
export function formatTable(t: ToyTable): string {
  const widths = t.columns.map((c, j) => Math.max(c.length, ...t.rows.map((r) => (r[j] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd()
  return [line(t.columns), line(widths.map((w) => '-'.repeat(w))), ...t.rows.map(line)].join('\n')
}

/** At most `points` evenly spaced steps of `0..T`, always with `0` and `T`. */
const thin = (T: number, points: number): number[] => {
  const every = Math.max(1, Math.ceil(T / points))
  const steps: number[] = []
  for (let t = 0; t < T; t += every) steps.push(t)
  steps.push(T)
  return steps
}

const checkResult = (fn: string, result: ToyResult): void => {
  if (typeof result !== 'object' || result === null || !Array.isArray(result.methods) || result.methods.length === 0) {
    throw new ArgumentError(`${fn}(result): expected a toy study result with at least one method (from toy.runToy) but got ${result === null ? 'null' : typeof result}`)
  }
}

/** Long-form rows of the mean curves at the best grid points, plus the optimum as a line. */
const curveRows = (result: ToyResult, points: number, value: (m: MethodResult, t: number) => number, optimum?: number): Row[] => {
  const T = result.config.steps
  const steps = thin(T, points)
  const rows: Row[] = []
  for (const m of result.methods) for (const t of steps) rows.push({ step: t, value: value(m, t), method: m.label })
  if (optimum !== undefined) for (const t of steps) rows.push({ step: t, value: optimum, method: 'optimum' })
  return rows
}

/**
 * The I-MLE paper's chart: the mean exact loss over repetitions against the step, one line per
 * method at its best grid point, and the mean optimum as a reference line (at most `points`
 * points per line).
 *
 * @example
 * ```ts
 * const svg = await toy.lossChart(result)   // an SVG document
 * ```
 */
export async function lossChart(result: ToyResult, points = 100): Promise<string> {
  checkResult('toy.lossChart', result)
  const rows = curveRows(result, points, (m, t) => m.best.curve[t]!.mean, result.optimum.mean)
  return lineChart(rows, {
    x: 'step',
    y: 'value',
    color: 'method',
    title: `Toy study: top-${K} of ${N}, exact loss E||z - b||^2 (mean of ${result.config.repetitions} repetitions, best grid point)`,
    xTitle: 'step',
    yTitle: 'exact loss',
    width: 560,
    height: 320,
  })
}

/**
 * The gap to the optimum, `mean loss - mean optimum`, against the step on a log scale, one line
 * per method at its best grid point.
 *
 * @example
 * ```ts
 * const svg = await toy.gapChart(result)
 * ```
 */
export async function gapChart(result: ToyResult, points = 100): Promise<string> {
  checkResult('toy.gapChart', result)
  const rows = curveRows(result, points, (m, t) => Math.max(1e-6, m.best.curve[t]!.mean - result.optimum.mean))
  return lineChart(rows, { x: 'step', y: 'value', color: 'method', title: 'gap to the optimum (mean loss - mean optimum, log scale, floored at 1e-6)', yTitle: 'gap', logY: true, width: 560, height: 320 })
}

/**
 * The spread of the curves: per method (one panel each), the band between the 10% and 90%
 * quantiles over repetitions of each repetition's gap to its own optimum, `L_t - L*_r`, and the
 * mean gap, on a log scale (floored at 1e-5).
 *
 * @example
 * ```ts
 * const svg = await toy.spreadChart(result)
 * ```
 */
export async function spreadChart(result: ToyResult, points = 100): Promise<string> {
  checkResult('toy.spreadChart', result)
  const steps = thin(result.config.steps, points)
  const floor = (x: number): number => Math.max(1e-5, x)
  const values = result.methods.flatMap((m) =>
    steps.map((t) => {
      const c = m.best.curve[t]!
      return { step: t, mean: floor(c.gapMean), q10: floor(c.gapQ10), q90: floor(c.gapQ90), method: m.label }
    }),
  )
  const x = { field: 'step', type: 'quantitative', title: 'step' }
  return vegaLiteToSvg({
    title: 'gap to the optimum per repetition: mean and 10%-90% band (log scale, floored at 1e-5)',
    data: { values },
    facet: { field: 'method', type: 'nominal', title: null, sort: result.methods.map((m) => m.label) },
    columns: 3,
    spec: {
      width: 220,
      height: 150,
      layer: [
        { mark: { type: 'area', opacity: 0.25 }, encoding: { x, y: { field: 'q10', type: 'quantitative', title: 'L - L*', scale: { type: 'log' } }, y2: { field: 'q90' } } },
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative', scale: { type: 'log' } } } },
      ],
    },
    config: { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' },
  })
}

/** The files `writeToyReport` wrote. */
export interface ToyReportFiles extends ReportFiles {
  readonly results: string
}

/**
 * Writes a toy study's run folder: `results.json` (the whole `ToyResult`: config, optimum,
 * every grid point, the best curves) and `report.html` (the results table and its chart of
 * the gaps, the loss chart, the spread and gap charts, a table of every grid point, the
 * config), with each figure as SVG and PNG under `figures/`.
 *
 * @example
 * ```ts
 * const files = await toy.writeToyReport('out/toy-quick', result)
 * console.log(files.html)
 * ```
 */
export async function writeToyReport(dir: string, result: ToyResult): Promise<ToyReportFiles> {
  checkResult('toy.writeToyReport', result)
  const fs = await import('node:fs/promises')
  const { join } = await import('node:path')
  await fs.mkdir(dir, { recursive: true })
  const resultsPath = join(dir, 'results.json')
  await fs.writeFile(resultsPath, JSON.stringify(result, null, 1))
  const t = table(result)
  const grid = result.methods.flatMap((m) =>
    m.grid.map((g) => `${m.label}: lr ${g.learningRate}${g.lambda === null ? '' : `, ${m.lambdaName} ${g.lambda}`}: ${fix(g.finalMean, 4)} ± ${fix(g.finalStd, 4)}, noise ${sci(g.noise)}`),
  )
  const files = await write(dir, {
    title: `Toy study: top-${K} of ${N}, ${result.config.repetitions} repetitions, ${result.config.steps} steps`,
    notes:
      `Exact loss E_{z ~ p(z; theta)} ||z - b||^2 over the 252 states, theta0 ~ N(0, 1), b = |N(0, 1)|, SGD with momentum ${result.config.momentum}. ` +
      `Each method at its best grid point (lowest final mean loss). Mean optimum ${fix(result.optimum.mean, 4)}, mean initial loss ${fix(result.initialLoss, 4)}. ` +
      `Run time ${fix(result.elapsedMs / 1000, 1)} s, status ${result.status}. Every grid point: ${grid.join('; ')}.`,
    config: result.config,
    results: {
      columns: [...t.columns],
      rows: t.rows.map((r, i) => [...r.slice(0, 4), i < result.methods.length ? Number(result.methods[i]!.best.gapPercent.toFixed(3)) : 0, ...r.slice(5)]),
      chart: { x: 'method', y: 'gap to optimum %', title: 'gap of the final mean loss to the optimum (%)' },
    },
    figures: [
      { name: 'toy_study', svg: await lossChart(result), caption: 'Exact loss against steps (mean over repetitions), each method at its best grid point; the optimum as a reference.' },
      { name: 'toy_gap', svg: await gapChart(result), caption: 'Gap of the mean loss to the mean optimum, log scale.' },
      { name: 'toy_spread', svg: await spreadChart(result), caption: 'Per repetition, the gap to its own optimum: mean and the 10%-90% band, log scale.' },
    ],
  })
  return { ...files, results: resultsPath }
}
