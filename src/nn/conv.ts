/**
 * Convolution and pooling layers over NHWC images: `conv2d`, `maxPool`, `avgPool`.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, decodeOrThrow, PositiveInt } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import { glorotUniform, InitializerCodec, zeros, type Initializer } from './initializers.js'
import { badInput, checkInShape, checkTensor, stateless, type Layer, type Shape } from './layer.js'

/** A size per spatial axis, `[height, width]`, or one number for both. */
export type Size2 = number | readonly [number, number]

/**
 * The codec of a per-axis size: a positive integer or a pair of them.
 *
 * @example
 * ```ts
 * nn.Size2Codec.is([3, 2])   // true
 * ```
 */
export const Size2Codec = t.union([PositiveInt, t.tuple([PositiveInt, PositiveInt])], 'PositiveInt | [PositiveInt, PositiveInt]')

/**
 * The codec of a padding: `'valid'` (no padding: the window stays inside the image) or `'same'`
 * (zero padding so that the output is `ceil(input / stride)`).
 *
 * @example
 * ```ts
 * nn.PaddingCodec.is('same')   // true
 * ```
 */
export const PaddingCodec = t.union([t.literal('valid'), t.literal('same')])
/** `'valid'` or `'same'`. */
export type Padding = t.TypeOf<typeof PaddingCodec>

const pair = (s: t.TypeOf<typeof Size2Codec>): [number, number] => (typeof s === 'number' ? [s, s] : [s[0], s[1]])

/** The output size of a window `k` with stride `s` over `n` (tf's rule). */
const outSize = (n: number, k: number, s: number, padding: Padding): number =>
  padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - k + 1) / s)

/** `[H', W']` for an `[H, W, ...]` input, after checking the window fits with `'valid'` padding. */
function spatialOut(fn: string, arg: string, inShape: Shape, [kh, kw]: [number, number], [sh, sw]: [number, number], padding: Padding): [number, number] {
  const [h, w] = [inShape[0]!, inShape[1]!]
  if (padding === 'valid' && (kh > h || kw > w)) {
    throw new ArgumentError(
      `${fn}(inShape): the ${kh}x${kw} ${arg} does not fit in the ${h}x${w} input ${fmtShape(inShape)} with 'valid' padding; ` +
        `use a smaller ${arg} or padding 'same'`,
    )
  }
  return [outSize(h, kh, sh, padding), outSize(w, kw, sw, padding)]
}

/** The parameters of `conv2d`: filter `w` `[fh, fw, C, filters]` and bias `b` `[filters]` (absent with `useBias: false`). */
export interface Conv2DParams {
  readonly w: tf.Tensor
  readonly b?: tf.Tensor
}

/**
 * The codec of `conv2d`'s options.
 *
 * @example
 * ```ts
 * nn.Conv2DConfig.is({ strides: 1, padding: 'same', wInit: nn.heNormal(), bInit: nn.zeros(), useBias: true })   // true
 * ```
 */
export const Conv2DConfig = t.type({ strides: Size2Codec, padding: PaddingCodec, wInit: InitializerCodec, bInit: InitializerCodec, useBias: t.boolean })
/** The decoded options of `conv2d`. */
export type Conv2DConfig = t.TypeOf<typeof Conv2DConfig>

/**
 * 2-D convolution over NHWC images, `y = conv(x, w) + b`.
 * Shapes: `init(key, [H, W, C]) -> [H', W', filters]`; `apply: [B, H, W, C] -> [B, H', W', filters]`,
 * with `H' = ceil((H - fh + 1) / sh)` for `'valid'` padding and `ceil(H / sh)` for `'same'`.
 * Options: `strides` (default 1), `padding` (default `'valid'`), `wInit` (default
 * `glorotUniform()`), `bInit` (default `zeros()`), `useBias` (default `true`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const layer = nn.conv2d(8, 3, { padding: 'same' })
 * const [params, outShape] = layer.init(random.key(0), [28, 28, 1])   // w: [3, 3, 1, 8]; outShape [28, 28, 8]
 * layer.apply(params, tf.zeros([2, 28, 28, 1])).shape                // [2, 28, 28, 8]
 * ```
 */
export function conv2d(
  filters: number,
  kernelSize: Size2,
  options: Partial<{ strides: Size2; padding: Padding; wInit: Initializer; bInit: Initializer; useBias: boolean }> = {},
): Layer<Conv2DParams> {
  const fn = 'nn.conv2d'
  const nOut = decodeOrThrow(fn, PositiveInt, filters, 'filters')
  const k = pair(decodeOrThrow(fn, Size2Codec, kernelSize, 'kernelSize'))
  const c = decodeOptionsOrThrow(fn, Conv2DConfig, { strides: 1, padding: 'valid', wInit: glorotUniform(), bInit: zeros(), useBias: true }, options)
  const strides = pair(c.strides)
  return stateless<Conv2DParams>(
    'conv2d',
    (key, inShape) => {
      const s = checkInShape(`${fn}.init`, inShape, 3, 'an image shape [height, width, channels]')
      const [h, w] = spatialOut(`${fn}.init`, 'kernel', s, k, strides, c.padding)
      const nIn = s[2]!
      const fans = { fanIn: k[0] * k[1] * nIn, fanOut: k[0] * k[1] * nOut }
      const filt = c.wInit.init(random.foldIn(key, 0), [k[0], k[1], nIn, nOut], fans) // [fh, fw, C, O]
      const params: Conv2DParams = c.useBias ? { w: filt, b: c.bInit.init(random.foldIn(key, 1), [nOut], fans) } : { w: filt } // b: [O]
      return [params, [h, w, nOut]]
    },
    ({ w, b }, x) => {
      checkTensor(`${fn}.apply`, x)
      const nIn = w.shape[2]!
      if (x.rank !== 4 || x.shape[3] !== nIn) badInput(`${fn}.apply`, `[B, H, W, ${nIn}] (a batch of images with ${nIn} channels, w is ${fmtShape(w.shape)})`, x)
      const y = ops.conv2d(x, w, strides, c.padding, 'NHWC') // [B, H', W', O]
      return b === undefined ? y : ops.add(y, b) // [B, H', W', O]
    },
  )
}

/**
 * The codec of the options of `maxPool` and `avgPool` (`strides` defaults to the window).
 *
 * @example
 * ```ts
 * nn.PoolConfig.is({ strides: 2, padding: 'valid' })   // true
 * ```
 */
export const PoolConfig = t.type({ strides: Size2Codec, padding: PaddingCodec })
/** The decoded options of `maxPool` and `avgPool`. */
export type PoolConfig = t.TypeOf<typeof PoolConfig>

function pool(
  tag: 'maxPool' | 'avgPool',
  op: (x: tf.Tensor, f: [number, number], s: [number, number], p: Padding) => tf.Tensor,
  window: Size2,
  options: Partial<{ strides: Size2; padding: Padding }>,
): Layer<undefined> {
  const fn = `nn.${tag}`
  const win = decodeOrThrow(fn, Size2Codec, window, 'window')
  const c = decodeOptionsOrThrow(fn, PoolConfig, { strides: win, padding: 'valid' }, options)
  const [k, strides] = [pair(win), pair(c.strides)]
  return stateless<undefined>(
    tag,
    (_key, inShape) => {
      const s = checkInShape(`${fn}.init`, inShape, 3, 'an image shape [height, width, channels]')
      const [h, w] = spatialOut(`${fn}.init`, 'window', s, k, strides, c.padding)
      return [undefined, [h, w, s[2]!]]
    },
    (_params, x) => {
      checkTensor(`${fn}.apply`, x)
      if (x.rank !== 4) badInput(`${fn}.apply`, '[B, H, W, C] (a batch of images)', x)
      const [h, w] = [x.shape[1]!, x.shape[2]!]
      if (c.padding === 'valid' && (k[0] > h || k[1] > w)) badInput(`${fn}.apply`, `[B, H, W, C] with H >= ${k[0]} and W >= ${k[1]} (the window, 'valid' padding)`, x)
      return op(x, k, strides, c.padding) // [B, H', W', C]
    },
  )
}

/**
 * 2-D max pooling over NHWC images (no parameters).
 * Shapes: `init(key, [H, W, C]) -> [H', W', C]`; `apply: [B, H, W, C] -> [B, H', W', C]`.
 * Options: `strides` (default: the window), `padding` (default `'valid'`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const layer = nn.maxPool(2)
 * const [params, outShape] = layer.init(random.key(0), [4, 4, 3])   // outShape [2, 2, 3]
 * layer.apply(params, tf.ones([5, 4, 4, 3])).shape                 // [5, 2, 2, 3]
 * ```
 */
export const maxPool = (window: Size2, options: Partial<{ strides: Size2; padding: Padding }> = {}): Layer<undefined> =>
  pool('maxPool', (x, f, s, p) => ops.maxPool(x, f, s, p), window, options)

/**
 * 2-D average pooling over NHWC images (no parameters). With `'same'` padding the padded
 * entries are not counted (tf's rule), in the forward pass and in the gradient.
 * Shapes: `init(key, [H, W, C]) -> [H', W', C]`; `apply: [B, H, W, C] -> [B, H', W', C]`.
 * Options: `strides` (default: the window), `padding` (default `'valid'`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const layer = nn.avgPool([2, 2], { strides: 1 })
 * const [params, outShape] = layer.init(random.key(0), [4, 4, 3])   // outShape [3, 3, 3]
 * ```
 */
export const avgPool = (window: Size2, options: Partial<{ strides: Size2; padding: Padding }> = {}): Layer<undefined> =>
  pool('avgPool', (x, f, s, p) => (p === 'valid' ? ops.avgPool(x, f, s, 'valid') : avgPoolSame(x, f, s)), window, options)

/** tf's leading and trailing pads and the per-output count of real (unpadded) entries, for `'same'` padding. */
function samePads(n: number, k: number, s: number): [number, number, number[]] {
  const out = Math.ceil(n / s)
  const total = Math.max((out - 1) * s + k - n, 0)
  const before = Math.floor(total / 2)
  const counts = Array.from({ length: out }, (_, i) => Math.min(i * s - before + k, n) - Math.max(i * s - before, 0))
  return [before, total - before, counts]
}

/**
 * Average pooling with `'same'` padding that counts only the real entries, as tf's forward pass,
 * computed as a `'valid'` pooling of the zero-padded input rescaled by `window / count`: tfjs's
 * gradient of `avgPool` with `'same'` padding divides by the whole window everywhere, which is
 * wrong at the borders (float64 finite differences disagree).
 */
function avgPoolSame(x: tf.Tensor, [kh, kw]: [number, number], [sh, sw]: [number, number]): tf.Tensor {
  const [h, w] = [x.shape[1]!, x.shape[2]!]
  const [th, bh, ch] = samePads(h, kh, sh)
  const [tw, bw, cw] = samePads(w, kw, sw)
  const padded = ops.pad(x, [[0, 0], [th, bh], [tw, bw], [0, 0]]) // [B, H + pads, W + pads, C]
  const sums = ops.avgPool(padded, [kh, kw], [sh, sw], 'valid') // [B, H', W', C], divided by kh kw
  const scale = ch.flatMap((a) => cw.map((b) => (kh * kw) / (a * b))) // H' W' factors window / count
  return ops.mul(sums, ops.reshape(scale, [ch.length, cw.length, 1])) // [B, H', W', C]
}
