/**
 * Batch-rule factories and the axis helpers they share. A batch rule receives each operand as
 * `{ value, bdim }` at one `vmap` level and returns the result the same way; it computes with
 * `ops` (never raw `tf`), so that lower `vmap` levels are batched in turn.
 *
 * Most ops share one of a few rule shapes, each built here by a factory (as jax-js fills its
 * rule table with `unopBatcher`, `broadcastBatcher`, ...):
 *
 * | factory          | ops                                                              |
 * | ---------------- | ---------------------------------------------------------------- |
 * | `unaryRule`      | elementwise unary math, `cast`, `clipByValue`, `oneHot`, ...      |
 * | `broadcastRule`  | binary math, comparisons, `where`                                |
 * | `reduceRule`     | `sum`, `mean`, `max`, `min`, `prod`, `logSumExp`, `any`, `all`   |
 * | `argReduceRule`  | `argMax`, `argMin`                                               |
 * | `lastAxisRule`   | `softmax`, `logSoftmax`, `topk`                                  |
 * | `perAxisRule`    | `tile`, `pad`, `slice` (a neutral entry for the batch axis)      |
 * | `commonBdimRule` | `concat`, `stack` (operands brought to one batch axis)           |
 * | `poolRule`       | `maxPool`, `avgPool` (batch folded into N or C)                  |
 *
 * Ops with a rule of their own (`reshape`, `transpose`, `squeeze`, `gather`, `matMul`, `dot`,
 * the convolutions, ...) define it next to the op in `ops/`, from the helpers here
 * (`expandExample`, `squeezeExample`, `foldIntoN`, `moveAxis`, ...).
 *
 * Rules never move data they do not have to: when the batch axis already sits where an op
 * can take it, no transpose is made.
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

/** The per-example shape of a batched operand. */
export const exampleShape = (b: Batched): number[] =>
  b.bdim === null ? b.value.shape.slice() : b.value.shape.filter((_, i) => i !== b.bdim)

/**
 * Normalizes a possibly negative axis `axis` of a (per-example) rank-`rank` tensor to
 * `[0, rank)`; throws a `VmapError` naming `fn`, the argument `arg`, the value and the range.
 */
export function normalizeAxis(fn: string, axis: number, rank: number, arg = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    const range = rank === 0 ? 'none: the per-example value is a scalar (rank 0)' : `an integer in [${-rank}, ${rank - 1}]`
    throw new VmapError(`${fn}(${arg}): ${arg} must be ${range} (per-example rank ${rank}) but got ${axis}`)
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

/**
 * Inserts a length-1 per-example axis at `axis` (in `[0, rank]`) of a batched operand: one
 * reshape, no data movement.
 */
export function expandExample(b: Batched, axis: number): Batched {
  if (b.bdim === null) return { value: ops.expandDims(b.value, axis), bdim: null }
  const phys = physicalAxis(axis, b.bdim)
  return { value: ops.expandDims(b.value, phys), bdim: phys <= b.bdim ? b.bdim + 1 : b.bdim }
}

/** Removes the length-1 per-example axis `axis` of a batched operand (one reshape). */
export function squeezeExample(b: Batched, axis: number): Batched {
  if (b.bdim === null) return { value: ops.reshape(b.value, b.value.shape.filter((_, i) => i !== axis)), bdim: null }
  const phys = physicalAxis(axis, b.bdim)
  return {
    value: ops.reshape(b.value, b.value.shape.filter((_, i) => i !== phys)),
    bdim: phys < b.bdim ? b.bdim - 1 : b.bdim,
  }
}

// ---------------------------------------------------------------------------------------------
// Factories.

/** Rule for elementwise unary ops (and ops that only append axes): the batch axis stays put. */
export const unaryRule =
  <P>(f: (x: tf.Tensor, params: P) => tf.Tensor): BatchRule<P> =>
  ([x], params) => ({ value: f(x!.value, params), bdim: x!.bdim })

/**
 * Rule for ops with numpy broadcasting (binary math, comparisons, `where`). When every batched
 * operand has the full per-example rank and the same batch axis `d`, and every unbatched
 * operand has at most `rank - d` axes (so it aligns with per-example axes after the batch
 * axis), the op runs on the values as they are. Otherwise batched operands get their batch
 * axis in front and singleton axes up to the common per-example rank. One op call either way.
 */
export const broadcastRule =
  <P>(f: (xs: tf.Tensor[], params: P) => tf.Tensor): BatchRule<P> =>
  (args, params) => {
    let rank = 0
    for (const b of args) rank = Math.max(rank, exampleRank(b))
    let d = -1
    let inPlace = true
    for (const b of args) {
      if (b.bdim === null) continue
      if (b.value.rank - 1 !== rank || (d >= 0 && b.bdim !== d)) inPlace = false
      d = b.bdim
    }
    if (inPlace) for (const b of args) if (b.bdim === null && b.value.rank > rank - d) inPlace = false
    if (inPlace) return { value: f(args.map((b) => b.value), params), bdim: d }
    const xs = args.map((b) => {
      if (b.bdim === null) return b.value
      const x = bdimToFront(b) // [B, ...s]
      const missing = rank - (x.rank - 1)
      return missing === 0 ? x : ops.reshape(x, [x.shape[0]!, ...Array(missing).fill(1), ...x.shape.slice(1)]) // [B, 1.., ...s]
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
    const bdim = b.bdim
    const physical = reductionAxes(fn, axis, b.value.rank - 1).map((a) => physicalAxis(a, bdim))
    const out = keepDims ? bdim : bdim - physical.filter((a) => a < bdim).length
    return { value: f(b.value, physical, keepDims), bdim: out }
  }

/**
 * Rule for reductions over one axis that drop it (`argMax`, `argMin`): the axis is shifted past
 * the batch axis, which moves left when the reduced axis was before it.
 */
export const argReduceRule =
  (fn: string, f: (x: tf.Tensor, axis: number) => tf.Tensor): BatchRule<number> =>
  ([x], axis) => {
    const b = x!
    const r = exampleRank(b)
    const a = normalizeAxis(fn, axis, r)
    if (b.bdim === null) return { value: f(b.value, a), bdim: null }
    const phys = physicalAxis(a, b.bdim)
    return { value: f(b.value, phys), bdim: phys < b.bdim ? b.bdim - 1 : b.bdim }
  }

/**
 * Rule for ops that act along the last axis only (`softmax`, `logSoftmax`, `topk`): the
 * per-example `axis` must be the last one; the batch axis moves to the front only when it is
 * the last physical axis. `f` may return several outputs, all batched alike.
 */
export const lastAxisRule =
  <P>(
    fn: string,
    axisOf: (params: P) => number,
    f: (x: tf.Tensor, params: P) => tf.Tensor | readonly tf.Tensor[],
  ): BatchRule<P> =>
  ([x], params) => {
    const b = x!
    const r = exampleRank(b)
    const a = normalizeAxis(fn, axisOf(params), r)
    if (a !== r - 1) {
      throw new VmapError(`${fn}(axis): only the last axis (${r - 1} or -1) is supported, as in tf, but got ${axisOf(params)}`)
    }
    const bdim = b.bdim === null ? null : b.bdim === b.value.rank - 1 ? 0 : b.bdim
    const value = b.bdim === null ? b.value : moveAxis(b.value, b.bdim, bdim!) // batch axis off the last axis
    const out = f(value, params)
    return Array.isArray(out) ? out.map((o: tf.Tensor) => ({ value: o, bdim })) : { value: out as tf.Tensor, bdim }
  }

/**
 * Rule for ops whose parameters hold one entry per axis (`tile`'s reps, `pad`'s paddings,
 * `slice`'s begin and size): `entries` gives the per-example entries (checked against the
 * per-example rank), and `neutral` is inserted for the batch axis, which stays put.
 */
export const perAxisRule =
  <P, E>(
    fn: string,
    arg: string,
    entries: (params: P, shape: readonly number[]) => readonly E[],
    neutral: E,
    f: (x: tf.Tensor, entries: E[], params: P) => tf.Tensor,
  ): BatchRule<P> =>
  ([x], params) => {
    const b = x!
    const shape = exampleShape(b)
    const es = [...entries(params, shape)]
    if (es.length !== shape.length) {
      throw new VmapError(
        `${fn}(${arg}): expected ${shape.length} entries (one per axis of the per-example shape ` +
          `[${shape.join(', ')}]) but got ${es.length}`,
      )
    }
    if (b.bdim !== null) es.splice(b.bdim, 0, neutral)
    return { value: f(b.value, es, params), bdim: b.bdim }
  }

/**
 * Rule for ops over a list of operands that must share their layout (`concat`, `stack`): every
 * operand is brought to the batch axis `d` of the first batched one (unbatched operands are
 * broadcast there), and `f` receives `d`. Operands already at `d` are not moved.
 */
export const commonBdimRule =
  <P>(f: (xs: tf.Tensor[], bdim: number, params: P) => Batched): BatchRule<P> =>
  (args, params, size) => {
    const d = args.find((b) => b.bdim !== null)!.bdim!
    return f(
      args.map((b) => bdimTo(b, d, size)),
      d,
      params,
    )
  }

/**
 * Applies `f`, which takes a tensor `[N, ...t]` (or `[...t]`) whose own batch axis N is
 * optional, to an operand of per-example shape `[N, ...t]` or `[...t]` (`lead` is 1 or 0, the
 * number of N axes) by folding the vmap batch into N: a reshape when the batch axis precedes
 * `t`, a transpose to the front first otherwise. `f` must keep the leading axis.
 */
export function foldIntoN(b: Batched, lead: number, f: (x: tf.Tensor) => tf.Tensor): Batched {
  let v = b.value
  let d = b.bdim!
  if (d > lead) {
    v = moveAxis(v, d, 0)
    d = 0
  }
  // The physical axes [0, lead] hold the batch (and N): fold them into one.
  const dims = v.shape.slice(0, lead + 1)
  const folded = lead === 0 ? v : ops.reshape(v, [-1, ...v.shape.slice(lead + 1)]) // [B*N, ...t]
  const out = f(folded) // [B*N, ...t']
  return { value: lead === 0 ? out : ops.reshape(out, [...dims, ...out.shape.slice(1)]), bdim: d } // [B, N, ...t']
}

/**
 * Rule for 2-D pooling (`maxPool`, `avgPool`), whose per-example input is `[H, W, C]` or
 * `[N, H, W, C]`: the batch is folded into the op's own batch axis N when it precedes H, into
 * the channels C when it follows them (pooling is per channel), and only otherwise moved to
 * the front. One pooling call, reshapes around it.
 */
export const poolRule =
  <P>(fn: string, f: (x: tf.Tensor, params: P) => tf.Tensor): BatchRule<P> =>
  ([x], params) => {
    const b = x!
    const r = exampleRank(b)
    if (r !== 3 && r !== 4) {
      throw new VmapError(`${fn}(x): x must be rank 3 [H, W, C] or 4 [N, H, W, C] per example but got rank ${r}`)
    }
    const d = b.bdim!
    if (d === r) {
      // [...N, H, W, C, B] -> [...N, H, W, C*B]: each (channel, example) pair is a channel.
      const s = b.value.shape
      const out = f(ops.reshape(b.value, [...s.slice(0, r - 1), s[r - 1]! * s[r]!]), params) // [...N, H', W', C*B]
      return { value: ops.reshape(out, [...out.shape.slice(0, -1), s[r - 1]!, s[r]!]), bdim: d } // [...N, H', W', C, B]
    }
    return foldIntoN(b, r - 3, (v) => f(v, params))
  }
