/**
 * Every public export has TSDoc: values (functions, constants, classes) with an `@example`,
 * types and interfaces with a description. Checked with the TypeScript compiler API over the
 * facade `src/index.ts`, following namespace re-exports (`ops`, `random`, `noise`, ...).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import ts from 'typescript'
import { fileURLToPath } from 'node:url'

const t = suite('docs')

const index = fileURLToPath(new URL('../src/index.ts', import.meta.url))

t('every public export has TSDoc, and every value export an @example', () => {
  const program = ts.createProgram([index], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(index)!
  const missing: string[] = []
  const seen = new Set<ts.Symbol>()
  const visit = (moduleSymbol: ts.Symbol, prefix: string): void => {
    for (const exp of checker.getExportsOfModule(moduleSymbol)) {
      const name = `${prefix}${exp.getName()}`
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp
      if (seen.has(sym)) continue
      seen.add(sym)
      const decl = sym.declarations?.[0]
      if (decl === undefined) continue
      if (ts.isSourceFile(decl)) {
        visit(sym, `${name}.`) // a namespace re-export: `export * as ops from ...`
        continue
      }
      if (decl.getSourceFile().fileName.includes('node_modules')) continue
      const docs = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim()
      const isValue = (sym.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Class)) !== 0
      const hasExample = sym.getJsDocTags(checker).some((tag) => tag.name === 'example')
      if (docs.length === 0 && !hasExample) missing.push(`${name}: no TSDoc`)
      else if (isValue && !hasExample) missing.push(`${name}: no @example`)
    }
  }
  visit(checker.getSymbolAtLocation(source)!, '')
  assert.ok(seen.size > 100, `only ${seen.size} exports seen: the walk is broken`)
  assert.equal(missing, [], `undocumented exports:\n  ${missing.join('\n  ')}`)
})

t.run()
