/**
 * The report's heavy optional packages (`vega`, `vega-lite`, `@resvg/resvg-js`), imported on
 * first use only, so that the core library and browser bundles never load them. A failed
 * import is a typed error that names the package and the command that installs it.
 *
 * @module
 */
import { BackendError, describeThrown } from '../../core/errors.js'

/**
 * An optional package that a function needs could not be imported. Its `_tag` is
 * `'BackendError'` (the library's tag for "a named implementation could not be loaded");
 * `packageName` names the package.
 *
 * @example
 * ```ts
 * try {
 *   await report.lineChart(rows, { x: 'step', y: 'value' })
 * } catch (e) {
 *   if (e instanceof report.MissingPackageError) console.error(`npm install ${e.packageName}`)
 * }
 * ```
 */
export class MissingPackageError extends BackendError {
  constructor(
    readonly fn: string,
    readonly packageName: string,
    cause: unknown,
  ) {
    super(
      `${fn}: the optional package '${packageName}' could not be loaded (${describeThrown(cause)}); ` +
        `install it with \`npm install ${packageName}\``,
      { cause },
    )
  }
}

/** `vega`'s module type. */
export type Vega = typeof import('vega')
/** `vega-lite`'s module type. */
export type VegaLite = typeof import('vega-lite')
/** `@resvg/resvg-js`'s module type. */
export type Resvg = typeof import('@resvg/resvg-js')

/** Imports `vega` and `vega-lite` for `fn`. */
export async function loadVega(fn: string): Promise<{ vega: Vega; vl: VegaLite }> {
  let vega: Vega
  let vl: VegaLite
  try {
    vega = await import('vega')
  } catch (e) {
    throw new MissingPackageError(fn, 'vega', e)
  }
  try {
    vl = await import('vega-lite')
  } catch (e) {
    throw new MissingPackageError(fn, 'vega-lite', e)
  }
  return { vega, vl }
}

/** Imports `@resvg/resvg-js` for `fn`. */
export async function loadResvg(fn: string): Promise<Resvg> {
  try {
    return await import('@resvg/resvg-js')
  } catch (e) {
    throw new MissingPackageError(fn, '@resvg/resvg-js', e)
  }
}
