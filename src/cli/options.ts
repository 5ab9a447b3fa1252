/**
 * What every `imle` command shares: the one-line `CliError` with its exit status, option
 * parsers that reject bad values with commander's message, and `withInterrupt` (Ctrl-C aborts a
 * signal instead of killing the process, so a run can stop at a step and be resumed).
 *
 * @module
 */
import { InvalidArgumentError } from 'commander'

/** An error the CLI reports as one line and an exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message)
  }
}

/** An option parser accepting one of `names` (`what` names the kind in the message). */
export const oneOf =
  <T extends string>(names: readonly T[], what: string) =>
  (v: string): T => {
    if (!(names as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected ${what} one of ${names.join(', ')}`)
    return v as T
  }
/** An option parser for an integer of at least 1. */
export const positiveInt = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer')
  return n
}
/** An option parser for a finite number above 0 (`100000`, `1e5`, `0.5`). */
export const positiveNumber = (v: string): number => {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number')
  return n
}
/** An option parser for a comma-separated list of positive integers (`8,8,8`). */
export const positiveInts = (v: string): number[] => v.split(',').map((x) => positiveInt(x.trim()))

/**
 * An option parser for `'all'` or a comma-separated list of `names` (duplicates dropped), naming
 * the first unknown entry and the choices.
 */
export const methodList =
  <T extends string>(names: readonly T[]) =>
  (v: string): T[] => {
    if (v === 'all') return [...names]
    const list = v.split(',').map((x) => x.trim())
    const bad = list.find((n) => !(names as readonly string[]).includes(n))
    if (bad !== undefined) throw new InvalidArgumentError(`expected 'all' or a comma-separated list of methods (${names.join(', ')}) but got '${bad}'`)
    return [...new Set(list)] as T[]
  }

/** Runs `body` with a signal that Ctrl-C (SIGINT) aborts. */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  try {
    return await body(controller.signal)
  } finally {
    process.off('SIGINT', stop)
  }
}

