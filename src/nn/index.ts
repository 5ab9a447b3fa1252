/**
 * `nn`: a functional network kit in the style of JAX's stax. A layer is a record of pure
 * functions `{ _tag, init, initState, apply, applyWithState }`; parameters and state are
 * pytrees of float32 tensors that the caller owns; randomness comes in as an explicit key.
 * `init` takes the shape of one example, `apply` a batch with a leading batch axis; every
 * layer is written with `ops`, so `grad` and `vmap` go through all of them (see `nn.Layer`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, nn, ops, random } from 'imle'
 * const net = nn.serial(nn.conv2d(4, 3), nn.relu, nn.maxPool(2), nn.flatten, nn.dense(10))
 * const [params] = net.init(random.key(0), [8, 8, 1])
 * const xs = tf.randomNormal([16, 8, 8, 1])
 * const labels = tf.oneHot(tf.zeros([16], 'int32'), 10)
 * const loss = (p: nn.Children) => ops.neg(ops.mean(ops.sum(ops.mul(ops.logSoftmax(net.apply(p, xs)), labels), -1)))
 * const grads = grad(loss)(params)   // the structure of params
 * ```
 *
 * @module
 */
export {
  type Layer,
  type AnyLayer,
  type ApplyOptions,
  type StepOptions,
  type Shape,
  type ShapeOf,
} from './layer.js'
export { glorotUniform, heNormal, zeros, ones, normal, InitializerCodec, type Initializer, type Fans } from './initializers.js'
export { dense, DenseConfig, type DenseParams } from './dense.js'
export {
  conv2d,
  maxPool,
  avgPool,
  Conv2DConfig,
  PoolConfig,
  Size2Codec,
  PaddingCodec,
  type Conv2DParams,
  type Padding,
  type Size2,
} from './conv.js'
export { relu, sigmoid, tanh, softplus, flatten } from './activations.js'
export { batchNorm, BatchNormConfig, type BatchNormParams, type BatchNormState } from './batch_norm.js'
export { dropout, DropoutRate } from './dropout.js'
export { embedding, EmbeddingConfig, type EmbeddingParams } from './embedding.js'
export { serial, parallel, fanOut, fanInSum, fanInConcat, type Children } from './combinators.js'
