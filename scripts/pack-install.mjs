// The pack-and-install test, as a user would: pack the package (scripts/pack.mjs), install the
// tarball with a backend and the current TypeScript into a fresh folder, and check that
// - `npm install` prints no warning;
// - a plain `.mjs` consumer imports it, calls init() and computes an I-MLE gradient;
// - a strict `.ts` consumer type-checks with the TypeScript npm installs today, with the
//   compiler options the README documents, and runs after compilation.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const fail = (msg) => {
  console.error(`pack-install: ${msg}`)
  process.exit(1)
}

const tarball = run(process.execPath, [join(root, 'scripts', 'pack.mjs')], root).trim().split('\n').pop()
const dir = mkdtempSync(join(tmpdir(), 'imle-consumer-'))
const pkg = JSON.parse(run(process.execPath, ['-p', "JSON.stringify(require('./package.json'))"], root))
const tfVersion = pkg.peerDependencies['@tensorflow/tfjs-core']
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2))

let install
try {
  install = execFileSync(npm, ['install', '--no-audit', '--no-fund', tarball, `@tensorflow/tfjs-backend-wasm@${tfVersion}`, 'typescript@latest'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
} catch (e) {
  fail(`npm install failed:\n${e.stdout}\n${e.stderr}`)
}
const warnings = install.split('\n').filter((l) => /\bwarn/i.test(l))
if (warnings.length > 0) fail(`npm install warned:\n  ${warnings.join('\n  ')}`)

const consumer = `
import * as tf from '@tensorflow/tfjs-core'
import { BackendError, grad, imle, init, noise, ops, random, solvers, target } from 'imle'
// webgpu is an optional peer dependency this consumer did not install: a clear error names it.
const missing = await init({ backend: 'webgpu' }).then(() => null, (e) => e)
if (!(missing instanceof BackendError) || !missing.message.includes('npm install @tensorflow/tfjs-backend-webgpu@')) throw new Error('no clear error for a missing backend: ' + missing)
await init({ backend: 'wasm' })
const layer = imle(solvers.topK(2), noise.gumbel(), target.standard({ beta: 10 }), { nbSamples: 3 })
const w = tf.tensor2d([[1, -1, 0, 0], [0, 0, 1, -1], [1, 1, -1, -1]])
const g = grad((th) => ops.sum(ops.mul(layer(th, random.key(0)), w)))(tf.tensor1d([0.5, 0.1, -0.2, 0.3]))
if (g.shape.length !== 1 || g.shape[0] !== 4 || !Array.from(g.dataSync()).every(Number.isFinite)) throw new Error('bad gradient')
console.log('ok', Array.from(g.dataSync()).join(','))
`
writeFileSync(join(dir, 'consumer.mjs'), consumer)
const mjs = run(process.execPath, ['consumer.mjs'], dir)
if (!mjs.startsWith('ok')) fail(`the .mjs consumer printed: ${mjs}`)

writeFileSync(join(dir, 'consumer.ts'), consumer.replace('(th) =>', '(th: tf.Tensor) =>'))
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, outDir: 'build' },
    files: ['consumer.ts'],
  }),
)
try {
  run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir)
} catch (e) {
  fail(`the strict .ts consumer does not type-check:\n${e.stdout}\n${e.stderr}`)
}
const ts = run(process.execPath, [join('build', 'consumer.js')], dir)
if (!ts.startsWith('ok')) fail(`the compiled .ts consumer printed: ${ts}`)
const tsVersion = run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--version'], dir).trim()
console.log(`pack-install: ${tarball.split('/').pop()} installs with no warning; .mjs and strict .ts (${tsVersion}) consumers compute an I-MLE gradient`)
