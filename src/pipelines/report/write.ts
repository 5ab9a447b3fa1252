/**
 * `write`: a self-contained `report.html` (all CSS and SVG inline, no script, no URL: it
 * opens offline) with learning curves, a results table and its chart, and any figures, plus
 * each figure as `figures/<name>.svg` and `figures/<name>.png`. Node only (`node:fs` is
 * imported when `write` runs).
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { barChart, lineChart, type Row } from './charts.js'
import { svgToPng } from './png.js'
import { escapeXml, inlineSvg } from './svg.js'

/** One point of a learning curve: `metric` at `step`, for the line `series` (a split, a method). */
export interface MetricRow {
  readonly step: number
  readonly metric: string
  readonly value: number
  readonly series?: string
}

/** A results table; `chart` draws it as a bar chart of column `y` by column `x` (grouped by `color`). */
export interface ResultsTable {
  readonly columns: readonly string[]
  readonly rows: readonly (readonly (string | number)[])[]
  readonly chart?: { readonly x: string; readonly y: string; readonly color?: string; readonly title?: string }
}

/** A figure: an SVG document (from `mapFigure`, `lineChart`, ...) and its caption; `png: false` skips its PNG copy. */
export interface Figure {
  /** A file-name stem: letters, digits, `-` and `_`. */
  readonly name: string
  readonly svg: string
  readonly caption?: string
  readonly png?: boolean
}

/** What a report shows. Every part but the title is optional. */
export interface ReportContent {
  readonly title: string
  /** The run's configuration, shown as JSON. */
  readonly config?: unknown
  /** Learning curves: one chart per metric name, one line per series. */
  readonly metrics?: readonly MetricRow[]
  readonly results?: ResultsTable
  readonly figures?: readonly Figure[]
  /** A paragraph of plain text under the title. */
  readonly notes?: string
}

/** The files `write` wrote (absolute or as given, joined to `dir`). */
export interface ReportFiles {
  readonly html: string
  readonly svgs: readonly string[]
  readonly pngs: readonly string[]
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/
const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'x'

const CSS = `
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;background:#fff;padding:0 16px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.grid{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;border:1px solid #e3e3e3;padding:8px;background:#fff}
figcaption{font-size:13px;color:#555;margin-top:4px;max-width:520px}svg{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}pre{background:#f7f7f7;padding:10px;font-size:12px;overflow:auto}
`

const cellText = (v: string | number): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v)

/**
 * Writes a self-contained report into `dir` (created if missing): `report.html`, which holds
 * every chart and figure as inline SVG and no URL, script or external file, and each chart
 * and figure as `figures/<name>.svg` and (unless `png: false`) `figures/<name>.png`. The
 * learning curves are one line chart per metric; the results table is shown as a table and,
 * with `results.chart`, as a bar chart. Needs `vega`, `vega-lite` (charts) and
 * `@resvg/resvg-js` (PNGs), imported on first use. `report.html` is written atomically.
 *
 * @example
 * ```ts
 * await report.write('runs/warcraft-12', {
 *   title: 'Warcraft 12x12, I-MLE',
 *   config: { k: 12, lr: 5e-4 },
 *   metrics: [{ step: 1, metric: 'loss', value: 0.4, series: 'train' }, { step: 2, metric: 'loss', value: 0.3, series: 'train' }],
 *   results: { columns: ['method', 'accuracy'], rows: [['imle', 0.9]], chart: { x: 'method', y: 'accuracy' } },
 *   figures: [{ name: 'map-0', svg: report.mapFigure({ k: 2, cells: [1, 2, 3, 4], gold: [1, 0, 0, 1] }) }],
 * })
 * ```
 */
export async function write(dir: string, content: ReportContent): Promise<ReportFiles> {
  if (typeof content?.title !== 'string') throw new ArgumentError(`report.write(content.title): expected a string but got ${typeof content?.title}`)
  const figures: Figure[] = []
  const charts: { section: 'metrics' | 'results'; figure: Figure }[] = []
  // Learning curves: one chart per metric.
  const metrics = content.metrics ?? []
  for (const [i, m] of metrics.entries()) {
    if (typeof m.step !== 'number' || typeof m.metric !== 'string' || typeof m.value !== 'number') {
      throw new ArgumentError(`report.write(content.metrics[${i}]): expected { step: number, metric: string, value: number, series?: string } but got ${JSON.stringify(m)}`)
    }
  }
  const names = [...new Set(metrics.map((m) => m.metric))]
  for (const name of names) {
    const rows: Row[] = metrics.filter((m) => m.metric === name).map((m) => ({ step: m.step, value: m.value, series: m.series ?? name }))
    const svg = await lineChart(rows, { x: 'step', y: 'value', color: 'series', title: name, yTitle: name })
    charts.push({ section: 'metrics', figure: { name: `metric-${slug(name)}`, svg, caption: `${name} by step` } })
  }
  // Results: table and bar chart.
  const results = content.results
  if (results !== undefined) {
    for (const [i, row] of results.rows.entries()) {
      if (row.length !== results.columns.length) {
        throw new ArgumentError(`report.write(content.results.rows[${i}]): expected ${results.columns.length} values (one per column) but got ${row.length}`)
      }
    }
    if (results.chart !== undefined) {
      const { x, y, color, title } = results.chart
      for (const f of [x, y, color]) {
        if (f !== undefined && !results.columns.includes(f)) {
          throw new ArgumentError(`report.write(content.results.chart): column '${f}' is not one of the columns ${JSON.stringify(results.columns)}`)
        }
      }
      const rows: Row[] = results.rows.map((r) => Object.fromEntries(results.columns.map((c, j) => [c, r[j]!])))
      const svg = await barChart(rows, { x, y, ...(color === undefined ? {} : { color }), title: title ?? y })
      charts.push({ section: 'results', figure: { name: `results-${slug(y)}`, svg, caption: title ?? `${y} by ${x}` } })
    }
  }
  for (const [i, f] of (content.figures ?? []).entries()) {
    if (!NAME.test(f.name)) throw new ArgumentError(`report.write(content.figures[${i}].name): expected 1 to 80 letters, digits, '-' or '_' but got ${JSON.stringify(f.name)}`)
    if (typeof f.svg !== 'string' || !/^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(f.svg)) {
      throw new ArgumentError(`report.write(content.figures[${i}].svg): expected an SVG document (a string starting with <svg) but got ${JSON.stringify(String(f.svg).slice(0, 40))}`)
    }
    figures.push(f)
  }

  const fs = await import('node:fs/promises')
  const { join } = await import('node:path')
  const figDir = join(dir, 'figures')
  await fs.mkdir(figDir, { recursive: true })
  const svgs: string[] = []
  const pngs: string[] = []
  for (const f of [...charts.map((c) => c.figure), ...figures]) {
    const svgPath = join(figDir, `${f.name}.svg`)
    await fs.writeFile(svgPath, f.svg)
    svgs.push(svgPath)
    if (f.png !== false) {
      const pngPath = join(figDir, `${f.name}.png`)
      await fs.writeFile(pngPath, await svgToPng(f.svg))
      pngs.push(pngPath)
    }
  }

  const fig = (f: Figure): string =>
    `<figure id="fig-${escapeXml(f.name)}">${inlineSvg(f.svg)}${f.caption === undefined ? '' : `<figcaption>${escapeXml(f.caption)}</figcaption>`}</figure>`
  const html: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(content.title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>${escapeXml(content.title)}</h1>`,
  ]
  if (content.notes !== undefined) html.push(`<p>${escapeXml(content.notes)}</p>`)
  const metricCharts = charts.filter((c) => c.section === 'metrics')
  if (metricCharts.length > 0) html.push('<h2>Learning curves</h2>', `<div class="grid">${metricCharts.map((c) => fig(c.figure)).join('')}</div>`)
  if (results !== undefined) {
    html.push('<h2>Results</h2>', '<table><thead><tr>', ...results.columns.map((c) => `<th>${escapeXml(c)}</th>`), '</tr></thead><tbody>')
    for (const r of results.rows) html.push(`<tr>${r.map((v) => `<td>${escapeXml(cellText(v))}</td>`).join('')}</tr>`)
    html.push('</tbody></table>')
    const resultCharts = charts.filter((c) => c.section === 'results')
    if (resultCharts.length > 0) html.push(`<div class="grid" style="margin-top:16px">${resultCharts.map((c) => fig(c.figure)).join('')}</div>`)
  }
  if (figures.length > 0) html.push('<h2>Figures</h2>', `<div class="grid">${figures.map(fig).join('')}</div>`)
  if (content.config !== undefined) html.push('<h2>Configuration</h2>', `<pre>${escapeXml(JSON.stringify(content.config, null, 2) ?? String(content.config))}</pre>`)
  html.push('</body></html>')

  const htmlPath = join(dir, 'report.html')
  const tmp = `${htmlPath}.${process.pid}.${Date.now()}.tmp`
  await fs.writeFile(tmp, html.join('\n'))
  await fs.rename(tmp, htmlPath)
  return { html: htmlPath, svgs, pngs }
}
