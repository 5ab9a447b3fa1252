/**
 * Summaries of several runs grouped by method: each test metric's mean ± std over a group's
 * seeds, as data (`summarize`), as a results table (`summaryTable`, what reports show) and as
 * aligned text (`formatTable`, what the CLI prints).
 *
 * @module
 */
import { METRICS, type MetricName } from '../definition/pipeline.js'
import { meanStd, type MeanStd, type Metrics } from './metrics.js'

/** The words of a metric in tables and charts. */
export const METRIC_LABELS: { readonly [K in MetricName]: string } = {
  optimalCost: 'optimal cost',
  perfectMatch: 'perfect match',
  hamming: 'hamming',
}

/** What `summarize` reads of one run (a `RunResult`, or its `results.json`). */
export interface RunSummaryInput {
  readonly group: string
  readonly status: 'completed' | 'stopped'
  readonly step: number
  readonly totalSteps: number
  readonly elapsedMs: number
  readonly final?: { readonly val: Metrics; readonly test: Metrics }
}

/** One group (a method) of a comparison: its runs and their test metrics, mean ± std over seeds. */
export interface GroupSummary {
  readonly group: string
  /** Runs in the group, and how many of them completed (only those enter `test`). */
  readonly runs: number
  readonly completed: number
  /** Each test metric's mean ± std over the completed runs (std 0 for one run). */
  readonly test: { readonly [K in MetricName]?: MeanStd }
  /** The training steps of a run (the first run's). */
  readonly steps: number
  /** The mean wall time of a run, in milliseconds. */
  readonly elapsedMs: number
}

/**
 * Groups runs by `group`, in order of first appearance, and summarises each group's test metrics.
 *
 * @example
 * ```ts
 * summarize([{ group: 'imle', status: 'completed', step: 48, totalSteps: 48, elapsedMs: 2e4, final: { val: {}, test: { optimalCost: 0.7 } } }])
 * // [{ group: 'imle', runs: 1, completed: 1, test: { optimalCost: { mean: 0.7, std: 0, n: 1 } }, steps: 48, elapsedMs: 2e4 }]
 * ```
 */
export function summarize(runs: readonly RunSummaryInput[]): GroupSummary[] {
  const groups = [...new Set(runs.map((r) => r.group))]
  return groups.map((group) => {
    const members = runs.filter((r) => r.group === group)
    const done = members.filter((r) => r.status === 'completed' && r.final !== undefined)
    return {
      group,
      runs: members.length,
      completed: done.length,
      test: done.length === 0 ? {} : meanStd(done.map((r) => r.final!.test)),
      steps: members[0]!.totalSteps,
      elapsedMs: members.reduce((s, r) => s + r.elapsedMs, 0) / members.length,
    }
  })
}

/** A table: column names and rows of numbers and strings. */
export interface Table {
  readonly columns: readonly string[]
  readonly rows: readonly (readonly (string | number)[])[]
  /** Decimals per column for `formatTable` (default: integers as they are, other numbers with 3). */
  readonly decimals?: readonly (number | undefined)[]
}

/**
 * The results table of a comparison: one row per method with each test metric's mean (and,
 * when a group has more than one run, a `± std` column after each metric), the number of
 * seeds, the steps and the mean time of a run in seconds.
 *
 * @example
 * ```ts
 * summaryTable(summarize(runs)).columns   // ['method', 'seeds', 'optimal cost', 'perfect match', 'hamming', 'steps', 'time (s)']
 * ```
 */
export function summaryTable(groups: readonly GroupSummary[]): Table {
  const withStd = groups.some((g) => g.completed > 1)
  const metrics = METRICS.filter((m) => groups.some((g) => g.test[m] !== undefined))
  const columns = ['method', 'seeds', ...metrics.flatMap((m) => (withStd ? [METRIC_LABELS[m], `${METRIC_LABELS[m]} ± std`] : [METRIC_LABELS[m]])), 'steps', 'time (s)']
  const rows = groups.map((g) => [
    g.group,
    g.completed === g.runs ? g.runs : `${g.completed}/${g.runs}`,
    ...metrics.flatMap((m) => {
      const v = g.test[m]
      const mean = v === undefined ? '-' : round(v.mean, 4)
      return withStd ? [mean, v === undefined ? '-' : round(v.std, 4)] : [mean]
    }),
    g.steps,
    (g.elapsedMs / 1000).toFixed(1),
  ])
  const decimals = columns.map((c) => (c === 'method' || c === 'seeds' || c === 'steps' || c === 'time (s)' ? undefined : 3))
  return { columns, rows, decimals }
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits))

/**
 * A table as aligned plain text: a header, a rule and one line per row; numbers are written
 * with the column's `decimals` (default: integers as they are, others with 3) and
 * right-aligned, the first column left-aligned.
 *
 * @example
 * ```ts
 * formatTable({ columns: ['method', 'hamming'], rows: [['imle', 0.04]] })
 * // 'method  hamming\n------  -------\nimle      0.040'
 * ```
 */
export function formatTable(table: Table): string {
  const text = (v: string | number, j: number): string => {
    if (typeof v !== 'number') return v
    const d = table.decimals?.[j]
    return d !== undefined ? v.toFixed(d) : Number.isInteger(v) ? String(v) : v.toFixed(3)
  }
  const cells = [table.columns, ...table.rows.map((r) => r.map(text))]
  const widths = table.columns.map((_, j) => Math.max(...cells.map((r) => String(r[j] ?? '').length)))
  const line = (r: readonly (string | number)[]): string =>
    r.map((v, j) => (j === 0 ? String(v).padEnd(widths[j]!) : String(v).padStart(widths[j]!))).join('  ').trimEnd()
  return [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')
}
