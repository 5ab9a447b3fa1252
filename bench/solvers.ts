/**
 * Speed of the MAP solvers, in instances per second, for batches of realistic sizes:
 * - `kernel`: the TypedArray kernel alone (what `define` runs, once per batch);
 * - `batched`: the solver record's `batched` call through tfjs (reading theta, building the
 *   output tensor; under `vmap` the same single call);
 * - `plain JS`: a plain-JavaScript reference loop over the same instances (`_plain_solvers.ts`:
 *   `number[]`, `sort` with a comparator, fresh arrays per instance), checked to reach the
 *   same objective on every instance before timing.
 * The three are interleaved in rounds (the machine's drift falls on all alike); the table
 * gives medians over rounds. Then `milp` (HiGHS) on the same knapsack and assignment
 * instances, and `solvers.parallel` with 1 and 2 worker threads against the sequential call
 * for growing batches, to find where the pool pays off.
 *
 * Run: `npx tsx bench/solvers.ts` (`IMLE_BACKEND=cpu|wasm`, `ROUNDS=7`, `SECTIONS=kernels,milp,parallel`).
 */
import * as tf from '@tensorflow/tfjs-core'
import v8 from 'node:v8'
import vm from 'node:vm'
import { init, solvers, type BackendName } from '../src/index.js'
import * as plain from './_plain_solvers.js'
import { median } from './_timing.js'

const ROUNDS = Number(process.env['ROUNDS'] ?? 7)
const SECTIONS = new Set((process.env['SECTIONS'] ?? 'kernels,milp,parallel').split(','))

/** A deterministic generator (xorshift32) so that every run times the same instances. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

interface Workload {
  readonly name: string
  readonly B: number
  /** The per-instance shape. */
  readonly shape: readonly number[]
  readonly solver: solvers.Solver
  /** Draws the batch, `[B, ...shape]` row-major. */
  readonly draw: (next: () => number, size: number) => number
  /** The kernel on TypedArrays: `count` instances of `theta` into `out`. */
  readonly kernel: (theta: Float32Array, out: Float32Array, count: number) => void
  /** The plain-JavaScript reference on one instance. */
  readonly plain: (theta: readonly number[]) => number[]
  /** Output entries per instance (default: the instance size). */
  readonly outSize?: number
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)
const normal = (next: () => number): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())

function workloads(): Workload[] {
  const dagArcs = solvers.dagShortestPathArcs(10, 10)
  const ksWeights = Array.from({ length: 50 }, (_, i) => 1 + ((i * 37) % 20))
  const ksCapacity = 250
  const ksW = Int32Array.from(ksWeights)
  const ksC = Int32Array.of(ksCapacity)
  return [
    {
      name: 'topK(10)            n=400',
      B: 1000, shape: [400], solver: solvers.topK(10), draw: normal,
      kernel: (th, out, count) => solvers.topKMask(th, count, 400, 10, out),
      plain: (th) => plain.topK(th, 10),
    },
    {
      name: 'argmax()            n=400',
      B: 1000, shape: [400], solver: solvers.argmax(), draw: normal,
      kernel: (th, out, count) => solvers.argmaxOneHot(th, count, 400, out),
      plain: plain.argmax,
    },
    {
      name: 'ranking()           n=100',
      B: 1000, shape: [100], solver: solvers.ranking(), draw: normal,
      kernel: (th, out, count) => solvers.ascendingRanks(th, count, 100, out),
      plain: plain.ranking,
    },
    {
      name: 'gridShortestPath 8  12x12',
      B: 70, shape: [12, 12], solver: solvers.gridShortestPath({ neighbourhood: 8 }), draw: (next) => -0.1 - 9.9 * next(),
      kernel: (th, out, count) => solvers.gridShortestPathMask(th, count, 12, 12, 8, out),
      plain: (th) => plain.gridPath(th, 12, 12, 8),
    },
    {
      name: 'gridShortestPath 8  30x30',
      B: 16, shape: [30, 30], solver: solvers.gridShortestPath({ neighbourhood: 8 }), draw: (next) => -0.1 - 9.9 * next(),
      kernel: (th, out, count) => solvers.gridShortestPathMask(th, count, 30, 30, 8, out),
      plain: (th) => plain.gridPath(th, 30, 30, 8),
    },
    {
      name: 'dagShortestPath     10x10',
      B: 256, shape: [solvers.dagArcCount(10, 10)], solver: solvers.dagShortestPath({ grid: [10, 10] }), draw: (next) => -next(),
      kernel: (th, out, count) => solvers.dagShortestPathMask(th, count, 10, 10, out),
      plain: (th) => plain.dagPath(th, 10, 10, dagArcs),
    },
    {
      name: 'knapsack            n=50 C=250',
      B: 256, shape: [50], solver: solvers.knapsack({ weights: ksWeights, capacity: ksCapacity }), draw: normal,
      kernel: (th, out, count) => solvers.knapsackMask(th, count, ksW, ksC, out),
      plain: (th) => plain.knapsack(th, ksWeights, ksCapacity),
    },
    {
      name: 'assignment()        50x50',
      B: 64, shape: [50, 50], solver: solvers.assignment(), draw: normal,
      kernel: (th, out, count) => solvers.assignmentMask(th, count, 50, 50, out),
      plain: (th) => plain.assignment(th, 50),
    },
    {
      name: 'spanningTree        30 nodes',
      B: 256, shape: [435], solver: solvers.spanningTree({ nodes: 30 }), draw: normal,
      kernel: (th, out, count) => solvers.spanningTreeMask(th, count, 30, out),
      plain: (th) => plain.spanningTree(th, 30),
    },
    {
      name: 'matching            14 nodes',
      B: 64, shape: [91], solver: solvers.matching({ nodes: 14 }), draw: normal,
      kernel: (th, out, count) => solvers.matchingMask(th, count, 14, out),
      plain: (th) => plain.matching(th, 14),
    },
  ]
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, off: number, n: number): number => {
  let s = 0
  for (let i = 0; i < n; i++) s += a[off + i]! * b[i]!
  return s
}

/** The data of the tensor `f` makes, with every tensor it makes disposed. */
const read = (f: () => tf.Tensor): Float32Array => {
  const t = tf.tidy(f)
  const data = t.dataSync() as Float32Array
  t.dispose()
  return data
}

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

/**
 * The memory a kernel call allocates per instance, in bytes: the growth of the used heap and
 * array buffers over a call on all `B` instances minus that over a call on one, divided by `B - 1`
 * (after a full collection each; the scratch a call allocates once cancels out).
 */
function bytesPerInstance(wl: Workload, data: Float32Array, out: Float32Array): number {
  const growth = (count: number): number => {
    gc()
    const used = (): number => {
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers // typed arrays' backing stores live outside the heap
    }
    const h0 = used()
    wl.kernel(data, out, count)
    return used() - h0
  }
  growth(wl.B) // warm-up: compiled code, caches
  const samples = Array.from({ length: 5 }, () => (growth(wl.B) - growth(1)) / (wl.B - 1))
  return median(samples)
}

/** Times `fn` once (ms). */
const once = (fn: () => void): number => {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

function kernels(): void {
  console.log('\nMAP solvers: instances per second (medians over rounds), and the speed-up of the kernel over plain JS')
  console.log(`${'solver'.padEnd(30)} ${'B'.padStart(5)} ${'kernel'.padStart(11)} ${'batched'.padStart(11)} ${'plain JS'.padStart(11)}  kernel/plain  heap bytes/instance`)
  for (const wl of workloads()) {
    const size = sizeOf(wl.shape)
    const next = rng(0x5eed)
    const data = Float32Array.from({ length: wl.B * size }, () => wl.draw(next, size))
    const rows = Array.from({ length: wl.B }, (_, r) => Array.from(data.subarray(r * size, (r + 1) * size)))
    const out = new Float32Array(wl.B * size)
    const thetas = tf.tensor(data, [wl.B, ...wl.shape]) // [B, ...s]
    // Agreement: the plain loop reaches the kernel's objective on every instance.
    wl.kernel(data, out, wl.B)
    rows.forEach((row, r) => {
      const a = dot(data, out.subarray(r * size, (r + 1) * size), r * size, size)
      const z = wl.plain(row)
      const b = dot(data, z, r * size, size)
      if (Math.abs(a - b) > 1e-3 * (1 + Math.abs(a))) throw new Error(`${wl.name}: the plain loop disagrees on instance ${r}: ${a} vs ${b}`)
    })
    const t = { kernel: [] as number[], batched: [] as number[], plain: [] as number[] }
    for (let round = 0; round < ROUNDS + 1; round++) {
      const k = once(() => wl.kernel(data, out, wl.B))
      const b = once(() => wl.solver.batched(thetas).dispose())
      const p = once(() => {
        for (const row of rows) wl.plain(row)
      })
      if (round > 0) [t.kernel.push(k), t.batched.push(b), t.plain.push(p)] // round 0 warms up
    }
    thetas.dispose()
    const ips = (ms: number): number => (wl.B / ms) * 1000
    const [k, b, p] = [median(t.kernel), median(t.batched), median(t.plain)]
    const fmt = (ms: number): string => Math.round(ips(ms)).toLocaleString('en').padStart(11)
    const bytes = bytesPerInstance(wl, data, out)
    console.log(`${wl.name.padEnd(30)} ${String(wl.B).padStart(5)} ${fmt(k)} ${fmt(b)} ${fmt(p)}  ${`${(p / k).toFixed(1)}x`.padStart(12)}  ${bytes.toFixed(1).padStart(19)}`)
  }
}

async function milpSection(): Promise<void> {
  await solvers.loadMilp()
  console.log('\nmilp (HiGHS) against the exact solvers on the same instances: instances per second')
  const n = 20
  const weights = Array.from({ length: n }, (_, i) => 1 + ((i * 7) % 10))
  const capacity = 40
  const ks = solvers.knapsack({ weights, capacity })
  const ksMilp = solvers.milp({ A: [weights], b: [capacity] })
  const m = 6
  const asg = solvers.assignment()
  // Assignment as a milp: x[i][j] binary, each row and each column sums to 1.
  const Aeq: number[][] = []
  for (let i = 0; i < m; i++) Aeq.push(Array.from({ length: m * m }, (_, v) => (Math.floor(v / m) === i ? 1 : 0)))
  for (let j = 0; j < m; j++) Aeq.push(Array.from({ length: m * m }, (_, v) => (v % m === j ? 1 : 0)))
  const asgMilp = solvers.milp({ A: [], b: [], Aeq, beq: new Array<number>(2 * m).fill(1) })
  const B = 64
  const pairs: [string, solvers.Solver, solvers.Solver, number[]][] = [
    [`knapsack n=${n}`, ks, ksMilp, [B, n]],
    [`assignment ${m}x${m}`, asg, asgMilp, [B, m * m]],
  ]
  for (const [name, exact, viaMilp, shape] of pairs) {
    const theta = tf.randomNormal(shape, 0, 1, 'float32', 3) // [B, ...]
    const exactTheta = name.startsWith('assignment') ? tf.reshape(theta, [B, m, m]) : theta
    const a = read(() => exact.objective(exactTheta, exact.batched(exactTheta))) // [B]
    const b = read(() => viaMilp.objective(theta, viaMilp.batched(theta))) // [B]
    for (let i = 0; i < B; i++) if (Math.abs(a[i]! - b[i]!) > 1e-4 * (1 + Math.abs(a[i]!))) throw new Error(`${name}: milp disagrees on instance ${i}`)
    const te: number[] = []
    const tm: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      te.push(once(() => exact.batched(exactTheta).dispose()))
      tm.push(once(() => viaMilp.batched(theta).dispose()))
    }
    tf.dispose([theta, exactTheta])
    const ips = (ms: number): string => Math.round((B / ms) * 1000).toLocaleString('en').padStart(10)
    console.log(`${name.padEnd(20)} B=${B}  exact ${ips(median(te))}   milp ${ips(median(tm))}   (same objective on all ${B})`)
  }
}

async function parallelSection(): Promise<void> {
  await solvers.loadMilp()
  console.log('\nsolvers.parallel: ms per batched call, sequential against 1 and 2 worker threads (this machine has 2 cores)')
  const n = 30
  const weights = Array.from({ length: n }, (_, i) => 1 + ((i * 7) % 10))
  const cases: [string, solvers.Solver][] = [
    [`milp knapsack n=${n}`, solvers.milp({ A: [weights], b: [60] })],
    [`knapsack n=${n} C=60`, solvers.knapsack({ weights, capacity: 60 })],
    [`knapsack n=200 C=2000`, solvers.knapsack({ weights: Array.from({ length: 200 }, (_, i) => 1 + ((i * 13) % 40)), capacity: 2000 })],
  ]
  for (const [name, solver] of cases) {
    const pools = [1, 2].map((workers) => solvers.parallel(solver, { workers }))
    await Promise.all(pools.map((p) => p.load()))
    console.log(`${name}`)
    console.log(`${'B'.padStart(8)} ${'sequential'.padStart(12)} ${'1 worker'.padStart(12)} ${'2 workers'.padStart(12)}  best`)
    for (const B of [1, 4, 16, 64, 256]) {
      const size = name.includes('n=200') ? 200 : n
      const theta = tf.randomNormal([B, size], 0, 1, 'float32', B) // [B, n]
      const runs = [solver, ...pools]
      const want = read(() => solver.batched(theta))
      for (const p of pools) {
        const got = read(() => p.batched(theta))
        for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) throw new Error(`${name}: the pool disagrees at ${i}`)
      }
      const times: number[][] = runs.map(() => [])
      for (let round = 0; round < ROUNDS; round++) runs.forEach((s, i) => times[i]!.push(once(() => s.batched(theta).dispose())))
      const med = times.map(median)
      const best = ['sequential', '1 worker', '2 workers'][med.indexOf(Math.min(...med))]
      console.log(`${String(B).padStart(8)} ${med.map((x) => x.toFixed(2).padStart(12)).join(' ')}  ${best}`)
      theta.dispose()
    }
    await Promise.all(pools.map((p) => p.close()))
  }
}

async function main(): Promise<void> {
  const backend = await init({ backend: (process.env['IMLE_BACKEND'] ?? 'wasm') as BackendName })
  console.log(`bench/solvers.ts on ${backend}, ${ROUNDS} rounds, ${new Date().toISOString().slice(0, 10)}`)
  if (SECTIONS.has('kernels')) kernels()
  if (SECTIONS.has('milp')) await milpSection()
  if (SECTIONS.has('parallel')) await parallelSection()
  console.log(`\ntensors left: ${tf.memory().numTensors}`)
}

await main()
