/**
 * The walk over every public export of `imle`: the facade `src/index.ts`, read with the
 * TypeScript compiler API, following namespace re-exports (`export * as ops from ...`) into
 * their members. Shared by `test/docs/tsdoc.test.ts` (every export has TSDoc) and
 * `scripts/api-docs.ts` (the API reference `docs/api.md`).
 */
import ts from 'typescript'
import { fileURLToPath } from 'node:url'

/** The absolute path of the facade `src/index.ts`. */
export const facadePath = fileURLToPath(new URL('../src/index.ts', import.meta.url))

/** A program over the facade, its checker, and the facade's source file. */
export interface Facade {
  readonly program: ts.Program
  readonly checker: ts.TypeChecker
  readonly source: ts.SourceFile
}

/** Builds a program rooted at the facade (no emit, no ambient `@types`). */
export function loadFacade(): Facade {
  const program = ts.createProgram([facadePath], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  })
  const source = program.getSourceFile(facadePath)
  if (source === undefined) throw new Error(`public-exports: cannot read the facade ${facadePath}`)
  return { program, checker: program.getTypeChecker(), source }
}

/** One public export, as the walk meets it. */
export interface PublicExport {
  /** The qualified name: `vmap`, `ops`, `ops.neg`. */
  readonly name: string
  /** The enclosing namespace's qualified name (`ops`), or `null` at the top level. */
  readonly namespace: string | null
  /** The exported symbol with aliases followed: the declaration's own symbol. */
  readonly symbol: ts.Symbol
  /** Its first declaration; a `SourceFile` for a namespace, `undefined` when it has none. */
  readonly declaration: ts.Declaration | undefined
  /** Whether it is a namespace re-export (`export * as ops from ...`), whose members follow it. */
  readonly isNamespace: boolean
  /** The qualified name under which this same symbol was met first, if it was (`random.Key`). */
  readonly duplicateOf: string | null
}

/**
 * Every public export in a stable order: the facade's order, each namespace followed by its
 * members in the order that namespace's file exports them (the position of the `export`
 * statement or exported declaration). A symbol exported twice appears twice, the second time
 * with `duplicateOf` naming the first.
 */
export function publicExports(checker: ts.TypeChecker, facade: ts.SourceFile): PublicExport[] {
  const out: PublicExport[] = []
  const firstName = new Map<ts.Symbol, string>()
  const visit = (moduleSymbol: ts.Symbol, namespace: string | null): void => {
    for (const exp of inSourceOrder(checker.getExportsOfModule(moduleSymbol), moduleSymbol)) {
      const name = namespace === null ? exp.getName() : `${namespace}.${exp.getName()}`
      const symbol = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp
      const declaration = symbol.declarations?.[0]
      const isNamespace = declaration !== undefined && ts.isSourceFile(declaration)
      const duplicateOf = firstName.get(symbol) ?? null
      out.push({ name, namespace, symbol, declaration, isNamespace, duplicateOf })
      if (duplicateOf !== null) continue
      firstName.set(symbol, name)
      if (isNamespace) visit(symbol, name)
    }
  }
  const facadeSymbol = checker.getSymbolAtLocation(facade)
  if (facadeSymbol === undefined) throw new Error('public-exports: the facade is not a module')
  visit(facadeSymbol, null)
  return out
}

/**
 * Exports sorted by where their module's file exports them. The checker lists a module's own
 * function declarations before its other exports (the binder hoists them); a reader expects the
 * file's order. Exports declared elsewhere (`export * from`) keep the checker's order, last.
 */
function inSourceOrder(exports: readonly ts.Symbol[], moduleSymbol: ts.Symbol): ts.Symbol[] {
  const file = moduleSymbol.declarations?.find(ts.isSourceFile)
  const position = (exp: ts.Symbol): number => {
    const starts = (exp.declarations ?? []).filter((d) => d.getSourceFile() === file).map((d) => d.getStart())
    return starts.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...starts)
  }
  return exports
    .map((exp, i) => ({ exp, i, at: position(exp) }))
    .sort((a, b) => (a.at === b.at ? a.i - b.i : a.at < b.at ? -1 : 1))
    .map(({ exp }) => exp)
}
