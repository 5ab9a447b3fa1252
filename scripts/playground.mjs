// The playground: `node scripts/playground.mjs` bundles playground/main.ts for the browser with
// esbuild (the library from src/), writes a static site (index.html, playground.js and
// tfjs-backend-wasm's binaries under wasm/) to out/playground/, and serves it at
// http://127.0.0.1:8080/ (`--port N`). `--build DIR` writes the static site to DIR and exits
// (the packed package carries one in docs/playground/). Any static file server can serve it;
// WebGPU needs a secure context (localhost or https).
import * as esbuild from 'esbuild'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

/** Writes the static playground to `dir`; returns `dir`. */
export async function buildPlayground(dir) {
  mkdirSync(join(dir, 'wasm'), { recursive: true })
  await esbuild.build({
    entryPoints: [join(root, 'playground/main.ts')],
    outfile: join(dir, 'playground.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
    legalComments: 'none',
  })
  cpSync(join(root, 'playground/index.html'), join(dir, 'index.html'))
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    if (existsSync(join(wasmDir, f))) cpSync(join(wasmDir, f), join(dir, 'wasm', f))
  }
  writeFileSync(join(dir, 'README.txt'), 'The imle playground, a static site: serve this folder (for example `npx http-server`) and open index.html.\n')
  return dir
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.txt': 'text/plain' }

/** Serves `dir` on 127.0.0.1:`port` (0: any free port); resolves to the server. */
export function serve(dir, port) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const file = resolve(dir, normalize(`.${path === '/' ? '/index.html' : path}`))
    if (!file.startsWith(resolve(dir)) || !existsSync(file)) {
      res.writeHead(path === '/favicon.ico' ? 204 : 404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    res.end(readFileSync(file))
  })
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = option('--build')
  const dir = await buildPlayground(resolve(target ?? join(root, 'out/playground')))
  if (target !== undefined) {
    console.log(`playground written to ${dir}`)
  } else {
    const server = await serve(dir, Number(option('--port') ?? 8080))
    console.log(`imle playground: http://127.0.0.1:${server.address().port}/  (Ctrl-C stops it)`)
  }
}
