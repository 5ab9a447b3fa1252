/**
 * tfjs-core's gradients, registered on demand. tfjs-core's own bundles register none, and its
 * `register_all_gradients` module cannot be imported by Node's ESM loader (extensionless
 * specifiers); `npm install` runs `scripts/build-gradients.mjs`, which bundles the gradient
 * configs into `tfjs_gradients.generated.js` without registering them. The registry is tfjs's
 * global one, so gradients work for every backend.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { gradConfigs } from './tfjs_gradients.generated.js'

/** Registers every tfjs-core gradient that is not registered yet (another tfjs bundle may have). */
export function registerGradients(): void {
  for (const config of gradConfigs) if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config)
}
