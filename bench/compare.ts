/**
 * The reference and imle side by side, in one run, on this machine: runs the reference
 * benchmark (`../shared/bench/torch_imle_bench.py`, torch-imle on Debian's PyTorch, one CPU
 * thread) on its `topk`, `path` and `noise` sections, then times the same workloads here (wasm
 * by default), and prints, per workload, both medians, their ratio, the performance issue's
 * target and whether it is met; plus each I-MLE step against its own floor (the noise draw and
 * the two solver calls of a step, timed alone in the same run). Writes both runs' figures as
 * JSON.
 *
 * Run: `TORCH_IMLE_PATH=<checkout of uclnlp/torch-imle> npm run bench:compare`; or
 * `REFERENCE_JSON=<file>` to reuse a reference run's `--json` output. `BACKEND=cpu`, `REPS=30`,
 * `OUT=<file>` (default `out/bench-compare.json`), `SHARED_BENCH=<folder of the reference script>`,
 * `READBACK=1` to copy every step's gradient to a JavaScript array as well.
 *
 * What a step includes: on cpu and wasm every kernel runs synchronously, so when `grad` returns
 * the gradient is computed, in a tensor, as the reference's `loss.backward()` leaves it in
 * `theta.grad`; neither side copies it anywhere. (`dataSync()` would add a copy into a fresh
 * JavaScript buffer, 0.1 to 0.4 ms for 40,000 values on this machine, that the reference does
 * not make; `READBACK=1` includes it, and the run prints its cost.) On an asynchronous backend
 * (webgpu) the step ends with `dataSync()`, to wait for the GPU.
 */
import * as tf from '@tensorflow/tfjs-core'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { grad, imle, init, noise, ops, random, solvers, target, vmap, type BackendName } from '../src/index.js'
import { median } from './_timing.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const REPS = Number(process.env['REPS'] ?? 30)
const BACKEND = (process.env['BACKEND'] ?? 'wasm') as BackendName
const OUT = process.env['OUT'] ?? join(root, 'out', 'bench-compare.json')
const SHARED = process.env['SHARED_BENCH'] ?? join(root, '..', 'shared', 'bench')
const READBACK = process.env['READBACK'] === '1'

/** A reference figure: the median in seconds (and the rest of what the script records). */
interface RefFigure {
  readonly median_s: number
  readonly min_s: number
  readonly n: number
}
type Reference = Readonly<Record<string, Readonly<Record<string, RefFigure>>>>

function reference(): Reference {
  const given = process.env['REFERENCE_JSON']
  if (given !== undefined) {
    // The reference script's `--json` output, or an earlier `bench:compare` output (its `reference`).
    const parsed = JSON.parse(readFileSync(given, 'utf8')) as Reference & { readonly reference?: Reference }
    return parsed.reference ?? parsed
  }
  if (process.env['TORCH_IMLE_PATH'] === undefined) {
    console.error('bench:compare: set TORCH_IMLE_PATH to a checkout of uclnlp/torch-imle (see ../shared/bench/README.md), or REFERENCE_JSON to a reference run')
    process.exit(2)
  }
  const json = join(mkdtempSync(join(tmpdir(), 'imle-ref-')), 'reference.json')
  console.log('== the reference: torch-imle (sections topk, path, noise; this takes minutes)')
  const r = spawnSync('/usr/bin/python3', [join(SHARED, 'torch_imle_bench.py'), '--sections', 'topk,path,noise', '--json', json], { stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`bench:compare: the reference benchmark failed (exit ${r.status}); is Debian's python3-torch installed?`)
    process.exit(1)
  }
  return JSON.parse(readFileSync(json, 'utf8')) as Reference
}

/** One I-MLE workload of the comparison, with where its reference figure is and its target. */
interface Workload {
  readonly name: string
  readonly B: number
  readonly shape: readonly number[]
  readonly solver: solvers.Solver
  readonly noise: () => Parameters<typeof imle>[1]
  readonly S: number
  readonly ref: readonly [section: string, name: string]
  /** The target: at least this many times faster than the reference. */
  readonly target: number
}

function workloads(): Workload[] {
  const out: Workload[] = []
  const topK = solvers.topK(10)
  for (const [nz, label, target] of [['gumbel', 'Gumbel', 2], ['sog', 'Sum-of-Gamma(k=10, s=100)', 200]] as const) {
    for (const S of [1, 10]) {
      out.push({
        name: `top-k B=100 n=400 k=10, ${label}, S=${S}`,
        B: 100, shape: [400], solver: topK, S, target,
        noise: () => (nz === 'gumbel' ? noise.gumbel() : noise.sumOfGamma({ k: 10, nbIterations: 100 })),
        ref: ['topk', `imle topk B=100 N=400 k=10 noise=${nz} S=${S} fwd+bwd`],
      })
    }
  }
  for (const [B, side] of [[70, 12], [16, 30]] as const) {
    for (const S of [1, 10]) {
      const k = 1.3 * side
      out.push({
        name: `grid 8-nbhd B=${B} ${side}x${side}, Sum-of-Gamma(k=${k.toFixed(1)}), S=${S}`,
        B, shape: [side, side], solver: solvers.gridShortestPath({ neighbourhood: 8 }), S, target: 100,
        noise: () => noise.sumOfGamma({ k, nbIterations: 100 }),
        ref: ['path', `imle dijkstra B=${B} ${side}x${side} SoG(k=${k.toFixed(1)}) S=${S} fwd+bwd`],
      })
    }
  }
  return out
}

/**
 * Median ms of `reps` runs of `fn`, after warm-up runs: at least 5, and for at least 300 ms.
 * JavaScript is compiled while it runs (V8 optimises a function after many calls), so the first
 * workload measured after start-up would otherwise be timed partly unoptimised; a training loop
 * runs thousands of steps, so the steady state is what it gets.
 */
function timeMs(fn: (i: number) => void, reps = REPS): number {
  const w0 = performance.now()
  for (let i = 1; i <= 5 || performance.now() - w0 < 300; i++) fn(-i)
  const ts: number[] = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    fn(i)
    ts.push(performance.now() - t0)
  }
  return median(ts)
}

interface Row {
  readonly name: string
  readonly referenceMs: number | null
  readonly imleMs: number
  readonly target: string
  readonly ratio: number | null
  readonly met: boolean | null
}

async function main(): Promise<void> {
  const ref = reference()
  const backend = await init({ backend: BACKEND })
  // Synchronous backends have computed a tensor when the call returns; others are waited for.
  const readBack = READBACK || (backend !== 'cpu' && backend !== 'wasm')
  const done = (t: tf.Tensor): void => {
    if (readBack) t.dataSync()
  }
  console.log(`== imle on ${backend}, ${REPS} timed runs per figure${readBack ? ', each result read back (dataSync)' : ''}`)
  const rows: Row[] = []
  const floors: { name: string; stepMs: number; floorMs: number; readMs: number }[] = []
  const refMs = (section: string, name: string): number | null => {
    const f = ref[section]?.[name]
    return f === undefined ? null : f.median_s * 1000
  }
  const faster = (name: string, r: number | null, mine: number, times: number): Row => {
    const ratio = r === null ? null : r / mine
    return { name, referenceMs: r, imleMs: mine, target: `>= ${times}x faster`, ratio, met: ratio === null ? null : ratio >= times }
  }
  for (const wl of workloads()) {
    const layer = vmap(imle(wl.solver, wl.noise(), target.standard({ beta: 10 }), { nbSamples: wl.S }))
    const outShape = wl.S === 1 ? [wl.B, ...wl.shape] : [wl.B, wl.S, ...wl.shape]
    const w = tf.randomNormal(outShape)
    const thetas = Array.from({ length: 16 }, () => tf.randomNormal([wl.B, ...wl.shape]))
    const step = (i: number): void =>
      tf.tidy(() => {
        const keys = random.split(random.key(i + 1000), wl.B) // [B, 2]
        done(grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, keys), w)))(thetas[((i % 16) + 16) % 16]!))
      })
    // The floor: what a step cannot avoid, timed alone: the noise for all B * S perturbations
    // and two batched solver calls on [B * S, ...s].
    const law = wl.noise()
    const sample = vmap((key: tf.Tensor) => law.sample(key, [wl.S, ...wl.shape]))
    const flat = Array.from({ length: 16 }, () => tf.randomNormal([wl.B * wl.S, ...wl.shape]))
    const floor = (i: number): void =>
      tf.tidy(() => {
        const keys = random.split(random.key(i + 1000), wl.B) // [B, 2]
        done(sample(keys)) // [B, S, ...s]
        done(wl.solver.batched(flat[((i % 16) + 16) % 16]!)) // [B * S, ...s]
        done(wl.solver.batched(flat[(((i + 1) % 16) + 16) % 16]!))
      })
    // Interleaved, so that the machine's drift falls on both alike.
    const stepTimes: number[] = []
    const floorTimes: number[] = []
    for (let round = 0; round < 3; round++) {
      stepTimes.push(timeMs(step, Math.ceil(REPS / 3)))
      floorTimes.push(timeMs(floor, Math.ceil(REPS / 3)))
    }
    const stepMs = median(stepTimes)
    const floorMs = median(floorTimes)
    // What a copy of the gradient to JavaScript costs (not in the step unless READBACK=1).
    const readMs = timeMs((i) => thetas[((i % 16) + 16) % 16]!.dataSync(), Math.ceil(REPS / 3))
    tf.dispose([w, ...thetas, ...flat])
    rows.push(faster(wl.name, refMs(...wl.ref), stepMs, wl.target))
    floors.push({ name: wl.name, stepMs, floorMs, readMs })
    console.log(`  ${wl.name}: ${stepMs.toFixed(2)} ms a step, floor ${floorMs.toFixed(2)} ms, reading the gradient back ${readMs.toFixed(2)} ms`)
  }
  const key = random.key(7)
  const sog = noise.sumOfGamma({ k: 10, nbIterations: 100 })
  const gumbel = noise.gumbel()
  const sogRef = refMs('noise', 'SumOfGamma(k=10, nb_iterations=100) 1e6 elements')
  rows.push(faster('1e6 Sum-of-Gamma(k=10, s=100) values', sogRef, timeMs(() => sog.sample(key, [1_000_000]).dispose(), 7), 1000))
  rows.push(faster('1e6 Gumbel values', refMs('noise', 'Gumbel -log(-log(U)) 1e6 elements'), timeMs(() => gumbel.sample(key, [1_000_000]).dispose(), 7), 3))
  const exact = noise.sumOfGamma({ k: 10, nbIterations: 100, sampler: 'exact' })
  const t0 = performance.now()
  exact.sample(key, [1_000_000]).dispose()
  rows.push(faster("the exact Sum-of-Gamma sampler, 1e6 values (the reference's algorithm)", sogRef, performance.now() - t0, 1))
  key.dispose()

  const f = (x: number | null, d = 2): string => (x === null ? '—' : x.toFixed(d))
  console.log(`\nimle (${backend}) against the reference (torch-imle, CPU, one thread), medians, same machine, same run:`)
  console.log('| workload (forward + backward, ms a step) | reference | imle | reference / imle | target | met |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.name} | ${f(r.referenceMs)} | ${f(r.imleMs)} | ${r.ratio === null ? "—" : `${r.ratio.toFixed(1)}x`} | ${r.target} | ${r.met === null ? 'no reference' : r.met ? 'yes' : 'no'} |`)
  console.log('\nEach I-MLE step against its floor (the noise draw and the two solver calls alone; target: within 1.5x):')
  console.log(`| workload | step ms | floor ms | step / floor | met | reading the gradient back, ms (${readBack ? 'in the step' : 'not in the step'}) |`)
  console.log('|---|---|---|---|---|---|')
  for (const r of floors) console.log(`| ${r.name} | ${r.stepMs.toFixed(2)} | ${r.floorMs.toFixed(2)} | ${(r.stepMs / r.floorMs).toFixed(2)} | ${r.stepMs <= 1.5 * r.floorMs ? 'yes' : 'no'} | ${r.readMs.toFixed(2)} |`)
  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), backend, readBack, reference: ref, rows, floors }, null, 1)}\n`)
  console.log(`\nfigures: ${OUT}`)
}

await main()
