/**
 * Registers every tfjs-core gradient, once, in Node (ESM and CJS), under tsx and in browser
 * bundles. tfjs-core's own bundles register none, and its `register_all_gradients` module
 * cannot be imported by Node's ESM loader (extensionless specifiers); `npm install` runs
 * `scripts/build-gradients.mjs`, which bundles it into `tfjs_gradients.generated.js`.
 * The registry is tfjs's global one, so gradients work for every backend.
 *
 * @module
 */
import './tfjs_gradients.generated.js'
