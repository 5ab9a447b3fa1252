/**
 * `milp(model)`: optimal against brute force on random binary models, on general-integer and
 * mixed models, as a knapsack and as an assignment problem; exact LP numbers; integer outputs;
 * `vmap`, `batched`, inside `imle`; no leak; typed errors for bad models, bad theta,
 * infeasible and unbounded instances, before HiGHS is loaded and without the package.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, imle, noise, ops, random, solvers, target, vmap } from '../../src/index.js'
import { kernelCalls } from '../../src/solvers/index.js'
import { assignment } from '../../src/solvers/assignment/index.js'
import { dagShortestPath, dagShortestPathArcs } from '../../src/solvers/dag_shortest_path/index.js'
import { knapsack as exactKnapsack } from '../../src/solvers/knapsack/index.js'
import { loadMilp, milp, type MilpModel } from '../../src/solvers/milp/index.js'
import { lpNumber } from '../../src/solvers/milp/model.js'
import { argumentError, assertNoLeak, setup } from '../support/helpers.js'
import { bruteForce, isFeasible } from '../support/milp.js'

const t = suite('milp')
t.before(async () => {
  await setup()
  await loadMilp()
})

const SEED = Number(process.env['SEED'] ?? 20240611)
const RUNS = Number(process.env['MILP_RUNS'] ?? 300)

/** Solves a batch of thetas `[B, n]` and checks every row against brute force (objective to 1e-6). */
function checkAgainstBrute(model: MilpModel, thetas: number[][], label: string): void {
  const want = thetas.map((th) => bruteForce(model, Float32Array.from(th)))
  const solver = milp(model)
  const theta = tf.tensor2d(thetas) // [B, n]
  try {
    if (want[0] === undefined) {
      // Infeasibility does not depend on theta: every instance is infeasible, the first is named.
      assert.ok(want.every((w) => w === undefined))
      assert.throws(() => solver.batched(theta), argumentError(/^milp: instance 0 is infeasible: .*\(HiGHS status 'Infeasible'\)$/))
      return
    }
    const z = solver.batched(theta) // [B, n]
    assert.is(z.dtype, 'float32')
    assert.equal(z.shape, theta.shape)
    const zs = z.arraySync() as number[][]
    z.dispose()
    zs.forEach((row, r) => {
      const th = Float32Array.from(thetas[r]!)
      assert.ok(isFeasible(model, row, 1e-5), `${label} instance ${r}: [${row}] is infeasible for ${JSON.stringify(model)}`)
      const got = row.reduce((s, v, j) => s + th[j]! * v, 0)
      const best = want[r]!.best
      assert.ok(Math.abs(got - best) <= 1e-6 * (1 + Math.abs(best)), `${label} instance ${r}: objective ${got} (z = [${row}]) but the optimum is ${best} (z = [${want[r]!.z}]); model ${JSON.stringify(model)}, theta [${Array.from(th)}]`)
    })
  } finally {
    theta.dispose()
  }
}

/**
 * A theta entry: a small integer (many ties) or a multiple of 1/64 in [-10, 10] (exact in
 * float32), so that two objectives that differ at all differ by at least 1/64, far above the
 * tolerance of the comparison: a wrong answer cannot pass as a near-tie.
 */
const entry = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -640, max: 640 }).map((v) => v / 64))
const row = (n: number, lo = -3, hi = 3) => fc.array(fc.integer({ min: lo, max: hi }), { minLength: n, maxLength: n })

t('binary models: optimal against brute force over all feasible 0/1 vectors (random models, hundreds of cases)', () => {
  const arb = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      ineq: fc.array(fc.tuple(row(n), fc.integer({ min: -2, max: 6 })), { maxLength: 3 }),
      eq: fc.array(fc.tuple(row(n, -1, 2), fc.integer({ min: 0, max: 2 })), { maxLength: 1 }),
      thetas: fc.array(fc.array(entry, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
      n: fc.constant(n),
    }),
  )
  let feasible = 0
  fc.assert(
    fc.property(arb, ({ ineq, eq, thetas, n }) => {
      const model: MilpModel = {
        A: ineq.length > 0 ? ineq.map(([r]) => r) : [],
        b: ineq.map(([, b]) => b),
        ...(eq.length > 0 ? { Aeq: eq.map(([r]) => r), beq: eq.map(([, b]) => b) } : {}),
        ...(ineq.length === 0 && eq.length === 0 ? { upper: Array.from({ length: n }, () => 1) } : {}),
      }
      checkAgainstBrute(model, thetas, 'binary')
      if (bruteForce(model, new Float32Array(n)) !== undefined) feasible++
    }),
    { seed: SEED, numRuns: RUNS },
  )
  // The generator must exercise both outcomes.
  assert.ok(feasible > RUNS / 3 && feasible < RUNS, `feasible models: ${feasible} of ${RUNS}`)
})

t('general integer variables with bounds: optimal against brute force over the bounds box', () => {
  const arb = fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.record({
      lower: fc.array(fc.integer({ min: -2, max: 1 }), { minLength: n, maxLength: n }),
      width: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      ineq: fc.array(fc.tuple(row(n), fc.integer({ min: -3, max: 6 })), { minLength: 1, maxLength: 2 }),
      eq: fc.array(fc.tuple(row(n, -2, 2), fc.integer({ min: -1, max: 2 })), { maxLength: 1 }),
      thetas: fc.array(fc.array(entry, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 2 }),
    }),
  )
  fc.assert(
    fc.property(arb, ({ lower, width, ineq, eq, thetas }) => {
      const model: MilpModel = {
        A: ineq.map(([r]) => r),
        b: ineq.map(([, b]) => b),
        ...(eq.length > 0 ? { Aeq: eq.map(([r]) => r), beq: eq.map(([, b]) => b) } : {}),
        lower,
        upper: lower.map((l, j) => l + width[j]!),
      }
      checkAgainstBrute(model, thetas, 'general integer')
    }),
    { seed: SEED + 1, numRuns: Math.round(RUNS * 0.6) },
  )
})

t('mixed models (integer variables and one continuous variable): optimal against the exact enumeration', () => {
  const arb = fc.integer({ min: 2, max: 3 }).chain((n) =>
    fc.record({
      ineq: fc.array(fc.tuple(row(n), fc.integer({ min: -2, max: 6 })), { minLength: 1, maxLength: 3 }),
      eq: fc.array(fc.tuple(row(n, -2, 2), fc.integer({ min: -1, max: 2 })), { maxLength: 1 }),
      ylo: fc.integer({ min: -4, max: 0 }),
      yhi: fc.integer({ min: 0, max: 4 }),
      thetas: fc.array(fc.array(entry, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 2 }),
      n: fc.constant(n),
    }),
  )
  fc.assert(
    fc.property(arb, ({ ineq, eq, ylo, yhi, thetas, n }) => {
      const model: MilpModel = {
        A: ineq.map(([r]) => r),
        b: ineq.map(([, b]) => b),
        ...(eq.length > 0 ? { Aeq: eq.map(([r]) => r), beq: eq.map(([, b]) => b) } : {}),
        lower: [...Array.from({ length: n - 1 }, () => 0), ylo],
        upper: [...Array.from({ length: n - 1 }, () => 2), yhi],
        integer: [...Array.from({ length: n - 1 }, () => true), false],
      }
      checkAgainstBrute(model, thetas, 'mixed')
    }),
    { seed: SEED + 2, numRuns: Math.round(RUNS * 0.6) },
  )
})

t('integer variables come out as exact integers; continuous ones as HiGHS values in float32 (an LP need not be 0/1)', () => {
  // The LP relaxation of max z0 + z1, z0 + 2 z1 <= 4, 3 z0 + z1 <= 6: the vertex (1.6, 1.2).
  const lp = milp({ A: [[1, 2], [3, 1]], b: [4, 6], upper: Infinity, integer: false })
  const z = lp(tf.tensor1d([1, 1])).dataSync()
  assert.ok(Math.abs(z[0]! - 1.6) < 1e-6 && Math.abs(z[1]! - 1.2) < 1e-6, `LP vertex [${Array.from(z)}]`)
  // The same model with integer variables: (2, 0) or (1, 1) or (0, 2)... the optimum is 2.
  const ip = milp({ A: [[1, 2], [3, 1]], b: [4, 6], upper: Infinity })(tf.tensor1d([1, 1])).dataSync()
  assert.ok(ip.every((v) => Number.isInteger(v)), `[${Array.from(ip)}]`)
  assert.is(ip[0]! + ip[1]!, 2)
  // Negative integers, and no -0.
  const neg = milp({ A: [[1, 1, 1]], b: [0], lower: -5, upper: 5 })(tf.tensor1d([-1, 0.5, -2])).dataSync()
  assert.equal(Array.from(neg), [-5, 5, -5])
  const zero = milp({ A: [[1, 1]], b: [0], lower: -1 })(tf.tensor1d([-1, -1])).dataSync()
  assert.equal(Array.from(zero).map((v) => Object.is(v, -0)), [false, false])
  // Documented example values.
  assert.equal(Array.from(milp({ A: [[3, 4, 2]], b: [5] })(tf.tensor1d([4, 5, 3])).dataSync()), [1, 0, 1])
  const mixed = milp({ A: [[1, 1, 0]], b: [4], upper: 3, lower: [0, 0, -1], integer: [true, true, false] })
  assert.equal(Array.from(mixed(tf.tensor1d([2, 1, -1])).dataSync()), [3, 1, -1])
})

t('theta reaches HiGHS exactly: the LP numbers round-trip, and adjacent float32 scores are told apart', () => {
  fc.assert(
    fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.float({ noNaN: true, noDefaultInfinity: true })), (v) => {
      const s = lpNumber(v)
      assert.ok(/^-?\d+(\.\d+)?(e[+-]\d+)?$/.test(s), `${v} is written ${s}`)
      assert.is(Number(s), v === 0 ? 0 : v)
    }),
    { seed: SEED + 3, numRuns: 2000 },
  )
  // Pick one of three: the largest wins even when it is one float32 step (relative 2^-22) above.
  const pick = milp({ A: [[1, 1, 1]], b: [1] })
  for (const base of [1e-30, 1e-6, 1, 1000, 1e6, 3e38]) {
    const a = Math.fround(base)
    const b = Math.fround(base * (1 + 2 ** -22))
    assert.ok(b > a)
    for (let i = 0; i < 3; i++) {
      const th = [a, a, a]
      th[i] = b
      const z = Array.from(pick(tf.tensor1d(th)).dataSync())
      assert.equal(z, th.map((v) => (v === b ? 1 : 0)), `base ${base}, larger at ${i}`)
    }
  }
})

t('a knapsack written as a milp model equals brute force over all subsets', () => {
  const rnd = fc.sample(fc.tuple(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 2 ** 30 })), { seed: SEED + 4, numRuns: 40 })
  for (const [n, seed] of rnd) {
    let s = seed
    const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32
    const weights = Array.from({ length: n }, () => 1 + Math.floor(next() * 9))
    const capacity = Math.floor(weights.reduce((a, b) => a + b, 0) * (0.2 + 0.6 * next()))
    const values = Array.from({ length: 4 }, () => Array.from({ length: n }, () => Math.fround(next() * 10)))
    const z = milp({ A: [weights], b: [capacity] }).batched(tf.tensor2d(values)).arraySync() as number[][]
    values.forEach((v, r) => {
      let best = 0
      for (let mask = 0; mask < 1 << n; mask++) {
        let w = 0
        let val = 0
        for (let j = 0; j < n; j++) if (mask & (1 << j)) (w += weights[j]!), (val += v[j]!)
        if (w <= capacity) best = Math.max(best, val)
      }
      const got = z[r]!.reduce((a, x, j) => a + x * v[j]!, 0)
      const used = z[r]!.reduce((a, x, j) => a + x * weights[j]!, 0)
      assert.ok(used <= capacity, `knapsack n=${n}: weight ${used} > ${capacity}`)
      assert.ok(Math.abs(got - best) <= 1e-6 * (1 + best), `knapsack n=${n}: value ${got}, optimum ${best}`)
    })
  }
})

/** Every permutation of [0, n). */
const permutations = (n: number): number[][] =>
  n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))

/** The assignment polytope of an n x n matrix (row-major z[i * n + j]) as equalities. */
function assignmentModel(n: number): MilpModel {
  const Aeq: number[][] = []
  for (let i = 0; i < n; i++) Aeq.push(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === i ? 1 : 0)))
  for (let j = 0; j < n; j++) Aeq.push(Array.from({ length: n * n }, (_, k) => (k % n === j ? 1 : 0)))
  return { A: [], b: [], Aeq, beq: Aeq.map(() => 1) }
}

t('an assignment problem written as a milp model equals brute force over all permutations', () => {
  for (const n of [1, 2, 3, 4]) {
    const model = assignmentModel(n)
    const scores = tf.randomNormal([8, n * n], 0, 1, 'float32', 11 + n) // [8, n*n]
    const z = milp(model).batched(scores).arraySync() as number[][]
    const th = scores.arraySync() as number[][]
    th.forEach((s, r) => {
      const best = Math.max(...permutations(n).map((p) => p.reduce((a, j, i) => a + s[i * n + j]!, 0)))
      // The output is a permutation matrix.
      for (let i = 0; i < n; i++) {
        assert.is(z[r]!.slice(i * n, (i + 1) * n).reduce((a, b) => a + b, 0), 1, `row ${i}`)
        assert.is(z[r]!.filter((_, k) => k % n === i).reduce((a, b) => a + b, 0), 1, `column ${i}`)
      }
      const got = z[r]!.reduce((a, x, k) => a + x * s[k]!, 0)
      assert.ok(Math.abs(got - best) <= 1e-5 * (1 + Math.abs(best)), `assignment n=${n}: ${got} vs ${best}`)
    })
  }
})

/** Asserts that two solvers reach the same objective on every row of `thetas` (ties may differ). */
function sameObjective(a: (x: tf.Tensor) => tf.Tensor, b: (x: tf.Tensor) => tf.Tensor, thetas: tf.Tensor, label: string): void {
  const za = a(thetas).arraySync() as number[][]
  const zb = b(thetas).arraySync() as number[][]
  const th = thetas.arraySync() as number[][]
  th.forEach((row, r) => {
    const va = row.reduce((s, v, j) => s + v * za[r]![j]!, 0)
    const vb = row.reduce((s, v, j) => s + v * zb[r]![j]!, 0)
    assert.ok(Math.abs(va - vb) <= 1e-5 * (1 + Math.abs(vb)), `${label} instance ${r}: milp ${va} vs exact solver ${vb}`)
  })
}

t('cross-checks against the exact solvers: knapsack, assignment and dagShortestPath written as milp models', () => {
  // Knapsack, one and two constraints.
  for (const [weights, capacity] of [
    [[[3, 1, 4, 1, 5, 9, 2, 6]], [12]],
    [[[3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]], [12, 15]],
  ] as const) {
    const m = milp({ A: weights.map((r) => [...r]), b: [...capacity] })
    const k = exactKnapsack({ weights: weights.map((r) => [...r]), capacity: [...capacity] })
    sameObjective(m.batched, k.batched, tf.randomNormal([32, 8], 0, 1, 'float32', 21), `knapsack ${weights.length}`)
  }
  // Assignment, square and rectangular (n <= m: every row gets one column, a column at most one row).
  for (const [n, mm] of [[3, 3], [4, 4], [2, 4]] as const) {
    const Aeq = Array.from({ length: n }, (_, i) => Array.from({ length: n * mm }, (_, k) => (Math.floor(k / mm) === i ? 1 : 0)))
    const A = Array.from({ length: mm }, (_, j) => Array.from({ length: n * mm }, (_, k) => (k % mm === j ? 1 : 0)))
    const m = milp({ A, b: A.map(() => 1), Aeq, beq: Aeq.map(() => 1) })
    const exact = assignment()
    const thetas = tf.randomNormal([16, n * mm], 0, 1, 'float32', 22 + n) // [16, n*m]
    sameObjective(m.batched, (x) => tf.reshape(exact.batched(tf.reshape(x, [-1, n, mm])), [-1, n * mm]), thetas, `assignment ${n}x${mm}`)
  }
  // Shortest path on a grid DAG: unit flow from the first node to the last (any signs of theta).
  for (const [h, w] of [[2, 2], [3, 4], [4, 4]] as const) {
    const arcs = dagShortestPathArcs(h, w)
    const Aeq = Array.from({ length: h * w }, (_, v) => arcs.map(([from, to]) => (from === v ? 1 : to === v ? -1 : 0)))
    const beq = Array.from({ length: h * w }, (_, v) => (v === 0 ? 1 : v === h * w - 1 ? -1 : 0))
    const m = milp({ A: [], b: [], Aeq, beq })
    sameObjective(m.batched, dagShortestPath({ grid: [h, w] }).batched, tf.randomNormal([16, arcs.length], 0, 1, 'float32', 30 + h * w), `dag ${h}x${w}`)
  }
})

t('cross-checks against the exact solvers: topK, argmax, matching, spanningTree and ranking written as milp models', () => {
  const ones = (n: number): number[] => new Array<number>(n).fill(1)
  // topK: sum z = k; argmax: sum z = 1.
  for (const [n, k] of [[6, 1], [6, 3], [9, 4]] as const) {
    const m = milp({ A: [], b: [], Aeq: [ones(n)], beq: [k] })
    sameObjective(m.batched, solvers.topK(k).batched, tf.randomNormal([24, n], 0, 1, 'float32', 40 + n + k), `topK ${k} of ${n}`)
    if (k === 1) sameObjective(m.batched, solvers.argmax().batched, tf.randomNormal([24, n], 0, 1, 'float32', 50 + n), `argmax ${n}`)
  }
  // Edges of the complete graph on `nodes` nodes, in the solvers' order.
  const edgesOf = (nodes: number): [number, number][] => solvers.completeGraphEdges(nodes)
  // Perfect matching of a general graph: every node has degree 1.
  for (const nodes of [4, 6]) {
    const edges = edgesOf(nodes)
    const Aeq = Array.from({ length: nodes }, (_, v) => edges.map(([a, b]) => (a === v || b === v ? 1 : 0)))
    const m = milp({ A: [], b: [], Aeq, beq: ones(nodes) })
    sameObjective(m.batched, solvers.matching({ nodes }).batched, tf.randomNormal([16, edges.length], 0, 1, 'float32', 60 + nodes), `matching ${nodes}`)
  }
  // Spanning tree: n - 1 edges and no cycle (for every node subset S of size >= 2, at most
  // |S| - 1 edges inside S: the subtour-elimination formulation, exponential but exact).
  for (const nodes of [3, 4, 5]) {
    const edges = edgesOf(nodes)
    const A: number[][] = []
    const b: number[] = []
    for (let set = 0; set < 1 << nodes; set++) {
      const size = [...Array(nodes).keys()].filter((v) => set & (1 << v)).length
      if (size < 2 || size === nodes) continue
      A.push(edges.map(([x, y]) => (set & (1 << x) && set & (1 << y) ? 1 : 0)))
      b.push(size - 1)
    }
    const m = milp({ A, b, Aeq: [ones(edges.length)], beq: [nodes - 1] })
    sameObjective(m.batched, solvers.spanningTree({ nodes }).batched, tf.randomNormal([16, edges.length], 0, 1, 'float32', 70 + nodes), `spanningTree ${nodes}`)
  }
  // Ranking: z = P r with P a permutation matrix (x[i][p] = 1 when item i takes rank p + 1);
  // the milp's variables are the n^2 entries of P, its objective theta_i (p + 1) on x[i][p].
  for (const n of [3, 5]) {
    const Aeq = [
      ...Array.from({ length: n }, (_, i) => Array.from({ length: n * n }, (_, v) => (Math.floor(v / n) === i ? 1 : 0))),
      ...Array.from({ length: n }, (_, p) => Array.from({ length: n * n }, (_, v) => (v % n === p ? 1 : 0))),
    ]
    const m = milp({ A: [], b: [], Aeq, beq: ones(2 * n) })
    const thetas = tf.randomNormal([16, n], 0, 1, 'float32', 80 + n) // [16, n]
    const ranks = solvers.ranking().batched(thetas).arraySync() as number[][]
    const lifted = tf.tidy(() => tf.reshape(tf.mul(tf.expandDims(thetas, 2), tf.range(1, n + 1)), [16, n * n])) // [16, n*n]: theta_i (p + 1)
    const x = m.batched(lifted).arraySync() as number[][]
    const th = thetas.arraySync() as number[][]
    th.forEach((row, r) => {
      const exact = row.reduce((s, v, i) => s + v * ranks[r]![i]!, 0)
      const viaMilp = x[r]!.reduce((s, v, k) => s + v * row[Math.floor(k / n)]! * ((k % n) + 1), 0)
      assert.ok(Math.abs(exact - viaMilp) <= 1e-5 * (1 + Math.abs(exact)), `ranking ${n} instance ${r}: milp ${viaMilp} vs ranking ${exact}`)
    })
  }
})

const knapsack = milp({ A: [[3, 4, 2, 5, 1]], b: [7] })

t('batched, vmap and nested vmap equal the per-instance loop, in one kernel call', () => {
  const thetas = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 5) // [2, 3, 5]
  const flat = tf.reshape(thetas, [6, 5])
  const loop = tf.stack(tf.unstack(flat).map((x) => knapsack(x))) // [6, 5]
  assert.equal(knapsack.batched(flat).arraySync(), loop.arraySync())
  assert.equal(vmap(knapsack)(flat).arraySync(), loop.arraySync())
  const before = (kernelCalls['milp'] ?? 0)
  const nested = vmap(vmap(knapsack))(thetas) // [2, 3, 5]
  assert.is((kernelCalls['milp'] ?? 0) - before, 1)
  assert.equal(tf.reshape(nested, [6, 5]).arraySync(), loop.arraySync())
})

t('inside imle, under vmap and grad: one kernel call per pass, the estimator of the per-example loop', () => {
  const layer = imle(knapsack, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 3 })
  const thetas = tf.randomNormal([4, 5], 0, 1, 'float32', 7) // [4, 5]
  const w = tf.randomNormal([4, 3, 5], 0, 1, 'float32', 8) // [4, 3, 5]
  const keys = random.split(random.key(3), 4) // [4, 2]
  const before = (kernelCalls['milp'] ?? 0)
  const g = grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w)))(thetas) // [4, 5]
  assert.is((kernelCalls['milp'] ?? 0) - before, 2, 'forward and backward: one kernel call each')
  assert.equal(g.shape, [4, 5])
  for (const v of g.dataSync()) assert.ok(Number.isFinite(v))
  // Example by example: the same gradient.
  const rows = tf.unstack(thetas).map((th, i) =>
    grad((x: tf.Tensor) => ops.sum(ops.mul(layer(x, tf.unstack(keys)[i]!), tf.unstack(w)[i]!)))(th),
  )
  assert.equal(g.arraySync(), tf.stack(rows).arraySync())
  assert.ok(tf.sum(tf.abs(g)).dataSync()[0]! > 0, 'a non-zero gradient')
})

t('leaks no tensor (plain, batched, vmap, errors)', () => {
  const theta = tf.randomNormal([5], 0, 1, 'float32', 1)
  const thetas = tf.randomNormal([3, 5], 0, 1, 'float32', 2)
  assertNoLeak(() => knapsack(theta), 1).dispose()
  assertNoLeak(() => knapsack.batched(thetas), 1).dispose()
  assertNoLeak(() => vmap(knapsack)(thetas), 1).dispose()
  const bad = tf.tensor2d([[1, 2, 3, 4, 5], [1, NaN, 3, 4, 5]])
  assertNoLeak(() => assert.throws(() => vmap(knapsack)(bad)), 0)
  const infeasible = milp({ A: [[1, 1]], b: [-1] })
  const ones = tf.ones([4, 2])
  assertNoLeak(() => assert.throws(() => vmap(infeasible)(ones)), 0)
})

t('the record: _tag, n, a frozen copy of the model, an origin that rebuilds it', () => {
  const model = { A: [[1, 2, 3]], b: [4] }
  const m = milp(model)
  assert.is(m._tag, 'milp')
  assert.is(m.n, 3)
  assert.is(m.instanceRank, 1)
  assert.equal(m.model, model)
  model.A[0]![0] = 99
  assert.is(m.model.A[0]![0], 1, 'a copy')
  assert.ok(Object.isFrozen(m) && Object.isFrozen(m.model) && Object.isFrozen(m.model.A) && Object.isFrozen(m.model.A[0]))
  assert.is(m.origin?.export, 'milp')
  assert.equal(m.origin?.args, [m.model])
  assert.ok(m.origin?.module.endsWith('/solvers/milp/index.ts') || m.origin?.module.endsWith('/solvers/milp/index.js'))
  assert.equal(structuredClone(m.origin?.args), [{ A: [[1, 2, 3]], b: [4] }])
})

t('errors: a bad model names the field, the value and the fix', () => {
  const bad = (model: unknown, ...re: RegExp[]): void => assert.throws(() => milp(model as MilpModel), argumentError(...re))
  bad(null, /^milp\(model\): expected a model object \{ A, b, .* but got null$/)
  bad([[1]], /^milp\(model\): expected a model object/)
  bad({ b: [1] }, /^milp\(model\.A\): is required/)
  bad({ A: [1, 2], b: [1] }, /^milp\(model\.A\): expected an array of rows \(number\[\]\[\], shape \[rows, n\]\) but got an array \[1,2\]$/)
  bad({ A: [[1, 2], [1]], b: [1, 2] }, /^milp\(model\.A\): every row must have the length of row 0 \(2\) but row 1 has 1 entries$/)
  bad({ A: [[1, NaN]], b: [1] }, /^milp\(model\.A\): entries must be finite numbers but got NaN at \[0, 1\]$/)
  bad({ A: [[1, Infinity]], b: [1] }, /got Infinity at \[0, 1\]/)
  bad({ A: [[1, '2']], b: [1] }, /got "2" at \[0, 1\]/)
  bad({ A: [[1, 2]], b: [1, 2] }, /^milp\(model\.b\): must have one entry per row of model\.A \(1\) but has 2; give as many right-hand sides as constraints$/)
  bad({ A: [[1, 2]], b: [Infinity] }, /^milp\(model\.b\): entries must be finite numbers but got Infinity at index 0$/)
  bad({ A: [[1, 2]], b: 3 }, /^milp\(model\.b\): expected an array of numbers, one per row of model\.A, but got 3$/)
  bad({ A: [[1, 2]], b: [1], Aeq: [[1, 1]] }, /^milp\(model\.beq\): model\.Aeq and model\.beq go together/)
  bad({ A: [[1, 2]], b: [1], Aeq: [[1, 1, 1]], beq: [1] }, /^milp\(model\.Aeq\): rows must have n = 2 entries \(the number of variables, from model\.A\) but have 3$/)
  bad({ A: [[1, 2]], b: [1], Aeq: [[1, 1]], beq: [1, 2] }, /^milp\(model\.beq\): must have one entry per row of model\.Aeq \(1\)/)
  bad({ A: [[1, 2]], b: [1], lower: [0, 0, 0] }, /^milp\(model\.lower\): must have one entry per variable \(n = 2\) but has 3$/)
  bad({ A: [[1, 2]], b: [1], lower: Infinity }, /^milp\(model\.lower\): expected a finite number or -Infinity, or an array of them \(one per variable\), but got Infinity$/)
  bad({ A: [[1, 2]], b: [1], upper: [1, NaN] }, /^milp\(model\.upper\): expected a finite number or Infinity at every index but got NaN at index 1$/)
  bad({ A: [[1, 2]], b: [1], lower: [0, 2] }, /^milp\(model\.lower\): lower\[1\] = 2 exceeds upper\[1\] = 1; every lower bound must be <= its upper bound$/)
  bad({ A: [[1, 2]], b: [1], integer: [true] }, /^milp\(model\.integer\): must have one entry per variable \(n = 2\) but has 1$/)
  bad({ A: [[1, 2]], b: [1], integer: 1 }, /^milp\(model\.integer\): expected a boolean/)
  bad({ A: [], b: [] }, /^milp\(model\): the number of variables n is unknown: give model\.A \(or model\.Aeq\) at least one row, or lower, upper or integer as an array of n$/)
  bad({ A: [[]], b: [0] }, /^milp\(model\.A\): the model must have at least one variable but this gives n = 0$/)
  bad({ A: [[1]], b: [1], c: [1] }, /^milp\(model\): unknown field 'c'; the fields are 'A', 'b', 'Aeq', 'beq', 'lower', 'upper', 'integer'$/)
  // n from other fields.
  assert.is(milp({ A: [], b: [], Aeq: [[1, 1]], beq: [1] }).n, 2)
  assert.is(milp({ A: [], b: [], upper: [1, 2, 3] }).n, 3)
  assert.is(milp({ A: [], b: [], integer: [false, true] }).n, 2)
})

t('errors: a bad theta, an infeasible and an unbounded instance are ArgumentErrors naming the instance', () => {
  const m = milp({ A: [[1, 1, 1]], b: [2] })
  assert.throws(() => m(tf.tensor1d([1, 2, 3, 4])), argumentError(/^milp\(theta\): theta must have n = 3 entries \(the model's number of variables\) but has 4$/))
  assert.throws(() => m.batched(tf.zeros([2, 2])), argumentError(/^milp\.batched\(theta\): theta must have n = 3 entries/))
  assert.throws(() => m(tf.zeros([2, 3])), argumentError(/vmap\(solver\) or solver\.batched/))
  assert.throws(() => m.batched(tf.tensor2d([[1, 2, 3], [1, 2, NaN]])), argumentError(/^milp: theta must be finite but got NaN at instance 1, index 2$/))
  assert.throws(() => vmap(m)(tf.tensor2d([[1, 2, 3], [1, 2, 3], [-Infinity, 2, 3]])), argumentError(/^milp: theta must be finite but got -Infinity at instance 2, index 0$/))
  const infeasible = milp({ A: [[1, 1]], b: [0], Aeq: [[1, -1]], beq: [1], lower: 0, upper: 1 })
  assert.throws(() => infeasible.batched(tf.ones([3, 2])), argumentError(/^milp: instance 0 is infeasible: no z satisfies A z <= b, Aeq z = beq, the bounds and the integrality constraints; check the model \(HiGHS status 'Infeasible'\)$/))
  // Integral infeasibility: 2 z = 1 has a real solution only.
  assert.throws(() => milp({ A: [], b: [], Aeq: [[2]], beq: [1] })(tf.ones([1])), argumentError(/instance 0 is infeasible/))
  assert.equal(Array.from(milp({ A: [], b: [], Aeq: [[2]], beq: [1], integer: false })(tf.ones([1])).dataSync()), [0.5])
  // Unbounded only where theta pushes z1 up: the second instance.
  const ray = milp({ A: [[1, -1]], b: [0], upper: Infinity })
  assert.equal(Array.from(ray(tf.tensor1d([1, -1])).dataSync()), [0, 0])
  assert.throws(
    () => ray.batched(tf.tensor2d([[1, -1], [1, 1], [0, 1]])),
    argumentError(/^milp: instance 1 is (unbounded: <theta, z> grows without bound|infeasible or unbounded; check the constraints, and bound the variables).*\(HiGHS status '(Unbounded|Primal infeasible or unbounded)'\)$/),
  )
  const free = milp({ A: [], b: [], lower: [-Infinity], upper: [Infinity], integer: false })
  assert.throws(() => free(tf.tensor1d([1])), argumentError(/^milp: instance 0 is (unbounded|infeasible or unbounded)/))
})

t('before HiGHS is loaded: an ArgumentError naming milp and `await solvers.loadMilp()`; without the package: a BackendError naming it (fresh processes)', () => {
  const probe = fileURLToPath(new URL('./milp_probe.ts', import.meta.url))
  const run = (mode: string): Record<string, string> => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', probe, mode], { encoding: 'utf8', timeout: 120_000 })
    return JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>
  }
  const r = { ...run('unloaded'), ...run('missing') }
  assert.match(r['beforeLoad']!, /^ArgumentError: milp: HiGHS \(the WebAssembly MILP solver\) is not loaded in this thread; `await solvers\.loadMilp\(\)` \(or the record's load\(\)\) once before solving$/)
  assert.is(r['vmapBeforeLoad'], r['beforeLoad'])
  assert.is(r['afterRecordLoad'], '[1,0,1]', "the record's load() loads HiGHS for every record")
  assert.match(r['missing']!, /^BackendError: loadMilp: milp solves with HiGHS from the optional package 'highs', which is not installed; install it next to imle: npm install highs$/)
  assert.is(r['missingAgain'], r['missing'], 'a failed load is retried, not cached')
})

t.run()
