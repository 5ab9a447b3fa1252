// Builds the package a user installs: `npm run build`, then a staging folder `out/package/`
// with `dist/`, `docs/` (the guides the README names), README, LICENSE and a package.json for consumers (no scripts, no
// devDependencies: the gradients are already bundled in `dist/`), packed with `npm pack` into
// `out/imle-<version>.tgz`; `docs/playground/` is the playground built as a static site. Prints the tarball's path on its last line.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
execFileSync(npm, ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' })

const stage = join(root, 'out', 'package')
rmSync(stage, { recursive: true, force: true })
mkdirSync(stage, { recursive: true })
cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true })
cpSync(join(root, 'docs'), join(stage, 'docs'), { recursive: true })
// The playground as a static site (bundle, page and tfjs-backend-wasm's binaries).
const { buildPlayground } = await import('./playground.mjs')
await buildPlayground(join(stage, 'docs', 'playground'))
cpSync(join(root, 'bin'), join(stage, 'bin'), { recursive: true })
for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(stage, f))

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const { scripts: _scripts, devDependencies: _dev, ...published } = pkg
writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ ...published, files: ['bin', 'dist', 'docs', 'README.md', 'LICENSE'] }, null, 2)}\n`)

const out = execFileSync(npm, ['pack', '--pack-destination', join(root, 'out')], { cwd: stage, encoding: 'utf8' })
console.log(join(root, 'out', out.trim().split('\n').pop()))
