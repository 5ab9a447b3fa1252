/**
 * HiGHS, the MILP solver behind `milp`, compiled to WebAssembly (the optional peer package
 * `highs`): loaded once per thread by `loadMilp`, asynchronously, after which every solve is
 * synchronous, as a solver inside a gradient pass must be.
 *
 * @module
 */
import { ArgumentError, BackendError } from '../../core/errors.js'

/** The part of the `highs` package's API that `milp` uses (its one-shot LP-text solve). */
export interface Highs {
  solve(
    problem: string,
    options?: Readonly<Record<string, string | number | boolean>>,
  ): { readonly Status: string; readonly ObjectiveValue: number; readonly Columns: Readonly<Record<string, { readonly Primal: number } | undefined>> }
}

/** The package and the command that installs it, for messages. */
export const HIGHS_PACKAGE = 'highs'
const INSTALL = `npm install ${HIGHS_PACKAGE}`

let highs: Highs | undefined
let loading: Promise<void> | undefined

/** Whether `e` says an imported package is not installed (Node's ESM and CJS codes, bundlers' messages). */
const missingPackage = (e: unknown): boolean =>
  e instanceof Error &&
  ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ||
    (e as { code?: string }).code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)/.test(e.message))

/**
 * Loads HiGHS (the `highs` package's WebAssembly module) into this thread, once: later calls
 * return the same promise, and every `milp` record can run once it resolves (each record's
 * `load()` does the same). Rejects with a `BackendError` naming the package and the command
 * that installs it when `highs` is not installed, or with the loader's failure; a failed load
 * can be retried.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers } from 'imle'
 * await solvers.loadMilp()                                           // about 0.1 to 0.2 s, once
 * solvers.milp({ A: [[1, 1, 1]], b: [1] })(tf.tensor1d([1, 3, 2]))   // [0, 1, 0]
 * ```
 */
export function loadMilp(): Promise<void> {
  loading ??= (async () => {
    let mod: { default: (options?: object) => Promise<unknown> }
    try {
      // A specifier in a variable: bundlers leave it alone, so a browser bundle of imle that never
      // calls loadMilp does not pull in HiGHS's Node-only loader (it imports node:module).
      const specifier: string = HIGHS_PACKAGE
      mod = (await import(specifier)) as unknown as typeof mod
    } catch (e) {
      throw missingPackage(e)
        ? new BackendError(
            `loadMilp: milp solves with HiGHS from the optional package '${HIGHS_PACKAGE}', which is not installed; ` +
              `install it next to imle: ${INSTALL}`,
          )
        : new BackendError(`loadMilp: importing the package '${HIGHS_PACKAGE}' failed: ${e instanceof Error ? e.message : String(e)}`)
    }
    try {
      highs = (await mod.default()) as Highs
    } catch (e) {
      throw new BackendError(`loadMilp: HiGHS's WebAssembly module failed to load: ${e instanceof Error ? e.message : String(e)}`)
    }
  })().catch((e: unknown) => {
    loading = undefined
    throw e
  })
  return loading
}

/** HiGHS, or an `ArgumentError` from `fn` saying to load it first. */
export function requireHighs(fn: string): Highs {
  if (highs === undefined) {
    throw new ArgumentError(
      `${fn}: HiGHS (the WebAssembly MILP solver) is not loaded in this thread; \`await solvers.loadMilp()\` ` +
        `(or the record's load()) once before solving`,
    )
  }
  return highs
}
