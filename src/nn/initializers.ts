/**
 * Parameter initialisers: records `{ _tag, init(key, shape, fans) }` that draw a float32
 * tensor of `shape` from a key. `fans` are the fan-in and fan-out of the weight (a dense
 * kernel `[in, out]` has `fanIn = in`, `fanOut = out`; a conv filter `[fh, fw, C, O]` has
 * `fanIn = fh fw C`, `fanOut = fh fw O`). Layers take them as options (`wInit`, `bInit`, ...).
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOrThrow, Positive } from '../core/config.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import type { Key } from '../core/random/index.js'
import { tidy, type Shape } from './layer.js'

/** Fan-in and fan-out of a weight tensor. */
export interface Fans {
  readonly fanIn: number
  readonly fanOut: number
}

/**
 * An initialiser: draws a float32 tensor of `shape` from `key` (`int32 [2] -> float32 [...shape]`).
 *
 * @example
 * ```ts
 * const init: nn.Initializer = nn.heNormal()
 * init.init(random.key(0), [4, 3], { fanIn: 4, fanOut: 3 })   // float32 [4, 3]
 * ```
 */
export interface Initializer {
  readonly _tag: string
  readonly init: (key: Key, shape: Shape, fans: Fans) => tf.Tensor
}

const isInitializer = (u: unknown): u is Initializer =>
  typeof u === 'object' && u !== null && typeof (u as Initializer)._tag === 'string' && typeof (u as Initializer).init === 'function'

/**
 * The codec of an initialiser option: a record with a string `_tag` and an `init` function.
 *
 * @example
 * ```ts
 * nn.InitializerCodec.is(nn.zeros())   // true
 * ```
 */
export const InitializerCodec: t.Type<Initializer> = new t.Type<Initializer>(
  'Initializer',
  isInitializer,
  (u, c) => (isInitializer(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/**
 * Glorot (Xavier) uniform: `U(-a, a)` with `a = sqrt(6 / (fanIn + fanOut))` (Glorot and Bengio,
 * 2010). The default for kernels of `dense` and `conv2d`.
 *
 * @example
 * ```ts
 * const layer = nn.dense(10, { wInit: nn.glorotUniform() })
 * ```
 */
export const glorotUniform = (): Initializer => ({
  _tag: 'glorotUniform',
  init: (key, shape, { fanIn, fanOut }) => {
    const a = Math.sqrt(6 / (fanIn + fanOut))
    return random.uniform(key, shape, -a, a) // [...shape]
  },
})

/**
 * He (Kaiming) normal: `N(0, 2 / fanIn)` (He et al., 2015), for layers followed by `relu`.
 *
 * @example
 * ```ts
 * const layer = nn.conv2d(8, 3, { wInit: nn.heNormal() })
 * ```
 */
export const heNormal = (): Initializer => ({
  _tag: 'heNormal',
  init: (key, shape, { fanIn }) => tidy(() => ops.mul(random.normal(key, shape), Math.sqrt(2 / fanIn))), // [...shape]
})

/**
 * Zeros (the key only matters under `vmap`, where a batch of keys gives a batch of tensors). The default for biases and for `batchNorm`'s shift.
 *
 * @example
 * ```ts
 * const layer = nn.dense(10, { bInit: nn.zeros() })
 * ```
 */
export const zeros = (): Initializer => ({ _tag: 'zeros', init: (key, shape) => tidy(() => ops.zerosLike(random.uniform(key, shape))) })

/**
 * Ones (the key only matters under `vmap`, where a batch of keys gives a batch of tensors). The default for `batchNorm`'s scale.
 *
 * @example
 * ```ts
 * nn.ones().init(random.key(0), [3], { fanIn: 1, fanOut: 1 })   // [1, 1, 1]
 * ```
 */
export const ones = (): Initializer => ({ _tag: 'ones', init: (key, shape) => tidy(() => ops.onesLike(random.uniform(key, shape))) })

/**
 * Normal `N(0, std^2)`, whatever the fans. The default for `embedding` tables (`std` 1).
 *
 * @example
 * ```ts
 * const layer = nn.dense(10, { wInit: nn.normal(0.01) })
 * ```
 */
export const normal = (std = 1): Initializer => {
  const s = decodeOrThrow('nn.normal', Positive, std, 'std')
  return { _tag: 'normal', init: (key, shape) => tidy(() => ops.mul(random.normal(key, shape), s)) } // [...shape]
}
