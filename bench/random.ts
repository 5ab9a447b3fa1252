/**
 * Speed of the PRNG: Threefry blocks and the fill loops on TypedArrays, and the tensor ops on
 * the current backend. Run: `npx tsx bench/random.ts` (IMLE_BACKEND=cpu|wasm).
 */
import * as tf from '@tensorflow/tfjs-core'
import { init, type BackendName } from '../src/index.js'
import * as random from '../src/core/random/index.js'
import { time } from './_timing.js'

const N = 1_000_000
const REPS = 20

const W = new Uint32Array(2)

/** The former `fillGumbel`: `-Math.log(-Math.log(u))` per value, for comparison. */
function fillGumbelMathLog(k0: number, k1: number, out: Float32Array): void {
  const n = out.length
  for (let j = 0; j < n >>> 1; j++) {
    random.threefry2x32(k0, k1, 0, j, W, 0)
    out[2 * j] = -Math.log(-Math.log(((W[0]! >>> 9) + 0.5) * 2 ** -23))
    out[2 * j + 1] = -Math.log(-Math.log(((W[1]! >>> 9) + 0.5) * 2 ** -23))
  }
}


async function main(): Promise<void> {
  const backend = await init({ backend: (process.env['IMLE_BACKEND'] ?? 'cpu') as BackendName })
  const f32 = new Float32Array(N)
  const f64 = new Float64Array(N)
  const key = random.key(0)
  const rows: [string, number][] = [
    ['fillUniform       Float32Array 1e6', time(() => random.fillUniform(1, 2, f32), REPS)],
    ['fillUniform       Float64Array 1e6', time(() => random.fillUniform(1, 2, f64), REPS)],
    ['fillUniformOpen   Float32Array 1e6', time(() => random.fillUniformOpen(1, 2, f32), REPS)],
    ['fillNormal        Float32Array 1e6', time(() => random.fillNormal(1, 2, f32), REPS)],
    ['fillGumbel        Float32Array 1e6', time(() => random.fillGumbel(1, 2, f32), REPS)],
    ['fillGumbel        Float64Array 1e6', time(() => random.fillGumbel(1, 2, f64), REPS)],
    ['Gumbel by Math.log Float32Array 1e6', time(() => fillGumbelMathLog(1, 2, f32), REPS)],
    ['fillGamma(0.3)    Float32Array 1e6', time(() => random.fillGamma(1, 2, 0.3, f32), REPS)],
    ['fillGamma(2.5)    Float32Array 1e6', time(() => random.fillGamma(1, 2, 2.5, f32), REPS)],
    [`uniform(key, [1e6]) on ${backend}`, time(() => random.uniform(key, [N]).dispose(), REPS)],
    [`uniform(key, [1e6], -1, 3) on ${backend}`, time(() => random.uniform(key, [N], -1, 3).dispose(), REPS)],
    [`normal(key, [1e6]) on ${backend}`, time(() => random.normal(key, [N]).dispose(), REPS)],
    [`gumbel(key, [1e6]) on ${backend}`, time(() => random.gumbel(key, [N]).dispose(), REPS)],
  ]
  for (const [name, ms] of rows) console.log(`${name.padEnd(40)} ${ms.toFixed(2).padStart(7)} ms  ${((ms * 1e6) / N).toFixed(1).padStart(6)} ns/value`)
  key.dispose()
  console.log(`tensors left: ${tf.memory().numTensors}`)
}

void main()
