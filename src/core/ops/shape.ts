/**
 * Shape ops: reshape, transpose, insert and remove axes, join and split, slice, gather, tile,
 * broadcast, pad, reverse. Most rules keep the batch axis where it is and only rewrite the
 * op's axis parameters; `reshape` needs the batch axis in front.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  bdimTo,
  bdimToFront,
  commonBdimRule,
  moveAxis,
  exampleRank,
  exampleShape,
  expandExample,
  normalizeAxis,
  perAxisRule,
  physicalAxis,
  reductionAxes,
} from '../batch_rules.js'
import { ArgumentError, VmapError } from '../errors.js'
import type { Batched } from '../tracer.js'
import { checkJoin, checkReshape, fmt, shapeOf, shapeWord } from './check.js'
import { defOp, many, one, type Operand } from './def.js'
import { add, cast } from './elementwise.js'

/**
 * Reshapes to `shape` (one entry may be -1), as `tf.reshape`. `[...s] -> shape`
 * @example
 * ```ts
 * ops.reshape(tf.range(0, 6), [2, -1])   // [[0, 1, 2], [3, 4, 5]]
 * ```
 */
export const reshape: (x: Operand, shape: readonly number[]) => tf.Tensor = defOp<
  readonly number[],
  (x: Operand, shape: readonly number[]) => tf.Tensor
>(
  'reshape',
  ([x], shape) => tf.reshape(x, [...shape]),
  () => ([x], shape) => {
    const v = bdimToFront(x!) // [B, ...s]
    return { value: reshape(v, [v.shape[0]!, ...shape]), bdim: 0 } // [B, ...shape]
  },
  (b) => (x, shape) => one(b([x], shape)),
  ([x], shape) => checkReshape('ops.reshape', x, shape),
)

/**
 * Permutes axes (reverses them when `perm` is omitted), as `tf.transpose`.
 * `[s_0, ..., s_{r-1}] -> [s_perm[0], ..., s_perm[r-1]]`
 * @example
 * ```ts
 * ops.transpose(tf.zeros([2, 3, 4]), [2, 0, 1]).shape   // [4, 2, 3]
 * ```
 */
export const transpose: (x: Operand, perm?: readonly number[]) => tf.Tensor = defOp<
  readonly number[] | undefined,
  (x: Operand, perm?: readonly number[]) => tf.Tensor
>(
  'transpose',
  ([x], perm) => tf.transpose(x, perm === undefined ? undefined : [...perm]),
  () => ([x], perm) => {
    const b = x!
    const r = exampleRank(b)
    const p = perm === undefined ? [...Array(r).keys()].reverse() : perm.map((a) => normalizeAxis('ops.transpose', a, r, 'perm'))
    if (p.length !== r || new Set(p).size !== r) {
      throw new VmapError(
        `ops.transpose(perm): perm must be a permutation of [0, ${r}) (per-example rank ${r}), each axis once, but got ` +
          `[${perm!.join(', ')}]${new Set(p).size !== p.length ? ' (an axis repeats)' : ''}`,
      )
    }
    // The batch axis stays where it is; per-example axes are permuted around it.
    const d = b.bdim!
    const physical = p.map((a) => physicalAxis(a, d))
    physical.splice(d, 0, d)
    return { value: transpose(b.value, physical), bdim: d }
  },
  (b) => (x, perm) => one(b([x], perm)),
)

/**
 * Inserts a length-1 axis at `axis` (negative counts from the end), as `tf.expandDims`.
 * `[...s] -> [...s[:axis], 1, ...s[axis:]]`
 * @example
 * ```ts
 * ops.expandDims(tf.zeros([2, 3]), -1).shape   // [2, 3, 1]
 * ```
 */
export const expandDims: (x: Operand, axis?: number) => tf.Tensor = defOp<number, (x: Operand, axis?: number) => tf.Tensor>(
  'expandDims',
  ([x], axis) => tf.expandDims(x, axis),
  () => ([x], axis) => expandExample(x!, normalizeAxis('ops.expandDims', axis, exampleRank(x!) + 1)),
  (b) =>
    (x, axis = 0) =>
      one(b([x], axis)),
)

/**
 * Removes length-1 axes: those in `axis`, or every one when `axis` is omitted or empty, as
 * `tf.squeeze`. `[2, 1, 3, 1] -> [2, 3]`
 * @example
 * ```ts
 * ops.squeeze(tf.zeros([2, 1, 3, 1]), [1]).shape   // [2, 3, 1]
 * ```
 */
export const squeeze: (x: Operand, axis?: number[]) => tf.Tensor = defOp<
  number[] | undefined,
  (x: Operand, axis?: number[]) => tf.Tensor
>(
  'squeeze',
  ([x], axis) => tf.squeeze(x, axis),
  () => ([x], axis) => {
    const b = x!
    const s = exampleShape(b)
    const axes =
      axis === undefined || axis.length === 0
        ? s.flatMap((n, i) => (n === 1 ? [i] : []))
        : axis.map((a) => normalizeAxis('ops.squeeze', a, s.length))
    for (const a of axes) {
      if (s[a] !== 1) {
        throw new VmapError(`ops.squeeze(axis): axis ${a} of per-example shape [${s.join(', ')}] has size ${s[a]}, not 1`)
      }
    }
    // One reshape: the batch axis moves left by the squeezed axes before it.
    const d = b.bdim! - axes.filter((a) => a < b.bdim!).length
    const shape = s.filter((_, i) => !axes.includes(i))
    shape.splice(d, 0, b.value.shape[b.bdim!]!)
    return { value: reshape(b.value, shape), bdim: d }
  },
  (b) => (x, axis) => one(b([x], axis)),
)

/**
 * Joins tensors along an existing `axis`, as `tf.concat`. `([a, ...s], [b, ...s]) -> [a + b, ...s]` (axis 0)
 * @example
 * ```ts
 * ops.concat([tf.zeros([2, 3]), tf.ones([1, 3])], 0).shape   // [3, 3]
 * ```
 */
export const concat: (tensors: readonly Operand[], axis?: number) => tf.Tensor = defOp<
  number,
  (tensors: readonly Operand[], axis?: number) => tf.Tensor
>(
  'concat',
  (xs, axis) => tf.concat([...xs], axis),
  () =>
    commonBdimRule((xs, d, axis) => {
      const a = normalizeAxis('ops.concat', axis, xs[0]!.rank - 1)
      return { value: concat(xs, physicalAxis(a, d)), bdim: d }
    }),
  (b) =>
    (tensors, axis = 0) =>
      one(b(tensors, axis)),
  (xs, axis) => checkJoin('ops.concat', xs, axis),
)

/**
 * Joins same-shape tensors along a new `axis`, as `tf.stack`. `n x [...s] -> [n, ...s]` (axis 0)
 * @example
 * ```ts
 * ops.stack([tf.zeros([3]), tf.ones([3])], 1).shape   // [3, 2]
 * ```
 */
export const stack: (tensors: readonly Operand[], axis?: number) => tf.Tensor = defOp<
  number,
  (tensors: readonly Operand[], axis?: number) => tf.Tensor
>(
  'stack',
  (xs, axis) => tf.stack([...xs], axis),
  () =>
    commonBdimRule((xs, d, axis) => {
      const a = normalizeAxis('ops.stack', axis, xs[0]!.rank) // per-example rank + 1
      const phys = physicalAxis(a, d)
      return { value: stack(xs, phys), bdim: phys <= d ? d + 1 : d }
    }),
  (b) =>
    (tensors, axis = 0) =>
      one(b(tensors, axis)),
  (xs) => checkJoin('ops.stack', xs, null),
)

/**
 * Splits along `axis` into tensors without it, as `tf.unstack`. `[n, ...s] -> n x [...s]` (axis 0)
 * @example
 * ```ts
 * ops.unstack(tf.zeros([2, 3]), 1).length   // 3
 * ```
 */
export const unstack: (x: Operand, axis?: number) => tf.Tensor[] = defOp<number, (x: Operand, axis?: number) => tf.Tensor[]>(
  'unstack',
  ([x], axis) => tf.unstack(x, axis),
  () => ([x], axis) => {
    const b = x!
    const phys = physicalAxis(normalizeAxis('ops.unstack', axis, exampleRank(b)), b.bdim!)
    const d = phys < b.bdim! ? b.bdim! - 1 : b.bdim!
    return unstack(b.value, phys).map((value) => ({ value, bdim: d }))
  },
  (b) =>
    (x, axis = 0) =>
      many(b([x], axis)),
)

interface SliceParams {
  readonly begin: number | readonly number[]
  readonly size: number | readonly number[] | undefined
}

/** tf's reading of `begin` and `size` against `rank` (shorter arrays padded, -1 kept). */
function sliceEntries({ begin, size }: SliceParams, shape: readonly number[]): [number, number][] {
  const r = shape.length
  const bs =
    typeof begin === 'number'
      ? [begin, ...Array(Math.max(r - 1, 0)).fill(0)]
      : [...begin, ...Array(Math.max(r - begin.length, 0)).fill(0)]
  const ss =
    size === undefined
      ? Array(r).fill(-1)
      : typeof size === 'number'
        ? [size, ...Array(Math.max(r - 1, 0)).fill(-1)]
        : [...size, ...Array(Math.max(r - size.length, 0)).fill(-1)]
  return bs.map((b0, i) => [b0, ss[i] ?? -1])
}

/** The rank of a tensor or of a nested array (`TensorLike`), without making a tensor. */
const rankOf = (x: unknown): number =>
  x instanceof tf.Tensor ? x.rank : Array.isArray(x) ? 1 + (x.length > 0 ? rankOf(x[0]) : 0) : ArrayBuffer.isView(x) ? 1 : 0

/**
 * The block starting at `begin` of extent `size` (-1: to the end; a number: along axis 0), as
 * `tf.slice`. `[...s] -> size`
 * @example
 * ```ts
 * ops.slice(tf.range(0, 6), 2, 3)   // [2, 3, 4]
 * ```
 */
export const slice: (x: Operand, begin: number | readonly number[], size?: number | readonly number[]) => tf.Tensor = defOp<
  SliceParams,
  (x: Operand, begin: number | readonly number[], size?: number | readonly number[]) => tf.Tensor
>(
  'slice',
  ([x], { begin, size }) => {
    // tfjs-wasm does not check the lengths (a longer `begin` is silently misread).
    const rank = rankOf(x)
    for (const [arg, v] of [['begin', begin], ['size', size]] as const) {
      if (Array.isArray(v) && v.length > rank) {
        throw new ArgumentError(`ops.slice(${arg}): ${arg} must have at most one entry per axis (rank ${rank}) but got ${JSON.stringify(v)}`)
      }
    }
    return tf.slice(x, begin as number | number[], size as number | number[] | undefined)
  },
  () =>
    perAxisRule('ops.slice', 'begin', sliceEntries, [0, -1] as [number, number], (x, es) =>
      slice(
        x,
        es.map((e) => e[0]),
        es.map((e) => e[1]),
      ),
    ),
  (b) => (x, begin, size) => one(b([x], { begin, size })),
  ([x], params) => checkSlice(x, params),
)

/** `begin` and `size` within the (per-example) shape of `x`, when they have at most one entry per axis. */
function checkSlice(x: unknown, params: SliceParams): void {
  const s = shapeOf(x)
  if (s === null) return
  const { begin, size } = params
  const long = (v: unknown): boolean => Array.isArray(v) && v.length > s.length
  if (long(begin) || long(size) || (typeof begin !== 'number' && !Array.isArray(begin))) return // the op's own errors
  sliceEntries(params, s).forEach(([b, n], i) => {
    const dim = s[i]!
    if (!Number.isInteger(b) || b < 0 || b > dim) {
      throw new ArgumentError(
        `ops.slice(begin): begin[${i}] is ${b} but axis ${i} of the ${shapeWord([x])} ${fmt(s)} has size ${dim}; ` +
          `it must be an integer in [0, ${dim}] (negative begins are not supported)`,
      )
    }
    if (n !== -1 && (!Number.isInteger(n) || n < 0 || b + n > dim)) {
      throw new ArgumentError(
        `ops.slice(size): begin[${i}] + size[${i}] = ${b} + ${n} overflows axis ${i} of the ${shapeWord([x])} ${fmt(s)} ` +
          `(size ${dim}); size[${i}] must be in [0, ${dim - b}] or -1 (to the end)`,
      )
    }
  })
}

interface GatherParams {
  readonly axis: number
  readonly batchDims: number
}

/**
 * `x` `[...K, ...x0, n, ...x1]` gathered along `axis` (the position of n) at `indices`
 * `[...K, ...i]`, separately for each of the `lead` leading batch axes K (the vmap batch and
 * tf's `batchDims`): `[...K, ...x0, ...i, ...x1]`. The batch axes are flattened into rows of
 * `x` and the indices offset to their example's rows, so that one plain gather does it all
 * (tfjs's wasm kernel gets `batchDims > 0` wrong, so its batch axes are not used).
 */
function gatherBatched(x: tf.Tensor, indices: tf.Tensor, axis: number, lead: number): Batched {
  const K = x.shape.slice(0, lead)
  const N = K.reduce((p, q) => p * q, 1)
  const n = x.shape[axis]!
  const x0 = x.shape.slice(lead, axis)
  const x1 = x.shape.slice(axis + 1)
  const i = indices.shape.slice(lead)
  const rows = reshape(moveAxis(x, axis, lead), [N * n, ...x0, ...x1]) // [N*n, ...x0, ...x1]
  const offsets = tf.reshape(tf.range(0, N * n, n, 'int32'), [N, ...i.map(() => 1)]) // [N, 1..]
  const idx = add(reshape(indices, [N, ...i]), offsets) // [N, ...i]
  let out = gather(rows, idx, 0) // [N, ...i, ...x0, ...x1]
  if (x0.length > 0 && i.length > 0) {
    const r = (from: number, len: number): number[] => [...Array(len).keys()].map((k) => from + k)
    const [iAt, x0At, x1At] = [1, 1 + i.length, 1 + i.length + x0.length]
    out = transpose(out, [0, ...r(x0At, x0.length), ...r(iAt, i.length), ...r(x1At, x1.length)]) // [N, ...x0, ...i, ...x1]
  }
  return { value: reshape(out, [...K, ...out.shape.slice(1)]), bdim: 0 } // [...K, ...x0, ...i, ...x1]
}

/**
 * Gathers slices of `x` along `axis` at `indices` (int32), as `tf.gather`; the first
 * `batchDims` axes of `x` and `indices` are batch axes. `([...x0, n, ...x1], [...i]) -> [...x0, ...i, ...x1]`
 * @example
 * ```ts
 * ops.gather(tf.tensor1d([10, 20, 30]), tf.tensor1d([2, 0], 'int32'))   // [30, 10]
 * ```
 */
export const gather: (x: Operand, indices: Operand, axis?: number, batchDims?: number) => tf.Tensor = defOp<
  GatherParams,
  (x: Operand, indices: Operand, axis?: number, batchDims?: number) => tf.Tensor
>(
  'gather',
  ([x, indices], { axis, batchDims }) => tf.gather(x, indices, axis, batchDims),
  () =>
    ([x, i], { axis, batchDims }, size): Batched => {
      const xb = x!
      // Indices given as numbers were converted as float32; gather wants int32.
      const ib = i!.value.dtype === 'int32' ? i! : { value: cast(i!.value, 'int32'), bdim: i!.bdim }
      const a = normalizeAxis('ops.gather', axis, exampleRank(xb))
      const bd = batchDims < 0 ? batchDims + exampleRank(ib) : batchDims
      if (bd === 0 && ib.bdim === null) {
        // [...x0, n, ...x1] batched at d, gathered along the shifted axis.
        const d = xb.bdim!
        const phys = physicalAxis(a, d)
        return { value: gather(xb.value, ib.value, phys), bdim: d < phys ? d : d - 1 + ib.value.rank }
      }
      if (bd === 0 && xb.bdim === null) {
        // The batch axis of the indices lands at axis + its position.
        return { value: gather(xb.value, ib.value, a), bdim: a + ib.bdim! }
      }
      return gatherBatched(bdimTo(xb, 0, size), bdimTo(ib, 0, size), a + 1, 1 + bd)
    },
  (b) =>
    (x, indices, axis = 0, batchDims = 0) =>
      one(b([x, indices], { axis, batchDims })),
  ([, indices]) => {
    if (indices instanceof tf.Tensor && indices.dtype !== 'int32') {
      throw new ArgumentError(`ops.gather(indices): indices must be an int32 tensor but got dtype ${indices.dtype}; cast it with ops.cast(indices, 'int32')`)
    }
  },
)

/**
 * Repeats `x` `reps[i]` times along each axis `i`, as `tf.tile`. `[...s] -> [...s * reps]`
 * @example
 * ```ts
 * ops.tile(tf.tensor1d([1, 2]), [2])   // [1, 2, 1, 2]
 * ```
 */
export const tile: (x: Operand, reps: readonly number[]) => tf.Tensor = defOp<
  readonly number[],
  (x: Operand, reps: readonly number[]) => tf.Tensor
>(
  'tile',
  ([x], reps) => tf.tile(x, [...reps]),
  () => perAxisRule('ops.tile', 'reps', (reps: readonly number[]) => reps, 1, (x, reps) => tile(x, reps)),
  (b) => (x, reps) => one(b([x], reps)),
  ([x], reps) => {
    const s = shapeOf(x)
    if (s !== null && Array.isArray(reps) && reps.length !== s.length) {
      throw new ArgumentError(
        `ops.tile(reps): expected ${s.length} entries (one per axis of the ${shapeWord([x])} ${fmt(s)}, rank ${s.length}) but got ${reps.length}`,
      )
    }
  },
)

/**
 * Broadcasts to `shape` (numpy rules: new axes in front, length-1 axes stretched), as
 * `tf.broadcastTo`. `[...s] -> shape`
 * @example
 * ```ts
 * ops.broadcastTo(tf.tensor1d([1, 2]), [2, 2])   // [[1, 2], [1, 2]]
 * ```
 */
export const broadcastTo: (x: Operand, shape: readonly number[]) => tf.Tensor = defOp<
  readonly number[],
  (x: Operand, shape: readonly number[]) => tf.Tensor
>(
  'broadcastTo',
  ([x], shape) => tf.broadcastTo(x, [...shape]),
  () => ([x], shape, size) => {
    const b = x!
    const k = shape.length - exampleRank(b)
    if (k < 0) {
      throw new VmapError(
        `ops.broadcastTo(shape): shape [${shape.join(', ')}] has fewer axes than the per-example input ` +
          `[${exampleShape(b).join(', ')}]`,
      )
    }
    // New axes go in front of everything, the batch axis included: no data moves.
    const aligned = k === 0 ? b.value : reshape(b.value, [...Array(k).fill(1), ...b.value.shape]) // [1.., ...value]
    const d = b.bdim! + k
    const target = [...shape]
    target.splice(d, 0, size)
    return { value: broadcastTo(aligned, target), bdim: d }
  },
  (b) => (x, shape) => one(b([x], shape)),
  ([x], shape) => {
    const s = shapeOf(x)
    if (s === null || !Array.isArray(shape)) return
    const k = shape.length - s.length
    const ok = k >= 0 && s.every((n, i) => n === 1 || n === shape[k + i])
    if (!ok) {
      throw new ArgumentError(
        `ops.broadcastTo(shape): a tensor of ${shapeWord([x])} ${fmt(s)} cannot be broadcast to ${fmt(shape)}` +
          (k < 0 ? ' (the target has fewer axes)' : ' (aligned from the last axis, each axis must be equal or 1)'),
      )
    }
  },
)

interface PadParams {
  readonly paddings: readonly (readonly [number, number])[]
  readonly constantValue: number
}

/**
 * Pads each axis `i` with `paddings[i] = [before, after]` entries of `constantValue`, as
 * `tf.pad`. `[...s] -> [...s + before + after]`
 * @example
 * ```ts
 * ops.pad(tf.tensor1d([1, 2]), [[1, 0]])   // [0, 1, 2]
 * ```
 */
export const pad: (x: Operand, paddings: readonly (readonly [number, number])[], constantValue?: number) => tf.Tensor = defOp<
  PadParams,
  (x: Operand, paddings: readonly (readonly [number, number])[], constantValue?: number) => tf.Tensor
>(
  'pad',
  ([x], { paddings, constantValue }) => {
    // tfjs does not check the paddings, and its wasm kernel writes out of bounds for a wrong count.
    const rank = rankOf(x)
    const pairs = Array.isArray(paddings) && paddings.length === rank
    if (!pairs || !paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))) {
      throw new ArgumentError(
        `ops.pad(paddings): paddings must have one [before, after] pair of non-negative integers per axis (rank ${rank}) but got ${JSON.stringify(paddings)}`,
      )
    }
    return tf.pad(x, paddings.map((p) => [p[0], p[1]] as [number, number]), constantValue)
  },
  () =>
    perAxisRule(
      'ops.pad',
      'paddings',
      (p: PadParams) => p.paddings,
      [0, 0] as const,
      (x, paddings, { constantValue }) => pad(x, paddings, constantValue),
    ),
  (b) =>
    (x, paddings, constantValue = 0) =>
      one(b([x], { paddings, constantValue })),
)

/**
 * Reverses `x` along `axis` (every axis when omitted), as `tf.reverse`. `[...s] -> [...s]`
 * @example
 * ```ts
 * ops.reverse(tf.tensor1d([1, 2, 3]))   // [3, 2, 1]
 * ```
 */
export const reverse: (x: Operand, axis?: number | number[]) => tf.Tensor = defOp<
  number | number[] | undefined,
  (x: Operand, axis?: number | number[]) => tf.Tensor
>(
  'reverse',
  ([x], axis) => tf.reverse(x, axis),
  () => ([x], axis) => {
    const b = x!
    const axes = reductionAxes('ops.reverse', axis, exampleRank(b)).map((a) => physicalAxis(a, b.bdim!))
    return { value: reverse(b.value, axes), bdim: b.bdim }
  },
  (b) => (x, axis) => one(b([x], axis)),
)
