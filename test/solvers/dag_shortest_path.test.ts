/**
 * `dagShortestPath({ grid })`: PyEPO's arc order; against brute force over every monotone path
 * on random batches (fast-check), with ties, zeros, negatives and `-Infinity` (forbidden arcs),
 * the tie rule exactly; larger grids against a forward dynamic program written here; typed
 * errors; no leak.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, ConfigError, solvers, vmap } from '../../src/index.js'
import { dagArcCount, dagShortestPath, dagShortestPathArcs, dagShortestPathMask } from '../../src/solvers/dag_shortest_path/index.js'
import { bruteDagPath, monotonePaths, pathScore, pyepoArcs } from '../support/dag_grid.js'
import { argumentError, assertNoLeak, assertSolverNoLeak, configError, setup } from '../support/helpers.js'

const t = suite('solvers: dagShortestPath')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/** The arc indices set to 1 in a 0/1 vector, asserting every entry is 0 or 1. */
function onArcs(z: ArrayLike<number>): number[] {
  const on: number[] = []
  for (let a = 0; a < z.length; a++) {
    assert.ok(z[a] === 0 || z[a] === 1, `entry ${a} is ${z[a]}`)
    if (z[a] === 1) on.push(a)
  }
  return on
}

// PyEPO's arc lists, written out by hand from `_get_grid_arcs(grid)` in
// `pkg/pyepo/model/utils.py` of khalil-research/PyEPO (the same loop as the older
// `shortestPathModel._getArcs` of `pkg/pyepo/model/grb/shortestpath.py`): for each row i of
// nodes, the arcs (v, v + 1) for j = 0..w-2, then, unless i is the last row, (v, v + w) for
// j = 0..w-1, with v = i * w + j.
const PYEPO_2x3: [number, number][] = [[0, 1], [1, 2], [0, 3], [1, 4], [2, 5], [3, 4], [4, 5]]
const PYEPO_5x5: [number, number][] = [
  [0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [1, 6], [2, 7], [3, 8], [4, 9],
  [5, 6], [6, 7], [7, 8], [8, 9], [5, 10], [6, 11], [7, 12], [8, 13], [9, 14],
  [10, 11], [11, 12], [12, 13], [13, 14], [10, 15], [11, 16], [12, 17], [13, 18], [14, 19],
  [15, 16], [16, 17], [17, 18], [18, 19], [15, 20], [16, 21], [17, 22], [18, 23], [19, 24],
  [20, 21], [21, 22], [22, 23], [23, 24],
]

t("the arc order is PyEPO's: 2x3 and 5x5 written out, and the arc count", () => {
  assert.equal(dagShortestPathArcs(2, 3), PYEPO_2x3)
  assert.equal(dagShortestPathArcs(5, 5), PYEPO_5x5)
  assert.equal(pyepoArcs(2, 3), PYEPO_2x3) // the test-side list used by the brute force
  assert.equal(pyepoArcs(5, 5), PYEPO_5x5)
  for (const [h, w] of [[1, 1], [1, 4], [4, 1], [3, 7], [6, 2]] as const) {
    assert.equal(dagShortestPathArcs(h, w), pyepoArcs(h, w), `${h}x${w}`)
    assert.is(dagArcCount(h, w), pyepoArcs(h, w).length, `${h}x${w}`)
  }
  assert.is(dagArcCount(5, 5), 40)
  assert.is(dagShortestPath({ grid: [5, 5] }).batched(tf.zeros([2, 40])).shape[1], 40)
})

t('the kernel reads arcs in that order: every path of grids up to 4x5 is found when it alone scores 0', () => {
  for (let h = 1; h <= 4; h++) {
    for (let w = 1; w <= 5; w++) {
      const solver = dagShortestPath({ grid: [h, w] })
      const m = dagArcCount(h, w)
      for (const path of monotonePaths(h, w)) {
        const theta = new Float32Array(m).fill(-1)
        for (const a of path) theta[a] = 0
        assert.equal(onArcs(tf.tidy(() => solver(tf.tensor1d(theta)).dataSync())), path, `${h}x${w} path [${path}]`)
      }
    }
  }
})

/** Small dyadic values (many ties, `0` and `-0`, negatives), and `-Infinity` (a forbidden arc). */
const entry = fc.oneof(
  { arbitrary: fc.integer({ min: -4, max: 4 }).map((k) => k / 2), weight: 8 },
  { arbitrary: fc.constant(-0), weight: 1 },
  { arbitrary: fc.constant(-Infinity), weight: 1 },
)

/** A grid up to `max x max` and a batch of `rows` instances for it, flat row-major. */
const batchOf = (value: fc.Arbitrary<number>, max: number) =>
  fc
    .record({ h: fc.integer({ min: 1, max }), w: fc.integer({ min: 1, max }), rows: fc.integer({ min: 1, max: 3 }) })
    .chain(({ h, w, rows }) => {
      const m = dagArcCount(h, w)
      return fc.tuple(fc.constant(h), fc.constant(w), fc.constant(rows), fc.array(value, { minLength: rows * m, maxLength: rows * m }))
    })

t('equals brute force over all monotone paths, ties to the lexicographically smallest arc list (grids up to 4x4)', () => {
  fc.assert(
    fc.property(batchOf(entry, 4), ([h, w, rows, data]) => {
      const m = dagArcCount(h, w)
      const paths = monotonePaths(h, w)
      const solver = dagShortestPath({ grid: [h, w] })
      const thetas = Float32Array.from(data)
      const got = tf.tidy(() => solver.batched(tf.tensor2d(thetas, [rows, m])).dataSync()) // [rows, m]
      for (let r = 0; r < rows; r++) {
        const row = Array.from(thetas.subarray(r * m, (r + 1) * m))
        const want = bruteDagPath(row, h, w, paths).path
        assert.equal(onArcs(got.subarray(r * m, (r + 1) * m)), want, `${h}x${w} row ${r} of [${row}]`)
        const one = tf.tidy(() => solver(tf.tensor1d(row)).dataSync())
        assert.equal(onArcs(one), want, `${h}x${w} single [${row}]`)
      }
    }),
    { seed: SEED, numRuns: 500 },
  )
})

t('general float32 values, grids up to 6x6: a path whose score is exactly the brute-force optimum', () => {
  fc.assert(
    fc.property(batchOf(fc.float({ min: -1000, max: 1000, noNaN: true }), 6), ([h, w, rows, data]) => {
      const m = dagArcCount(h, w)
      const paths = monotonePaths(h, w)
      const valid = new Set(paths.map((p) => p.join(',')))
      const thetas = Float32Array.from(data)
      const got = tf.tidy(() => dagShortestPath({ grid: [h, w] }).batched(tf.tensor2d(thetas, [rows, m])).dataSync())
      for (let r = 0; r < rows; r++) {
        const row = thetas.subarray(r * m, (r + 1) * m)
        const on = onArcs(got.subarray(r * m, (r + 1) * m))
        assert.ok(valid.has(on.join(',')), `${h}x${w}: [${on}] is not a path`)
        // Scores summed from the sink back, as the kernel does: the optimum is then exact.
        assert.is(pathScore(row, on), bruteDagPath(row, h, w, paths).score, `${h}x${w} row ${r}`)
      }
    }),
    { seed: SEED, numRuns: 300 },
  )
})

/** The best score by a forward dynamic program over `pyepoArcs` (arcs relaxed in list order). */
function forwardBest(theta: ArrayLike<number>, h: number, w: number): number {
  const f = new Float64Array(h * w).fill(-Infinity)
  f[0] = 0
  // Every arc (u, v) has u < v and PyEPO's list is sorted by its source node, so one pass in
  // order of u settles every node before its out-arcs are read.
  const arcs = pyepoArcs(h, w)
    .map(([u, v], a) => ({ u, v, a }))
    .sort((x, y) => x.u - y.u)
  for (const { u, v, a } of arcs) f[v] = Math.max(f[v]!, f[u]! + theta[a]!)
  return f[h * w - 1]!
}

t('larger grids (8x8 against brute force, 30x30 and 17x40 against a forward dynamic program)', () => {
  let s = 12345
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32)
  for (const [h, w] of [[8, 8], [30, 30], [17, 40]] as const) {
    const m = dagArcCount(h, w)
    const theta = Float32Array.from({ length: m }, () => -next() * 9 - 0.1)
    const on = onArcs(dagShortestPath({ grid: [h, w] })(tf.tensor1d(theta)).dataSync())
    assert.is(on.length, h + w - 2)
    const want = h === 8 ? bruteDagPath(theta, h, w).score : forwardBest(theta, h, w)
    assert.ok(Math.abs(pathScore(theta, on) - want) <= 1e-9 * Math.abs(want), `${h}x${w}: ${pathScore(theta, on)} vs ${want}`)
  }
})

t('ties and -Infinity on examples; a 1x1 grid has the empty path; int32 theta', () => {
  const run = (h: number, w: number, x: number[], dtype: 'float32' | 'int32' = 'float32'): number[] =>
    Array.from(dagShortestPath({ grid: [h, w] })(tf.tensor1d(x, dtype)).dataSync())
  // 2x2, arcs [0->1, 0->2, 1->3, 2->3].
  assert.equal(run(2, 2, [-5, -1, -1, -1]), [0, 1, 0, 1])
  assert.equal(run(2, 2, [-1, -1, -1, -1]), [1, 0, 1, 0]) // tie: right first
  assert.equal(run(2, 2, [0, 0, 0, 0]), [1, 0, 1, 0])
  assert.equal(run(2, 2, [-Infinity, 0, 0, 0]), [0, 1, 0, 1]) // a forbidden arc
  assert.equal(run(2, 2, [-Infinity, -Infinity, 0, 0]), [1, 0, 1, 0]) // all forbidden: the tie rule
  assert.equal(run(2, 2, [3, 1, -1, 2]), [0, 1, 0, 1]) // positive scores are fine: 1 + 2 > 3 - 1
  // 2x3: all forbidden, right, right, down: arcs 0->1, 1->2, 2->5.
  assert.equal(run(2, 3, Array(7).fill(-Infinity)), [1, 1, 0, 0, 1, 0, 0])
  // All forbidden, but one path is forbidden only by its first arc: still the tie rule's path.
  assert.equal(run(2, 3, [-Infinity, -1, -Infinity, -1, -1, -Infinity, 0]), [1, 1, 0, 0, 1, 0, 0])
  assert.equal(run(1, 4, [-1, -2, -3]), [1, 1, 1])
  assert.equal(run(4, 1, [-1, 2, -3]), [1, 1, 1])
  assert.equal(run(1, 1, []), [])
  const i32 = dagShortestPath({ grid: [2, 2] })(tf.tensor1d([-5, -1, -1, -1], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [0, 1, 0, 1])
  // The kernel on its own: stale output is zeroed, every instance written.
  const out = new Float32Array(8).fill(7)
  assert.is(dagShortestPathMask(Float32Array.of(-5, -1, -1, -1, 0, 0, 0, 0), 2, 2, 2, out), -1)
  assert.equal(Array.from(out), [0, 1, 0, 1, 1, 0, 1, 0])
})

t('the record and its options; vmap is one kernel call', () => {
  const s = dagShortestPath({ grid: [3, 4] })
  assert.is(s._tag, 'dagShortestPath')
  assert.equal([...s.grid], [3, 4])
  assert.is(s.instanceRank, 1)
  assert.is(s.sense, 'max')
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.grid))
  const r = dagShortestPath.fromJson({ grid: [5, 5] })
  assert.ok(E.isRight(r) && r.right._tag === 'dagShortestPath' && r.right.grid[0] === 5)
  const thetas = tf.neg(tf.randomUniform([2, 3, 17], 0, 1, 'float32', 5)) // [2, 3, 17]
  const loop = tf.tidy(() => tf.stack(tf.unstack(tf.reshape(thetas, [6, 17])).map((x) => s(x)))) // [6, 17]
  const before = solvers.kernelCalls['dagShortestPath'] ?? 0
  const out = vmap(vmap(s))(thetas) // [2, 3, 17]
  assert.is((solvers.kernelCalls['dagShortestPath'] ?? 0) - before, 1)
  assert.equal(tf.reshape(out, [6, 17]).arraySync(), loop.arraySync())
})

t('errors: options (ConfigError, naming the path and the value)', () => {
  type Opts = Parameters<typeof dagShortestPath>[0]
  assert.throws(() => dagShortestPath(), configError(/^dagShortestPath\(options\.grid\): expected \[h, w\] \(positive integers\) but got undefined$/))
  assert.throws(() => dagShortestPath({ grid: [0, 3] }), configError(/^dagShortestPath\(options\.grid\.0\): expected PositiveInt but got 0$/))
  assert.throws(() => dagShortestPath({ grid: [2, 2.5] }), configError(/^dagShortestPath\(options\.grid\.1\): expected PositiveInt but got 2\.5$/))
  assert.throws(() => dagShortestPath({ grid: [2] } as unknown as Opts), configError(/options\.grid\.1\): expected PositiveInt but got undefined/))
  assert.throws(() => dagShortestPath({ grid: 5 } as unknown as Opts), configError(/options\.grid\): expected \[h, w\] .* but got 5$/))
  assert.throws(() => dagShortestPath({ grid: [2, 2], size: 4 } as unknown as Opts), configError(/unknown option 'size'; the options are 'grid'/))
  const bad = dagShortestPath.fromJson({ grid: [2, -3] })
  assert.ok(E.isLeft(bad) && bad.left instanceof ConfigError && bad.left.message === 'dagShortestPath(json.grid.1): expected PositiveInt but got -3')
})

t('errors: shape (the expected length and the grid), rank, dtype', () => {
  const s = dagShortestPath({ grid: [3, 4] })
  assert.throws(
    () => s(tf.zeros([12])),
    argumentError(/^dagShortestPath\(theta\): an instance of theta must have shape \[17\], one score per arc of the 3x4 grid \(options\.grid \[3, 4\] has h \* \(w - 1\) \+ \(h - 1\) \* w = 17 arcs\), but got \[12\]$/),
  )
  assert.throws(() => s.batched(tf.zeros([2, 18])), argumentError(/^dagShortestPath\.batched\(theta\): .*shape \[17\].*3x4 grid.*but got \[18\]$/))
  assert.throws(() => vmap(s)(tf.zeros([2, 16])), argumentError(/shape \[17\].*but got \[16\]$/))
  assert.throws(() => dagShortestPath({ grid: [1, 1] })(tf.zeros([1])), argumentError(/shape \[0\].*1x1 grid.*but got \[1\]$/))
  assert.throws(() => s(tf.zeros([2, 17])), argumentError(/dagShortestPath\(theta\): theta must have rank 1, shape \[m\].*vmap\(solver\) or solver\.batched/))
  assert.throws(() => s.batched(tf.zeros([17])), argumentError(/dagShortestPath\.batched\(theta\): theta must have rank 2, shape \[N, m\]/))
  assert.throws(() => s(tf.zeros([17], 'bool')), argumentError(/dtype float32 or int32 but got bool/))
})

t('errors: NaN and +Infinity name the first bad arc of the first bad instance, with its nodes', () => {
  const s = dagShortestPath({ grid: [2, 3] }) // arcs [0->1, 1->2, 0->3, 1->4, 2->5, 3->4, 4->5]
  assert.throws(
    () => s(tf.tensor1d([0, 0, 0, 0, NaN, 0, 0])),
    argumentError(/^dagShortestPath: theta must not contain NaN or \+Infinity \(-Infinity is allowed: it forbids the arc\) but got NaN at instance 0, arc 4 \(node 2 -> node 5\)$/),
  )
  const batch = tf.tensor2d([
    [0, 0, 0, 0, 0, 0, 0],
    [0, Infinity, 0, 0, 0, NaN, -Infinity],
    [NaN, 0, 0, 0, 0, 0, 0],
  ])
  assert.throws(() => s.batched(batch), argumentError(/but got Infinity at instance 1, arc 1 \(node 1 -> node 2\)$/))
  assert.throws(() => vmap(s)(batch), argumentError(/but got Infinity at instance 1, arc 1 \(node 1 -> node 2\)$/))
  const down = dagShortestPath({ grid: [3, 2] }) // arcs [0->1, 0->2, 1->3, 2->3, 2->4, 3->5, 4->5]
  assert.throws(() => down(tf.tensor1d([0, 0, 0, 0, 0, Infinity, 0])), argumentError(/arc 5 \(node 3 -> node 5\)$/))
  assert.throws(() => down(tf.tensor1d([0, 0, NaN, 0, 0, 0, 0])), (e: unknown) => e instanceof ArgumentError && /arc 2 \(node 1 -> node 3\)$/.test(e.message))
})

t('leaks no tensor: plain, batched, vmap, nested vmap, errors', () => {
  const s = dagShortestPath({ grid: [4, 4] })
  const thetas = tf.randomNormal([2, 3, 24], 0, 1, 'float32', 3) // [2, 3, 24]
  assertSolverNoLeak(s, thetas)
  const short = tf.zeros([3])
  assertNoLeak(() => assert.throws(() => s(short), argumentError(/shape \[24\]/)), 0)
  tf.dispose([thetas, short])
})

t.run()
