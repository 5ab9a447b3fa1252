/**
 * Neural-network ops: `oneHot`, `softmax`, `logSoftmax`, `topk`, convolutions and pooling.
 *
 * Convolutions fold the vmap batch into the op's own batch axis N (a reshape) when only the
 * input is batched. A batched filter is folded into the output channels (an unbatched input,
 * one convolution with `B * outChannels` filters), or, when both are batched, the examples
 * become groups of one depthwise convolution whose products are summed per group: one
 * convolution call for the batch either way.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  bdimTo,
  bdimToFront,
  exampleRank,
  expandExample,
  foldIntoN,
  lastAxisRule,
  moveAxis,
  poolRule,
  squeezeExample,
  unaryRule,
} from '../batch_rules.js'
import { ArgumentError, VmapError } from '../errors.js'
import type { Batched, BatchRule } from '../tracer.js'
import { fmt, shapeOf, shapeWord } from './check.js'
import { defOp, many, one, type Operand } from './def.js'
import { sum } from './reduction.js'
import { reshape, transpose } from './shape.js'

interface OneHotParams {
  readonly depth: number
  readonly onValue: number
  readonly offValue: number
  readonly dtype: tf.DataType
}

/**
 * One-hot encoding of int32 `indices` along a new last axis of length `depth`, as `tf.oneHot`.
 * `[...s] -> [...s, depth]`
 * @example
 * ```ts
 * ops.oneHot(tf.tensor1d([0, 2], 'int32'), 3)   // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export const oneHot: (
  indices: Operand,
  depth: number,
  onValue?: number,
  offValue?: number,
  dtype?: tf.DataType,
) => tf.Tensor = defOp<
  OneHotParams,
  (indices: Operand, depth: number, onValue?: number, offValue?: number, dtype?: tf.DataType) => tf.Tensor
>(
  'oneHot',
  // tfjs's wasm kernel writes int32 words whatever the dtype: other dtypes are made from 0/1 int32.
  ([i], { depth, onValue, offValue, dtype }) =>
    dtype === 'int32'
      ? tf.oneHot(i, depth, onValue, offValue, dtype)
      : tf.tidy(() => {
          const hot = tf.cast(tf.oneHot(i, depth), 'float32') // [...s, depth], 0 or 1
          return tf.cast(tf.add(tf.mul(hot, onValue), tf.mul(tf.sub(1, hot), offValue)), dtype) // exactly on or off
        }),
  // The new axis is appended after every other, the batch axis included: it stays put.
  () => unaryRule((i, { depth, onValue, offValue, dtype }) => oneHot(i, depth, onValue, offValue, dtype)),
  (b) =>
    (indices, depth, onValue = 1, offValue = 0, dtype = 'int32') =>
      one(b([indices], { depth, onValue, offValue, dtype })),
)

/**
 * `exp(x) / sum(exp(x))` along the last axis, as `tf.softmax`. `[...s, n] -> [...s, n]`
 * @example
 * ```ts
 * ops.softmax(tf.tensor1d([0, 0]))   // [0.5, 0.5]
 * ```
 */
export const softmax: (logits: Operand, dim?: number) => tf.Tensor = defOp<number, (logits: Operand, dim?: number) => tf.Tensor>(
  'softmax',
  ([x], dim) => tf.softmax(x, dim),
  () => lastAxisRule('ops.softmax', (dim: number) => dim, (x) => softmax(x, -1)),
  (b) =>
    (logits, dim = -1) =>
      one(b([logits], dim)),
)

/**
 * `x - logSumExp(x)` along the last axis, as `tf.logSoftmax`. `[...s, n] -> [...s, n]`
 * @example
 * ```ts
 * ops.logSoftmax(tf.tensor1d([0, 0]))   // [-0.6931, -0.6931]
 * ```
 */
export const logSoftmax: (logits: Operand, axis?: number) => tf.Tensor = defOp<
  number,
  (logits: Operand, axis?: number) => tf.Tensor
>(
  'logSoftmax',
  ([x], axis) => tf.logSoftmax(x, axis),
  () => lastAxisRule('ops.logSoftmax', (axis: number) => axis, (x) => logSoftmax(x, -1)),
  (b) =>
    (logits, axis = -1) =>
      one(b([logits], axis)),
)

interface TopkParams {
  readonly k: number
  readonly sorted: boolean
}

/**
 * The `k` largest entries along the last axis and their int32 indices, as `tf.topk`.
 * `[...s, n] -> { values: [...s, k], indices: [...s, k] }`
 * @example
 * ```ts
 * ops.topk(tf.tensor1d([1, 5, 3]), 2).indices   // [1, 2]
 * ```
 */
export const topk: (x: Operand, k?: number, sorted?: boolean) => { values: tf.Tensor; indices: tf.Tensor } = defOp<
  TopkParams,
  (x: Operand, k?: number, sorted?: boolean) => { values: tf.Tensor; indices: tf.Tensor }
>(
  'topk',
  ([x], { k, sorted }) => {
    const { values, indices } = tf.topk(x, k, sorted)
    return [values, indices]
  },
  () =>
    lastAxisRule(
      'ops.topk',
      () => -1,
      (x, { k, sorted }) => {
        const { values, indices } = topk(x, k, sorted)
        return [values, indices]
      },
    ),
  (b) =>
    (x, k = 1, sorted = true) => {
      const [values, indices] = many(b([x], { k, sorted }))
      return { values: values!, indices: indices! }
    },
)

// ---------------------------------------------------------------------------------------------
// Convolution and pooling.

/** Padding of `conv1d`/`conv2d`/`depthwiseConv2d`, as tfjs takes it: `'same'`, `'valid'`, a number or explicit pads. */
export type Pad = Parameters<typeof tf.conv2d>[3]
/** Padding of `maxPool`/`avgPool`, as tfjs takes it: `'same'`, `'valid'` or a number. */
export type PoolPad = Parameters<typeof tf.maxPool>[3]
/** A size per spatial axis (`[height, width]`), or one number for both. */
export type Pair = [number, number] | number
/** How a pooled or strided size is rounded when padding is a number. */
export type Rounding = 'floor' | 'round' | 'ceil'

interface Conv2DParams {
  readonly strides: Pair
  readonly pad: Pad
  readonly dataFormat: 'NHWC' | 'NCHW'
  readonly dilations: Pair
  readonly dimRoundingMode: Rounding | undefined
}

/** The signature of `conv2d` and `depthwiseConv2d`, as tf's. */
type Conv2D = (
  x: Operand,
  filter: Operand,
  strides: Pair,
  pad: Pad,
  dataFormat?: 'NHWC' | 'NCHW',
  dilations?: Pair,
  dimRoundingMode?: Rounding,
) => tf.Tensor

function checkConvRanks(fn: string, rx: number, rf: number, xRanks: string, fRank: number): void {
  if (rx !== fRank - 1 && rx !== fRank) {
    throw new VmapError(`${fn}(x): x must be ${xRanks} per example but got rank ${rx}`)
  }
  if (rf !== fRank) throw new VmapError(`${fn}(filter): filter must be rank ${fRank} per example but got rank ${rf}`)
}

const conv2dRule =
  (): BatchRule<Conv2DParams> =>
  ([x, f], p) => {
    const rx = exampleRank(x!)
    checkConvRanks('ops.conv2d', rx, exampleRank(f!), 'rank 3 [H, W, C] or 4 [N, H, W, C]', 4)
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = p
    if (f!.bdim === null) {
      return foldIntoN(x!, rx - 3, (v) => conv2d(v, f!.value, strides, pad, dataFormat, dilations, dimRoundingMode))
    }
    // A batched filter: computed channels-last.
    const nchw = dataFormat === 'NCHW'
    const off = x!.bdim === null ? 0 : 1
    let xv = bdimToFront(x!) // [B?, N?, H, W, C] (or [B?, N?, C, H, W])
    if (nchw) xv = moveAxis(xv, off + rx - 3, xv.rank - 1) // [B?, N?, H, W, C]
    const padding: Pad = nchw && Array.isArray(pad) ? [pad[0]!, pad[2]!, pad[3]!, pad[1]!] : pad
    const fv = bdimToFront(f!) // [B, fh, fw, C, O]
    const [B, fh, fw, C, O] = fv.shape as [number, number, number, number, number]
    let out: tf.Tensor
    if (x!.bdim === null) {
      // The examples' filters side by side: B * O output channels of one convolution.
      const filt = reshape(transpose(fv, [1, 2, 3, 0, 4]), [fh, fw, C, B * O]) // [fh, fw, C, B*O]
      const y = conv2d(xv, filt, strides, padding, 'NHWC', dilations, dimRoundingMode) // [N?, H', W', B*O]
      out = reshape(y, [...y.shape.slice(0, -1), B, O]) // [N?, H', W', B, O]
    } else {
      // The examples as groups of one depthwise convolution, summed over each group's C.
      const xm = moveAxis(xv, 0, xv.rank - 2) // [N?, H, W, B, C]
      const xg = reshape(xm, [...xm.shape.slice(0, -2), B * C]) // [N?, H, W, B*C]
      const filt = reshape(transpose(fv, [1, 2, 0, 3, 4]), [fh, fw, B * C, O]) // [fh, fw, B*C, O]
      const y = depthwiseConv2d(xg, filt, strides, padding, 'NHWC', dilations, dimRoundingMode) // [N?, H', W', B*C*O]
      const z = reshape(y, [...y.shape.slice(0, -1), B, C, O]) // [N?, H', W', B, C, O]
      out = C === 1 ? reshape(z, [...y.shape.slice(0, -1), B, O]) : sum(z, z.rank - 2) // [N?, H', W', B, O]
    }
    if (!nchw) return { value: out, bdim: out.rank - 2 }
    const front = moveAxis(out, out.rank - 2, 0) // [B, N?, H', W', O]
    return { value: moveAxis(front, front.rank - 1, 1 + rx - 3), bdim: 0 } // [B, N?, O, H', W']
  }

/**
 * 2-D convolution, as `tf.conv2d`. `([N?, H, W, C], [fh, fw, C, O]) -> [N?, H', W', O]` (NHWC)
 * @example
 * ```ts
 * ops.conv2d(tf.ones([4, 4, 1]), tf.ones([2, 2, 1, 3]), 1, 'valid').shape   // [3, 3, 3]
 * ```
 */
export const conv2d: Conv2D = defOp<
  Conv2DParams,
  Conv2D
>(
  'conv2d',
  ([x, f], p) => tf.conv2d(x, f, p.strides, p.pad, p.dataFormat, p.dilations, p.dimRoundingMode),
  conv2dRule,
  (b) =>
    (x, filter, strides, pad, dataFormat = 'NHWC', dilations = [1, 1], dimRoundingMode) =>
      one(b([x, filter], { strides, pad, dataFormat, dilations, dimRoundingMode })),
)

/** The signature of `conv1d`, as tf's. */
type Conv1D = (
  x: Operand,
  filter: Operand,
  stride: number,
  pad: Pad,
  dataFormat?: 'NWC' | 'NCW',
  dilation?: number,
  dimRoundingMode?: Rounding,
) => tf.Tensor

interface Conv1DParams {
  readonly stride: number
  readonly pad: Pad
  readonly dataFormat: 'NWC' | 'NCW'
  readonly dilation: number
  readonly dimRoundingMode: Rounding | undefined
}

/**
 * 1-D convolution, as `tf.conv1d` (channels last only, as tf).
 * `([N?, W, C], [fw, C, O]) -> [N?, W', O]`
 * @example
 * ```ts
 * ops.conv1d(tf.ones([5, 2]), tf.ones([3, 2, 4]), 1, 'valid').shape   // [3, 4]
 * ```
 */
export const conv1d: Conv1D = defOp<Conv1DParams, Conv1D>(
  'conv1d',
  ([x, f], p) => tf.conv1d(x, f, p.stride, p.pad, p.dataFormat, p.dilation, p.dimRoundingMode),
  () => {
    const rule2d = conv2dRule()
    // As tf does: a height-1 conv2d, `[N?, 1, W, C]` with filter `[1, fw, C, O]`.
    return ([x, f], { stride, pad, dataFormat, dilation, dimRoundingMode }, size) => {
      const rx = exampleRank(x!)
      checkConvRanks('ops.conv1d', rx, exampleRank(f!), 'rank 2 [W, C] or 3 [N, W, C]', 3)
      if (dataFormat !== 'NWC') {
        throw new VmapError(`ops.conv1d(dataFormat): only 'NWC' is supported, as in tf, but got '${dataFormat}'`)
      }
      const params: Conv2DParams = { strides: [1, stride], pad, dataFormat: 'NHWC', dilations: [1, dilation], dimRoundingMode }
      const out = rule2d([expandExample(x!, rx - 2), expandExample(f!, 0)], params, size) as Batched // [N?, 1, W', O]
      return squeezeExample(out, rx - 2) // [N?, W', O]
    }
  },
  (b) =>
    (x, filter, stride, pad, dataFormat = 'NWC', dilation = 1, dimRoundingMode) =>
      one(b([x, filter], { stride, pad, dataFormat, dilation, dimRoundingMode })),
)

/**
 * Depthwise 2-D convolution (each input channel convolved with its own `M` filters), as
 * `tf.depthwiseConv2d`. `([N?, H, W, C], [fh, fw, C, M]) -> [N?, H', W', C*M]` (NHWC)
 * @example
 * ```ts
 * ops.depthwiseConv2d(tf.ones([4, 4, 2]), tf.ones([2, 2, 2, 3]), 1, 'valid').shape   // [3, 3, 6]
 * ```
 */
export const depthwiseConv2d: Conv2D = defOp<
  Conv2DParams,
  Conv2D
>(
  'depthwiseConv2d',
  ([x, f], p) => tf.depthwiseConv2d(x, f, p.strides, p.pad, p.dataFormat, p.dilations, p.dimRoundingMode),
  () => ([x, f], p, size) => {
    const rx = exampleRank(x!)
    checkConvRanks('ops.depthwiseConv2d', rx, exampleRank(f!), 'rank 3 [H, W, C] or 4 [N, H, W, C]', 4)
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = p
    if (f!.bdim === null) {
      return foldIntoN(x!, rx - 3, (v) => depthwiseConv2d(v, f!.value, strides, pad, dataFormat, dilations, dimRoundingMode))
    }
    if (dataFormat !== 'NHWC') {
      throw new VmapError(`ops.depthwiseConv2d(dataFormat): a batched filter needs 'NHWC' but got '${dataFormat}'`)
    }
    // The examples as channel groups: [N?, H, W, B*C] with filter [fh, fw, B*C, M].
    const xv = bdimTo(x!, x!.value.rank - (x!.bdim === null ? 1 : 2), size) // [N?, H, W, B, C]
    const fv = bdimToFront(f!) // [B, fh, fw, C, M]
    const [B, fh, fw, C, M] = fv.shape as [number, number, number, number, number]
    const xg = reshape(xv, [...xv.shape.slice(0, -2), B * C]) // [N?, H, W, B*C]
    const filt = reshape(transpose(fv, [1, 2, 0, 3, 4]), [fh, fw, B * C, M]) // [fh, fw, B*C, M]
    const y = depthwiseConv2d(xg, filt, strides, pad, 'NHWC', dilations, dimRoundingMode) // [N?, H', W', B*C*M]
    return { value: reshape(y, [...y.shape.slice(0, -1), B, C * M]), bdim: y.rank - 1 } // [N?, H', W', B, C*M]
  },
  (b) =>
    (x, filter, strides, pad, dataFormat = 'NHWC', dilations = [1, 1], dimRoundingMode) =>
      one(b([x, filter], { strides, pad, dataFormat, dilations, dimRoundingMode })),
)

interface PoolParams {
  readonly filterSize: Pair
  readonly strides: Pair
  readonly pad: PoolPad
  readonly dimRoundingMode: Rounding | undefined
}

type Pool = (x: Operand, filterSize: Pair, strides: Pair, pad: PoolPad, dimRoundingMode?: Rounding) => tf.Tensor

/** With `'valid'` padding, the window fits in the (per-example) `[N?, H, W, C]` input. */
function checkPoolWindow(fn: string, x: unknown, { filterSize, pad }: PoolParams): void {
  const s = shapeOf(x)
  if (pad !== 'valid' || s === null || (s.length !== 3 && s.length !== 4)) return
  const [fh, fw] = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize
  const [h, w] = [s[s.length - 3]!, s[s.length - 2]!]
  if (fh > h || fw > w) {
    throw new ArgumentError(
      `${fn}(filterSize): the ${fh}x${fw} window does not fit in the ${h}x${w} input (${shapeWord([x])} ${fmt(s)}) with ` +
        `'valid' padding, so the output would be empty; use a smaller filterSize or pad 'same'`,
    )
  }
}

/**
 * 2-D max pooling, as `tf.maxPool`. `[N?, H, W, C] -> [N?, H', W', C]`
 * @example
 * ```ts
 * ops.maxPool(tf.ones([4, 4, 1]), 2, 2, 'valid').shape   // [2, 2, 1]
 * ```
 */
export const maxPool: Pool = defOp<PoolParams, Pool>(
  'maxPool',
  ([x], p) => tf.maxPool(x, p.filterSize, p.strides, p.pad, p.dimRoundingMode),
  () => poolRule('ops.maxPool', (x, p: PoolParams) => maxPool(x, p.filterSize, p.strides, p.pad, p.dimRoundingMode)),
  (b) => (x, filterSize, strides, pad, dimRoundingMode) => one(b([x], { filterSize, strides, pad, dimRoundingMode })),
  ([x], p) => checkPoolWindow('ops.maxPool', x, p),
)

/**
 * 2-D average pooling, as `tf.avgPool`. `[N?, H, W, C] -> [N?, H', W', C]`
 * @example
 * ```ts
 * ops.avgPool(tf.ones([4, 4, 1]), 2, 2, 'valid').shape   // [2, 2, 1]
 * ```
 */
export const avgPool: Pool = defOp<PoolParams, Pool>(
  'avgPool',
  ([x], p) => tf.avgPool(x, p.filterSize, p.strides, p.pad, p.dimRoundingMode),
  () => poolRule('ops.avgPool', (x, p: PoolParams) => avgPool(x, p.filterSize, p.strides, p.pad, p.dimRoundingMode)),
  (b) => (x, filterSize, strides, pad, dimRoundingMode) => one(b([x], { filterSize, strides, pad, dimRoundingMode })),
  ([x], p) => checkPoolWindow('ops.avgPool', x, p),
)
