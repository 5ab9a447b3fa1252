/**
 * Generates the API reference `docs/api.md` from the TSDoc of every public export of `imle`
 * (the walk of `scripts/public-exports.ts` over the facade `src/index.ts`).
 *
 *     npx tsx scripts/api-docs.ts           # writes docs/api.md
 *     npx tsx scripts/api-docs.ts --check   # exits 1 when docs/api.md is out of date
 *
 * The page is a pure function of the sources: sections in the facade's order (top-level
 * exports, errors, then each namespace), entries in export order. `test/docs/api_docs.test.ts`
 * regenerates it in memory and compares it with the file.
 */
import ts from 'typescript'
import { readFileSync, writeFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadFacade, publicExports, type PublicExport } from './public-exports.js'

/** The command that regenerates the page, as the page and the test name it. */
export const command = 'npx tsx scripts/api-docs.ts'

/** The absolute path of the generated page. */
export const apiDocsPath = fileURLToPath(new URL('../docs/api.md', import.meta.url))

const root = fileURLToPath(new URL('..', import.meta.url))
const errorsFile = 'src/core/errors.ts'
/** Interface and type declarations of at least this many lines show their first line only. */
const maxDeclarationLines = 25
/**
 * Namespaces whose entries are short: a one-line signature inline above the description (no
 * kind/source line, no fence), and no "Example" label.
 */
const compactNamespaces = new Set(['ops'])

/** A path relative to the repository root, with `/` separators. */
const repoPath = (file: string): string => relative(root, file).split(sep).join('/')

// ---------------------------------------------------------------------------------------------
// TSDoc

interface Doc {
  readonly description: string
  readonly examples: readonly string[]
}

/**
 * The body of an `@example`: its code, without the ```ts fence the source wraps it in (or the
 * single backticks of a one-line example written inline).
 */
export function exampleCode(text: string): string {
  const trimmed = text.replace(/^\s*\n/, '').trimEnd()
  const fenced = /^```[\w-]*[ \t]*\n([\s\S]*?)\n?```$/.exec(trimmed)
  if (fenced) return fenced[1]!.trimEnd()
  const inline = /^`([^`\n]+)`$/.exec(trimmed.trim())
  return inline ? inline[1]!.trim() : trimmed
}

/** The TSDoc of a symbol; a const and a type under one name (an io-ts codec) get a paragraph each. */
function symbolDoc(symbol: ts.Symbol, checker: ts.TypeChecker): Doc {
  const examples = symbol
    .getJsDocTags(checker)
    .filter((tag) => tag.name === 'example')
    .map((tag) => exampleCode(ts.displayPartsToString(tag.text)))
  const decls = symbol.declarations ?? []
  if (decls.length > 1 && !decls.every((d) => d.kind === decls[0]!.kind)) {
    const paragraphs = decls.flatMap((d) =>
      ts
        .getJSDocCommentsAndTags(d)
        .filter(ts.isJSDoc)
        .map((jsdoc) => (ts.getTextOfJSDocComment(jsdoc.comment) ?? '').trim())
        .filter((text) => text.length > 0),
    )
    return { description: paragraphs.join('\n\n'), examples }
  }
  return { description: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(), examples }
}

/** The `@module`/`@packageDocumentation` comment at the top of a file, parsed by hand. */
export function moduleDoc(file: ts.SourceFile): Doc | null {
  for (const range of ts.getLeadingCommentRanges(file.text, 0) ?? []) {
    const raw = file.text.slice(range.pos, range.end)
    if (!raw.startsWith('/**') || !/@(module|packageDocumentation)\b/.test(raw)) continue
    const lines = raw
      .slice(3, -2)
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
    const description: string[] = []
    const examples: string[][] = []
    let current: string[] | null = description
    for (const line of lines) {
      const tag = /^@(\w+)\s?(.*)$/.exec(line)
      if (tag) {
        current = tag[1] === 'example' ? [] : null
        if (current !== null) {
          examples.push(current)
          if (tag[2]!.trim().length > 0) current.push(tag[2]!)
        }
      } else if (current !== null) current.push(line)
    }
    return {
      description: description.join('\n').trim(),
      examples: examples.map((ex) => exampleCode(ex.join('\n'))),
    }
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Kinds and signatures

type Kind = 'function' | 'class' | 'interface' | 'type' | 'const' | 'const + type' | 'namespace'

function kindOf(e: PublicExport): Kind {
  if (e.isNamespace) return 'namespace'
  const f = e.symbol.flags
  if (f & ts.SymbolFlags.Function) return 'function'
  if (f & ts.SymbolFlags.Class) return 'class'
  if (f & ts.SymbolFlags.Variable) return f & ts.SymbolFlags.Type ? 'const + type' : 'const'
  if (f & ts.SymbolFlags.Interface) return 'interface'
  return 'type'
}

/** The source text of `node` from `from` (default: its start, after its TSDoc) to `to`. */
function text(node: ts.Node, to = node.end, from = node.getStart()): string {
  return node.getSourceFile().text.slice(from, to).trim()
}

/** Drops the `export`/`default`/`declare` modifiers that open a declaration's text. */
const unexported = (s: string): string => s.replace(/^(?:(?:export|default|declare)\s+)+/, '')

/** A declaration's text, or its first line when it has `maxDeclarationLines` lines or more. */
function shortDeclaration(decl: ts.Node): string {
  const lines = unexported(text(decl)).split('\n')
  if (lines.length < maxDeclarationLines) return lines.join('\n')
  const first = lines[0]!.replace(/\s*\{\s*$/, '')
  return `${first} { /* ${lines.length - 2} more lines: see the source */ }`
}

/** A function declaration's text without its body. */
const functionHead = (d: ts.FunctionDeclaration): string => unexported(text(d, d.body ? d.body.getStart() : d.end))

/** A class: its heading and its non-private members, bodies stripped. */
function classOutline(d: ts.ClassDeclaration): string {
  const heading = unexported(text(d, d.members.pos)).replace(/\s*\{$/, '')
  const members = d.members
    .filter((m) => {
      const flags = ts.getCombinedModifierFlags(m as ts.Declaration)
      return !(flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !(m.name && ts.isPrivateIdentifier(m.name))
    })
    .map((m) => {
      const body = (m as { body?: ts.Node }).body
      return `  ${text(m, body ? body.getStart() : m.end)}`
    })
  return members.length === 0 ? `${heading} {}` : `${heading} {\n${members.join('\n')}\n}`
}

/** Drops `import("/abs/path")` qualifiers, which would make the page depend on the checkout. */
const noImportTypes = (s: string): string => s.replace(/import\("[^"]*"\)\./g, '')

/** The longest type string the page shows; longer ones end in `...`. */
const MAX_TYPE = 240

/**
 * A const's type via the checker. A function type is written as its one signature (so that a
 * module-private alias such as `Unary` is spelled out); anything else as the checker writes it.
 * The checker's own truncation counts the `import("/abs/path")` qualifiers it later loses, so
 * the page would depend on where the checkout lives: the type is written whole, stripped, and
 * then cut at `MAX_TYPE` characters.
 */
function constType(symbol: ts.Symbol, decl: ts.VariableDeclaration, checker: ts.TypeChecker): string {
  const type = checker.getTypeOfSymbolAtLocation(symbol, decl)
  const signatures = type.getCallSignatures()
  const isPlainFunction = signatures.length === 1 && type.getProperties().length === 0
  const flags = (isPlainFunction ? ts.TypeFormatFlags.InTypeAlias : ts.TypeFormatFlags.None) | ts.TypeFormatFlags.NoTruncation
  const whole = noImportTypes(checker.typeToString(type, decl, flags))
  return whole.length > MAX_TYPE ? `${whole.slice(0, MAX_TYPE)}...` : whole
}

function signature(e: PublicExport, kind: Kind, checker: ts.TypeChecker): string {
  const decls = e.symbol.declarations ?? []
  switch (kind) {
    case 'function': {
      const fns = decls.filter(ts.isFunctionDeclaration)
      const overloads = fns.length > 1 ? fns.filter((d) => d.body === undefined) : fns
      return overloads.map(functionHead).join('\n')
    }
    case 'class':
      return classOutline(decls.find(ts.isClassDeclaration)!)
    case 'interface':
      return shortDeclaration(decls.find(ts.isInterfaceDeclaration)!)
    case 'type':
      return shortDeclaration(decls.find(ts.isTypeAliasDeclaration)!)
    case 'const':
    case 'const + type': {
      const v = decls.find(ts.isVariableDeclaration)!
      const line = `const ${e.symbol.getName()}: ${constType(e.symbol, v, checker)}`
      const alias = decls.find(ts.isTypeAliasDeclaration)
      return alias ? `${line}\n${shortDeclaration(alias)}` : line
    }
    case 'namespace':
      return ''
  }
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, `-n` on repeats. */
function slugger(): (heading: string) => string {
  const seen = new Map<string, number>()
  return (heading) => {
    const base = heading
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    return n === 0 ? base : `${base}-${n}`
  }
}

const fence = (code: string): string => `\`\`\`ts\n${code}\n\`\`\``

interface Entry {
  readonly e: PublicExport
  readonly anchor: string
}

interface Section {
  readonly heading: string
  readonly anchor: string
  readonly intro: Doc | null
  readonly entries: Entry[]
  readonly compact: boolean
}

/** The API reference page, as a string. */
export function renderApiDocs(): string {
  const { checker, source } = loadFacade()
  const all = publicExports(checker, source).filter(
    (e) => e.declaration === undefined || !e.declaration.getSourceFile().fileName.includes('node_modules'),
  )
  const slug = slugger()
  slug('API reference') // the page's own headings take their anchors first, as on GitHub
  slug('Contents')
  const fileOf = (e: PublicExport): string => (e.declaration ? repoPath(e.declaration.getSourceFile().fileName) : '')

  // Sections: top level, errors, then one per namespace in the facade's order.
  const sections: Section[] = []
  const section = (heading: string, intro: Doc | null, members: PublicExport[], compact = false): void => {
    const anchor = slug(heading)
    sections.push({ heading, anchor, intro, compact, entries: members.map((e) => ({ e, anchor: slug(`\`${e.name}\``) })) })
  }
  const topLevel = all.filter((e) => e.namespace === null && !e.isNamespace)
  section('Top level', null, topLevel.filter((e) => fileOf(e) !== errorsFile))
  const errors = topLevel.filter((e) => fileOf(e) === errorsFile)
  const errorsSource = errors[0]?.declaration?.getSourceFile()
  section('Errors', errorsSource ? moduleDoc(errorsSource) : null, errors)
  for (const ns of all.filter((e) => e.isNamespace && e.duplicateOf === null)) {
    const members = all.filter((e) => e.namespace === ns.name)
    section(`\`${ns.name}\``, moduleDoc(ns.declaration as ts.SourceFile), members, compactNamespaces.has(ns.name))
  }
  const anchorOf = new Map(sections.flatMap((s) => s.entries.map((en) => [en.e.name, en.anchor] as const)))

  const out: string[] = []
  out.push('# API reference', '')
  out.push(
    `> Generated by \`${command}\` from the TSDoc of the public exports of \`src/index.ts\`.`,
    '> Do not edit by hand: edit the TSDoc in `src/` and run the command again',
    '> (`test/docs/api_docs.test.ts` fails while this page is out of date).',
    '',
  )
  const facadeDoc = moduleDoc(source)
  if (facadeDoc && facadeDoc.description.length > 0) out.push(facadeDoc.description, '')
  const count = sections.reduce((n, s) => n + s.entries.filter((en) => en.e.duplicateOf === null).length, 0)
  out.push(`${count} exports. In signatures, \`tf\` is \`import * as tf from '@tensorflow/tfjs-core'\`.`, '')

  out.push('## Contents', '')
  for (const s of sections) {
    const links = s.entries.map(({ e, anchor }) => {
      const short = e.namespace === null ? e.name : e.name.slice(e.namespace.length + 1)
      return `[\`${short}\`](#${anchor})`
    })
    out.push(`- [${s.heading}](#${s.anchor}) (${s.entries.length}): ${links.join(', ')}`)
  }
  out.push('')

  for (const s of sections) {
    out.push(`## ${s.heading}`, '')
    if (s.intro) {
      if (s.intro.description.length > 0) out.push(s.intro.description, '')
      for (const ex of s.intro.examples) out.push(fence(ex), '')
    }
    for (const { e } of s.entries) {
      out.push(`### \`${e.name}\``, '')
      const kind = kindOf(e)
      const file = fileOf(e)
      if (e.duplicateOf !== null) {
        out.push(`*${kind}* · the same as [\`${e.duplicateOf}\`](#${anchorOf.get(e.duplicateOf) ?? ''}).`, '')
        continue
      }
      const sig = signature(e, kind, checker)
      const doc = symbolDoc(e.symbol, checker)
      if (s.compact && !sig.includes('\n')) {
        // One paragraph: the one-line signature (it names the kind), a hard break, the description.
        out.push(doc.description.length > 0 ? `\`${sig}\` \\\n${doc.description}` : `\`${sig}\``, '')
      } else {
        if (!s.compact) out.push(`*${kind}* · [${file}](../${file})`, '')
        out.push(fence(sig), '')
        if (doc.description.length > 0) out.push(doc.description, '')
      }
      for (const ex of doc.examples) {
        if (!s.compact) out.push('Example:', '')
        out.push(fence(ex), '')
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`
}

// ---------------------------------------------------------------------------------------------
// Command line

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  const started = performance.now()
  const page = renderApiDocs()
  const ms = Math.round(performance.now() - started)
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(apiDocsPath, 'utf8')
    } catch {
      // A missing page is out of date.
    }
    if (current !== page) {
      console.error(`${repoPath(apiDocsPath)} is out of date: run \`${command}\``)
      process.exit(1)
    }
    console.log(`${repoPath(apiDocsPath)} is up to date (${ms} ms)`)
  } else {
    writeFileSync(apiDocsPath, page)
    console.log(`wrote ${repoPath(apiDocsPath)}: ${page.split('\n').length - 1} lines, ${page.length} chars (${ms} ms)`)
  }
}
