/**
 * Sampling throughput in the browser: `random.uniform`, `random.normal`, `random.gumbel` and
 * Sum-of-Gamma noise's table sampler under `vmap` over keys, on webgpu (the WGSL programs of
 * `src/core/random/webgpu/`) and on wasm (the TypedArray fill loops), in headless Chromium
 * (`/usr/bin/chromium` with `--enable-unsafe-webgpu`, driven by playwright-core; nothing is
 * downloaded). Two figures per case, in values per second: "generate", the time until a one-value
 * slice of the result is read back (the queue runs in order, so the whole draw is done), and
 * "generate + read", until all values are read back with `data()`. Medians of 5 runs after a
 * warm-up (which compiles the WGSL).
 *
 * Then I-MLE training steps (top-k with Gumbel noise, the 12x12 grid with Sum-of-Gamma noise)
 * through `valueAndGradAsync`, ms per step on each backend (webgpu in asynchronous read-back
 * mode, as `init()` chooses it).
 *
 * Run: `npx tsx bench/browser.ts` (bundles `src/`). With SwiftShader (a CPU emulation of a GPU,
 * what this machine's headless Chromium offers) the webgpu figures are for checking that the
 * programs run, not for comparing GPUs; see `docs/browser.md`.
 *
 * @module
 */
import * as esbuild from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CHROMIUM = '/usr/bin/chromium'
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')

/** One measured case, as the page reports it. */
interface Row {
  readonly backend: string
  readonly sampler: string
  readonly values: number
  readonly generateMs: number
  readonly readMs: number
}

// The page: `?backend=webgpu|wasm`; leaves its rows (or an error) in `window.__bench`.
const PAGE = `
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import * as lib from './src/index.ts'

const REPS = 5
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

async function main() {
  const backend = new URLSearchParams(location.search).get('backend')
  setWasmPaths('/wasm/')
  await lib.init({ backend }) // webgpu: asynchronous read-back (lib.readMode())
  const { vmap, random, noise } = lib
  const sog = noise.sumOfGamma({ k: 5, nbIterations: 10 })
  const samplers = {
    uniform: (k, n) => random.uniform(k, [n]),
    normal: (k, n) => random.normal(k, [n]),
    gumbel: (k, n) => random.gumbel(k, [n]),
    'sumOfGamma table': (k, n) => sog.sample(k, [n]),
  }
  const rows = []
  for (const [count, n] of [[64, 4096], [64, 65536]]) {
    const keys = random.split(random.key(0), count)
    for (const [name, f] of Object.entries(samplers)) {
      const draw = () => vmap((k) => f(k, n))(keys) // [count, n]
      const timeOnce = async (readAll) => {
        const t0 = performance.now()
        const x = draw()
        if (readAll) await x.data()
        else {
          const one = tf.slice(x, [0, 0], [1, 1])
          await one.data()
          one.dispose()
        }
        const ms = performance.now() - t0
        x.dispose()
        return ms
      }
      await timeOnce(true)
      const gen = []
      const all = []
      for (let r = 0; r < REPS; r++) gen.push(await timeOnce(false))
      for (let r = 0; r < REPS; r++) all.push(await timeOnce(true))
      rows.push({ backend: tf.getBackend(), sampler: name, values: count * n, generateMs: median(gen), readMs: median(all) })
    }
    keys.dispose()
  }
  // I-MLE training steps through valueAndGradAsync (forward + backward, the gradient read back).
  const { imle, solvers, target, ops, valueAndGradAsync } = lib
  const workloads = [
    ['top-k B=100 n=400 k=10, Gumbel, S=1', 100, [400], solvers.topK(10), noise.gumbel()],
    ['grid 8-nbhd B=70 12x12, SoG(k=15.6, s=100), S=1', 70, [12, 12], solvers.gridShortestPath({ neighbourhood: 8 }), noise.sumOfGamma({ k: 15.6, nbIterations: 100 })],
  ]
  const steps = []
  for (const [name, B, shape, solver, law] of workloads) {
    const layer = vmap(imle(solver, law, target.standard({ beta: 10 })))
    const w = tf.randomNormal([B, ...shape])
    const theta = tf.randomNormal([B, ...shape])
    const base = random.key(3)
    const vg = valueAndGradAsync((th, i) => ops.sum(ops.mul(layer(th, random.split(random.foldIn(base, i), B)), w)))
    const one = async (i) => {
      const t0 = performance.now()
      const [v, g] = await vg(theta, i)
      await g.data()
      const ms = performance.now() - t0
      tf.dispose([v, g])
      return ms
    }
    for (let i = 0; i < 3; i++) await one(i)
    const ts = []
    for (let i = 3; i < 13; i++) ts.push(await one(i))
    steps.push({ backend: tf.getBackend(), readMode: lib.readMode(), workload: name, ms: median(ts) })
    tf.dispose([w, theta, base])
  }
  return { rows, steps }
}
main().then(({ rows, steps }) => { window.__bench = { rows, steps } }, (e) => { window.__bench = { error: String(e && e.stack || e) } })
`

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no chromium at ${CHROMIUM}`)
    return
  }
  const bundle = await esbuild.build({
    stdin: { contents: PAGE, resolveDir: root, loader: 'ts', sourcefile: 'bench-page.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  })
  const pageJs = bundle.outputFiles[0]!.text
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const wasm = /^\/wasm\/(tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm)$/.exec(path)
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>')
    else if (path === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(pageJs)
    else if (wasm) res.writeHead(200, { 'content-type': 'application/wasm' }).end(readFileSync(join(wasmDir, wasm[1]!)))
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  const rows: Row[] = []
  const steps: { backend: string; readMode: string; workload: string; ms: number }[] = []
  let adapter = '?'
  try {
    for (const backend of ['webgpu', 'wasm']) {
      const page = await browser.newPage()
      await page.goto(`${origin}/?backend=${backend}`)
      await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench !== undefined, undefined, { timeout: 300_000, polling: 100 })
      const result = (await page.evaluate(() => (window as unknown as { __bench: unknown }).__bench)) as { rows?: Row[]; steps?: typeof steps; error?: string }
      if (backend === 'webgpu') {
        adapter = await page.evaluate(async () => {
          const a = (await (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor: string; architecture: string } } | null> } }).gpu?.requestAdapter()) ?? null
          return a === null ? 'none' : `${a.info?.vendor ?? '?'} / ${a.info?.architecture ?? '?'}`
        })
      }
      await page.close()
      if (result.error !== undefined) console.error(`${backend}: ${result.error}`)
      else {
        rows.push(...result.rows!)
        steps.push(...result.steps!)
      }
    }
  } finally {
    await browser.close()
    server.close()
  }
  const mps = (values: number, ms: number) => ((values / ms) * 1e-3).toFixed(1).padStart(8)
  console.log(`headless Chromium, WebGPU adapter: ${adapter}\n`)
  console.log('| backend | sampler          |    values | generate (M values/s) | generate + read (M values/s) |')
  console.log('|---------|------------------|-----------|-----------------------|------------------------------|')
  for (const r of rows) {
    console.log(`| ${r.backend.padEnd(7)} | ${r.sampler.padEnd(16)} | ${String(r.values).padStart(9)} | ${mps(r.values, r.generateMs).padStart(21)} | ${mps(r.values, r.readMs).padStart(28)} |`)
  }
  console.log('\nI-MLE training steps (valueAndGradAsync, forward + backward, gradient read back; median of 10 after 3 warm-up):\n')
  console.log('| backend | read-back | workload | ms per step |')
  console.log('|---|---|---|---|')
  for (const r of steps) console.log(`| ${r.backend} | ${r.readMode} | ${r.workload} | ${r.ms.toFixed(1)} |`)
}

await main()
