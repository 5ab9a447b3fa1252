/**
 * Playground test: builds the static playground (`scripts/playground.mjs`), serves it from
 * 127.0.0.1 and drives it in headless Chromium (`/usr/bin/chromium` with WebGPU on SwiftShader;
 * no browser is downloaded), once on webgpu and once on wasm. On each:
 *
 * 1. the page loads with no console error and reports the backend asked for;
 * 2. training the preset map reaches the gold path;
 * 3. the page reacts to the controls: with the input temperature at 0 every sample is the same
 *    path (every marginal 0 or 1); at 2 the samples differ (some marginal strictly between);
 *    beta moved with its slider reaches the trainer;
 * 4. a screenshot shows the map, the paths and the marginals: its pixels are checked (the terrain
 *    colours, the white gold path and the red current path on the map; dark and light cells in
 *    the marginals; more than one grey level in the learned costs).
 *
 * Screenshots go to `out/playground-test/`. Usage: `tsx test/playground/run.ts`. Exits 0 when
 * every check passes, 1 otherwise, and 0 with `skipped: ...` when Chromium is absent.
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import type { PlaygroundApi } from '../../playground/main.js'

const CHROMIUM = '/usr/bin/chromium'
const BUDGET_MS = 240_000
const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const outDir = join(root, 'out/playground-test')

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no chromium at ${CHROMIUM}`)
  process.exit(0)
}
const watchdog = setTimeout(() => {
  console.error(`playground test: FAILED, still running after ${BUDGET_MS / 1000} s`)
  process.exit(1)
}, BUDGET_MS)
watchdog.unref()

const { buildPlayground, serve } = (await import(join(root, 'scripts/playground.mjs'))) as {
  buildPlayground: (dir: string) => Promise<string>
  serve: (dir: string, port: number) => Promise<Server>
}
const site = await buildPlayground(join(outDir, 'site'))
const server = await serve(site, 0)
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const failures: string[] = []
const expect = (ok: boolean, what: string): void => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures.push(what)
}

/** Pixel statistics of a region of a PNG, computed by decoding it in the page. */
interface Region {
  readonly pixels: number
  /** Count of pixels close to each named colour. */
  readonly near: Record<string, number>
  /** Distinct grey levels (r = g = b), in steps of 8. */
  readonly greys: number
  readonly dark: number
  readonly light: number
}

async function regionStats(page: Page, png: Buffer, box: { x: number; y: number; width: number; height: number }): Promise<Region> {
  return page.evaluate(
    async ({ b64, box }) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const c = new OffscreenCanvas(img.width, img.height)
      const ctx = c.getContext('2d')!
      ctx.drawImage(img, 0, 0)
      const d = ctx.getImageData(Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height)).data
      const targets: Record<string, [number, number, number]> = {
        white: [255, 255, 255],
        red: [224, 32, 32],
        grass: [106, 168, 79],
        water: [61, 120, 196],
        mountain: [138, 138, 138],
      }
      const near: Record<string, number> = Object.fromEntries(Object.keys(targets).map((k) => [k, 0]))
      const greys = new Set<number>()
      let dark = 0
      let light = 0
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!]
        for (const [name, [tr, tg, tb]] of Object.entries(targets)) if (Math.abs(r - tr) + Math.abs(g - tg) + Math.abs(b - tb) < 24) near[name]!++
        if (r === g && g === b) greys.add(r >> 3)
        if (r + g + b < 150) dark++
        if (r + g + b > 600) light++
      }
      return { pixels: d.length / 4, near, greys: greys.size, dark, light }
    },
    { b64: png.toString('base64'), box },
  )
}

const state = (page: Page) => page.evaluate(() => {
  const p = window.__playground as PlaygroundApi | undefined
  return p === undefined ? undefined : { ready: p.ready, error: p.error, backend: p.backend, readMode: p.readMode, last: p.last, settings: p.settings === undefined || !p.ready ? undefined : p.settings() }
})

async function until(page: Page, what: string, cond: (s: NonNullable<Awaited<ReturnType<typeof state>>>) => boolean, ms: number): Promise<boolean> {
  const t0 = performance.now()
  while (performance.now() - t0 < ms) {
    const s = await state(page)
    if (s?.error !== undefined) {
      expect(false, `${what}: the page reported ${s.error}`)
      return false
    }
    if (s !== undefined && cond(s)) return true
    await page.waitForTimeout(100)
  }
  expect(false, `${what}: timed out after ${ms / 1000} s`)
  return false
}

/** Moves a slider the way a person does: sets its value and fires `input`. */
const slide = (page: Page, id: string, value: number) =>
  page.evaluate(
    ({ id, value }) => {
      const input = document.getElementById(id) as HTMLInputElement
      input.value = String(value)
      input.dispatchEvent(new Event('input', { bubbles: true }))
    },
    { id, value },
  )

/** Runs `n` steps through the page's Step action and waits for them. */
const steps = (page: Page, n: number) => page.evaluate(async (n) => {
  for (let i = 0; i < n; i++) await window.__playground.step()
}, n)

const { chromium } = await import('playwright-core')
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: 30_000,
})
mkdirSync(outDir, { recursive: true })
try {
  for (const backend of (process.env['PLAYGROUND_BACKENDS'] ?? 'webgpu,wasm').split(',')) {
    console.log(`playground on ${backend}:`)
    const t0 = performance.now()
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } })
    const errors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    await page.goto(`${origin}/?backend=${backend}`)
    if (!(await until(page, 'the page loads', (s) => s.ready, 60_000))) {
      await page.close()
      continue
    }
    const s0 = (await state(page))!
    expect(s0.backend === backend, `the page runs on ${backend} (got ${s0.backend}, read-back ${s0.readMode})`)
    console.log(`       read-back mode: ${s0.readMode}`)

    // Train the preset map to the gold path.
    await page.click('#train')
    const trained = await until(page, 'training reaches the gold path', (s) => s.last?.matchesGold === true, 90_000)
    await page.click('#train') // pause
    await page.waitForTimeout(300)
    const s1 = (await state(page))!
    if (trained) expect(true, `training reached the gold path at step ${s1.last?.step} (${s1.last?.ms.toFixed(1)} ms/step)`)

    // React to the temperature and beta.
    await slide(page, 'inputTemperature', 0)
    await slide(page, 'beta', 35)
    await steps(page, 2)
    const cold = (await state(page))!
    expect(cold.settings?.inputTemperature === 0 && cold.settings?.beta === 35, `the sliders reach the trainer (input temperature ${cold.settings?.inputTemperature}, beta ${cold.settings?.beta})`)
    expect(cold.last?.fractionalMarginals === 0, `at input temperature 0 every sample is the same path (fractional marginals: ${cold.last?.fractionalMarginals})`)
    const label = await page.evaluate(() => (document.getElementById('beta')!.nextElementSibling as HTMLOutputElement).value)
    expect(label === '35', `the beta label shows the new value (${label})`)
    await slide(page, 'inputTemperature', 2)
    await steps(page, 3)
    const hot = (await state(page))!
    expect((hot.last?.fractionalMarginals ?? 0) > 0, `at input temperature 2 the samples differ (fractional marginals: ${hot.last?.fractionalMarginals})`)
    expect(hot.last !== undefined && hot.last.step === (cold.last?.step ?? 0) + 3, `training went on after the changes (step ${hot.last?.step})`)

    // The screenshot: map, paths, marginals, costs.
    await slide(page, 'inputTemperature', 1)
    await steps(page, 1)
    const png = await page.screenshot({ fullPage: true })
    writeFileSync(join(outDir, `${backend}.png`), png)
    const box = async (id: string) => (await page.locator(`#${id}`).boundingBox())!
    const map = await regionStats(page, png, await box('terrain'))
    expect(map.near['grass']! > 500 && map.near['water']! + map.near['mountain']! > 100, `the map shows its terrain (grass ${map.near['grass']} px, water ${map.near['water']}, mountain ${map.near['mountain']})`)
    expect(map.near['white']! > 300, `the map shows the gold path (${map.near['white']} white px)`)
    expect(map.near['red']! > 300, `the map shows the current path (${map.near['red']} red px)`)
    const marg = await regionStats(page, png, await box('marginals'))
    expect(marg.dark > 1000 && marg.light > 10_000, `the marginals show path cells (dark ${marg.dark} px) and the rest (light ${marg.light} px)`)
    const costs = await regionStats(page, png, await box('costs'))
    expect(costs.greys >= 4, `the learned costs are not uniform (${costs.greys} grey levels)`)
    expect(errors.length === 0, `no console error${errors.length ? `: ${errors.join(' | ')}` : ''}`)
    console.log(`       ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    await page.close()
  }
} finally {
  await browser.close()
  server.close()
}
if (failures.length > 0) {
  console.error(`\nplayground test: FAILED (${failures.length}):\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log('\nplayground test: passed')
