/**
 * Charts as SVG strings: Vega-Lite specifications compiled and rendered to SVG in Node
 * (`vega.View(..., { renderer: 'none' }).toSVG()`); `vega` and `vega-lite` are imported on
 * first use.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { loadVega } from './deps.js'

/** A data row of a chart: field name to number or string. */
export type Row = Readonly<Record<string, number | string | null | undefined>>

/**
 * Renders any Vega-Lite specification to a standalone SVG document (with its `xmlns`), in
 * Node, without a browser. `spec` is a plain Vega-Lite JSON object with inline data
 * (`data: { values }`); it must not load data from a URL.
 *
 * @example
 * ```ts
 * const svg = await report.vegaLiteToSvg({ data: { values: [{ a: 1, b: 2 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } })
 * ```
 */
export async function vegaLiteToSvg(spec: Readonly<Record<string, unknown>>): Promise<string> {
  const { vega, vl } = await loadVega('report.vegaLiteToSvg')
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** The options of `lineChart`. */
export interface LineChartOptions {
  /** The field on the x axis (quantitative: a step, an epoch). */
  readonly x: string
  /** The field on the y axis (quantitative). */
  readonly y: string
  /** A field whose values name one line each (nominal), e.g. a method or a split. */
  readonly color?: string
  readonly title?: string
  readonly xTitle?: string
  readonly yTitle?: string
  /** A log-scaled y axis. Default false. */
  readonly logY?: boolean
  /** Plot size in pixels. Default 420 x 240. */
  readonly width?: number
  readonly height?: number
}

const checkRows = (fn: string, rows: readonly Row[], fields: readonly (string | undefined)[]): void => {
  if (!Array.isArray(rows)) throw new ArgumentError(`${fn}(rows): expected an array of row objects but got ${typeof rows}`)
  for (const f of fields) {
    if (f === undefined) continue
    const bad = rows.findIndex((r) => r === null || typeof r !== 'object' || !(f in r))
    if (bad >= 0) throw new ArgumentError(`${fn}(rows): row ${bad} has no field '${f}' (the options name it); got ${JSON.stringify(rows[bad])}`)
  }
}

/**
 * A learning-curve style line chart (lines with a point on every row) as an SVG document.
 * Rows are long-form: one row per point, `x` and `y` numeric, `color` naming the line.
 *
 * Shapes: `rows [n] -> svg` with `n` point marks.
 *
 * @example
 * ```ts
 * const svg = await report.lineChart(
 *   [{ epoch: 1, loss: 0.9, method: 'imle' }, { epoch: 2, loss: 0.5, method: 'imle' }],
 *   { x: 'epoch', y: 'loss', color: 'method', title: 'training loss' },
 * )
 * ```
 */
export async function lineChart(rows: readonly Row[], options: LineChartOptions): Promise<string> {
  checkRows('report.lineChart', rows, [options.x, options.y, options.color])
  return vegaLiteToSvg({
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 420,
    height: options.height ?? 240,
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: options.x, type: 'quantitative', title: options.xTitle ?? options.x },
      y: { field: options.y, type: 'quantitative', title: options.yTitle ?? options.y, scale: options.logY ? { type: 'log' } : { zero: false } },
      ...(options.color === undefined ? {} : { color: { field: options.color, type: 'nominal', title: options.color } }),
    },
    config: { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' },
  })
}

/** The options of `barChart`. */
export interface BarChartOptions {
  /** The category field (nominal), one bar (group) each. */
  readonly x: string
  /** The value field (quantitative). */
  readonly y: string
  /** A field that splits each category into side-by-side bars (nominal). */
  readonly color?: string
  readonly title?: string
  readonly yTitle?: string
  /** Plot size in pixels. Default 420 x 240. */
  readonly width?: number
  readonly height?: number
}

/**
 * A bar chart of a results table (one bar per row; with `color`, grouped bars) as an SVG
 * document.
 *
 * Shapes: `rows [n] -> svg` with `n` bar marks.
 *
 * @example
 * ```ts
 * const svg = await report.barChart(
 *   [{ method: 'imle', accuracy: 0.93 }, { method: 'ste', accuracy: 0.88 }],
 *   { x: 'method', y: 'accuracy', title: 'test accuracy' },
 * )
 * ```
 */
export async function barChart(rows: readonly Row[], options: BarChartOptions): Promise<string> {
  checkRows('report.barChart', rows, [options.x, options.y, options.color])
  return vegaLiteToSvg({
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 420,
    height: options.height ?? 240,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: options.x, type: 'nominal', title: options.x, axis: { labelAngle: 0 } },
      y: { field: options.y, type: 'quantitative', title: options.yTitle ?? options.y },
      ...(options.color === undefined ? {} : { color: { field: options.color, type: 'nominal' }, xOffset: { field: options.color, type: 'nominal' } }),
    },
    config: { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' },
  })
}
