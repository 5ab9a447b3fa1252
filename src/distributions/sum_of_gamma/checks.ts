/**
 * The argument check shared by every function of the Sum-of-Gamma modules that takes the
 * parameters `(k, s)`. Internal to `src/distributions/sum_of_gamma/`.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'

/**
 * Checks the Sum-of-Gamma parameters on behalf of the function named `fn`: `k` a finite number
 * `> 0` and `s = nbIterations` an integer `>= 1`; throws an `ArgumentError` naming `fn`
 * otherwise. For the sibling modules only (not re-exported by `index.ts`).
 */
export function checkKS(fn: string, k: number, s: number): void {
  if (!(typeof k === 'number' && Number.isFinite(k) && k > 0)) {
    throw new ArgumentError(`${fn}(k, s): k must be a finite number > 0 but got ${String(k)}`)
  }
  if (!(Number.isInteger(s) && s >= 1)) {
    throw new ArgumentError(
      `${fn}(k, s): s (nbIterations) must be an integer >= 1 but got ${String(s)}`,
    )
  }
}
