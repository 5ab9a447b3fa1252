/**
 * Batch-rule factories and the axis helpers they share. A batch rule receives each operand as
 * `{ value, bdim }` at one `vmap` level and returns the result the same way; it computes with
 * `ops` (never raw `tf`), so that lower `vmap` levels are batched in turn.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { VmapError } from './errors.js'
import type { Batched, BatchRule } from './tracer.js'
// `ops` and this module import each other; rules only call ops at run time, never at load.
import * as ops from './ops.js'

/** The per-example rank of a batched operand. */
export const exampleRank = (b: Batched): number => b.value.rank - (b.bdim === null ? 0 : 1)

/** Normalizes a possibly negative axis of a rank-`rank` tensor; throws naming `fn` if out of range. */
export function normalizeAxis(fn: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new VmapError(`${fn}: axis must be an integer in [${-rank}, ${rank - 1}] but got ${axis}`)
  }
  return axis < 0 ? axis + rank : axis
}

/** Moves axis `from` of `x` to position `to` (one transpose, or nothing when equal). */
export function moveAxis(x: tf.Tensor, from: number, to: number): tf.Tensor {
  if (from === to) return x
  const perm = [...Array(x.rank).keys()].filter((i) => i !== from)
  perm.splice(to, 0, from)
  return ops.transpose(x, perm)
}

/**
 * The operand with its batch axis at `to`; an unbatched operand is broadcast to `size` along a
 * new axis `to`.
 */
export function bdimTo(b: Batched, to: number, size: number): tf.Tensor {
  if (b.bdim !== null) return moveAxis(b.value, b.bdim, to)
  const x = ops.expandDims(b.value, to)
  const shape = x.shape.slice()
  shape[to] = size
  return ops.broadcastTo(x, shape)
}

/** The operand with its batch axis moved to the front; unbatched operands are left alone. */
export const bdimToFront = (b: Batched): tf.Tensor => (b.bdim === null ? b.value : moveAxis(b.value, b.bdim, 0))

/** The physical axis (in `value`) of per-example axis `axis` of an operand batched at `bdim`. */
export const physicalAxis = (axis: number, bdim: number): number => (axis < bdim ? axis : axis + 1)

/** Rule for elementwise unary ops: apply to the batched value, keep the batch axis. */
export const unaryRule =
  <P>(f: (x: tf.Tensor, params: P) => tf.Tensor): BatchRule<P> =>
  ([x], params) => ({ value: f(x!.value, params), bdim: x!.bdim })

/**
 * Rule for ops with numpy broadcasting (binary math, comparisons, `where`): batched operands
 * get their batch axis in front and singleton axes up to the common per-example rank, so that
 * unbatched operands broadcast against the per-example axes only. One op call for the batch.
 */
export const broadcastRule =
  <P>(f: (xs: tf.Tensor[], params: P) => tf.Tensor): BatchRule<P> =>
  (args, params) => {
    const rank = Math.max(...args.map(exampleRank))
    const xs = args.map((b) => {
      if (b.bdim === null) return b.value
      const x = bdimToFront(b)
      const missing = rank - (x.rank - 1)
      return missing === 0 ? x : ops.reshape(x, [x.shape[0]!, ...Array(missing).fill(1), ...x.shape.slice(1)])
    })
    return { value: f(xs, params), bdim: 0 }
  }

/** The options of `tf.sum`-like reductions. */
export interface ReduceParams {
  readonly axis?: number | readonly number[] | null
  readonly keepDims?: boolean
}

/** The per-example axes a reduction covers, normalized and sorted. */
export function reductionAxes(fn: string, axis: number | readonly number[] | null | undefined, rank: number): number[] {
  if (axis === null || axis === undefined) return [...Array(rank).keys()]
  const list = typeof axis === 'number' ? [axis] : [...axis]
  return [...new Set(list.map((a) => normalizeAxis(fn, a, rank)))].sort((a, b) => a - b)
}

/**
 * Rule for reductions over `axis` with `keepDims`: the per-example axes are shifted past the
 * batch axis, and the batch axis moves left by the number of reduced axes before it.
 */
export const reduceRule =
  (fn: string, f: (x: tf.Tensor, axis: number[], keepDims: boolean) => tf.Tensor): BatchRule<ReduceParams> =>
  ([x], { axis, keepDims = false }) => {
    const b = x!
    if (b.bdim === null) return { value: f(b.value, reductionAxes(fn, axis, b.value.rank), keepDims), bdim: null }
    const axes = reductionAxes(fn, axis, b.value.rank - 1)
    const physical = axes.map((a) => physicalAxis(a, b.bdim!))
    if (physical.length === 0) return { value: b.value, bdim: b.bdim }
    const bdim = keepDims ? b.bdim : b.bdim - physical.filter((a) => a < b.bdim!).length
    return { value: f(b.value, physical, keepDims), bdim }
  }
