// Run in a fresh process by engine.test.ts: does importing imle change tfjs before init()?
import * as tf from '@tensorflow/tfjs-core'

const runKernel = tf.engine().runKernel
const gradBefore = tf.getGradient('Abs')
const lib = await import('../../src/index.js')
const onImport = { runKernel: tf.engine().runKernel !== runKernel, gradients: tf.getGradient('Abs') !== gradBefore }
await lib.init({ backend: 'cpu' })
const afterInit = { runKernel: tf.engine().runKernel !== runKernel, gradients: tf.getGradient('Abs') !== undefined }
console.log(JSON.stringify({ gradBefore: gradBefore === undefined ? null : 'registered', onImport, afterInit }))
