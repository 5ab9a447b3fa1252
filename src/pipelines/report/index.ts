/**
 * Experiment reports: a self-contained `report.html` (`write`), charts rendered by Vega-Lite
 * to SVG in Node (`lineChart`, `barChart`, `vegaLiteToSvg`), map pictures with gold and
 * predicted paths and marginals (`mapFigure`), and PNG copies (`svgToPng`). The heavy
 * packages (`vega`, `vega-lite`, `@resvg/resvg-js`) are imported only when a function that
 * needs them runs; a missing one is a `MissingPackageError`.
 *
 * @example
 * ```ts
 * import { report } from './src/pipelines/report/index.js'
 * const curve = await report.lineChart([{ step: 1, loss: 1 }, { step: 2, loss: 0.5 }], { x: 'step', y: 'loss' })
 * await report.write('out', { title: 'demo', figures: [{ name: 'loss', svg: curve }] })
 * ```
 *
 * @module
 */
export { barChart, lineChart, vegaLiteToSvg, type BarChartOptions, type LineChartOptions, type Row } from './charts.js'
export { MissingPackageError } from './deps.js'
export { chainOf, mapFigure, type MapFigureOptions } from './maps.js'
export { svgToPng } from './png.js'
export { escapeXml, inlineSvg } from './svg.js'
export { write, type Figure, type MetricRow, type ReportContent, type ReportFiles, type ResultsTable } from './write.js'
