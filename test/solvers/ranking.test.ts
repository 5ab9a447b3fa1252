/**
 * `ranking()`: against brute force over every permutation on random batches (fast-check), with
 * ties, zeros of both signs and negatives, the tie rule exactly; against a library sort on long
 * rows (the merge passes); infinities; typed errors; no leak.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { solvers, vmap } from '../../src/index.js'
import { ascendingRanks, ranking } from '../../src/solvers/ranking/index.js'
import { argumentError, assertNoLeak, assertSolverNoLeak, setup } from '../support/helpers.js'
import { bruteRanking, dot, permutations } from '../support/permutations.js'

const t = suite('solvers: ranking')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/** Small dyadic values: many ties, `0` and `-0`, negatives; every sum of products is exact. */
const dyadic = fc.oneof({ arbitrary: fc.integer({ min: -8, max: 8 }).map((k) => k / 4), weight: 6 }, { arbitrary: fc.constant(-0), weight: 1 })

/** A batch: `rows` instances of length `n`, flat row-major, entries drawn from `entry`. */
const batchOf = (entry: fc.Arbitrary<number>, maxN: number, minN = 0) =>
  fc
    .record({ rows: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: minN, max: maxN }) })
    .chain(({ rows, n }) => fc.tuple(fc.constant(rows), fc.constant(n), fc.array(entry, { minLength: rows * n, maxLength: rows * n })))

const PERMS = Array.from({ length: 8 }, (_, n) => permutations(n))

/** Solves a `[rows, n]` batch with `batched`, returning the flat ranks. */
const solveBatch = (thetas: Float32Array, rows: number, n: number): Float32Array =>
  tf.tidy(() => ranking().batched(tf.tensor2d(thetas, [rows, n])).dataSync() as Float32Array) // [rows, n]

t('equals brute force over all permutations, ties ranked by index (n <= 7), single and batched', () => {
  fc.assert(
    fc.property(batchOf(dyadic, 7), ([rows, n, data]) => {
      const thetas = Float32Array.from(data)
      const got = solveBatch(thetas, rows, n)
      for (let r = 0; r < rows; r++) {
        const row = Array.from(thetas.subarray(r * n, (r + 1) * n))
        const want = bruteRanking(row, PERMS[n]).z
        assert.equal(Array.from(got.subarray(r * n, (r + 1) * n)), want, `row ${r} of [${row}]`)
        if (n > 0) assert.equal(Array.from(tf.tidy(() => ranking()(tf.tensor1d(row)).dataSync())), want, `single [${row}]`)
      }
    }),
    { seed: SEED, numRuns: 400 },
  )
})

t('general float32 values: a permutation whose objective is the brute-force optimum', () => {
  fc.assert(
    fc.property(batchOf(fc.float({ min: -1000, max: 1000, noNaN: true }), 7, 1), ([rows, n, data]) => {
      const thetas = Float32Array.from(data)
      const got = solveBatch(thetas, rows, n)
      for (let r = 0; r < rows; r++) {
        const row = Array.from(thetas.subarray(r * n, (r + 1) * n))
        const z = Array.from(got.subarray(r * n, (r + 1) * n))
        assert.equal([...z].sort((a, b) => a - b), PERMS[n]![0], `a permutation of 1..${n}: [${z}]`)
        const best = bruteRanking(row, PERMS[n]).score
        const scale = row.reduce((s, v) => s + Math.abs(v) * n, 0)
        assert.ok(dot(row, z) >= best - 1e-12 * scale, `[${row}]: objective ${dot(row, z)} < optimum ${best}`)
      }
    }),
    { seed: SEED, numRuns: 300 },
  )
})

/** The ranks by a library sort of the indices under (value ascending, index ascending). */
function sortRanks(row: ArrayLike<number>): number[] {
  const idx = Array.from({ length: row.length }, (_, i) => i)
  idx.sort((a, b) => (row[a]! < row[b]! ? -1 : row[a]! > row[b]! ? 1 : a - b))
  const ranks = new Array<number>(row.length)
  idx.forEach((i, k) => (ranks[i] = k + 1))
  return ranks
}

t('long rows (merge passes, odd sizes, heavy ties): equal to a library sort by (value, index)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 15, max: 300 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (rows, n, levels, seed) => {
        let s = seed
        const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32)
        const thetas = Float32Array.from({ length: rows * n }, () => Math.floor(next() * levels) - levels / 2)
        const out = new Float32Array(rows * n).fill(-1)
        assert.is(ascendingRanks(thetas, rows, n, out), -1)
        for (let r = 0; r < rows; r++) {
          assert.equal(Array.from(out.subarray(r * n, (r + 1) * n)), sortRanks(thetas.subarray(r * n, (r + 1) * n)), `n=${n} row ${r}`)
        }
      },
    ),
    { seed: SEED, numRuns: 200 },
  )
  const big = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 10)
  const out = new Float32Array(5000)
  ascendingRanks(big, 1, 5000, out)
  assert.equal(Array.from(out), sortRanks(big))
})

t('±Infinity are ordinary values: the ranks equal those with ±1e30 in their place', () => {
  const entry = fc.oneof({ arbitrary: dyadic, weight: 3 }, { arbitrary: fc.constantFrom(Infinity, -Infinity), weight: 1 })
  fc.assert(
    fc.property(batchOf(entry, 8), ([rows, n, data]) => {
      const got = solveBatch(Float32Array.from(data), rows, n)
      const finite = Float32Array.from(data, (v) => (v === Infinity ? 1e30 : v === -Infinity ? -1e30 : v))
      assert.equal(Array.from(got), Array.from(solveBatch(finite, rows, n)), `[${data}]`)
    }),
    { seed: SEED, numRuns: 300 },
  )
})

t('the tie rule on examples: equal values get increasing ranks in index order', () => {
  const run = (x: number[], dtype: 'float32' | 'int32' = 'float32'): number[] => Array.from(ranking()(tf.tensor1d(x, dtype)).dataSync())
  assert.equal(run([5, 5, 1]), [2, 3, 1])
  assert.equal(run([3, 3, 3, 3]), [1, 2, 3, 4])
  assert.equal(run([0, -0, 0, -1]), [2, 3, 4, 1])
  assert.equal(run([-0, 0]), [1, 2])
  assert.equal(run([Infinity, -Infinity, 0, Infinity, -Infinity]), [4, 1, 3, 5, 2])
  assert.equal(run([0.3, -2, 0.3, 7]), [2, 1, 3, 4])
  assert.equal(run([2]), [1])
  assert.equal(run([]), [])
  const i32 = ranking()(tf.tensor1d([30, 10, 20, 10], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [4, 1, 3, 2])
})

t('vmap: one kernel call, equal to the per-instance loop; the record', () => {
  const s = ranking()
  assert.is(s._tag, 'ranking')
  assert.is(s.instanceRank, 1)
  assert.is(s.sense, 'max')
  assert.ok(Object.isFrozen(s))
  const thetas = tf.tensor3d([[[1, 1, 0], [0, 2, 2]], [[-1, -2, -1], [5, 4, 5]]]) // [2, 2, 3]
  const before = solvers.kernelCalls['ranking'] ?? 0
  const out = vmap(vmap(s))(thetas)
  assert.is((solvers.kernelCalls['ranking'] ?? 0) - before, 1)
  assert.equal(out.arraySync(), [[[2, 3, 1], [1, 2, 3]], [[2, 1, 3], [2, 1, 3]]])
})

t('errors: the first NaN names its instance and index; rank; dtype', () => {
  const s = ranking()
  assert.throws(() => s(tf.tensor1d([1, NaN, 2])), argumentError(/^ranking: theta must not contain NaN .* at instance 0, index 1$/))
  assert.throws(() => s.batched(tf.tensor2d([[1, 2, 3], [3, 2, NaN], [NaN, 0, 0]])), argumentError(/at instance 1, index 2$/))
  assert.throws(() => vmap(s)(tf.tensor2d([[1, 2], [NaN, NaN]])), argumentError(/at instance 1, index 0$/))
  const out = new Float32Array(6)
  assert.is(ascendingRanks(Float32Array.of(2, 1, 0, 5, NaN, NaN), 2, 3, out), 4)
  assert.equal(Array.from(out.subarray(0, 3)), [3, 2, 1])
  assert.throws(() => s(tf.zeros([2, 3])), argumentError(/ranking\(theta\): theta must have rank 1, shape \[n\].*vmap\(solver\) or solver\.batched/))
  assert.throws(() => s.batched(tf.zeros([3])), argumentError(/ranking\.batched\(theta\): theta must have rank 2, shape \[N, n\]/))
  assert.throws(() => s(tf.tensor1d([true, false], 'bool')), argumentError(/dtype float32 or int32 but got bool/))
})

t('leaks no tensor: plain, batched, vmap, nested vmap, errors', () => {
  const s = ranking()
  const thetas = tf.randomNormal([2, 3, 20], 0, 1, 'float32', 3) // [2, 3, 20]
  assertSolverNoLeak(s, thetas)
  tf.dispose([thetas])
})

t.run()
