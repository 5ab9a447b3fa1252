/**
 * Every `@example` of the public API type-checks (STYLE.md habit 8). The examples are those of
 * `docs/api.md`: each public export's `@example` tags and each namespace's module comment
 * (`ops`, `random`, `solvers`), found by the walk of `scripts/public-exports.ts` and cut out of
 * their fences by `scripts/api-docs.ts`.
 *
 * Each example becomes its own ES module (`.mts`, so top-level `await` is allowed), held in
 * memory, and all of them are checked in ONE program under the compiler options of
 * tsconfig.json. A module is:
 *
 *     <the preamble below, less any name the example binds itself>
 *     <the example, with `from 'imle'` pointed at src/index.ts>
 *
 * The preamble lets an example be the fragment a reader wants to see. It imports
 * `* as tf from '@tensorflow/tfjs-core'` and every top-level export of `imle` (`vmap`, `grad`,
 * `ops`, `random`, `tree`, `optim`, `solvers`, `noise`, `target`, `imle`, `init`, the errors,
 * the types), and declares the free variables of `FREE_VARIABLES` below. A name that the
 * example binds at its top level (by its own import, a `const`, a function...) is left out of
 * the preamble, so an example may import what it uses without a duplicate-identifier error, and
 * its own imports are checked: importing a name that `imle` does not export fails.
 *
 * A failure reads `name:line: TSxxxx message > the line`, with the line counted in the example.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import ts from 'typescript'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { facadePath, loadFacade, publicExports } from '../../scripts/public-exports.js'
import { exampleCode, moduleDoc } from '../../scripts/api-docs.js'

const t = suite('examples')

const root = fileURLToPath(new URL('../..', import.meta.url))
/** Where the in-memory modules live (never written: `tmp/` is ignored anyway). */
const dir = join(root, 'tmp', 'examples-test')

/**
 * The free variables an example may use without defining them, with their types. Anything
 * else an example uses it must define (or be a top-level export of `imle`, or `tf`).
 */
const FREE_VARIABLES: readonly string[] = [
  'declare const x: tf.Tensor                        // any tensor, e.g. [n]',
  'declare const y: tf.Tensor                        // another tensor',
  'declare const z: tf.Tensor                        // another tensor',
  'declare const xs: tf.Tensor                       // a batch of x: [B, n]',
  'declare const w: tf.Tensor                        // weights: [n]',
  'declare const theta: tf.Tensor                    // scores of a MAP solver: [n]',
  'declare const thetas: tf.Tensor                   // a batch of scores: [B, n]',
  'declare const key: Key                            // a PRNG key: int32 [2]',
  'declare const keys: tf.Tensor                     // B keys: int32 [B, 2]',
  'declare let params: { w: tf.Tensor; b: tf.Tensor }  // a pytree of parameters',
  'declare const grads: typeof params                // gradients: the structure of params',
  'declare const updates: typeof params              // optimiser updates: the structure of params',
  'declare const loss: (p: typeof params) => tf.Tensor  // a scalar loss of the parameters',
]

/** One example: where it is documented, and its code. */
interface Example {
  readonly name: string
  readonly code: string
}

/** The examples of docs/api.md, in its order: `vmap`, `ops.neg`, `random (module)`, `imle#2`... */
function collectExamples(): Example[] {
  const { checker, source } = loadFacade()
  const out: Example[] = []
  for (const e of publicExports(checker, source)) {
    if (e.duplicateOf !== null || e.declaration === undefined) continue
    if (e.declaration.getSourceFile().fileName.includes('node_modules')) continue
    const codes = e.isNamespace
      ? (moduleDoc(e.declaration as ts.SourceFile)?.examples ?? [])
      : e.symbol
          .getJsDocTags(checker)
          .filter((tag) => tag.name === 'example')
          .map((tag) => exampleCode(ts.displayPartsToString(tag.text)))
    const name = e.isNamespace ? `${e.name} (module)` : e.name
    codes.forEach((code, i) => out.push({ name: codes.length > 1 ? `${name}#${i + 1}` : name, code }))
  }
  return out
}

/** The top-level exports of the facade, all of which the preamble imports. */
function facadeNames(): string[] {
  const { checker, source } = loadFacade()
  return publicExports(checker, source)
    .filter((e) => e.namespace === null)
    .map((e) => e.name)
}

/** The names `code` binds at its top level: imports, variables (destructured too), declarations. */
function boundNames(code: string): Set<string> {
  const sf = ts.createSourceFile('example.mts', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS)
  const names = new Set<string>()
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) names.add(n.text)
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name)
  }
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && s.importClause !== undefined) {
      const { name, namedBindings } = s.importClause
      if (name !== undefined) names.add(name.text)
      if (namedBindings !== undefined && ts.isNamespaceImport(namedBindings)) names.add(namedBindings.name.text)
      else if (namedBindings !== undefined) for (const el of namedBindings.elements) names.add(el.name.text)
    } else if (ts.isImportEqualsDeclaration(s)) names.add(s.name.text)
    else if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name)
    else if (
      (ts.isFunctionDeclaration(s) ||
        ts.isClassDeclaration(s) ||
        ts.isInterfaceDeclaration(s) ||
        ts.isTypeAliasDeclaration(s) ||
        ts.isEnumDeclaration(s) ||
        ts.isModuleDeclaration(s)) &&
      s.name !== undefined &&
      ts.isIdentifier(s.name)
    ) {
      names.add(s.name.text)
    }
  }
  return names
}

/** A generated module: its path, its text, and how many lines the preamble takes. */
interface Module {
  readonly example: Example
  readonly file: string
  readonly text: string
  readonly preambleLines: number
}

/** The preamble (less the names the example binds), then the example pointed at src/index.ts. */
function toModule(example: Example, index: number, exported: readonly string[]): Module {
  const bound = boundNames(example.code)
  const imports = exported.filter((n) => !bound.has(n))
  const preamble = [
    '// ---- examples.test preamble ----',
    ...(bound.has('tf') ? [] : [`import * as tf from '@tensorflow/tfjs-core'`]),
    ...(imports.length > 0 ? [`import { ${imports.join(', ')} } from ${JSON.stringify(facadePath)}`] : []),
    ...FREE_VARIABLES.filter((d) => !bound.has(/^declare (?:const|let) (\w+)/.exec(d)![1]!)),
    '// ---- the example ----',
  ]
  const body = example.code.replace(/(\bfrom\s+)(['"])imle\2/g, (_m, from: string) => `${from}${JSON.stringify(facadePath)}`)
  const slug = example.name.replace(/[^\w.#-]+/g, '_').replace(/#/g, '-')
  const file = join(dir, `${String(index).padStart(3, '0')}-${slug}.mts`)
  return { example, file, text: `${preamble.join('\n')}\n${body}\n`, preambleLines: preamble.length }
}

/** Compiler options of tsconfig.json, plus what importing `src/index.ts` by path needs. */
function compilerOptions(): ts.CompilerOptions {
  const { config, error } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root)
  return { ...options, noEmit: true, allowImportingTsExtensions: true, declaration: false, sourceMap: false }
}

/** One program over in-memory modules (the rest of the files come from disk). */
function createProgram(modules: readonly Module[]): ts.Program {
  const options = compilerOptions()
  const texts = new Map(modules.map((m) => [m.file, m.text]))
  const host = ts.createCompilerHost(options, true)
  const { getSourceFile, fileExists, readFile } = host
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = texts.get(fileName)
    if (text === undefined) return getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate)
    return ts.createSourceFile(fileName, text, languageVersion, true)
  }
  host.fileExists = (fileName) => texts.has(fileName) || fileExists.call(host, fileName)
  host.readFile = (fileName) => texts.get(fileName) ?? readFile.call(host, fileName)
  return ts.createProgram({ rootNames: [...texts.keys()], options, host })
}

/** The errors of one module, each as `name:line: TSxxxx message > the line`. */
function errorsOf(program: ts.Program, m: Module): string[] {
  const sf = program.getSourceFile(m.file)
  if (sf === undefined) return [`${m.example.name}: not in the program (${m.file})`]
  const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
  const lines = m.text.split('\n')
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ')
    if (d.start === undefined) return `${m.example.name}: TS${d.code} ${message}`
    const { line } = sf.getLineAndCharacterOfPosition(d.start)
    const where = line < m.preambleLines ? '(preamble)' : `${line - m.preambleLines + 1}`
    return `${m.example.name}:${where}: TS${d.code} ${message}\n      > ${(lines[line] ?? '').trim()}`
  })
}

/**
 * A control that must fail: an example calling an op `ops` does not have. It is checked in
 * the same program, proving that the harness reports errors at all.
 */
const CONTROL: Example = { name: '(control)', code: 'ops.noSuchOp(x)' }

const started = performance.now()
const exported = facadeNames()
const examples = collectExamples()
const modules = [...examples, CONTROL].map((e, i) => toModule(e, i, exported))
const program = createProgram(modules)
const control = modules[modules.length - 1]!

t('the walk finds the examples, and the preamble names real exports', () => {
  assert.ok(examples.length > 100, `only ${examples.length} examples found: the walk is broken`)
  for (const n of ['tree', 'ops', 'vmap', 'grad', 'valueAndGrad', 'customVjp', 'callback', 'imle', 'init', 'random', 'optim', 'solvers', 'noise', 'target', 'ImleError']) {
    assert.ok(exported.includes(n), `the facade does not export ${n}`)
  }
  assert.equal(program.getOptionsDiagnostics(), [], 'the compiler options are invalid')
})

t('the harness reports an error: a control example using a missing op fails', () => {
  const errors = errorsOf(program, control)
  assert.equal(errors.length, 1, `the control gave ${errors.length} errors:\n  ${errors.join('\n  ')}`)
  assert.match(errors[0]!, /^\(control\):1: TS2339 Property 'noSuchOp' does not exist/)
})

t('every @example of the public API type-checks', () => {
  const errors = modules.filter((m) => m !== control).flatMap((m) => errorsOf(program, m))
  const ms = Math.round(performance.now() - started)
  if (errors.length > 0) assert.unreachable(`${errors.length} errors in ${examples.length} examples (${ms} ms):\n  ${errors.join('\n  ')}`)
})

t.run()
