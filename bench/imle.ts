/**
 * I-MLE training-step benchmark: milliseconds per step, median and best of REPS (forward +
 * backward of sum(z * w), w fixed, a fresh random theta each step) for the workloads the reference implementation is
 * measured on, on the wasm and cpu backends; and raw noise sampling of 1e6 values. The random
 * thetas (16 distinct ones, cycled) are drawn before timing.
 *
 * Run: `npx tsx bench/imle.ts` (optionally `BACKENDS=wasm` and `REPS=20`).
 */
import * as tf from '@tensorflow/tfjs-core'
import { grad, imle, init, noise, ops, random, solvers, target, vmap, type BackendName } from '../src/index.js'
import { timeStats } from './_timing.js'

const REPS = Number(process.env['REPS'] ?? 15)
const RING = 16
const BACKENDS = (process.env['BACKENDS'] ?? 'wasm,cpu').split(',') as BackendName[]

/** Median and best ms of `fn` over `reps` runs after warm-up runs; checks that nothing leaks. */
function timeNoLeak(fn: (i: number) => void, reps = REPS): { median: number; min: number } {
  fn(-1)
  const before = tf.memory().numTensors
  const stats = timeStats(fn, reps, 2)
  if (tf.memory().numTensors !== before) throw new Error(`bench leaked ${tf.memory().numTensors - before} tensors`)
  return stats
}

const fmt = ({ median, min }: { median: number; min: number }): string =>
  `${median.toFixed(2).padStart(8)} ms (best ${min.toFixed(2)})`

interface Workload {
  readonly name: string
  readonly B: number
  readonly shape: readonly number[]
  readonly solver: (theta: tf.Tensor) => tf.Tensor
  readonly noise: () => Parameters<typeof imle>[1]
  readonly S: number
  readonly reference?: string
}

const workloads: Workload[] = []
for (const S of [1, 10]) {
  workloads.push({
    name: `top-k B=100 n=400 k=10, SoG(k=10, s=100), S=${S}`,
    B: 100,
    shape: [400],
    solver: solvers.topK(10),
    noise: () => noise.sumOfGamma({ k: 10, nbIterations: 100 }),
    S,
    ...(S === 1 ? { reference: '~240 ms' } : {}),
  })
}
for (const S of [1, 10]) {
  workloads.push({
    name: `top-k B=100 n=400 k=10, Gumbel, S=${S}`,
    B: 100,
    shape: [400],
    solver: solvers.topK(10),
    noise: () => noise.gumbel(),
    S,
    ...(S === 1 ? { reference: '~1.4 ms' } : {}),
  })
}
for (const [B, side] of [
  [70, 12],
  [16, 30],
] as const) {
  for (const S of [1, 10]) {
    workloads.push({
      name: `grid 8-nbhd B=${B} ${side}x${side}, SoG(k=${(1.3 * side).toFixed(1)}, s=100), S=${S}`,
      B,
      shape: [side, side],
      solver: solvers.gridShortestPath({ neighbourhood: 8 }),
      noise: () => noise.sumOfGamma({ k: 1.3 * side, nbIterations: 100 }),
      S,
      ...(side === 12 && S === 1 ? { reference: '200-290 ms' } : {}),
    })
  }
}

for (const backend of BACKENDS) {
  await init({ backend })
  for (const wl of workloads) {
    const layer = vmap(imle(wl.solver, wl.noise(), target.standard({ beta: 10 }), { nbSamples: wl.S }))
    const outShape = wl.S === 1 ? [wl.B, ...wl.shape] : [wl.B, wl.S, ...wl.shape]
    const w = tf.randomNormal(outShape)
    // Fresh random theta each step, drawn before timing: a ring of distinct thetas, so that the
    // figure is the training step (forward + backward), not tfjs's random-number generator.
    const thetas = Array.from({ length: RING }, () => tf.randomNormal([wl.B, ...wl.shape]))
    const step = (i: number): void => {
      tf.tidy(() => {
        const theta = thetas[(i + RING) % RING]!
        const keys = random.split(random.key(i + 1000), wl.B)
        const g = grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, keys), w)))(theta)
        g.dataSync()
      })
    }
    const ms = timeNoLeak(step)
    tf.dispose([w, ...thetas])
    console.log(`${backend.padEnd(5)} ${wl.name.padEnd(58)} ${fmt(ms)} per step   ${wl.reference ? `reference ${wl.reference}` : ''}`)
  }
  // Raw sampling of 1e6 values.
  const key = random.key(7)
  const samplers: [string, () => tf.Tensor, string][] = [
    ['1e6 SoG(k=10, s=100), table sampler', () => noise.sumOfGamma({ k: 10, nbIterations: 100 }).sample(key, [1_000_000]), '~6 s'],
    ['1e6 Gumbel', () => noise.gumbel().sample(key, [1_000_000]), ''],
  ]
  for (const [name, f, ref] of samplers) {
    const ms = timeNoLeak(() => f().dispose(), 7)
    console.log(`${backend.padEnd(5)} ${name.padEnd(58)} ${fmt(ms)}            ${ref ? `reference ${ref}` : ''}`)
  }
  // One run: the exact sampler draws 1e8 Gamma variates here.
  const t0 = performance.now()
  noise.sumOfGamma({ k: 10, nbIterations: 100, sampler: 'exact' }).sample(key, [1_000_000]).dispose()
  const exactMs = performance.now() - t0
  console.log(`${backend.padEnd(5)} ${'1e6 SoG(k=10, s=100), exact sampler (100 Gammas/value)'.padEnd(58)} ${exactMs.toFixed(2).padStart(8)} ms        reference ~6 s`)
  key.dispose()
}
