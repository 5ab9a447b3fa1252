/**
 * `dense`: the affine layer `x W + b` over the last axis.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, decodeOrThrow, PositiveInt } from '../core/config.js'
import { fmtShape } from '../core/folded.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import { glorotUniform, InitializerCodec, zeros, type Initializer } from './initializers.js'
import { badInput, checkInShape, checkTensor, stateless, type Layer } from './layer.js'

/** The parameters of `dense`: kernel `w` `[in, units]` and bias `b` `[units]` (absent with `useBias: false`). */
export interface DenseParams {
  readonly w: tf.Tensor
  readonly b?: tf.Tensor
}

/**
 * The codec of `dense`'s options.
 *
 * @example
 * ```ts
 * nn.DenseConfig.is({ wInit: nn.heNormal(), bInit: nn.zeros(), useBias: true })   // true
 * ```
 */
export const DenseConfig = t.type({ wInit: InitializerCodec, bInit: InitializerCodec, useBias: t.boolean })
/** The decoded options of `dense`. */
export type DenseConfig = t.TypeOf<typeof DenseConfig>

/**
 * A fully connected layer: `y = x W + b` over the last axis, any axes in between kept.
 * Shapes: `init(key, [...s, in]) -> [...s, units]`; `apply: [B, ...s, in] -> [B, ...s, units]`.
 * Options: `wInit` (default `glorotUniform()`), `bInit` (default `zeros()`), `useBias`
 * (default `true`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const layer = nn.dense(3)
 * const [params] = layer.init(random.key(0), [4])   // { w: [4, 3], b: [3] }
 * layer.apply(params, tf.ones([2, 4])).shape        // [2, 3]
 * ```
 */
export function dense(
  units: number,
  options: Partial<{ wInit: Initializer; bInit: Initializer; useBias: boolean }> = {},
): Layer<DenseParams> {
  const n = decodeOrThrow('nn.dense', PositiveInt, units, 'units')
  const c = decodeOptionsOrThrow('nn.dense', DenseConfig, { wInit: glorotUniform(), bInit: zeros(), useBias: true }, options)
  return stateless<DenseParams>(
    'dense',
    (key, inShape) => {
      const s = checkInShape('nn.dense.init', inShape)
      if (s.length === 0) checkInShape('nn.dense.init', inShape, 1, 'a shape [...s, in] of rank >= 1')
      const nIn = s[s.length - 1]!
      const [kw, kb] = [random.foldIn(key, 0), random.foldIn(key, 1)]
      const w = c.wInit.init(kw, [nIn, n], { fanIn: nIn, fanOut: n }) // [in, units]
      const params: DenseParams = c.useBias ? { w, b: c.bInit.init(kb, [n], { fanIn: nIn, fanOut: n }) } : { w } // b: [units]
      return [params, [...s.slice(0, -1), n]]
    },
    ({ w, b }, x) => {
      const fn = 'nn.dense.apply'
      checkTensor(fn, x)
      const [nIn, nOut] = w.shape as [number, number]
      if (x.rank < 2 || x.shape[x.rank - 1] !== nIn) badInput(fn, `[B, ...s, ${nIn}] (a batch of examples [...s, ${nIn}], w is ${fmtShape(w.shape)})`, x)
      const lead = x.shape.slice(0, -1)
      const flat = ops.reshape(x, [-1, nIn]) // [B*prod(s), in]
      const y = ops.matMul(flat, w) // [B*prod(s), units]
      const yb = b === undefined ? y : ops.add(y, b) // [B*prod(s), units]
      return ops.reshape(yb, [...lead, nOut]) // [B, ...s, units]
    },
  )
}
