/**
 * Browser test: bundles `test/browser/page.ts` with the BUILT package (`dist/index.js`; `--src`
 * bundles `src/index.ts` instead) for the browser with esbuild, serves it from 127.0.0.1 with
 * tfjs-backend-wasm's binaries under `/wasm/`, and loads it in headless Chromium
 * (`/usr/bin/chromium`, driven by playwright-core; no browser is downloaded):
 *
 * 1. with WebGPU (`--enable-unsafe-webgpu`, SwiftShader): `init()` must pick webgpu (reading
 *    asynchronously), and the checks of `checks.ts` and `sampling.ts` must pass on webgpu, then
 *    (fresh pages) on webgpu selected without `init` (synchronous reads), on wasm and on cpu; a
 *    last page probes whether a GPU buffer can be read back synchronously (tfjs-webgpu's
 *    `dataSync`);
 * 2. without it (no adapter): `init({ backend: 'webgpu' })` must reject with a `BackendError`
 *    and `init()` must fall back to wasm, where the checks must pass again;
 * 3. the reports (`report_probe.ts`): the `report.html` of a tiny `imle compare` run, opened
 *    offline from `file://`, must render its charts, table and maps (a screenshot that is not
 *    blank, every inline SVG laid out, no outside request).
 *
 * Every page's cross-backend values (Threefry keys, uniform draws, the Gumbel I-MLE samples and
 * gradients) must equal those of the same checks run here in Node on the cpu backend; the
 * samplers' float values (`sampling.ts`: normal, Gumbel, Sum-of-Gamma, scaled uniforms) must
 * equal them too, except on webgpu, where WGSL programs compute them in float32 and each must
 * lie within the tolerance its check states. The one exception: on the webgpu page without
 * `init` (synchronous reads), the checks flagged `needsGpuReadSync` (a solver reading a
 * GPU-computed tensor) and the values they produce are reported `N/A`, not failed, when the
 * probe shows that synchronous read-back is broken (as with SwiftShader); where it works, they
 * must pass like the others.
 *
 * Usage: `tsx test/browser/run.ts [--src]`. Exits 0 when every check passes, 1 otherwise, and
 * 0 with `skipped: no chromium at /usr/bin/chromium` when Chromium is absent.
 *
 * @module
 */
import * as esbuild from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { PageResult } from './page.js'
import { runChecks, type Lib, type Report } from './checks.js'
import { reportCheck } from './report_probe.js'

const CHROMIUM = '/usr/bin/chromium'
const TOTAL_BUDGET_MS = 210_000 // the whole run, browser start-ups and the tiny report run included
const PAGE_TIMEOUT_MS = 90_000

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../..')
const fromSrc = process.argv.includes('--src')
const entry = join(root, fromSrc ? 'src/index.ts' : 'dist/index.js')
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no chromium at ${CHROMIUM}`)
  process.exit(0)
}
if (!existsSync(entry)) {
  console.error(`browser test: ${entry} not found; run \`npm run build\` first (or pass --src)`)
  process.exit(1)
}
const watchdog = setTimeout(() => {
  console.error(`browser test: FAILED, still running after ${TOTAL_BUDGET_MS / 1000} s`)
  process.exit(1)
}, TOTAL_BUDGET_MS)
watchdog.unref()

const t0 = performance.now()
const since = (t: number): string => `${((performance.now() - t) / 1000).toFixed(1)} s`

// --- bundle -------------------------------------------------------------------------------
const srcIndex = join(root, 'src/index.js')
const bundle = await esbuild.build({
  entryPoints: [join(here, 'page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'warning',
  plugins: [
    {
      name: 'imle-entry',
      setup(build) {
        // page.ts imports '../../src/index.js' (for its types); bundle the chosen entry instead.
        build.onResolve({ filter: /\/src\/index\.js$/ }, (args) =>
          join(args.resolveDir, args.path) === srcIndex ? { path: entry } : undefined,
        )
      },
    },
  ],
})
const pageJs = bundle.outputFiles[0]!.text
const bundleMs = since(t0)

// --- serve --------------------------------------------------------------------------------
const served: string[] = []
const html = '<!doctype html><meta charset="utf-8"><title>imle browser test</title><script type="module" src="/page.js"></script>'
const server: Server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
  served.push(path)
  const send = (type: string, body: string | Buffer) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(body)
  }
  const wasm = /^\/wasm\/(tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm)$/.exec(path)
  if (path === '/') send('text/html', html)
  else if (path === '/favicon.ico') res.writeHead(204).end()
  else if (path === '/page.js') send('text/javascript', pageJs)
  else if (wasm) send('application/wasm', readFileSync(join(wasmDir, wasm[1]!)))
  else {
    res.writeHead(404)
    res.end()
  }
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

// --- reference: the same checks in Node, cpu backend ----------------------------------------
const tRef = performance.now()
const lib = (await import(pathToFileURL(entry).href)) as Lib
await lib.init({ backend: 'cpu' })
const reference = await runChecks(lib)
const refMs = since(tRef)

// --- browsers -------------------------------------------------------------------------------
const { chromium } = await import('playwright-core')
const ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

interface Run {
  readonly label: string
  readonly result: PageResult
  readonly ms: number
  readonly console: readonly string[]
}

/** Launches Chromium (playwright gives it a fresh temporary --user-data-dir) and runs `modes`. */
async function inBrowser(label: string, extraArgs: readonly string[], modes: readonly string[]): Promise<Run[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs], timeout: 30_000 })
  const runs: Run[] = []
  try {
    for (const mode of modes) {
      const t = performance.now()
      const page = await browser.newPage()
      const logs: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') logs.push(`${m.type()}: ${m.text()}`)
      })
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`))
      let result: PageResult
      try {
        await page.goto(`${origin}/?mode=${mode}`)
        await page.waitForFunction(() => window.__results !== undefined, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 50 })
        result = (await page.evaluate(() => window.__results)) as PageResult
      } catch (e) {
        result = { mode, adapter: '?', error: `runner: ${e instanceof Error ? e.message : String(e)}` }
      }
      await page.close()
      runs.push({ label: `${label} ?mode=${mode}`, result, ms: performance.now() - t, console: logs })
    }
  } finally {
    await browser.close()
  }
  return runs
}

const tWebgpu = performance.now()
const withGpu = await inBrowser('chromium --enable-unsafe-webgpu', ['--enable-unsafe-webgpu'], ['auto', 'webgpu-direct', 'wasm', 'cpu', 'probe'])
const withGpuMs = since(tWebgpu)
const tNoGpu = performance.now()
const withoutGpu = await inBrowser('chromium (no webgpu flag)', [], ['no-adapter'])
const withoutGpuMs = since(tNoGpu)
server.close()
const reportResult = await reportCheck()

// --- assert -----------------------------------------------------------------------------------
const failures: string[] = []
const expect = (cond: boolean, what: string) => {
  if (!cond) failures.push(what)
}

/** Checks that may fail without failing the run: webgpu ones needing a sync read-back the page found broken. */
const notVerifiable: string[] = []

/**
 * Whether check `c` of report `r` may fail: a check flagged `needsGpuReadSync` on a webgpu page
 * in the synchronous read mode (`?mode=webgpu-direct`, no `init`) where the probe found the
 * synchronous read-back broken. After `init()` webgpu reads asynchronously and nothing is excused.
 */
const isExcused = (r: Report, c: Report['checks'][number], gpuReadSyncBroken: boolean): boolean =>
  r.backend === 'webgpu' && r.readMode === 'sync' && c.needsGpuReadSync && gpuReadSyncBroken

const printReport = (label: string, r: Report, gpuReadSyncBroken: boolean) => {
  for (const c of r.checks) {
    const excused = !c.ok && isExcused(r, c, gpuReadSyncBroken)
    console.log(`  ${c.ok ? 'ok  ' : excused ? 'N/A ' : 'FAIL'} [${r.backend}] ${c.name} (${c.ms} ms)\n         ${c.detail}`)
    if (excused) notVerifiable.push(`${label}: ${c.name}: ${c.detail}`)
    else expect(c.ok, `${label}: ${c.name}: ${c.detail}`)
  }
  for (const [k, v] of Object.entries(r.diagnostics)) console.log(`  note [${r.backend}] ${k} -> ${v}`)
}

console.log(`node reference (cpu, ${fromSrc ? 'src' : 'dist'}), ${refMs}:`)
printReport('node cpu reference', reference, false)

// The probe page (last in the webgpu browser) says whether a synchronous GPU read-back works.
const probe = withGpu.find((r) => r.result.mode === 'probe')!.result
expect(probe.error === undefined && probe.gpuReadSync !== undefined, `probe page: ${probe.error ?? 'no adapter'}`)
const gpuReadSyncBroken = probe.gpuReadSync?.ok === false
console.log(
  `\nsynchronous GPU read-back (tfjs-webgpu's dataSync path: WebGPU canvas -> 2D canvas), probed in its own page: ` +
    `${probe.gpuReadSync === undefined ? 'no adapter' : probe.gpuReadSync.ok ? 'works' : 'BROKEN'}: ${probe.gpuReadSync?.detail ?? ''}`,
)

const expectations: Record<string, { chosen: string; readMode: string; adapter: (a: string) => boolean }> = {
  // init() picks webgpu wherever an adapter exists, reading asynchronously by default.
  auto: { chosen: 'webgpu', readMode: 'async', adapter: (a) => !a.startsWith('no ') && !a.includes('null') },
  'webgpu-direct': { chosen: 'webgpu', readMode: 'sync', adapter: (a) => !a.startsWith('no ') && !a.includes('null') },
  wasm: { chosen: 'wasm', readMode: 'sync', adapter: () => true },
  cpu: { chosen: 'cpu', readMode: 'sync', adapter: () => true },
  'no-adapter': { chosen: 'wasm', readMode: 'sync', adapter: (a) => a.includes('null') || a.startsWith('no ') },
}
for (const run of [...withGpu, ...withoutGpu].filter((r) => r.result.mode !== 'probe')) {
  const r = run.result
  const want = expectations[r.mode]!
  console.log(`\n${run.label}: adapter ${r.adapter}; init -> ${r.chosen ?? '-'} (${r.initMs ?? '-'} ms); page ${(run.ms / 1000).toFixed(1)} s`)
  if (r.error !== undefined) {
    console.log(`  ERROR ${r.error}`)
    failures.push(`${run.label}: ${r.error}`)
    continue
  }
  expect(want.adapter(r.adapter), `${run.label}: unexpected adapter '${r.adapter}'`)
  expect(r.chosen === want.chosen && r.tfBackend === want.chosen, `${run.label}: init chose '${r.chosen}' (tf: '${r.tfBackend}'), expected '${want.chosen}'`)
  if (r.mode === 'auto') {
    const e = r.webgpuError
    console.log(`  init({ backend: 'webgpu' }): ${e ? `rejected: ${e.name} (_tag ${e.tag}): ${e.message}` : 'resolved'}`)
    expect(e === undefined, `${run.label}: init({ backend: 'webgpu' }) rejected: ${e?.message}`)
  }
  if (r.mode === 'no-adapter') {
    const e = r.webgpuError
    console.log(`  init({ backend: 'webgpu' }) rejected: ${e ? `${e.name} (_tag ${e.tag}, instanceof BackendError: ${e.isBackendError}): ${e.message}` : 'no error'}`)
    expect(e?.isBackendError === true && e.tag === 'BackendError', `${run.label}: init({ backend: 'webgpu' }) did not reject with a BackendError`)
  }
  printReport(run.label, r.report!, gpuReadSyncBroken)
  expect(r.report!.backend === want.chosen, `${run.label}: checks ran on '${r.report!.backend}'`)
  console.log(`  read mode: ${r.report!.readMode}`)
  expect(r.report!.readMode === want.readMode, `${run.label}: read mode '${r.report!.readMode}', expected '${want.readMode}'`)
  // Values of a check excused above (N/A) cannot be compared either.
  const excused = new Set(r.report!.checks.filter((c) => !c.ok && isExcused(r.report!, c, gpuReadSyncBroken)).map((c) => c.name))
  const notComparable = (key: string): boolean => {
    const from = reference.crossBackendFrom[key]
    if (from === undefined || !excused.has(from)) return false
    console.log(`  N/A  [${r.report!.backend}] ${key}: its check needs a synchronous GPU read-back`)
    notVerifiable.push(`${run.label}: ${key} (from: ${from})`)
    return true
  }
  for (const [key, ref] of Object.entries(reference.crossBackend)) {
    const got = r.report!.crossBackend[key]
    const same = got !== undefined && got.length === ref.length && got.every((v, i) => v === ref[i])
    if (!same && notComparable(key)) continue
    console.log(`  ${same ? 'ok  ' : 'FAIL'} [${r.report!.backend}] ${key} equals Node cpu's (${ref.length} values)`)
    const show = (xs: readonly number[]) => `[${xs.slice(0, 24).join(', ')}${xs.length > 24 ? ', ...' : ''}]`
    expect(same, `${run.label}: ${key} differs from Node cpu: ${got ? show(got) : 'missing'} vs ${show(ref)}`)
  }
  // On webgpu within the stated float tolerance (WGSL float32 arithmetic); elsewhere exactly.
  for (const [key, ref] of Object.entries(reference.crossBackendNear)) {
    const got = r.report!.crossBackendNear[key]?.values
    const { atol, rtol } = r.report!.backend === 'webgpu' ? ref : { atol: 0, rtol: 0 }
    let maxErr = 0
    let bad = got === undefined || got.length !== ref.values.length ? 'missing or of another length' : ''
    for (let i = 0; bad === '' && i < ref.values.length; i++) {
      const d = Math.abs(got![i]! - ref.values[i]!)
      maxErr = Math.max(maxErr, d)
      if (!(d <= atol + rtol * Math.abs(ref.values[i]!))) bad = `index ${i}: ${got![i]} vs ${ref.values[i]}`
    }
    if (bad !== '' && notComparable(key)) continue
    const within = atol === 0 && rtol === 0 ? 'equals' : `within ${atol} + ${rtol} |x| of`
    console.log(`  ${bad === '' ? 'ok  ' : 'FAIL'} [${r.report!.backend}] ${key} ${within} Node cpu's (${ref.values.length} values, max |err| ${maxErr.toExponential(1)})`)
    expect(bad === '', `${run.label}: ${key} differs from Node cpu: ${bad}`)
  }
  const noisy = run.console.filter((l) => !l.includes('synchronously reading data from GPU') && !l.includes('No available adapters'))
  if (noisy.length > 0) console.log(`  console:\n    ${noisy.join('\n    ')}`)
}

console.log(`\nreport.html offline (tiny imle compare run): ${reportResult.ok ? 'ok' : 'FAIL'}: ${reportResult.detail}`)
expect(reportResult.ok, `report.html: ${reportResult.detail}`)

const wasmServed = [...new Set(served.filter((p) => p.startsWith('/wasm/')))]
expect(wasmServed.length > 0, 'no .wasm binary was requested: the wasm backend did not load from /wasm/')
console.log(
  `\nwasm binaries served: ${wasmServed.join(', ') || 'none'}\n` +
    `timings: bundle ${bundleMs} (${(pageJs.length / 1e6).toFixed(2)} MB), node reference ${refMs}, ` +
    `webgpu browser ${withGpuMs}, no-webgpu browser ${withoutGpuMs}, report ${(reportResult.ms / 1000).toFixed(1)} s, total ${since(t0)}`,
)
if (notVerifiable.length > 0) {
  console.log(
    `\nNOT VERIFIED on webgpu here (this Chromium's WebGPU adapter cannot read a GPU buffer back synchronously, ` +
      `so tfjs-webgpu's dataSync returns zeros and loses the device; these checks must pass where it can):\n  ${notVerifiable.join('\n  ')}`,
  )
}
if (failures.length > 0) {
  console.error(`\nbrowser test: ${failures.length} FAILED\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log('browser test: all checks passed')
process.exit(0)
