// Compiles the WebAssembly SIMD noise kernels from their AssemblyScript source,
// `src/core/random/native/noise.as`, into `src/core/random/native/noise.wasm` (and, with `--dist`,
// also `dist/core/random/native/noise.wasm`, next to the compiled loader). The source is the
// truth: the .wasm is a build output, ignored by git, rebuilt by `npm run prepare` and
// `npm run build`. Without it the samplers run their JavaScript loops (same bits, slower).
//
// The source's extension is `.as` so that the project's TypeScript compiler does not type-check
// AssemblyScript; `asc` is handed the file under the name `noise.ts` through its `readFile` hook.
import asc from 'assemblyscript/asc'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const srcDir = join(root, 'src/core/random/native')
const source = readFileSync(join(srcDir, 'noise.as'), 'utf8')

let binary = null
const result = await asc.main(
  [
    'noise.ts',
    '--outFile', 'noise.wasm',
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--converge',
    '--noAssert',
    '--runtime', 'stub',
    '--enable', 'simd',
    '--use', 'abort=',
    '--baseDir', srcDir,
  ],
  {
    readFile: (filename, baseDir) => {
      if (filename === 'noise.ts' && baseDir === srcDir) return source
      try {
        return readFileSync(join(baseDir, filename), 'utf8')
      } catch {
        return null
      }
    },
    writeFile: (filename, contents) => {
      if (filename === 'noise.wasm') binary = contents
    },
    listFiles: () => [],
  },
)
if (result.error !== null && result.error !== undefined) {
  console.error(result.stderr.toString())
  throw new Error(`build-noise-wasm: asc failed: ${result.error.message}`)
}
if (!(binary instanceof Uint8Array)) throw new Error('build-noise-wasm: asc wrote no noise.wasm')
const outDirs = [srcDir]
if (process.argv.includes('--dist')) outDirs.push(join(root, 'dist/core/random/native'))
for (const dir of outDirs) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'noise.wasm'), binary)
}
console.log(`build-noise-wasm: ${binary.length} bytes`)
