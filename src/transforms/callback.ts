/**
 * `callback`: batch an opaque function under `vmap`.
 *
 * @module
 */
import { opaque, type VmapMethod } from '../core/opaque.js'

export type { VmapMethod }

/** Options of `callback`. */
export interface CallbackOptions {
  /**
   * `'sequential'`: under `vmap`, call `fn` once per example and stack the results.
   * `'vectorized'`: call `fn` once with a leading batch axis on every argument leaf (unbatched
   * leaves broadcast; nested `vmap` levels flattened into that axis) and expect the same
   * leading axis on every output leaf.
   */
  readonly vmapMethod: VmapMethod
}

/**
 * Marks `fn` as opaque (it may read tensor data, call a solver, use any tf op) so that it can
 * run under `vmap`. Outside `vmap` it is `fn` itself. Gradients do not flow through the data
 * `fn` reads; give it a `customVjp` when it needs one.
 *
 * Shapes, vectorized: `fn: ([N, ...s]) -> [N, ...o]` serves `([...s]) -> [...o]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { callback, vmap } from 'imle'
 * const argmaxJs = (x: tf.Tensor) => tf.scalar(x.dataSync().indexOf(Math.max(...x.dataSync())), 'int32')
 * const f = callback(argmaxJs, { vmapMethod: 'sequential' })   // [n] -> []
 * vmap(f)(tf.tensor2d([[1, 3, 2], [5, 0, 1]]))                  // [2]: [1, 0]
 * ```
 */
export const callback = <F extends (...args: any[]) => any>(fn: F, options: CallbackOptions): F =>
  opaque(fn, options.vmapMethod)
