/**
 * Conversions between batched values and plain tensors with every active batch axis in front,
 * the *canonical* form. Transformations that must hand plain tensors to tfjs (`grad`, which
 * records on tfjs's tape; `customVjp`, which wraps `tf.customGrad`; `callback`, which calls
 * opaque code) materialize their inputs in canonical form and rebuild tracers from the
 * results. The conversions are made of `ops`, so they are differentiable, and broadcasting an
 * unbatched value is undone by tfjs's gradient of `broadcastTo`, which sums.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import { bdimTo } from './batch_rules.js'
import { BatchTracer, type Frame } from './tracer.js'

/**
 * `x` as a plain tensor of shape `[B_1, ..., B_n, ...s]` for `frames` = `[f_1, ..., f_n]`
 * (outermost first) and per-example shape `s`; levels at which `x` is not batched are
 * broadcast.
 */
export function toCanonical(x: tf.Tensor, frames: readonly Frame[]): tf.Tensor {
  let v = x
  // Peel levels from the innermost (highest) down; each moves its axis to the front, so the
  // outermost level's axis ends up first.
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!
    v =
      v instanceof BatchTracer && v.level === f.level
        ? bdimTo({ value: v.value, bdim: v.bdim }, 0, f.size)
        : bdimTo({ value: v, bdim: null }, 0, f.size)
  }
  return v
}

/** The inverse of `toCanonical`: tracers batched along axis 0 at every level of `frames`. */
export function fromCanonical(raw: tf.Tensor, frames: readonly Frame[]): tf.Tensor {
  let v = raw
  for (const f of frames) v = new BatchTracer(f.level, v, 0)
  return v
}
