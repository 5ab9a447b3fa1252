/**
 * The solver protocol and `define`, the one way to make a MAP solver: a TypedArray kernel
 * that solves `count` instances stored row-major becomes a record that is callable on one
 * instance, has a `batched` entry point, and runs one kernel call for every instance of every
 * `vmap` level (a host kernel, see `defineKernel`). The built-in solvers are written with it,
 * exactly as a user's would be.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError, describe as show, describeThrown, ImleError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import { defineKernel } from '../core/kernel.js'
import * as ops from '../core/ops.js'

/**
 * A MAP solver: `solver(theta)` returns `argmax_z <theta, z>` over its feasible set (the
 * sense is always `'max'`; minimise by negating `theta`), as a float32 tensor. It is a record
 * of pure functions: callable on one instance, vmappable (`vmap(solver)(thetas)` is one kernel
 * call for the whole batch, nested `vmap` levels included), with a `batched` entry point, and
 * with what losses need: the objective `<theta, z>` and the sense.
 *
 * Shapes, `s` the per-instance shape (rank `instanceRank`), `o` the output shape (usually `s`):
 * `([...s]) -> [...o]`, and `batched: ([N, ...s]) -> [N, ...o]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers } from 'imle'
 * const solver: solvers.Solver<'topK'> = solvers.topK(2)
 * solver(tf.tensor1d([0.1, 0.9, 0.5]))                    // [3]: [0, 1, 1]
 * solver.batched(tf.tensor2d([[3, 2, 1], [1, 2, 3]]))     // [2, 3]: [[1, 1, 0], [0, 1, 1]]
 * solver.objective(tf.tensor1d([0.1, 0.9, 0.5]), solver(tf.tensor1d([0.1, 0.9, 0.5])))   // []: 1.4
 * ```
 */
export interface Solver<Name extends string = string> {
  /** Solves one instance: `theta [...s] -> float32 [...o]`. */
  (theta: tf.Tensor): tf.Tensor
  /** The solver's name (also its kernel's name in `kernelCalls`). */
  readonly _tag: Name
  /** The rank of one instance's `theta` (1 for `topK`, 2 for `gridShortestPath`). */
  readonly instanceRank: number
  /** The solver maximises `<theta, z>`. */
  readonly sense: 'max'
  /** Solves `N` instances in one kernel call: `theta [N, ...s] -> float32 [N, ...o]`. */
  readonly batched: (theta: tf.Tensor) => tf.Tensor
  /** The objective `<theta, z>` of each instance: `([...lead, ...s], [...lead, ...s]) -> [...lead]`. */
  readonly objective: (theta: tf.Tensor, z: tf.Tensor) => tf.Tensor
  /** Runs the solver's asynchronous load step, if it has one (a WebAssembly module). */
  readonly load: () => Promise<void>
  /** How to rebuild this solver in another thread (see `SolverOrigin`); absent if it cannot be. */
  readonly origin?: SolverOrigin
}

/**
 * How to rebuild a solver in another thread, where a closure cannot be sent:
 * `(await import(module))[export](...args)` must return an equal solver. `solvers.parallel`
 * needs it; a solver module sets it with its own URL, e.g. in `topK(k)`:
 * `origin: { module: import.meta.url, export: 'topK', args: [k] }`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const origin: solvers.SolverOrigin | undefined = solvers.topK(3).origin
 * origin?.export   // 'topK'; origin.args: [3]
 * ```
 */
export interface SolverOrigin {
  /** The URL of the ES module that exports the factory (its `import.meta.url`). */
  readonly module: string
  /** The name the factory is exported under. */
  readonly export: string
  /** The factory's arguments: structured-cloneable data (numbers, strings, arrays, plain objects). */
  readonly args: readonly unknown[]
}

/** What `define` needs to make a solver. */
export interface SolverDefinition {
  /** The name: the record's `_tag`, the prefix of its messages, its key in `kernelCalls`. */
  readonly name: string
  /** The rank of one instance's `theta`. */
  readonly instanceRank: number
  /** Names of the instance axes for messages (`['n']`, `['h', 'w']`). Default `d0, d1, ...`. */
  readonly axes?: readonly string[]
  /** The per-instance output shape for a per-instance input shape. Default: the same shape. */
  readonly outputShape?: (shape: readonly number[]) => readonly number[]
  /**
   * Solves the `count` instances of shape `shape` stored row-major in `theta` into `out`
   * (row-major, zeroed, `count` rows of the output shape). Throws an `ArgumentError` for data
   * it cannot solve (NaN), naming the instance as `instance <r>` (counted from 0 in this call;
   * `solvers.parallel` renumbers it in the whole batch). Pure TypedArray code: with an
   * `origin`, it also runs in worker threads.
   */
  readonly kernel: (theta: Float32Array, out: Float32Array, count: number, shape: readonly number[]) => void
  /**
   * Checks a per-instance shape before any data is read, throwing an `ArgumentError` for a
   * shape the solver cannot take; `fn` names the call (`topK(theta)`, `topK.batched(theta)`).
   */
  readonly check?: (shape: readonly number[], fn: string) => void
  /** An asynchronous set-up step that must resolve before the solver runs. */
  readonly load?: () => Promise<void>
  /**
   * For a solver that keeps its own load state (a module loaded once for every record, a pool
   * of workers that can be closed): throws a typed error naming the fix while the solver cannot
   * run. It is checked on every call before any data is read, and replaces the default gate
   * (that the record's own `load()` has resolved), so a module loaded by another route counts.
   */
  readonly ready?: () => void
  /** How to rebuild the solver in another thread; copied onto the record (see `SolverOrigin`). */
  readonly origin?: SolverOrigin
}

const DEFINITION = Symbol.for('imle.solvers.definition')

/**
 * The definition a solver record was made from by `define` (`undefined` for anything else):
 * what a worker thread runs after rebuilding the record from its `origin`.
 */
export const definitionOf = (solver: unknown): SolverDefinition | undefined =>
  typeof solver === 'function' ? ((solver as unknown as Record<symbol, SolverDefinition | undefined>)[DEFINITION] ?? undefined) : undefined

const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`

/**
 * Checks that `theta` is a float32 or int32 tensor of rank `rank` (`shapeDoc` names the
 * expected shape in the message); `fn` names the caller, e.g. `topK.batched(theta)`.
 */
export function checkTheta(fn: string, theta: unknown, rank: number, shapeDoc: string): asserts theta is tf.Tensor {
  if (!(theta instanceof tf.Tensor)) {
    throw new ArgumentError(`${fn}: theta must be a tf.Tensor of shape ${shapeDoc} but got ${describe(theta)}`)
  }
  if (theta.rank !== rank) {
    throw new ArgumentError(
      `${fn}: theta must have rank ${rank}, shape ${shapeDoc}, but got shape ${fmtShape(theta.shape)}` +
        (theta.rank === rank + 1 && !fn.includes('.batched') ? '; for a batch of instances use vmap(solver) or solver.batched' : ''),
    )
  }
  if (theta.dtype !== 'float32' && theta.dtype !== 'int32') {
    throw new ArgumentError(`${fn}: theta must have dtype float32 or int32 but got ${theta.dtype}`)
  }
}

/**
 * Makes a MAP solver record from a TypedArray kernel (see `SolverDefinition`); `extra` fields
 * (the solver's options) are added to the record. The record checks `theta`'s rank and dtype
 * and the definition's `check`, then runs the kernel once for all instances.
 *
 * Shapes: `([...s]) -> [...o]`; `batched: ([N, ...s]) -> [N, ...o]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * // argmax over the last axis, as a one-hot vector (ties to the lower index).
 * const oneHotArgmax = solvers.define({
 *   name: 'oneHotArgmax',
 *   instanceRank: 1,
 *   axes: ['n'],
 *   kernel: (theta, out, count, [n]) => {
 *     for (let r = 0; r < count; r++) {
 *       let best = 0
 *       for (let i = 1; i < n!; i++) if (theta[r * n! + i]! > theta[r * n! + best]!) best = i
 *       out[r * n! + best] = 1
 *     }
 *   },
 * })
 * oneHotArgmax(tf.tensor1d([0.2, 0.7, 0.1]))            // [0, 1, 0]
 * vmap(oneHotArgmax)(tf.randomNormal([32, 5]))          // [32, 5], one kernel call
 * ```
 */
export function define<Extra extends object = Record<never, never>>(definition: SolverDefinition, extra?: Extra): Solver & Extra {
  checkDefinition(definition)
  const { name, instanceRank, kernel, load, ready, origin } = definition
  const userCheck = definition.check
  // The definition's check, with a raw error from it reported as an ArgumentError naming the call.
  const check =
    userCheck === undefined
      ? undefined
      : (shape: readonly number[], fn: string): void => {
          try {
            userCheck(shape, fn)
          } catch (e) {
            if (e instanceof ImleError) throw e
            throw new ArgumentError(`${fn}: the solver's check refused the instance shape ${fmtShape(shape)}: ${describeThrown(e)}`, { cause: e })
          }
        }
  const outputShape = definition.outputShape ?? ((s: readonly number[]) => s)
  const axes = definition.axes ?? Array.from({ length: instanceRank }, (_, i) => `d${i}`)
  const shapeDoc = `[${axes.join(', ')}]`
  const batchDoc = `[N${axes.map((a) => `, ${a}`).join('')}]`
  const host = defineKernel<void>({
    name,
    operands: [{ name: 'theta', rank: instanceRank }],
    outputs: ([s]) => [{ shape: outputShape(s!), dtype: 'float32' }],
    host: ({ inputs: [theta], shapes: [s], count, outputs: [out] }) =>
      kernel(theta as Float32Array, out as Float32Array, count, s!),
    ...(load === undefined || ready !== undefined ? {} : { load }),
  })
  const axesOf = (lead: number): number[] => Array.from({ length: instanceRank }, (_, i) => lead + i)
  const solve = (theta: tf.Tensor): tf.Tensor => {
    checkTheta(`${name}(theta)`, theta, instanceRank, shapeDoc)
    check?.(theta.shape, `${name}(theta)`)
    ready?.()
    return host([theta], undefined)[0]! // [...o]
  }
  const batched = (theta: tf.Tensor): tf.Tensor => {
    checkTheta(`${name}.batched(theta)`, theta, instanceRank + 1, batchDoc)
    check?.(theta.shape.slice(1), `${name}.batched(theta)`)
    ready?.()
    return host([theta], undefined)[0]! // [N, ...o]
  }
  const objective = (theta: tf.Tensor, z: tf.Tensor): tf.Tensor => ops.sum(ops.mul(theta, z), axesOf(theta.rank - instanceRank)) // [...lead]
  const loadOnce = ready === undefined || load === undefined ? host.load : load
  Object.defineProperty(solve, 'name', { value: name })
  Object.defineProperty(solve, DEFINITION, { value: definition })
  return Object.freeze(
    Object.assign(solve, {
      ...(extra ?? {}),
      _tag: name,
      instanceRank,
      sense: 'max' as const,
      batched,
      objective,
      load: loadOnce,
      ...(origin === undefined ? {} : { origin }),
    }),
  ) as unknown as Solver & Extra
}

/** Throws an `ArgumentError` naming the field unless `d` is a well-formed `SolverDefinition`. */
function checkDefinition(d: unknown): asserts d is SolverDefinition {
  const bad = (field: string, expected: string, got: unknown): ArgumentError =>
    new ArgumentError(`solvers.define(${field}): expected ${expected} but got ${show(got)}`)
  if (typeof d !== 'object' || d === null) throw bad('definition', 'a solver definition { name, instanceRank, kernel, ... }', d)
  const { name, instanceRank, axes, outputShape, kernel, check, load, ready, origin } = d as Record<string, unknown>
  if (typeof name !== 'string' || name.length === 0) throw bad('definition.name', 'a non-empty string', name)
  if (typeof instanceRank !== 'number' || !Number.isInteger(instanceRank) || instanceRank < 0) {
    throw bad('definition.instanceRank', 'a non-negative integer (the rank of one instance of theta)', instanceRank)
  }
  if (typeof kernel !== 'function') throw bad('definition.kernel', 'a function (theta, out, count, shape) => void', kernel)
  if (axes !== undefined && (!Array.isArray(axes) || axes.length !== instanceRank || !axes.every((a) => typeof a === 'string'))) {
    throw new ArgumentError(
      `solvers.define(definition.axes): expected an array of ${instanceRank} axis names (one per instance axis, instanceRank ${instanceRank}) ` +
        `but got ${show(axes)}${Array.isArray(axes) ? ` of length ${axes.length}` : ''}`,
    )
  }
  for (const [field, v] of [['outputShape', outputShape], ['check', check], ['load', load], ['ready', ready]] as const) {
    if (v !== undefined && typeof v !== 'function') throw bad(`definition.${field}`, 'a function or undefined', v)
  }
  if (origin !== undefined) {
    const o = origin as Record<string, unknown> | null
    if (typeof o !== 'object' || o === null || typeof o['module'] !== 'string' || typeof o['export'] !== 'string' || !Array.isArray(o['args'])) {
      throw bad('definition.origin', '{ module: string, export: string, args: unknown[] } or undefined', origin)
    }
  }
}

/**
 * Whether `x` is a solver record (made by `define`), as opposed to a plain function.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers } from 'imle'
 * solvers.isSolver(solvers.topK(3))            // true
 * solvers.isSolver((x: tf.Tensor) => x)        // false
 * ```
 */
export const isSolver = (x: unknown): x is Solver =>
  typeof x === 'function' && typeof (x as Partial<Solver>).batched === 'function' && typeof (x as Partial<Solver>).instanceRank === 'number'
