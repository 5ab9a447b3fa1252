/**
 * Opaque functions under `vmap`: code that reads tensor data or calls a black box (a solver)
 * cannot be traced op by op, so it is batched as a whole, in one of two ways (JAX's
 * `pure_callback` words):
 *
 * - `'sequential'`: called once per example, results stacked;
 * - `'vectorized'`: called once with every argument given one leading batch axis (unbatched
 *   arguments are broadcast to it); nested `vmap` levels are flattened into that one axis.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { fromCanonical, toCanonical } from './batching.js'
import { ArgumentError } from './errors.js'
import { activeFrames, BatchTracer, withoutFrames, type Frame } from './tracer.js'
import * as tree from './tree.js'

/** How `callback` batches an opaque function under `vmap`. */
export type VmapMethod = 'sequential' | 'vectorized'

/** The active frames whose levels occur among `leaves` (outermost first). */
function framesOf(leaves: readonly tf.Tensor[]): Frame[] {
  const levels = new Set<number>()
  for (const l of leaves) {
    let v: tf.Tensor = l
    while (v instanceof BatchTracer) {
      levels.add(v.level)
      v = v.value
    }
  }
  return activeFrames().filter((f) => levels.has(f.level))
}

/**
 * Wraps opaque `fn` (pytree of tensors in, pytree of tensors out) so that it can be called on
 * batched values. Outside `vmap` it is `fn` itself.
 */
export function opaque<F extends (...args: any[]) => any>(fn: F, method: VmapMethod): F {
  if (method !== 'sequential' && method !== 'vectorized') {
    throw new ArgumentError(`callback(vmapMethod): expected 'sequential' or 'vectorized' but got ${String(method)}`)
  }
  const wrapped = (...args: unknown[]): unknown => {
    const [leaves, def] = tree.flatten(args)
    const frames = framesOf(leaves)
    if (frames.length === 0) return fn(...args)
    const sizes = frames.map((f) => f.size)
    const n = sizes.reduce((a, b) => a * b, 1)
    return tf.tidy(() => {
      // Every argument leaf as [N, ...s]: all batch axes in front, flattened into one.
      const flat = leaves.map((l) => {
        const raw = toCanonical(l, frames) // [B_1, ..., B_k, ...s]
        return tf.reshape(raw, [n, ...raw.shape.slice(frames.length)]) // [N, ...s]
      })
      let outLeaves: tf.Tensor[]
      let outDef: tree.TreeDef
      // `fn` sees plain tensors: no enclosing vmap frame is active while it runs.
      const call = (xs: tf.Tensor[]): unknown => withoutFrames(() => fn(...(tree.unflatten(def, xs) as unknown[])))
      if (method === 'vectorized') {
        ;[outLeaves, outDef] = tree.flatten(call(flat))
      } else {
        const per: tf.Tensor[][] = []
        let d: tree.TreeDef | undefined
        for (let i = 0; i < n; i++) {
          const slice = flat.map((x) => tf.squeeze(tf.slice(x, i, 1), [0])) // [...s]
          const [ol, od] = tree.flatten(call(slice))
          if (d === undefined) d = od
          else tree.assertSameStructure('callback (sequential)', d, od)
          per.push(ol)
        }
        outDef = d!
        outLeaves = per[0]!.map((_, j) => tf.stack(per.map((p) => p[j]!))) // [N, ...o]
      }
      const results = outLeaves.map((o) => {
        if (o.shape[0] !== n) {
          throw new ArgumentError(
            `callback: the vectorized function returned a leaf of shape [${o.shape.join(', ')}]; ` +
              `its leading axis must be the batch of ${n}`,
          )
        }
        return fromCanonical(tf.reshape(o, [...sizes, ...o.shape.slice(1)]), frames)
      })
      return tree.unflatten<tf.TensorContainer>(outDef, results)
    })
  }
  return wrapped as F
}
