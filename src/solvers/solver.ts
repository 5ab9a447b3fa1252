/**
 * What the MAP solver records share: their type, the batching interpreter's primitive that
 * runs a TypedArray kernel once over any number of instances, input checks, and a kernel call
 * counter for tests and benchmarks.
 *
 * A solver op is a core `Primitive` whose implementation accepts `theta` of shape
 * `[...lead, ...s]` (`s` the per-instance shape, `lead` any number of batch axes), flattens
 * `lead` into `N`, runs the kernel once on all `N` instances and reshapes back. Its batch rule
 * moves the batch axis of its `vmap` level to the front and calls the same op, so lower levels
 * recurse and every level of a nested `vmap` ends in that single kernel call; outside `vmap`
 * the op is the implementation itself, with no overhead.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { isLeft } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { moveAxis } from '../core/batch_rules.js'
import { unknownKeys } from '../core/codecs.js'
import { ArgumentError, ConfigError } from '../core/errors.js'
import { bind, type Primitive } from '../core/tracer.js'

/** The tags of the MAP solvers. */
export type SolverTag = 'topK' | 'gridShortestPath'

/**
 * A MAP solver: `solver(theta)` returns `argmax_z <theta, z>` over its feasible set, as a
 * float32 0/1 tensor of the shape of `theta`. It is a record of pure functions: callable on
 * one instance, vmappable (`vmap(solver)(thetas)` is one kernel call for the whole batch, nested
 * `vmap` levels included), and with a `batched` entry point for `N` instances at once.
 *
 * Shapes, `s` the per-instance shape (rank `instanceRank`): `([...s]) -> [...s]`, and
 * `batched: ([N, ...s]) -> [N, ...s]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers } from 'imle'
 * const solver: solvers.MapSolver<'topK'> = solvers.topK(2)
 * solver(tf.tensor1d([0.1, 0.9, 0.5]))                    // [3]: [0, 1, 1]
 * solver.batched(tf.tensor2d([[3, 2, 1], [1, 2, 3]]))     // [2, 3]: [[1, 1, 0], [0, 1, 1]]
 * ```
 */
export interface MapSolver<Tag extends SolverTag> {
  /** Solves one instance: `theta [...s] -> float32 [...s]`. */
  (theta: tf.Tensor): tf.Tensor
  /** Which solver this is. */
  readonly _tag: Tag
  /** The rank of one instance's `theta` (1 for `topK`, 2 for `gridShortestPath`). */
  readonly instanceRank: number
  /** Solves `N` instances in one kernel call: `theta [N, ...s] -> float32 [N, ...s]`. */
  readonly batched: (theta: tf.Tensor) => tf.Tensor
}

const calls: Record<SolverTag, number> = { topK: 0, gridShortestPath: 0 }

/**
 * How many times each solver's native kernel has run since the module loaded: one per call
 * outside `vmap`, one per `batched` call, and one per `vmap(solver)` call whatever the nesting.
 * For tests and benchmarks; read it, take differences, never write it.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const before = solvers.kernelCalls.topK
 * vmap(vmap(solvers.topK(2)))(tf.randomNormal([4, 8, 10]))   // [4, 8, 10]
 * solvers.kernelCalls.topK - before                          // 1
 * ```
 */
export const kernelCalls: Readonly<Record<SolverTag, number>> = calls

/**
 * A TypedArray kernel with its checks: `run` solves the `count` instances of per-instance shape
 * `shape` stored row-major in `theta` into `out` (same layout), throwing an `ArgumentError`
 * for data it cannot solve (NaN).
 */
export interface SolverKernel<P> {
  readonly tag: SolverTag
  readonly instanceRank: number
  readonly run: (theta: Float32Array, count: number, shape: readonly number[], params: P, out: Float32Array) => void
}

/**
 * The solver op of `kernel`: `(theta [...lead, ...s], params) -> float32 [...lead, ...s]`, one
 * kernel call for all instances, batched under `vmap` by moving batch axes into `lead`.
 * Shapes and dtypes must have been checked by the caller (`checkTheta`).
 */
export function solverOp<P>(kernel: SolverKernel<P>): (theta: tf.Tensor, params: P) => tf.Tensor {
  const { tag, instanceRank, run } = kernel
  const prim: Primitive<P> = {
    name: tag,
    impl: ([x], params) => {
      const theta = x as tf.Tensor // [...lead, ...s]
      const lead = theta.rank - instanceRank
      const shape = theta.shape.slice(lead) // s
      let count = 1
      for (let i = 0; i < lead; i++) count *= theta.shape[i]!
      const raw = theta.dataSync()
      const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as Int32Array)
      const out = new Float32Array(data.length)
      calls[tag]++
      run(data, count, shape, params, out)
      return tf.tensor(out, theta.shape, 'float32') // [...lead, ...s]
    },
    rule: ([x], params) => {
      const b = x!
      if (b.bdim === null) return { value: op(b.value, params), bdim: null }
      return { value: op(moveAxis(b.value, b.bdim, 0), params), bdim: 0 } // [B, ...lead', ...s]
    },
  }
  const op = (theta: tf.Tensor, params: P): tf.Tensor => bind(prim, [theta], params) as tf.Tensor
  return op
}

/** `[a, b]` written as a shape. */
export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`

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

const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`

/**
 * Decodes `value` with the io-ts `codec`, throwing a `ConfigError` whose message names `fn`,
 * the path of each bad field, what was expected and what was received. Keys the codec does not
 * know are refused too (a misspelt option must not be silently ignored).
 */
export function decodeOptions<C extends t.Mixed>(fn: string, codec: C, value: unknown, known: readonly string[]): t.TypeOf<C> {
  const result = codec.decode(value)
  if (isLeft(result)) {
    const lines = new Set(
      result.left.map((e) => {
        const keys: string[] = []
        let expected = e.context[e.context.length - 1]?.type.name ?? 'a valid value'
        let got: unknown = e.value
        for (const [i, c] of e.context.entries()) {
          if (i > 0) keys.push(c.key)
          if (c.type instanceof t.UnionType) {
            expected = c.type.name
            got = c.actual
            break
          }
        }
        const path = ['options', ...keys].join('.')
        return `${fn}(${path}): expected ${expected} but got ${JSON.stringify(got) ?? String(got)}`
      }),
    )
    throw new ConfigError([...lines].join('; '))
  }
  const unknown = unknownKeys(value, known)
  if (unknown.length > 0) {
    throw new ConfigError(
      `${fn}(options): unknown option ${unknown.map((u) => `'${u}'`).join(', ')}; the options are ${known.map((k) => `'${k}'`).join(', ')}`,
    )
  }
  return result.right
}
