/**
 * Reports: charts carry one mark per data row at the right place, SVGs are well-formed (our
 * XML checker, and resvg parses and renders them), PNGs start with the PNG signature and have
 * the scaled size, map figures draw k*k cells and the paths, `report.html` holds no URL and
 * no script, and the heavy packages are never imported statically from `src/`.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { warcraft } from '../../src/pipelines/data/index.js'
import * as report from '../../src/pipelines/report/index.js'
import { argumentError } from '../support/helpers.js'
import { countTags, xmlProblem } from './xml.js'

const t = suite('pipelines: report')

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const isPng = (b: Uint8Array): boolean => PNG_SIGNATURE.every((x, i) => b[i] === x)
const pngSize = (b: Uint8Array): [number, number] => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return [v.getUint32(16), v.getUint32(20)] // IHDR width, height
}
const svgSize = (svg: string): [number, number] => {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg)!
  return [Number(m[1]), Number(m[2])]
}

/** The `<g class="mark-NAME ...">` group's direct `<path>` children. */
function markPaths(svg: string, mark: string): string[] {
  const start = svg.indexOf(`<g class="mark-${mark} role-mark`)
  assert.ok(start >= 0, `no mark-${mark} group`)
  const end = svg.indexOf('</g>', start)
  return svg.slice(start, end).match(/<path [^>]*\/>/g) ?? []
}

const data = warcraft.generate({ k: 12, sizes: { train: 0, val: 0, test: 3 }, seed: 2 }).test
const cellsOf = (a: Float32Array, i: number): Float32Array => a.subarray(i * 144, (i + 1) * 144)

t('lineChart: well-formed SVG with one point per row, placed by value', async () => {
  const rows = [
    { epoch: 1, loss: 0.9, method: 'imle' },
    { epoch: 2, loss: 0.5, method: 'imle' },
    { epoch: 3, loss: 0.2, method: 'imle' },
    { epoch: 1, loss: 0.95, method: 'ste' },
    { epoch: 2, loss: 0.7, method: 'ste' },
  ]
  const svg = await report.lineChart(rows, { x: 'epoch', y: 'loss', color: 'method', title: 'training loss' })
  assert.is(xmlProblem(svg), null)
  assert.ok(svg.includes('training loss'))
  assert.is(svg.match(/class="mark-line role-mark/g)?.length, 2, 'one line per method')
  const points = markPaths(svg, 'symbol')
  assert.is(points.length, rows.length)
  // Each row is a point labelled with its values; a larger loss is drawn higher (smaller y).
  const yOf = new Map<string, number>()
  for (const p of points) {
    const label = /aria-label="([^"]*)"/.exec(p)![1]!
    yOf.set(label, Number(/translate\(([-\d.]+),([-\d.]+)\)/.exec(p)![2]))
  }
  for (const r of rows) assert.ok(yOf.has(`epoch: ${r.epoch}; loss: ${r.loss}; method: ${r.method}`), JSON.stringify(r))
  const y = (r: (typeof rows)[number]): number => yOf.get(`epoch: ${r.epoch}; loss: ${r.loss}; method: ${r.method}`)!
  const sorted = [...rows].sort((a, b) => b.loss - a.loss)
  for (let i = 1; i < sorted.length; i++) assert.ok(y(sorted[i - 1]!) < y(sorted[i]!), 'higher loss, higher point')
})

t('barChart: one bar per row, heights proportional to the values', async () => {
  const rows = [
    { method: 'imle', accuracy: 0.9 },
    { method: 'ste', accuracy: 0.6 },
    { method: 'random', accuracy: 0.3 },
  ]
  const svg = await report.barChart(rows, { x: 'method', y: 'accuracy' })
  assert.is(xmlProblem(svg), null)
  const bars = markPaths(svg, 'rect')
  assert.is(bars.length, 3)
  const height = (method: string): number => {
    const bar = bars.find((b) => b.includes(`aria-label="method: ${method};`))!
    return Number(/v([\d.]+)h/.exec(bar)![1])
  }
  assert.ok(Math.abs(height('imle') / height('random') - 3) < 1e-6)
  assert.ok(Math.abs(height('ste') / height('random') - 2) < 1e-6)
})

t('chart options are checked against the rows', async () => {
  await report.lineChart([{ a: 1 }], { x: 'a', y: 'b' }).then(
    () => assert.unreachable('no error'),
    (e: unknown) => assert.ok(argumentError(/report\.lineChart\(rows\): row 0 has no field 'b'/)(e), String(e)),
  )
})

t('mapFigure: k*k cells, the gold path as a chain, the predicted path, marginals', () => {
  const k = 12
  const gold = cellsOf(data.paths, 0)
  const svg = report.mapFigure({ k, cells: cellsOf(data.costs, 0), gold, predicted: cellsOf(data.paths, 1), title: 'test map 0 <&>' })
  assert.is(xmlProblem(svg), null)
  assert.is((svg.match(/class="cell"/g) ?? []).length, k * k)
  assert.ok(svg.includes('test map 0 &lt;&amp;&gt;'), 'title escaped')
  const onPath = gold.reduce((s, v) => s + v, 0)
  const goldGroup = svg.slice(svg.indexOf('class="gold-path"'), svg.indexOf('class="predicted-path"'))
  assert.is(countTags(goldGroup, 'rect'), onPath, 'one outline per gold cell')
  const polyline = /<polyline points="([^"]*)"/.exec(goldGroup)![1]!.split(' ')
  assert.is(polyline.length, onPath, 'the gold chain visits every gold cell')
  assert.ok(svg.includes('stroke-dasharray'), 'the predicted path is dashed')
  // The cheapest and the costliest cells get the ends of the ramp.
  assert.ok(svg.includes('fill="#f7fcf0"') && svg.includes('fill="#662506"'))
  // Marginals: white at 0, dark blue at 1.
  const m = report.mapFigure({ k: 2, cells: [0, 1, 0.5, 0], kind: 'marginals' })
  assert.is(xmlProblem(m), null)
  assert.ok(m.includes('fill="#ffffff"') && m.includes('fill="#08306b"'))
  assert.throws(() => report.mapFigure({ k: 3, cells: [1, 2, 3] }), argumentError(/report\.mapFigure\(options\.cells\): expected 9 values/))
  assert.throws(() => report.mapFigure({ k: 2, cells: [1, 2, 3, 4], gold: [1, 0] }), argumentError(/options\.gold/))
})

t('chainOf: the gold mask in path order; null when the mask does not connect the corners', () => {
  for (let i = 0; i < data.n; i++) {
    const mask = cellsOf(data.paths, i)
    const chain = report.chainOf(mask, 12)!
    assert.is(chain.length, mask.reduce((s, v) => s + v, 0))
    assert.is(chain[0], 0)
    assert.is(chain[chain.length - 1], 143)
    for (let j = 1; j < chain.length; j++) {
      const [a, b] = [chain[j - 1]!, chain[j]!]
      assert.ok(Math.abs((a % 12) - (b % 12)) <= 1 && Math.abs(Math.floor(a / 12) - Math.floor(b / 12)) <= 1, 'neighbours')
    }
  }
  assert.is(report.chainOf([1, 0, 0, 0, 0, 0, 0, 0, 1], 3), null)
})

t('svgToPng: PNG bytes of the scaled size; resvg parses every SVG we make', async () => {
  const map = report.mapFigure({ k: 12, cells: cellsOf(data.costs, 0), gold: cellsOf(data.paths, 0) })
  const png = await report.svgToPng(map)
  assert.ok(isPng(png))
  const [w, h] = svgSize(map)
  assert.equal(pngSize(png), [2 * w, 2 * h])
  const chart = await report.lineChart([{ s: 1, v: 1 }, { s: 2, v: 3 }], { x: 's', y: 'v' })
  assert.ok(isPng(await report.svgToPng(chart, { scale: 1 })))
  await report.svgToPng('<svg><rect').then(
    () => assert.unreachable('no error'),
    (e: unknown) => assert.ok(argumentError(/report\.svgToPng\(svg\): resvg could not parse/)(e), String(e)),
  )
})

t('write: a self-contained report.html with no URL, SVG and PNG copies of the figures', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imle-report-'))
  try {
    const metrics: report.MetricRow[] = []
    for (let step = 1; step <= 5; step++) {
      metrics.push({ step, metric: 'loss', value: 1 / step, series: 'train' })
      metrics.push({ step, metric: 'loss', value: 1.2 / step, series: 'val' })
      metrics.push({ step, metric: 'path accuracy', value: 1 - 1 / (step + 1), series: 'val' })
    }
    const files = await report.write(dir, {
      title: 'Warcraft 12x12 <demo>',
      notes: 'A sample report.',
      config: { k: 12, lr: 5e-4, estimator: 'imle' },
      metrics,
      results: { columns: ['method', 'accuracy', 'loss'], rows: [['imle', 0.91, 0.12], ['ste', 0.84, 0.2]], chart: { x: 'method', y: 'accuracy' } },
      figures: [
        { name: 'map-0', caption: 'gold and predicted', svg: report.mapFigure({ k: 12, cells: cellsOf(data.costs, 0), gold: cellsOf(data.paths, 0), predicted: cellsOf(data.paths, 1) }) },
        { name: 'marginals-0', svg: report.mapFigure({ k: 12, kind: 'marginals', cells: cellsOf(data.paths, 2), gold: cellsOf(data.paths, 2) }), png: false },
      ],
    })
    const html = await readFile(files.html, 'utf8')
    assert.not.match(html, /http/i, 'no URL')
    assert.not.match(html, /<script|<link|<img|<iframe|\ssrc=|\shref=|url\(/i, 'nothing loaded from outside')
    assert.match(html, /<title>Warcraft 12x12 &lt;demo&gt;<\/title>/)
    assert.is(countTags(html, 'svg'), 5, '2 metric charts, 1 results chart, 2 figures')
    assert.is(countTags(html, 'tr'), 3)
    assert.ok(html.includes('path accuracy') && html.includes('0.9100'))
    // Every inline SVG is well-formed XML.
    for (const m of html.match(/<svg[\s\S]*?<\/svg>/g) ?? []) assert.is(xmlProblem(m), null)
    assert.equal((await readdir(join(dir, 'figures'))).sort(), [
      'map-0.png', 'map-0.svg', 'marginals-0.svg', 'metric-loss.png', 'metric-loss.svg', 'metric-path-accuracy.png', 'metric-path-accuracy.svg', 'results-accuracy.png', 'results-accuracy.svg',
    ])
    assert.is(files.svgs.length, 5)
    assert.is(files.pngs.length, 4)
    for (const p of files.pngs) assert.ok(isPng(await readFile(p)), p)
    for (const s of files.svgs) assert.is(xmlProblem(await readFile(s, 'utf8')), null, s)
    assert.equal((await readdir(dir)).sort(), ['figures', 'report.html'], 'no temporary file left')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

t('write: typed errors for bad content', async () => {
  const bad: [report.ReportContent, RegExp][] = [
    [{ title: 'x', figures: [{ name: 'a b', svg: '<svg/>' }] }, /content\.figures\[0\]\.name/],
    [{ title: 'x', figures: [{ name: 'a', svg: 'hello' }] }, /content\.figures\[0\]\.svg/],
    [{ title: 'x', results: { columns: ['a', 'b'], rows: [[1]] } }, /content\.results\.rows\[0\]\): expected 2 values/],
    [{ title: 'x', results: { columns: ['a'], rows: [[1]], chart: { x: 'a', y: 'z' } } }, /column 'z'/],
    [{ title: 'x', metrics: [{ step: 1, metric: 'l' } as never] }, /content\.metrics\[0\]/],
  ]
  for (const [content, re] of bad) {
    await report.write(join(tmpdir(), 'imle-never-written'), content).then(
      () => assert.unreachable(`no error for ${re}`),
      (e: unknown) => assert.ok(argumentError(re)(e), String(e)),
    )
  }
})

t('MissingPackageError names the package and the install command', () => {
  const e = new report.MissingPackageError('report.lineChart', 'vega-lite', new Error("Cannot find package 'vega-lite'"))
  assert.is(e._tag, 'BackendError')
  assert.is(e.packageName, 'vega-lite')
  assert.match(e.message, /report\.lineChart: the optional package 'vega-lite' could not be loaded .*npm install vega-lite/)
})

t('heavy packages are imported dynamically only, nowhere statically in src/', async () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../../src')
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'))
  const staticImport = /^\s*(import|export)\s[^;]*?from\s+['"](vega|vega-lite|@resvg\/resvg-js)['"]/m
  const offenders: string[] = []
  for (const f of files) if (staticImport.test(await readFile(join(root, f), 'utf8'))) offenders.push(f)
  assert.equal(offenders, [])
  // And the report module does use them (dynamically), so the check above is not vacuous.
  assert.match(await readFile(join(root, 'pipelines/report/deps.ts'), 'utf8'), /await import\('vega-lite'\)/)
})

t.run()
