/**
 * Every public export has TSDoc: values (functions, constants, classes) with an `@example`,
 * types and interfaces with a description. Checked with the TypeScript compiler API over the
 * facade `src/index.ts`, following namespace re-exports (`ops`, `random`, `noise`, ...); the
 * walk is `scripts/public-exports.ts`, shared with the API reference generator.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import ts from 'typescript'
import { loadFacade, publicExports } from '../../scripts/public-exports.js'

const t = suite('docs')

t('every public export has TSDoc, and every value export an @example', () => {
  const { checker, source } = loadFacade()
  const missing: string[] = []
  const seen = publicExports(checker, source).filter((e) => e.duplicateOf === null)
  for (const { name, symbol: sym, declaration: decl, isNamespace } of seen) {
    if (decl === undefined || isNamespace) continue
    if (decl.getSourceFile().fileName.includes('node_modules')) continue
    const docs = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim()
    const isValue = (sym.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Class)) !== 0
    const hasExample = sym.getJsDocTags(checker).some((tag) => tag.name === 'example')
    if (docs.length === 0 && !hasExample) missing.push(`${name}: no TSDoc`)
    else if (isValue && !hasExample) missing.push(`${name}: no @example`)
  }
  assert.ok(seen.length > 100, `only ${seen.length} exports seen: the walk is broken`)
  assert.equal(missing, [], `undocumented exports:\n  ${missing.join('\n  ')}`)
})

t.run()
