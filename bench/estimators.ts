/**
 * The estimator family side by side: milliseconds per training step (forward + backward of
 * `sum(z * w)` through `vmap(layer)`, `w` fixed, one PRNG key per instance, a fresh random
 * theta each step from a ring of 16 drawn before timing) of every estimator on the top-k and
 * grid workloads of `bench/imle.ts`, with the solver kernel calls one step makes. The
 * estimators are interleaved in rounds (each round times STEPS steps of each, in an order
 * rotated from round to round), so that the machine's drift falls on all of them alike; the
 * table gives the median and the best of the per-round means.
 *
 * Run: `npx tsx bench/estimators.ts` (optionally `BACKENDS=wasm,cpu`, `ROUNDS=9`, `STEPS=4`).
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  aimle,
  blackbox,
  grad,
  imle,
  init,
  kSubset,
  kSubsetScoreFunction,
  noise,
  ops,
  perturbed,
  random,
  relax,
  solvers,
  ste,
  target,
  vmap,
  type BackendName,
} from '../src/index.js'
import { median } from './_timing.js'

const ROUNDS = Number(process.env['ROUNDS'] ?? 9)
const STEPS = Number(process.env['STEPS'] ?? 4)
const RING = 16
const BACKENDS = (process.env['BACKENDS'] ?? 'wasm').split(',') as BackendName[]
const SOLVER_KERNELS = ['topK', 'gridShortestPath'] as const
/** The bench's own kernels (the keys of each step), left out of the kernel columns. */
const BENCH_KERNELS = ['random.split'] as const

/** A batched layer: `(theta [B, ...s], keys [B, 2]) -> z [B, ...o]`. */
type Batched = (theta: tf.Tensor, keys: tf.Tensor) => tf.Tensor

interface Workload {
  readonly name: string
  readonly B: number
  readonly shape: readonly number[]
}

interface Entry {
  readonly workload: Workload
  readonly S: number
  readonly name: string
  readonly layer: Batched
}

const topKWl: Workload = { name: 'top-k B=100 n=400 k=10', B: 100, shape: [400] }
const gridWl: Workload = { name: 'grid 8-nbhd B=70 12x12', B: 70, shape: [12, 12] }

/** Every estimator of the family on both workloads, as batched layers (built after `init`). */
function entries(): Entry[] {
  const out: Entry[] = []
  const keyed = (f: (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor): Batched => vmap(f)
  const add = (workload: Workload, S: number, name: string, layer: Batched): void => {
    out.push({ workload, S, name, layer })
  }
  const topK = solvers.topK(10)
  const gumbel = noise.gumbel()
  for (const S of [1, 10]) {
    const nbSamples = S
    add(topKWl, S, 'imle (Gumbel, beta 10)', keyed(imle(topK, gumbel, target.standard({ beta: 10 }), { nbSamples })))
    add(topKWl, S, 'aimle (Gumbel, symmetric)', keyed(aimle(topK, gumbel, { nbSamples })))
    add(topKWl, S, 'ste (Gumbel)', keyed(ste(topK, gumbel, { nbSamples })))
    if (S === 1) add(topKWl, S, 'blackbox (lambda 10)', keyed(blackbox(topK, { lambda: 10 })))
    add(topKWl, S, 'perturbed (normal, sigma 1)', keyed(perturbed(topK, noise.normal(), { nbSamples, sigma: 1 })))
    // The leave-one-out baseline needs S >= 2: at S = 1 the score function runs without one.
    const baseline = S === 1 ? 'none' : 'mean'
    add(topKWl, S, `kSubsetScoreFunction (baseline ${baseline})`, keyed(kSubsetScoreFunction(10, { nbSamples, baseline })))
    if (S === 1) {
      const exact = vmap(kSubset.layer(10))
      add(topKWl, S, 'kSubset.layer (exact marginals)', (theta) => exact(theta))
    }
    // Without `nbSamples` a relaxation returns `[n]`, with it `[S, n]`.
    const relaxOptions = S === 1 ? {} : { nbSamples }
    add(topKWl, S, 'relax.softSub (tau 1)', keyed(relax.softSub(10, 1, relaxOptions)))
    add(topKWl, S, 'relax.gumbelSoftmaxSubset (tau 1)', keyed(relax.gumbelSoftmaxSubset(10, 1, relaxOptions)))
  }
  const grid = solvers.gridShortestPath({ neighbourhood: 8 })
  const sog = noise.sumOfGamma({ k: 1.3 * 12, nbIterations: 100 })
  for (const S of [1, 10]) {
    const nbSamples = S
    add(gridWl, S, 'imle (SoG, beta 10)', keyed(imle(grid, sog, target.standard({ beta: 10 }), { nbSamples })))
    add(gridWl, S, 'aimle (SoG, symmetric)', keyed(aimle(grid, sog, { nbSamples })))
    add(gridWl, S, 'ste (SoG)', keyed(ste(grid, sog, { nbSamples })))
    if (S === 1) add(gridWl, S, 'blackbox (lambda 10)', keyed(blackbox(grid, { lambda: 10 })))
    add(gridWl, S, 'perturbed (normal, sigma 1)', keyed(perturbed(grid, noise.normal(), { nbSamples, sigma: 1 })))
  }
  return out
}

/** A snapshot of the library's kernel counters. */
const counters = (): Map<string, number> => new Map(Object.keys(solvers.kernelCalls).map((k) => [k, solvers.kernelCalls[k]!]))

/** The counters that moved between two snapshots: the solver kernels' total, and the others as `name delta`. */
function kernelDeltas(before: Map<string, number>, after: Map<string, number>): { solver: number; others: string } {
  let solver = 0
  const others: string[] = []
  for (const [name, n] of after) {
    const d = n - (before.get(name) ?? 0)
    if (d === 0 || (BENCH_KERNELS as readonly string[]).includes(name)) continue
    if ((SOLVER_KERNELS as readonly string[]).includes(name)) solver += d
    else others.push(`${name} ${d}`)
  }
  return { solver, others: others.join(', ') }
}

for (const backend of BACKENDS) {
  await init({ backend })
  const list = entries()
  const rings = new Map<Workload, tf.Tensor[]>()
  for (const wl of [topKWl, gridWl]) rings.set(wl, Array.from({ length: RING }, () => tf.randomNormal([wl.B, ...wl.shape]))) // RING x [B, ...s]

  // One step of an entry: `i` picks the theta and the key. `w` is sized from a forward pass.
  const prepared = list.map((e) => {
    const thetas = rings.get(e.workload)!
    const w = tf.tidy(() => tf.randomNormal(e.layer(thetas[0]!, random.split(random.key(0), e.workload.B)).shape)) // [B, ...o]
    const step = (i: number): void => {
      tf.tidy(() => {
        const theta = thetas[((i % RING) + RING) % RING]! // [B, ...s]
        const keys = random.split(random.key(i + 1000), e.workload.B) // [B, 2]
        const g = grad((th: tf.Tensor) => ops.sum(ops.mul(e.layer(th, keys), w)))(theta) // [B, ...s]
        g.dataSync()
      })
    }
    return { ...e, w, step, perRound: [] as number[], calls: { solver: 0, others: '' } }
  })

  // Warm-up (two steps each), then the kernel calls of one step.
  const t0 = performance.now()
  for (const p of prepared) {
    p.step(-1)
    p.step(-2)
    const before = counters()
    p.step(-3)
    p.calls = kernelDeltas(before, counters())
  }
  // Rounds: STEPS steps of each entry per round, the order rotated by one entry each round.
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < prepared.length; j++) {
      const p = prepared[(j + r) % prepared.length]!
      const tensors = tf.memory().numTensors
      const start = performance.now()
      for (let s = 0; s < STEPS; s++) p.step(r * STEPS + s)
      p.perRound.push((performance.now() - start) / STEPS)
      if (tf.memory().numTensors !== tensors) throw new Error(`bench/estimators: ${p.workload.name} ${p.name} leaked ${tf.memory().numTensors - tensors} tensors`)
    }
  }
  const totalS = (performance.now() - t0) / 1000

  console.log(`\n${backend}: ${ROUNDS} rounds x ${STEPS} steps per estimator, ms per step (median and best of the per-round means), solver kernel calls per step, other kernels (besides the keys' random.split); ${totalS.toFixed(0)} s\n`)
  console.log('| workload | S | estimator | median ms | best ms | solver calls | other kernels |')
  console.log('|---|---|---|---|---|---|---|')
  for (const p of prepared) {
    const cells = [p.workload.name, String(p.S), p.name, median(p.perRound).toFixed(2), Math.min(...p.perRound).toFixed(2), String(p.calls.solver), p.calls.others]
    console.log(`| ${cells.join(' | ')} |`)
  }
  for (const p of prepared) p.w.dispose()
  for (const ring of rings.values()) tf.dispose(ring)
}
