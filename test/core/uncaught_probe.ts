// Run in a fresh process by backend.test.ts: an uncaught error after init() on the wasm backend.
import { init } from '../../src/index.js'

await init({ backend: 'wasm' })
throw new Error('an uncaught error from user code')
