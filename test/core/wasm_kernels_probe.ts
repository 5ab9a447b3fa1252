// Run in a fresh process by wasm_kernels.test.ts: are the wasm kernels registered at import, or only at init()?
import * as tf from '@tensorflow/tfjs-core'

const names = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']
const registered = (): boolean[] => names.map((n) => tf.getKernel(n, 'wasm') !== undefined)
await import('@tensorflow/tfjs-backend-wasm')
const before = registered()
const lib = await import('../../src/index.js')
const onImport = registered()
await lib.init({ backend: 'cpu' })
const afterInit = registered()
console.log(JSON.stringify({ before, onImport, afterInit }))
