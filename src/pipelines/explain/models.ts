/**
 * The networks of learning to explain, built from `nn` layers: for the synthetic sets L2X's
 * selector and predictor MLPs; for text a convolutional selector over tokens (L2X's IMDB
 * selector: a global and a local branch), a bag-of-selected-words predictor, and a
 * convolutional classifier that reads the whole message (the model whose decisions the
 * explanations are checked against).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import type { Key } from '../../core/random/index.js'
import { relu } from '../../nn/activations.js'
import { serial } from '../../nn/combinators.js'
import { conv2d } from '../../nn/conv.js'
import { dense } from '../../nn/dense.js'
import { dropout } from '../../nn/dropout.js'
import { embedding } from '../../nn/embedding.js'
import { normal } from '../../nn/initializers.js'
import { PAD } from './data/text.js'

/** A model: `init(key) -> params` and `apply(params, inputs, { training, key }) -> output`. */
export interface Model<I> {
  readonly init: (key: Key) => unknown
  readonly apply: (params: unknown, inputs: I, options: { readonly training: boolean; readonly key?: Key }) => tf.Tensor
}

/**
 * L2X's synthetic selector: `dense(hidden) relu dense(hidden) relu dense(d)`, one score per
 * feature (L2X uses 100 units, relu for XOR and orange skin and selu otherwise; `nn` has no
 * selu, so relu throughout, and no L2 penalty).
 *
 * Shapes: `x [B, d] -> theta [B, d]`.
 *
 * @example
 * ```ts
 * const sel = mlpSelector(10, 100)
 * sel.apply(sel.init(random.key(0)), tf.zeros([4, 10]), { training: false })   // [4, 10]
 * ```
 */
export function mlpSelector(d: number, hidden: number): Model<tf.Tensor> {
  const net = serial(dense(hidden), relu, dense(hidden), relu, dense(d))
  return { init: (key) => net.init(key, [d])[0], apply: (p, x) => net.apply(p as never, x) }
}

/**
 * L2X's synthetic predictor on the masked input `x * mask`: `dense(hidden) relu dense(hidden)
 * relu dense(2)`, class logits (L2X adds batch normalisation and an L2 penalty; not here).
 *
 * Shapes: `x [B, d] -> logits [B, 2]`.
 *
 * @example
 * ```ts
 * const pred = mlpPredictor(10, 200)
 * pred.apply(pred.init(random.key(0)), tf.zeros([4, 10]), { training: false })   // [4, 2]
 * ```
 */
export function mlpPredictor(d: number, hidden: number): Model<tf.Tensor> {
  const net = serial(dense(hidden), relu, dense(hidden), relu, dense(2))
  return { init: (key) => net.init(key, [d])[0], apply: (p, x) => net.apply(p as never, x) }
}

/** The sizes of the text models. */
export interface TextSizes {
  readonly vocab: number
  readonly length: number
  readonly embedding: number
  readonly filters: number
  readonly hidden: number
  readonly dropout: number
}

/** A 1-D convolution over tokens as `conv2d` on `[B, 1, L, C]` with a `1 x width` kernel, 'same' padding. */
const conv1 = (filters: number, width: number) => conv2d(filters, [1, width], { padding: 'same' })

/**
 * The token selector (L2X's IMDB selector, smaller): embedding, dropout, a 3-wide convolution
 * with relu; a global branch (max over tokens, dense with relu) and a local branch (two more
 * 3-wide convolutions with relu), concatenated per token, dropout, a 1-wide convolution with
 * relu and a 1-wide convolution to one score per token. Padding tokens get their score lowered
 * by `padPenalty` (20), so that top-k picks words while a message has `k` of them.
 *
 * Shapes: `ids int32 [B, L] -> theta [B, L]`.
 *
 * @example
 * ```ts
 * const sel = textSelector({ vocab: 100, length: 20, embedding: 8, filters: 8, hidden: 8, dropout: 0.2 })
 * sel.apply(sel.init(random.key(0)), tf.ones([2, 20], 'int32'), { training: false })   // [2, 20]
 * ```
 */
export function textSelector(s: TextSizes, padPenalty = 20): Model<tf.Tensor> {
  const emb = embedding(s.vocab, s.embedding, { init: normal(0.1) })
  const drop = dropout(s.dropout)
  const first = conv1(s.filters, 3)
  const global = dense(s.hidden)
  const local = serial(conv1(s.filters, 3), relu, conv1(s.filters, 3), relu)
  const head = serial(conv1(s.filters, 1), relu, conv1(1, 1))
  const L = s.length
  return {
    init: (key) => {
      const k = (i: number) => random.foldIn(key, i)
      return {
        emb: emb.init(k(0), [L])[0],
        first: first.init(k(1), [1, L, s.embedding])[0],
        global: global.init(k(2), [s.filters])[0],
        local: local.init(k(3), [1, L, s.filters])[0],
        head: head.init(k(4), [1, L, s.filters + s.hidden])[0],
      }
    },
    apply: (params, ids, { training, key }) => {
      const p = params as { emb: never; first: never; global: never; local: never; head: never }
      const B = ids.shape[0]!
      const o = (i: number) => (key === undefined ? { training } : { training, key: random.foldIn(key, i) })
      const e = drop.apply(undefined, ops.reshape(emb.apply(p.emb, ids), [B, 1, L, s.embedding]), o(0)) // [B, 1, L, E]
      const h = ops.relu(first.apply(p.first, e)) // [B, 1, L, F]
      const g = ops.relu(global.apply(p.global, ops.max(ops.reshape(h, [B, L, s.filters]), 1))) // [B, H]
      const gl = ops.broadcastTo(ops.reshape(g, [B, 1, 1, s.hidden]), [B, 1, L, s.hidden]) // [B, 1, L, H]
      const both = drop.apply(undefined, ops.concat([local.apply(p.local, h), gl], 3), o(1)) // [B, 1, L, F + H]
      const theta = ops.reshape(head.apply(p.head, both), [B, L]) // [B, L]
      const pad = ops.cast(ops.equal(ids, PAD), 'float32') // [B, L]
      return ops.sub(theta, ops.mul(pad, padPenalty)) // [B, L]
    },
  }
}

/**
 * The predictor on the selected tokens: its own embedding, each token's vector times its mask
 * entry (padding zeroed), summed over tokens (a bag of the selected words), then
 * `dense(hidden) relu dense(2)`.
 *
 * Shapes: `([ids int32 [B, L], mask [B, L]]) -> logits [B, 2]`.
 *
 * @example
 * ```ts
 * const pred = textPredictor({ vocab: 100, length: 20, embedding: 8, filters: 8, hidden: 8, dropout: 0.2 })
 * pred.apply(pred.init(random.key(0)), [tf.ones([2, 20], 'int32'), tf.ones([2, 20])], { training: false })   // [2, 2]
 * ```
 */
export function textPredictor(s: TextSizes): Model<readonly [tf.Tensor, tf.Tensor]> {
  const emb = embedding(s.vocab, s.embedding, { init: normal(0.1) })
  const mlp = serial(dense(s.hidden), relu, dense(2))
  return {
    init: (key) => ({ emb: emb.init(random.foldIn(key, 0), [s.length])[0], mlp: mlp.init(random.foldIn(key, 1), [s.embedding])[0] }),
    apply: (params, [ids, mask]) => {
      const p = params as { emb: never; mlp: never }
      const keep = ops.mul(mask, ops.cast(ops.notEqual(ids, PAD), 'float32')) // [B, L]
      const v = ops.sum(ops.mul(emb.apply(p.emb, ids), ops.expandDims(keep, 2)), 1) // [B, E]
      return mlp.apply(p.mlp, v) // [B, 2]
    },
  }
}

/**
 * The classifier that reads the whole message (the model explained): embedding, a 3-wide
 * convolution with relu, max over tokens, `dense(hidden) relu dense(2)`. Padding tokens are
 * zeroed before the convolution, so a message reduced to its selected tokens (the rest set to
 * padding) is a valid input too.
 *
 * Shapes: `ids int32 [B, L] -> logits [B, 2]`.
 *
 * @example
 * ```ts
 * const full = textClassifier({ vocab: 100, length: 20, embedding: 8, filters: 8, hidden: 8, dropout: 0.2 })
 * full.apply(full.init(random.key(0)), tf.ones([2, 20], 'int32'), { training: false })   // [2, 2]
 * ```
 */
export function textClassifier(s: TextSizes): Model<tf.Tensor> {
  const emb = embedding(s.vocab, s.embedding, { init: normal(0.1) })
  const conv = conv1(s.filters, 3)
  const mlp = serial(dense(s.hidden), relu, dense(2))
  const drop = dropout(s.dropout)
  const L = s.length
  return {
    init: (key) => ({
      emb: emb.init(random.foldIn(key, 0), [L])[0],
      conv: conv.init(random.foldIn(key, 1), [1, L, s.embedding])[0],
      mlp: mlp.init(random.foldIn(key, 2), [s.filters])[0],
    }),
    apply: (params, ids, { training, key }) => {
      const p = params as { emb: never; conv: never; mlp: never }
      const B = ids.shape[0]!
      const real = ops.expandDims(ops.cast(ops.notEqual(ids, PAD), 'float32'), 2) // [B, L, 1]
      const e = ops.reshape(ops.mul(emb.apply(p.emb, ids), real), [B, 1, L, s.embedding]) // [B, 1, L, E]
      const x = drop.apply(undefined, e, key === undefined ? { training } : { training, key })
      const h = ops.max(ops.reshape(ops.relu(conv.apply(p.conv, x)), [B, L, s.filters]), 1) // [B, F]
      return mlp.apply(p.mlp, h) // [B, 2]
    },
  }
}
