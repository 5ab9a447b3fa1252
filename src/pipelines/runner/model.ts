/**
 * The models of learning-to-plan pipelines, built from their config with `nn`: an image
 * `[B, 8k, 8k, 3]` to positive cell costs `[B, k, k, 1]`.
 *
 * @module
 */
import * as nn from '../../nn/index.js'
import type { ModelConfig } from '../definition/pipeline.js'

/** The pixels of a cell's tile side (the data's `TILE`): images are `8k x 8k`. */
export const TILE = 8

/**
 * The `nn` layer of a model config (see `ModelConfig`): `[B, 8k, 8k, 3] -> [B, k, k, 1]`, costs > 0.
 *
 * @example
 * ```ts
 * const net = buildModel({ type: 'tileMlp', hidden: 16 })
 * const [params] = net.init(random.key(0), [48, 48, 3])   // output shape [6, 6, 1]
 * ```
 */
export function buildModel(config: ModelConfig): nn.AnyLayer {
  if (config.type === 'tileMlp') {
    return nn.serial(nn.avgPool(TILE), nn.conv2d(config.hidden ?? 16, 1), nn.relu, nn.conv2d(1, 1), nn.softplus)
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
  layers.push(nn.conv2d(1, 1), nn.softplus)
  return nn.serial(...layers)
}
