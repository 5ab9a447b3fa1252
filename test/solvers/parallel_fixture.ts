/**
 * User-defined solvers for parallel.test.ts, rebuilt in worker threads from their origin
 * (this module's URL): `flaky()` throws a plain `Error` (no library class) naming the
 * instance whose first entry is 13; `exiting()` ends its thread when an instance's first
 * entry is 42. Both are otherwise one-hot argmax solvers.
 */
import { define, type Solver } from '../../src/solvers/solver.js'

const argmax = (theta: Float32Array, out: Float32Array, count: number, n: number, onRow: (r: number) => void): void => {
  for (let r = 0; r < count; r++) {
    onRow(r)
    let best = 0
    for (let i = 1; i < n; i++) if (theta[r * n + i]! > theta[r * n + best]!) best = i
    out[r * n + best] = 1
  }
}

/** Throws `Error('flaky: thirteen at instance r')` for an instance whose first entry is 13. */
export const flaky = (): Solver<'flaky'> =>
  define({
    name: 'flaky',
    instanceRank: 1,
    kernel: (theta, out, count, [n]) =>
      argmax(theta, out, count, n!, (r) => {
        if (theta[r * n!] === 13) throw new Error(`flaky: thirteen at instance ${r}`)
      }),
    origin: { module: import.meta.url, export: 'flaky', args: [] },
  }) as Solver<'flaky'>

/** Calls `process.exit(3)` for an instance whose first entry is 42 (in a worker: ends the thread). */
export const exiting = (): Solver<'exiting'> =>
  define({
    name: 'exiting',
    instanceRank: 1,
    kernel: (theta, out, count, [n]) =>
      argmax(theta, out, count, n!, (r) => {
        if (theta[r * n!] === 42) process.exit(3)
      }),
    origin: { module: import.meta.url, export: 'exiting', args: [] },
  }) as Solver<'exiting'>
