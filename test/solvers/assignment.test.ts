/**
 * The `assignment` solver against brute force over every assignment (square and rectangular,
 * ties, zero and negative scores), against a subset DP and 2-swap optimality on larger
 * instances, its determinism under ties, its errors, and leaks.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { vmap } from '../../src/index.js'
import { assignment } from '../../src/solvers/assignment/index.js'
import { bruteAssignment, injections } from '../support/enumerate.js'
import { argumentError, assertNoLeak, configError, setup } from '../support/helpers.js'

const t = suite('solvers: assignment')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/** The column of each row of a 0/1 `[n, m]` assignment matrix, asserting one 1 a row and at most one a column. */
function columnsOf(z: ArrayLike<number>, n: number, m: number, msg: string): number[] {
  const cols: number[] = []
  const taken = new Set<number>()
  for (let i = 0; i < n; i++) {
    let col = -1
    for (let j = 0; j < m; j++) {
      const v = z[i * m + j]!
      assert.ok(v === 0 || v === 1, `${msg}: entry (${i}, ${j}) is ${v}`)
      if (v === 1) {
        assert.is(col, -1, `${msg}: row ${i} has two ones`)
        col = j
      }
    }
    assert.ok(col >= 0, `${msg}: row ${i} has no one`)
    assert.ok(!taken.has(col), `${msg}: column ${col} is used twice`)
    taken.add(col)
    cols.push(col)
  }
  return cols
}

const score = (theta: ArrayLike<number>, cols: readonly number[], m: number): number =>
  cols.reduce((a, c, i) => a + theta[i * m + c]!, 0)

/** Matrices `[n, m]`, `n <= m <= 6`, with integer scores in a small range (ties) or float32 reals. */
const batches = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 2 }), range: fc.constantFrom(0, 1, 3, 100) })
  .chain(({ n, extra, range }) => {
    const m = Math.min(6, n + extra)
    const entry = range === 100 ? fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }) : fc.integer({ min: -range, max: range })
    return fc.record({
      n: fc.constant(n),
      m: fc.constant(m),
      exact: fc.constant(range !== 100),
      thetas: fc.array(fc.array(entry, { minLength: n * m, maxLength: n * m }), { minLength: 1, maxLength: 4 }),
    })
  })

t('optimal against brute force over every assignment, n <= m <= 6, ties and negatives (500 batches)', () => {
  const cache = new Map<string, number[][]>()
  fc.assert(
    fc.property(batches, ({ n, m, exact, thetas }) => {
      const all = cache.get(`${n},${m}`) ?? injections(n, m)
      cache.set(`${n},${m}`, all)
      const out = tf.tidy(() => assignment().batched(tf.tensor3d(thetas.flat(), [thetas.length, n, m]))) // [B, n, m]
      const got = out.dataSync()
      out.dispose()
      thetas.forEach((theta, r) => {
        const msg = `[${n}, ${m}] theta [${theta}]`
        const cols = columnsOf(got.subarray(r * n * m, (r + 1) * n * m), n, m, msg)
        const want = bruteAssignment(theta, n, m, all)
        const tol = exact ? 0 : 1e-9 * (1 + theta.reduce((a, v) => a + Math.abs(v), 0))
        assert.ok(Math.abs(score(theta, cols, m) - want) <= tol, `${msg}: score ${score(theta, cols, m)} vs optimum ${want}`)
      })
    }),
    { seed: SEED, numRuns: 500 },
  )
})

/** The optimum of a square assignment by DP over the sets of used columns (O(2^n n), independent of the Hungarian method). */
function dpAssignment(theta: ArrayLike<number>, n: number): number {
  const f = new Float64Array(2 ** n).fill(-Infinity)
  f[0] = 0
  for (let s = 0; s < 2 ** n; s++) {
    if (f[s] === -Infinity) continue
    let row = 0
    for (let x = s; x; x &= x - 1) row++ // rows 0..row-1 are assigned to the columns in s
    if (row === n) continue
    for (let j = 0; j < n; j++) if (!(s & (1 << j))) f[s | (1 << j)] = Math.max(f[s | (1 << j)]!, f[s]! + theta[row * n + j]!)
  }
  return f[2 ** n - 1]!
}

t('optimal on n = 7..12 against a DP over column subsets (integer scores, exact)', () => {
  const cases = fc.sample(
    fc.integer({ min: 7, max: 12 }).chain((n) =>
      fc.record({ n: fc.constant(n), theta: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n * n, maxLength: n * n }) }),
    ),
    { seed: SEED, numRuns: 40 },
  )
  for (const { n, theta } of cases) {
    const cols = columnsOf(assignment()(tf.tensor2d(theta, [n, n])).dataSync(), n, n, `n = ${n}`)
    assert.is(score(theta, cols, n), dpAssignment(theta, n), `n = ${n} theta [${theta}]`)
  }
})

t('large instances (n = 60, 150; 40 x 90): valid, and no exchange of two rows improves', () => {
  const shapes = [[60, 60], [150, 150], [40, 90]] as const
  for (const [n, m] of shapes) {
    for (const seed of [1, 2]) {
      const theta = tf.randomNormal([n, m], 0, 1, 'float32', seed)
      const th = theta.dataSync()
      const cols = columnsOf(assignment()(theta).dataSync(), n, m, `[${n}, ${m}]`)
      const free = [...Array(m).keys()].filter((j) => !cols.includes(j))
      for (let i = 0; i < n; i++) {
        const a = th[i * m + cols[i]!]!
        for (let k = i + 1; k < n; k++) {
          const swap = th[i * m + cols[k]!]! + th[k * m + cols[i]!]!
          assert.ok(a + th[k * m + cols[k]!]! >= swap - 1e-5, `[${n}, ${m}]: swapping rows ${i} and ${k} improves`)
        }
        for (const j of free) assert.ok(a >= th[i * m + j]! - 1e-5, `[${n}, ${m}]: moving row ${i} to free column ${j} improves`)
      }
      theta.dispose()
    }
  }
})

t('ties: deterministic, the same alone and at every position of a batch', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 7 }).chain((n) =>
        fc.record({
          n: fc.constant(n),
          thetas: fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n * n, maxLength: n * n }), { minLength: 2, maxLength: 5 }),
        }),
      ),
      ({ n, thetas }) =>
        tf.tidy(() => {
          const solver = assignment()
          const batch = tf.tensor3d(thetas.flat(), [thetas.length, n, n]) // [B, n, n]
          const together = Array.from(solver.batched(batch).dataSync())
          const reversed = Array.from(solver.batched(tf.reverse(batch, 0)).dataSync())
          thetas.forEach((theta, r) => {
            const alone = Array.from(solver(tf.tensor2d(theta, [n, n])).dataSync())
            assert.equal(together.slice(r * n * n, (r + 1) * n * n), alone, `instance ${r} in the batch vs alone`)
            const back = thetas.length - 1 - r
            assert.equal(reversed.slice(back * n * n, (back + 1) * n * n), alone, `instance ${r} at position ${back}`)
            assert.equal(Array.from(assignment()(tf.tensor2d(theta, [n, n])).dataSync()), alone, 'a new record, the same answer')
          })
        }),
    ),
    { seed: SEED, numRuns: 200 },
  )
  // All scores equal: some permutation, and the same one every time.
  const flat = assignment()(tf.zeros([5, 5])).dataSync()
  columnsOf(flat, 5, 5, 'all zero')
  assert.equal(Array.from(assignment()(tf.zeros([5, 5])).dataSync()), Array.from(flat))
})

t('known answers; int32 scores; 1 x m', () => {
  const solver = assignment()
  assert.equal(solver(tf.tensor2d([[1, 3], [2, 1]])).arraySync(), [[0, 1], [1, 0]])
  assert.equal(solver(tf.tensor2d([[5, 0, 0], [0, 5, 0], [0, 0, 5]])).arraySync(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
  assert.equal(solver(tf.tensor2d([[-1, -9], [-9, -1]])).arraySync(), [[1, 0], [0, 1]])
  assert.equal(solver(tf.tensor2d([[1, 9, 0]])).arraySync(), [[0, 1, 0]])
  assert.equal(solver(tf.tensor2d([[7]])).arraySync(), [[1]])
  const i32 = solver(tf.tensor2d([[1, 4], [2, 8]], [2, 2], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(i32.arraySync(), [[1, 0], [0, 1]]) // 1 + 8 beats 4 + 2
})

t('errors: shapes, non-finite scores, options', () => {
  const solver = assignment()
  assert.throws(
    () => solver(tf.zeros([3, 2])),
    argumentError(/^assignment\(theta\): an instance of theta must be an \[n, m\] matrix with 1 <= n <= m \(each row gets its own column\) but got \[3, 2\]; transpose theta/),
  )
  assert.throws(() => solver.batched(tf.zeros([2, 0, 3])), argumentError(/^assignment\.batched\(theta\): .* but got \[0, 3\]$/))
  assert.throws(() => solver(tf.zeros([3])), argumentError(/assignment\(theta\): theta must have rank 2, shape \[n, m\], but got shape \[3\]$/))
  assert.throws(() => solver(tf.zeros([2, 3, 3])), argumentError(/vmap\(solver\) or solver\.batched/))
  assert.throws(
    () => solver(tf.tensor2d([[1, 2], [NaN, 0]])),
    argumentError(/^assignment: theta must be finite but got NaN at instance 0, row 1, column 0; to forbid a pair, give it a large negative finite score$/),
  )
  assert.throws(() => vmap(solver)(tf.tensor3d([[[1, 2], [3, 4]], [[1, -Infinity], [3, 4]]])), argumentError(/got -Infinity at instance 1, row 0, column 1;/))
  assert.throws(() => solver.batched(tf.tensor3d([[[1, 2, Infinity]]])), argumentError(/got Infinity at instance 0, row 0, column 2;/))
  assert.throws(() => assignment({ n: 3 } as unknown as Record<string, never>), configError(/^assignment\(options\): unknown option 'n'; it takes no options$/))
  assert.throws(() => assignment(3 as unknown as Record<string, never>), configError(/^assignment\(options\): expected an object of options but got 3$/))
})

t('no tensor leaks (plain, batched, vmap, nested vmap, errors); record', () => {
  const solver = assignment()
  assert.is(solver._tag, 'assignment')
  assert.is(solver.instanceRank, 2)
  const one = tf.randomNormal([4, 5], 0, 1, 'float32', 1)
  const many = tf.randomNormal([3, 4, 4], 0, 1, 'float32', 2)
  const nested = tf.reshape(many, [3, 1, 4, 4])
  assertNoLeak(() => solver(one), 1).dispose()
  assertNoLeak(() => solver.batched(many), 1).dispose()
  assertNoLeak(() => vmap(solver)(many), 1).dispose()
  assertNoLeak(() => vmap(vmap(solver))(nested), 1).dispose()
  const bad = tf.tensor3d([[[1, NaN], [0, 0]]])
  assertNoLeak(() => assert.throws(() => vmap(solver)(bad)), 0)
  tf.dispose([one, many, nested, bad])
})

t.run()
