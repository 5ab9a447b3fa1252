// Run in a fresh process by parallel.test.ts: starts a pool, solves one batch and ends WITHOUT
// closing it; the process must still exit by itself (the workers are unref'd).
import * as tf from '@tensorflow/tfjs-core'
import { init } from '../../src/index.js'
import { parallel } from '../../src/solvers/parallel/index.js'
import { topK } from '../../src/solvers/top_k/index.js'

await init({ backend: 'cpu' })
const pool = parallel(topK(1), { workers: 2 })
await pool.load()
const z = pool.batched(tf.tensor2d([[1, 2], [4, 3], [5, 6]]))
console.log(JSON.stringify({ z: z.arraySync(), status: pool.status() }))
