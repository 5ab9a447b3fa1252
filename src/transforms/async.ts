/**
 * Asynchronous steps: `valueAndGradAsync`, `gradAsync` and `callAsync` run a step whose host
 * code (solvers, samplers, callbacks) reads tensor data, on a backend that can read only
 * asynchronously (webgpu where `dataSync` does not work) or, with `reads: 'replay'`, anywhere.
 *
 * How (`core/reads.ts`): the step runs; at the first host read whose values are unknown it
 * starts one asynchronous read of that kernel's operands and stops; once the read resolves it
 * runs again from the start with that read answered from the session, and so on until it
 * finishes. A step with `n` read points (an I-MLE layer has two: the forward and the backward
 * solver pass) runs `n + 1` times: each solver pass costs one awaited read of its perturbed
 * parameters and one upload of its solutions, each host kernel runs once, and every other op
 * stays on the device (replays repeat the device ops, which are deterministic given the keys).
 * The result equals the synchronous transformation's, bit for bit, on every backend.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import { show } from '../core/config.js'
import { GradError } from '../core/errors.js'
import { newSession, PendingRead, runInSession, type ReadSession } from '../core/reads.js'
import { valueAndGrad, type GradOptions, type Grads } from './grad.js'

/** Options of the asynchronous transformations. */
export interface AsyncOptions {
  /**
   * `'auto'` (default): replay only where the backend cannot read synchronously, so on cpu and
   * wasm the step runs once, like its synchronous form. `'replay'`: read asynchronously and
   * replay everywhere (what a webgpu step does; useful to test a step in Node).
   */
  readonly reads?: 'auto' | 'replay'
}

/** What a finished asynchronous step reports besides its result (see `callAsync`'s `withStats`). */
export interface AsyncStats {
  /** Runs of the step, the last one included (1 where no read was asynchronous). */
  readonly runs: number
  /** Asynchronous reads (one per read point). */
  readonly reads: number
}

function checkReads(fnName: string, options: unknown): 'auto' | 'replay' {
  if (typeof options !== 'object' || options === null) throw new GradError(`${fnName}(options): expected an object but got ${show(options)}`)
  const { reads = 'auto' } = options as AsyncOptions
  if (reads !== 'auto' && reads !== 'replay') throw new GradError(`${fnName}(options.reads): expected 'auto' or 'replay' but got ${show(reads)}`)
  return reads
}

/** Runs `body` to completion in a fresh read session, replaying it after each pending read. */
async function drive<R>(mode: 'auto' | 'replay', body: () => R): Promise<{ readonly result: R; readonly session: ReadSession }> {
  const session = newSession(mode)
  for (;;) {
    try {
      return { result: runInSession(session, body), session }
    } catch (e) {
      if (!(e instanceof PendingRead) || e.session !== session) throw e
      await e.ready
    }
  }
}

/**
 * `f` as an asynchronous function that may read tensor data on the host on any backend: it
 * resolves to what `f` returns. With `withStats`, it resolves to `[result, stats]`.
 *
 * Shapes: those of `f`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { callAsync, solvers, vmap } from 'imle'
 * const solve = callAsync(vmap(solvers.topK(2)))
 * const z = await solve(tf.tensor2d([[3, 1, 2], [0, 5, 4]]))   // [[1, 0, 1], [0, 1, 1]]
 * ```
 */
export function callAsync<Args extends any[], R>(f: (...args: Args) => R, options?: AsyncOptions): (...args: Args) => Promise<R>
export function callAsync<Args extends any[], R>(f: (...args: Args) => R, options: AsyncOptions & { readonly withStats: true }): (...args: Args) => Promise<[R, AsyncStats]>
export function callAsync(f: (...args: any[]) => any, options: AsyncOptions & { readonly withStats?: boolean } = {}): (...args: any[]) => Promise<unknown> {
  if (typeof f !== 'function') throw new GradError(`callAsync(f): f must be a function but got ${show(f)}`)
  const mode = checkReads('callAsync', options)
  return async (...args) => {
    const { result, session } = await drive(mode, () => f(...args))
    return options.withStats === true ? [result, { runs: session.runs, reads: session.reads }] : result
  }
}

/**
 * `valueAndGrad(f, options)` as an asynchronous function (see the module documentation): it
 * resolves to `[value, grads]` (`[[value, aux], grads]` with `hasAux`), equal to the
 * synchronous result.
 *
 * Shapes: those of `valueAndGrad`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { imle, noise, ops, random, solvers, target, valueAndGradAsync } from 'imle'
 * const layer = imle(solvers.topK(2), noise.gumbel(), target.standard({ beta: 10 }))
 * const loss = (theta: tf.Tensor) => ops.sum(ops.mul(layer(theta, random.key(0)), tf.tensor1d([1, -1, 2])))
 * const [value, g] = await valueAndGradAsync(loss)(tf.tensor1d([0.5, 1, 2]))   // g: [3]
 * ```
 */
export function valueAndGradAsync<Args extends any[], const N extends number | readonly number[] = 0>(
  f: (...args: Args) => tf.Tensor,
  options?: GradOptions & AsyncOptions & { readonly argnums?: N; readonly hasAux?: false },
): (...args: Args) => Promise<[tf.Tensor, Grads<Args, N>]>
export function valueAndGradAsync<Args extends any[], Aux, const N extends number | readonly number[] = 0>(
  f: (...args: Args) => readonly [tf.Tensor, Aux],
  options: GradOptions & AsyncOptions & { readonly argnums?: N; readonly hasAux: true },
): (...args: Args) => Promise<[[tf.Tensor, Aux], Grads<Args, N>]>
export function valueAndGradAsync(f: (...args: any[]) => any, options: GradOptions & AsyncOptions = {}): (...args: any[]) => Promise<unknown> {
  const mode = checkReads('valueAndGradAsync', options)
  const { reads: _reads, ...gradOptions } = options
  const vg = (valueAndGrad as (f: (...args: any[]) => any, options: GradOptions) => (...args: any[]) => unknown)(f, gradOptions)
  return async (...args) => (await drive(mode, () => vg(...args))).result
}

/**
 * `grad(f, options)` as an asynchronous function: it resolves to the gradients (`[grads, aux]`
 * with `hasAux`), equal to the synchronous result.
 *
 * Shapes: those of `grad`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { gradAsync, imle, noise, ops, random, solvers, target } from 'imle'
 * const layer = imle(solvers.topK(1), noise.gumbel(), target.standard({ beta: 10 }))
 * const g = await gradAsync((theta: tf.Tensor) => ops.sum(ops.mul(layer(theta, random.key(1)), tf.tensor1d([1, 2]))))(tf.tensor1d([0, 0]))
 * ```
 */
export function gradAsync<Args extends any[], const N extends number | readonly number[] = 0>(
  f: (...args: Args) => tf.Tensor,
  options?: GradOptions & AsyncOptions & { readonly argnums?: N; readonly hasAux?: false },
): (...args: Args) => Promise<Grads<Args, N>>
export function gradAsync<Args extends any[], Aux, const N extends number | readonly number[] = 0>(
  f: (...args: Args) => readonly [tf.Tensor, Aux],
  options: GradOptions & AsyncOptions & { readonly argnums?: N; readonly hasAux: true },
): (...args: Args) => Promise<[Grads<Args, N>, Aux]>
export function gradAsync(f: (...args: any[]) => any, options: GradOptions & AsyncOptions = {}): (...args: any[]) => Promise<unknown> {
  const hasAux = (options as GradOptions).hasAux === true
  const vg = valueAndGradAsync(f as never, options as never) as unknown as (...args: any[]) => Promise<[unknown, unknown]>
  return async (...args) => {
    const [value, grads] = await vg(...args)
    if (!hasAux) {
      ;(value as tf.Tensor).dispose()
      return grads
    }
    const [v, aux] = value as [tf.Tensor, unknown]
    v.dispose()
    return [grads, aux]
  }
}
