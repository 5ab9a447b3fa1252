/**
 * Speed of the MAP solvers: the TypedArray kernels alone, and the records through `batched`
 * and `vmap` (one kernel call each, plus reading theta and building the output tensor).
 * Run: `npx tsx bench/solvers.ts` (IMLE_BACKEND=cpu|wasm).
 */
import * as tf from '@tensorflow/tfjs-core'
import { init, vmap, type BackendName } from '../src/index.js'
import { gridShortestPath, gridShortestPathMask, topK, topKMask } from '../src/solvers/index.js'
import { time } from './_timing.js'

const REPS = 30


async function main(): Promise<void> {
  const backend = await init({ backend: (process.env['IMLE_BACKEND'] ?? 'cpu') as BackendName })
  const rows: [string, number][] = []

  // topK: B = 1000 instances, n = 400, k = 10.
  {
    const [B, n, k] = [1000, 400, 10]
    const thetas = tf.randomNormal([B, n], 0, 1, 'float32', 1) // [B, n]
    const data = thetas.dataSync() as Float32Array
    const out = new Float32Array(B * n)
    const solver = topK(k)
    const batched = vmap(solver)
    rows.push([`topKMask kernel      B=${B} n=${n} k=${k}`, time(() => topKMask(data, B, n, k, out), REPS)])
    rows.push([`topK.batched         B=${B} n=${n} k=${k}`, time(() => solver.batched(thetas).dispose(), REPS)])
    rows.push([`vmap(topK)           B=${B} n=${n} k=${k}`, time(() => batched(thetas).dispose(), REPS)])
    thetas.dispose()
  }

  // Grid shortest path, 8-neighbourhood, costs in [0.1, 10): B = 70 of 12x12, B = 16 of 30x30.
  for (const [B, h, w] of [[70, 12, 12], [16, 30, 30]] as const) {
    const thetas = tf.randomUniform([B, h, w], -10, -0.1, 'float32', 2) // [B, h, w], theta = -cost
    const data = thetas.dataSync() as Float32Array
    const out = new Float32Array(B * h * w)
    const solver = gridShortestPath({ neighbourhood: 8 })
    const batched = vmap(solver)
    const size = `B=${B} ${h}x${w}`.padEnd(12)
    rows.push([`gridShortestPathMask kernel 8-nbhd ${size}`, time(() => gridShortestPathMask(data, B, h, w, 8, out), REPS)])
    rows.push([`gridShortestPath.batched    8-nbhd ${size}`, time(() => solver.batched(thetas).dispose(), REPS)])
    rows.push([`vmap(gridShortestPath)      8-nbhd ${size}`, time(() => batched(thetas).dispose(), REPS)])
    thetas.dispose()
  }

  console.log(`MAP solvers on ${backend}, median of ${REPS} runs`)
  for (const [name, ms] of rows) console.log(`${name.padEnd(50)} ${ms.toFixed(3)} ms`)
  console.log(`tensors left: ${tf.memory().numTensors}`)
}

void main()
