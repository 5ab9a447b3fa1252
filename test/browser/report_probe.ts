/**
 * The browser check of the reports: a `report.html` made by the real pipeline (`imle compare`
 * on a tiny 2-method comparison, in a child process, seconds) is opened from `file://` in
 * headless Chromium (`/usr/bin/chromium`, driven by playwright-core) with the network disabled
 * (an offline context, and every request that is not for the report file itself aborted and
 * counted); a full-page screenshot must not be blank (enough non-white pixels), every inline
 * SVG must be laid out with a non-zero size, and every chart and map the HTML holds must be
 * there (learning curves, the results bar charts, the maps).
 *
 * `run.ts` (`npm run test:browser`) calls `reportCheck`. Standalone:
 * `tsx test/browser/report_probe.ts [path/to/report.html]` checks a given report (or a fresh
 * tiny one; `KEEP=1` keeps its folder and screenshot, `SCREENSHOT=file.png` writes a given
 * report's); exits 0 when it renders, 1 otherwise, 0 with `skipped: ...` without Chromium.
 *
 * @module
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { inflateSync } from 'node:zlib'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

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

/** The CLI's tiny comparison (2 methods, 6x6 maps, 8 steps) into `dir`; returns the path of its `report.html`. */
export function tinyReport(dir: string): string {
  const args = ['compare', '--preset', 'tiny', '--grid', '6', '--methods', 'imle,regression', '--train', '16', '--val', '8', '--test', '8', '--epochs', '2', '--batch-size', '4', '--eval-every', '4', '--run-dir', dir]
  const r = spawnSync(process.execPath, [join(root, 'bin/imle.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  const html = join(dir, 'report.html')
  if (r.status !== 0 || !existsSync(html)) throw new Error(`imle ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`)
  return html
}

/** What `checkReport` found. */
export interface ReportCheck {
  readonly ok: boolean
  readonly detail: string
  readonly ms: number
}

/**
 * Opens `html` offline in a fresh Chromium, takes a full-page screenshot (written to
 * `screenshot` when given) and checks that it is not blank and that every inline SVG of the
 * file (counted in its text) is laid out with a non-zero size, with no outside request.
 */
export async function checkReport(html: string, screenshot?: string): Promise<ReportCheck> {
  const t = performance.now()
  const url = pathToFileURL(resolve(html)).href
  const expected = (readFileSync(html, 'utf8').match(/<svg[\s>]/g) ?? []).length
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
    const charts = await page.evaluate(() => ({
      curves: document.querySelectorAll('figure[id^="fig-metric-"] svg').length,
      bars: document.querySelectorAll('figure[id^="fig-results-"] svg').length,
      maps: document.querySelectorAll('svg.map-figure').length,
      rows: document.querySelectorAll('table tbody tr').length,
    }))
    const shot = await page.screenshot({ fullPage: true, type: 'png' })
    if (screenshot !== undefined) await writeFile(screenshot, shot)
    const { width, height, rgba } = decodePng(shot)
    let ink = 0
    for (let i = 0; i < width * height; i++) if (rgba[4 * i]! < 240 || rgba[4 * i + 1]! < 240 || rgba[4 * i + 2]! < 240) ink++
    const share = ink / (width * height)
    const empty = layout.filter(([w, h]) => w === 0 || h === 0).length
    const ok = share > 0.05 && layout.length === expected && expected > 0 && empty === 0 && outside.length === 0 && charts.curves > 0 && charts.bars > 0 && charts.maps > 0 && charts.rows > 0
    const detail =
      `${width}x${height} screenshot, ${(100 * share).toFixed(1)}% non-white pixels; ${layout.length} of ${expected} inline SVGs laid out (${empty} empty): ` +
      `${charts.curves} learning curves, ${charts.bars} results charts, ${charts.maps} maps, ${charts.rows} table rows; ` +
      `${outside.length} outside requests${outside.length > 0 ? `: ${outside.join(', ')}` : ''}`
    return { ok, detail, ms: performance.now() - t }
  } finally {
    await browser.close()
  }
}

/**
 * The whole check: a tiny report in a temporary folder (removed unless `KEEP` is set), opened
 * and checked; never throws (a failure is `ok: false` with the reason).
 */
export async function reportCheck(): Promise<ReportCheck> {
  const t = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'imle-report-check-'))
  try {
    const made = performance.now()
    const html = tinyReport(join(dir, 'run'))
    const makeMs = performance.now() - made
    const r = await checkReport(html, join(dir, 'screenshot.png'))
    return { ...r, detail: `tiny comparison report made in ${(makeMs / 1000).toFixed(1)} s; ${r.detail}`, ms: performance.now() - t }
  } catch (e) {
    return { ok: false, detail: `FAILED with ${e instanceof Error ? e.stack ?? e.message : String(e)}`, ms: performance.now() - t }
  } finally {
    if (process.env['KEEP'] === undefined) await rm(dir, { recursive: true, force: true })
    else console.log(`kept ${dir}`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no chromium at ${CHROMIUM}`)
    process.exit(0)
  }
  const given = process.argv[2]
  const r = given === undefined ? await reportCheck() : await checkReport(given, process.env['SCREENSHOT']).catch((e: unknown): ReportCheck => ({ ok: false, detail: String(e), ms: 0 }))
  console.log(`report check: ${r.ok ? 'ok' : 'FAILED'}: ${r.detail} (${(r.ms / 1000).toFixed(1)} s)`)
  process.exit(r.ok ? 0 : 1)
}
