/**
 * `solvers.parallel(solver, options)`: the same solver, with each batch's instances spread over
 * Node worker threads (`pool.ts`), still synchronous, so it runs wherever the solver does.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOptionsOrThrow, PositiveInt, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { define, definitionOf, isSolver, type Solver } from '../solver.js'
import { makePool, type PoolStatus } from './pool.js'

export type { PoolStatus } from './pool.js'

/**
 * The codec of `parallel`'s options: `workers`, the number of worker threads (required). The
 * calling thread solves a share of each batch too, so `workers: c - 1` uses `c` cores.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.ParallelConfig.is({ workers: 3 })   // true
 * ```
 */
export const ParallelConfig = t.type({ workers: PositiveInt })
/** The decoded options of `parallel`. */
export type ParallelConfig = t.TypeOf<typeof ParallelConfig>
/** The options of `parallel`, as a caller writes them: `{ workers: number }` (required). */
export type ParallelOptions = OptionsOf<typeof ParallelConfig, 'workers'>

/**
 * A solver whose batches run on a pool of worker threads (see `parallel`): a solver record
 * named `parallel(<inner name>)`, plus the pool's life cycle.
 */
export interface Parallel<Name extends string = string> extends Solver<`parallel(${Name})`> {
  /** The solver run in the workers. */
  readonly inner: Solver<Name>
  /** The number of worker threads. */
  readonly workers: number
  /** Where the pool is: `'idle'` until `load()`, `'starting'`, `'ready'`, `'closed'` after `close()`. */
  readonly status: () => PoolStatus
  /** Stops the workers; later calls are `ArgumentError`s. Safe to call more than once. */
  readonly close: () => Promise<void>
}

/**
 * Runs `solver` on a pool of Node worker threads: each batch (`batched`, a `vmap`, the
 * `nbSamples` perturbations inside `imle`) is split into `workers + 1` contiguous chunks of
 * instances; the calling thread solves the first and the workers the others, reading `theta`
 * from and writing their outputs into shared memory, while the calling thread blocks on
 * `Atomics.wait`. So a call stays synchronous, as it must inside tfjs's gradient code, and
 * returns exactly what `solver` returns on the same batch (each worker runs the same kernel on
 * its instances). Node only (worker threads, `SharedArrayBuffer`).
 *
 * Workers rebuild the solver from its `origin` (set by every built-in solver; a solver of your
 * own sets `origin` in its `define` call), and start with `await record.load()`, which also
 * loads the solver's own module in each worker (HiGHS for `milp`). They are `unref`'d, so an
 * open pool never keeps the process alive; `close()` stops them. A batch of one instance, or a
 * pool of one instance per call, is solved on the calling thread alone.
 *
 * The record is made with `define`, named `parallel(<name>)` (`parallel(topK)`), so
 * `kernelCalls['parallel(topK)']` counts its calls (one per call, one per `vmap` pass as for any
 * solver); the inner solver's own count does not move. An error in a worker comes back as the
 * same class with the same message, the instance it names counted in the whole batch; the
 * first failing chunk's error is thrown, as the sequential solver throws its first.
 *
 * Worth it when one instance costs well above the pool's overhead per call (tens of
 * microseconds plus copying theta): `milp`, large grids; not for a cheap `topK`.
 *
 * Shapes: those of `solver`. Throws a `ConfigError` for bad options, an `ArgumentError` for a
 * solver without an origin, before `load()` and after `close()`; `load()` rejects with a
 * `BackendError` when a worker cannot rebuild the solver.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * await solvers.loadMilp()
 * const assign = solvers.milp({ A: [], b: [], Aeq: [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]], beq: [1, 1, 1, 1] })
 * const fast = solvers.parallel(assign, { workers: 3 })
 * await fast.load()                                        // starts 3 threads
 * vmap(fast)(tf.randomNormal([64, 4]))                     // [64, 4], the same as vmap(assign)
 * await fast.close()
 * ```
 */
export function parallel<Name extends string>(solver: Solver<Name>, options: ParallelOptions): Parallel<Name> {
  if (!isSolver(solver)) {
    throw new ArgumentError(`parallel(solver): expected a solver record (made by solvers.define) but got ${typeof solver}`)
  }
  const { workers } = decodeOptionsOrThrow('parallel', ParallelConfig, {}, options)
  const definition = definitionOf(solver)
  const origin = solver.origin
  if (definition === undefined || origin === undefined) {
    throw new ArgumentError(
      `parallel(solver): the solver '${solver._tag}' has no origin, so worker threads cannot rebuild it; ` +
        `give its define() call origin: { module: import.meta.url, export: '<its factory>', args: [<the factory's arguments>] }`,
    )
  }
  const name = `parallel(${solver._tag})` as const
  const pool = makePool({ name, definition, origin, workers })
  return define(
    {
      name,
      instanceRank: definition.instanceRank,
      ...(definition.axes === undefined ? {} : { axes: definition.axes }),
      ...(definition.outputShape === undefined ? {} : { outputShape: definition.outputShape }),
      ...(definition.check === undefined ? {} : { check: definition.check }),
      kernel: pool.run,
      load: pool.start,
      ready: () => {
        pool.ready()
        definition.ready?.()
      },
    },
    { inner: solver, workers, status: pool.status, close: pool.close },
  ) as unknown as Parallel<Name>
}
