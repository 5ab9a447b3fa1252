/**
 * Browser probe of the report writer (not part of the uvu suite): writes a sample
 * `report.html` (learning curves, results chart and table, map figures) to a temporary
 * directory, opens it from `file://` in headless Chromium (`/usr/bin/chromium`, driven by
 * playwright-core, launched as `run.ts` does) with the network disabled (an offline context,
 * and every request that is not for the report file itself aborted and counted), takes a
 * full-page screenshot, and checks that the page is not blank: enough non-white pixels, and
 * every inline SVG laid out with a non-zero size.
 *
 * Usage: `tsx test/browser/report_probe.ts`. Exits 0 when the page renders, 1 otherwise, and 0
 * with `skipped: no chromium at /usr/bin/chromium` when Chromium is absent.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { inflateSync } from 'node:zlib'
import { warcraft } from '../../src/pipelines/data/index.js'
import * as report from '../../src/pipelines/report/index.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are) to RGBA. */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  let at = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Uint8Array[] = []
  while (at < png.length) {
    const len = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    const data = png.subarray(at + 8, at + 8 + len)
    if (type === 'IHDR') {
      width = view.getUint32(at + 8)
      height = view.getUint32(at + 12)
      const [depth, colour, , , interlace] = data.subarray(8, 13)
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`decodePng: unsupported PNG (depth ${depth}, colour ${colour}, interlace ${interlace})`)
      channels = colour === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    at += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const out = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!
      const a = x >= channels ? out[y * stride + x - channels]! : 0
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0
      let p: number
      if (filter === 0) p = 0
      else if (filter === 1) p = a
      else if (filter === 2) p = b
      else if (filter === 3) p = (a + b) >> 1
      else {
        const pa = Math.abs(b - c)
        const pb = Math.abs(a - c)
        const pc = Math.abs(a + b - 2 * c)
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      }
      out[y * stride + x] = (v + p) & 255
    }
  }
  const rgba = new Uint8Array(width * height * 4)
  for (let i = 0; i < width * height; i++) {
    rgba.set(out.subarray(i * channels, i * channels + 3), 4 * i)
    rgba[4 * i + 3] = channels === 4 ? out[i * channels + 3]! : 255
  }
  return { width, height, rgba }
}

/** Writes the sample report into `dir`; returns the path of `report.html`. */
async function sampleReport(dir: string): Promise<string> {
  const d = warcraft.generate({ k: 12, sizes: { train: 0, val: 0, test: 2 }, seed: 0 }).test
  const cells = (a: Float32Array, i: number): Float32Array => a.subarray(i * 144, (i + 1) * 144)
  const metrics: report.MetricRow[] = []
  for (let step = 1; step <= 20; step++) {
    metrics.push({ step, metric: 'hamming loss', value: 0.3 * Math.exp(-step / 6) + 0.02, series: 'train' })
    metrics.push({ step, metric: 'hamming loss', value: 0.32 * Math.exp(-step / 7) + 0.03, series: 'val' })
  }
  const files = await report.write(dir, {
    title: 'Report probe: Warcraft 12x12',
    config: { k: 12, estimator: 'imle', lambda: 20 },
    metrics,
    results: { columns: ['method', 'path accuracy'], rows: [['imle', 0.93], ['ste', 0.88]], chart: { x: 'method', y: 'path accuracy' } },
    figures: [
      { name: 'map-0', caption: 'gold and predicted path', svg: report.mapFigure({ k: 12, cells: cells(d.costs, 0), gold: cells(d.paths, 0), predicted: cells(d.paths, 1) }) },
      { name: 'marginals-0', caption: 'marginals', svg: report.mapFigure({ k: 12, kind: 'marginals', cells: cells(d.paths, 0), gold: cells(d.paths, 0) }), png: false },
    ],
  })
  return files.html
}

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no chromium at ${CHROMIUM}`)
  process.exit(0)
}

const dir = await mkdtemp(join(tmpdir(), 'imle-report-probe-'))
let ok = false
try {
  const html = await sampleReport(dir)
  const url = pathToFileURL(html).href
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 })
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } })
    const page = await context.newPage()
    const outside: string[] = []
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue()
      outside.push(route.request().url())
      return route.abort()
    })
    await page.goto(url, { waitUntil: 'load', timeout: 20_000 })
    const layout = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg')).map((s) => {
        const r = s.getBoundingClientRect()
        return [Math.round(r.width), Math.round(r.height)] as const
      }),
    )
    const shot = await page.screenshot({ fullPage: true, type: 'png' })
    await writeFile(join(dir, 'screenshot.png'), shot)
    const { width, height, rgba } = decodePng(shot)
    let ink = 0
    for (let i = 0; i < width * height; i++) if (rgba[4 * i]! < 240 || rgba[4 * i + 1]! < 240 || rgba[4 * i + 2]! < 240) ink++
    const share = ink / (width * height)
    const emptySvgs = layout.filter(([w, h]) => w === 0 || h === 0).length
    console.log(`report probe: ${width}x${height} screenshot, ${(100 * share).toFixed(1)}% non-white pixels; ${layout.length} inline SVGs laid out (${emptySvgs} empty); ${outside.length} outside requests${outside.length ? `: ${outside.join(', ')}` : ''}`)
    ok = share > 0.05 && layout.length === 4 && emptySvgs === 0 && outside.length === 0
  } finally {
    await browser.close()
  }
} catch (e) {
  console.error('report probe: FAILED with', e)
} finally {
  if (process.env['KEEP'] === undefined) await rm(dir, { recursive: true, force: true })
  else console.log(`kept ${dir}`)
}
console.log(ok ? 'report probe: ok' : 'report probe: FAILED')
process.exit(ok ? 0 : 1)
