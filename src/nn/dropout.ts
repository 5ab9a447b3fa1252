/**
 * `dropout`: inverted dropout (Srivastava et al., 2014), random through an explicit key.
 *
 * @module
 */
import * as t from 'io-ts'
import { decodeOrThrow } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import { badInput, checkInShape, checkTensor, copy, stateless, type Layer } from './layer.js'

/**
 * The codec of `dropout`'s rate: a number in `[0, 1)`.
 *
 * @example
 * ```ts
 * nn.DropoutRate.is(0.5)   // true
 * ```
 */
export const DropoutRate = t.refinement(t.number, (n) => n >= 0 && n < 1, 'a number in [0, 1)')

/**
 * Inverted dropout: in training mode each entry is kept with probability `1 - rate` and scaled
 * by `1 / (1 - rate)` (so the expectation is `x`), zeroed otherwise; the mask is
 * `random.uniform(options.key, x.shape) >= rate`, so the same key gives the same mask. In
 * evaluation mode (the default) it is the identity. Training mode needs `options.key`; under
 * `vmap`, batch the key too (`random.split(key, B)`) for a different mask per batch, else
 * every batch gets the same mask.
 * Shapes: `init(key, [...s]) -> [...s]`; `apply: [B, ...s] -> [B, ...s]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const drop = nn.dropout(0.5)
 * const y = drop.apply(undefined, tf.ones([4, 10]), { training: true, key: random.key(0) })   // entries 0 or 2
 * ```
 */
export function dropout(rate: number): Layer<undefined> {
  const r = decodeOrThrow('nn.dropout', DropoutRate, rate, 'rate')
  return stateless<undefined>(
    'dropout',
    (_key, inShape) => [undefined, [...checkInShape('nn.dropout.init', inShape)]],
    (_params, x, { key, training }) => {
      checkTensor('nn.dropout.apply', x)
      if (x.rank < 1) badInput('nn.dropout.apply', '[B, ...s] (a batch: rank >= 1)', x)
      if (!training || r === 0) return copy(x)
      if (key === undefined) {
        throw new ArgumentError(
          `nn.dropout.apply(options.key): training mode draws a random mask, so it needs a PRNG key but got undefined; ` +
            `pass { training: true, key: random.key(seed) } (a fresh key per step), or training: false`,
        )
      }
      const keep = ops.greaterEqual(random.uniform(key, x.shape), r) // bool [B, ...s]
      return ops.where(keep, ops.div(x, 1 - r), ops.zerosLike(x)) // [B, ...s]
    },
  )
}
