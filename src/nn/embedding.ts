/**
 * `embedding`: a lookup table from int32 indices to vectors.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, decodeOrThrow, PositiveInt } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import * as ops from '../core/ops.js'
import { InitializerCodec, normal, type Initializer } from './initializers.js'
import { badInput, checkInShape, checkTensor, stateless, type Layer } from './layer.js'

/** The parameters of `embedding`: the table `[vocab, dim]`. */
export interface EmbeddingParams {
  readonly table: tf.Tensor
}

/**
 * The codec of `embedding`'s options.
 *
 * @example
 * ```ts
 * nn.EmbeddingConfig.is({ init: nn.normal(0.1) })   // true
 * ```
 */
export const EmbeddingConfig = t.type({ init: InitializerCodec })
/** The decoded options of `embedding`. */
export type EmbeddingConfig = t.TypeOf<typeof EmbeddingConfig>

/**
 * Embedding: row `x[i]` of a `[vocab, dim]` table for each int32 index. Indices must lie in
 * `[0, vocab)` (not checked: that would read the data); the gradient reaches the rows used.
 * Shapes: `init(key, [...s]) -> [...s, dim]`; `apply: int32 [B, ...s] -> [B, ...s, dim]`.
 * Options: `init` (default `normal(1)`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const emb = nn.embedding(100, 8)
 * const [params] = emb.init(random.key(0), [5])                    // table [100, 8]
 * emb.apply(params, tf.zeros([2, 5], 'int32')).shape               // [2, 5, 8]
 * ```
 */
export function embedding(vocab: number, dim: number, options: Partial<{ init: Initializer }> = {}): Layer<EmbeddingParams> {
  const fn = 'nn.embedding'
  const v = decodeOrThrow(fn, PositiveInt, vocab, 'vocab')
  const d = decodeOrThrow(fn, PositiveInt, dim, 'dim')
  const c = decodeOptionsOrThrow(fn, EmbeddingConfig, { init: normal(1) }, options)
  return stateless<EmbeddingParams>(
    'embedding',
    (key, inShape) => {
      const s = checkInShape(`${fn}.init`, inShape)
      return [{ table: c.init.init(key, [v, d], { fanIn: v, fanOut: d }) }, [...s, d]] // table [vocab, dim]
    },
    ({ table }, x) => {
      checkTensor(`${fn}.apply`, x)
      if (x.dtype !== 'int32') {
        throw new ArgumentError(`${fn}.apply(x): x must hold int32 indices in [0, ${v}) but got a ${x.dtype} tensor of shape ${fmtShape(x.shape)}`)
      }
      if (x.rank < 1) badInput(`${fn}.apply`, '[B, ...s] (a batch of indices: rank >= 1)', x)
      return ops.gather(table, x) // [B, ...s, dim]
    },
  )
}
