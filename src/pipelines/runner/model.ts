/**
 * The models of learning-to-plan pipelines, built from their config with `nn`: an image
 * `[B, 8k, 8k, 3]` to positive cell costs `[B, k, k, 1]`, optionally normalised to mean 1 per map.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as ops from '../../core/ops.js'
import { badInput, checkTensor, stateless, type Layer } from '../../nn/layer.js'
import * as nn from '../../nn/index.js'
import type { ModelConfig } from '../definition/pipeline.js'

/** The pixels of a cell's tile side (the data's `TILE`): images are `8k x 8k`. */
export const TILE = 8

/**
 * Divides each map's costs by their mean: `[B, k, k, 1] -> [B, k, k, 1]`, mean 1 per map. A
 * shortest path does not change when its costs are scaled, so this only fixes the overall
 * scale, which the noise-free estimators leave free (their gradients drift it; see
 * `ModelConfig.normalize`). Costs must be positive (the softplus before it makes them so).
 *
 * @example
 * ```ts
 * normalizeCosts.apply(undefined, tf.ones([1, 2, 2, 1]).mul(3))   // all 1
 * ```
 */
export const normalizeCosts: Layer<undefined> = stateless<undefined>(
  'normalizeCosts',
  (_key, inShape) => [undefined, [...inShape]],
  (_params, x: tf.Tensor) => {
    checkTensor('normalizeCosts.apply', x)
    if (x.rank !== 4) badInput('normalizeCosts.apply', '[B, k, k, 1] (a batch of cost maps)', x)
    return ops.div(x, ops.mean(x, [1, 2, 3], true)) // [B, k, k, 1]
  },
)

/**
 * The `nn` layer of a model config (see `ModelConfig`): `[B, 8k, 8k, 3] -> [B, k, k, 1]`, costs > 0
 * (mean 1 per map with `normalize`).
 *
 * @example
 * ```ts
 * const net = buildModel({ type: 'tileMlp', hidden: 16 })
 * const [params] = net.init(random.key(0), [48, 48, 3])   // output shape [6, 6, 1]
 * ```
 */
export function buildModel(config: ModelConfig): nn.AnyLayer {
  const head = config.normalize === true ? [nn.softplus, normalizeCosts] : [nn.softplus]
  if (config.type === 'tileMlp') {
    return nn.serial(nn.avgPool(TILE), nn.conv2d(config.hidden ?? 16, 1), nn.relu, nn.conv2d(1, 1), ...head)
  }
  const layers: nn.AnyLayer[] = []
  let reduction = 1
  for (const c of config.channels ?? [16, 16, 16]) {
    layers.push(nn.conv2d(c, 3, { padding: 'same' }))
    if (config.batchNorm === true) layers.push(nn.batchNorm({ momentum: 0.9 }))
    layers.push(nn.relu)
    if (reduction < TILE) {
      layers.push(nn.maxPool(2))
      reduction *= 2
    }
  }
  if (reduction < TILE) layers.push(nn.maxPool(TILE / reduction))
  layers.push(nn.conv2d(1, 1), ...head)
  return nn.serial(...layers)
}
