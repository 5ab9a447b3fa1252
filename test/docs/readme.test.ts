/**
 * The ```ts blocks of README.md, docs/imle.md, docs/vmap.md, docs/estimators.md and docs/solvers.md are correct programs: each, with `from 'imle'`
 * pointed at `src/index.ts`, type-checks with the TypeScript compiler API under the options of
 * tsconfig.json and runs to exit code 0 in a child process (`node --import tsx`). A fragment
 * (a block that uses names it does not define) gets a commented preamble defining exactly
 * those names, and a test proves that they are exactly the names the fragment leaves
 * undefined. A block not listed below is checked as a complete program.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import ts from 'typescript'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const t = suite('readme')

const root = fileURLToPath(new URL('../..', import.meta.url))
const index = join(root, 'src', 'index.ts')
const DOCS = ['README.md', 'docs/imle.md', 'docs/vmap.md', 'docs/estimators.md', 'docs/solvers.md'] as const
const RUN_TIMEOUT_MS = 60_000

/** A ```ts block: the document, the heading it sits under, its first line (1-based), its lines. */
interface Block {
  readonly id: string
  readonly doc: string
  readonly line: number
  readonly lines: readonly string[]
}

/** What the test adds to a block: a preamble for a fragment, a line to print a result. */
interface Extra {
  readonly preamble?: string
  readonly epilogue?: string
}

const README_EXAMPLE = 'README.md › In one example'
const CONTRACT = 'docs/imle.md › The contract'
const SHAPE_TAG = 'readme.test: g.shape ='

const EXTRAS: Readonly<Record<string, Extra>> = {
  [README_EXAMPLE]: {
    epilogue: `console.log(${JSON.stringify(SHAPE_TAG)}, JSON.stringify(g.shape))`,
  },
  [CONTRACT]: {
    // The contract uses theta, key, thetas, B, keys and w without defining them.
    preamble: [
      '// ---- test preamble (not in the doc): the names the contract fragment uses but does not',
      '// ---- define, with n = 400, B = 8 and S = 5 (its nbSamples)',
      'const B = 8',
      'const key = random.key(0)                              // [2]',
      'const theta = random.normal(random.key(1), [400])      // [n]',
      'const thetas = random.normal(random.key(2), [B, 400])  // [B, n]',
      'const keys = random.split(random.key(3), B)            // [B, 2]',
      'const w = random.normal(random.key(4), [B, 5, 400])    // [B, S, n]',
      '// ---- end of test preamble',
    ].join('\n'),
  },
}

/** The ```ts blocks of `doc`, each named by the heading above it. */
function extractBlocks(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n')
  const blocks: Block[] = []
  let heading = '(top)'
  let fence: { lang: string; start: number; body: string[] } | null = null
  lines.forEach((text, i) => {
    if (fence === null) {
      const open = /^```(\S*)\s*$/.exec(text)
      const h = /^#{1,6}\s+(.*\S)\s*$/.exec(text)
      if (open !== null) fence = { lang: open[1] ?? '', start: i + 2, body: [] }
      else if (h !== null) heading = h[1] ?? heading
    } else if (/^```\s*$/.test(text)) {
      if (fence.lang === 'ts' || fence.lang === 'typescript') {
        blocks.push({ id: `${doc} › ${heading}`, doc, line: fence.start, lines: fence.body })
      }
      fence = null
    } else {
      fence.body.push(text)
    }
  })
  return blocks
}

/** A generated file: its text and, per line, where that line came from (for messages). */
interface Generated {
  readonly file: string
  readonly text: string
  readonly origins: readonly string[]
}

/**
 * The block as a program: its leading imports and `await init(...)`, then the preamble, then
 * the rest, then the epilogue; `from 'imle'` becomes the absolute path of `src/index.ts`.
 */
function generate(dir: string, name: string, block: Block, extra: Extra): Generated {
  const out: string[] = []
  const origins: string[] = []
  const push = (text: string, origin: string): void => {
    for (const l of text.split('\n')) {
      out.push(l)
      origins.push(origin)
    }
  }
  const isHeader = (l: string): boolean => /^\s*(import\s|await init\(|\/\/|$)/.test(l)
  let i = 0
  for (; i < block.lines.length && isHeader(block.lines[i]!); i++) {
    push(block.lines[i]!.replace(/from\s+(['"])imle\1/g, `from ${JSON.stringify(index)}`), `${block.doc}:${block.line + i}`)
  }
  if (extra.preamble !== undefined) push(extra.preamble, 'test preamble')
  for (; i < block.lines.length; i++) push(block.lines[i]!, `${block.doc}:${block.line + i}`)
  if (extra.epilogue !== undefined) push(extra.epilogue, 'test epilogue')
  const file = join(dir, `${name}.ts`)
  const text = out.join('\n') + '\n'
  writeFileSync(file, text)
  return { file, text, origins }
}

/** Compiler options of tsconfig.json, plus what importing `src/index.ts` by path needs. */
function compilerOptions(): ts.CompilerOptions {
  const { config, error } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root)
  return { ...options, noEmit: true, allowImportingTsExtensions: true, declaration: false, sourceMap: false }
}

/** One line per diagnostic: where it is in the doc, the code, the message, the source line. */
function describe(d: ts.Diagnostic, g: Generated): string {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n      ')
  if (d.file === undefined || d.start === undefined) return `TS${d.code}: ${msg}`
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
  const src = g.text.split('\n')[line] ?? ''
  return `${g.origins[line] ?? '?'} col ${character + 1}: TS${d.code}: ${msg}\n      > ${src.trim()}`
}

/** Runs `file` with `node --import tsx`; resolves with its exit code, signal and output. */
function runFile(file: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: RUN_TIMEOUT_MS })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

const blocks = DOCS.flatMap(extractBlocks)
let dir = ''
let program: ts.Program
const generated = new Map<string, Generated>()
let bareContract: Generated | undefined

t.before(() => {
  mkdirSync(join(root, 'tmp'), { recursive: true })
  dir = mkdtempSync(join(root, 'tmp', 'readme-test-'))
  blocks.forEach((b, i) => generated.set(b.id, generate(dir, `block${i}`, b, EXTRAS[b.id] ?? {})))
  const contract = blocks.find((b) => b.id === CONTRACT)
  if (contract !== undefined) bareContract = generate(dir, 'contract-bare', contract, {})
  const files = [...generated.values(), ...(bareContract !== undefined ? [bareContract] : [])].map((g) => g.file)
  program = ts.createProgram(files, compilerOptions())
})

t.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

const diagnosticsOf = (g: Generated): readonly ts.Diagnostic[] => {
  const sf = program.getSourceFile(g.file)
  assert.ok(sf !== undefined, `${g.file} is not in the program`)
  return [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
}

t('the blocks given a preamble or an epilogue are found under their headings', () => {
  const ids = blocks.map((b) => b.id)
  for (const id of Object.keys(EXTRAS)) assert.ok(ids.includes(id), `no \`\`\`ts block "${id}"; found: ${ids.join(', ')}`)
  for (const b of blocks) assert.ok(b.lines.some((l) => /from\s+['"]imle['"]/.test(l)), `${b.id} does not import from 'imle'`)
})

for (const block of blocks) {
  t(`${block.id}: type-checks`, () => {
    const g = generated.get(block.id)!
    const diags = diagnosticsOf(g)
    if (diags.length > 0) {
      assert.unreachable(`${block.id} (${g.file}) does not type-check:\n    ${diags.map((d) => describe(d, g)).join('\n    ')}`)
    }
  })

  t(`${block.id}: runs to exit code 0`, async () => {
    const g = generated.get(block.id)!
    const r = await runFile(g.file)
    if (r.code !== 0) {
      // The last lines of stderr, each cut short (a crash under wasm echoes a minified line).
      const tail = r.stderr.split('\n').slice(-40).map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l))
      assert.unreachable(`${block.id} (${g.file}) exited with code ${r.code}, signal ${r.signal} (timeout ${RUN_TIMEOUT_MS} ms):\n${tail.join('\n')}`)
    }
    if (block.id === README_EXAMPLE) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(SHAPE_TAG))
      assert.ok(line !== undefined, `${block.id} printed no shape; stdout:\n${r.stdout}`)
      assert.equal(JSON.parse(line.slice(SHAPE_TAG.length)), [32, 400], `${block.id}: the gradient's shape`)
    }
  })
}

t(`${CONTRACT}: the preamble defines exactly the names the fragment leaves undefined`, () => {
  const bare = bareContract
  assert.ok(bare !== undefined, `no \`\`\`ts block "${CONTRACT}"`)
  const defined = [...EXTRAS[CONTRACT]!.preamble!.matchAll(/^const (\w+)/gm)].map((m) => m[1]!).sort()
  const diags = diagnosticsOf(bare)
  const other = diags.filter((d) => d.code !== 2304 && d.code !== 2552)
  if (other.length > 0) {
    assert.unreachable(`the bare fragment has errors besides undefined names:\n    ${other.map((d) => describe(d, bare)).join('\n    ')}`)
  }
  const undefinedNames = [...new Set(diags.map((d) => /Cannot find name '(\w+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '))?.[1] ?? '?'))].sort()
  assert.equal(defined, undefinedNames, 'the preamble defines other names than the fragment leaves undefined')
})

t.run()
