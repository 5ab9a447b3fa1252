/**
 * `argmax()`: against brute force over every one-hot vector on random batches (fast-check),
 * ties and infinities included; the tie rule exactly; typed errors; no leak.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, solvers, vmap } from '../../src/index.js'
import { argmax, argmaxOneHot } from '../../src/solvers/argmax/index.js'
import { argumentError, assertNoLeak, assertSolverNoLeak, setup } from '../support/helpers.js'

const t = suite('solvers: argmax')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/**
 * Entries: small dyadic values (many ties, zeros of both signs, negatives), ±Infinity, and
 * general float32 values.
 */
const entry = fc.oneof(
  { arbitrary: fc.integer({ min: -3, max: 3 }).map((k) => k / 2), weight: 5 },
  { arbitrary: fc.constantFrom(-0, Infinity, -Infinity), weight: 1 },
  { arbitrary: fc.float({ min: -1e6, max: 1e6, noNaN: true }), weight: 2 },
)

/** A batch: `rows` instances of length `n`, flat row-major. */
const batch = fc
  .record({ rows: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 9 }) })
  .chain(({ rows, n }) => fc.tuple(fc.constant(rows), fc.constant(n), fc.array(entry, { minLength: rows * n, maxLength: rows * n })))

/**
 * The brute-force argmax: the score of the one-hot vector `e_i` is `<theta, e_i> = theta[i]`
 * (written so, since `0 * Infinity` is NaN); the best score over all `n` of them, and the first
 * vector in index order that reaches it (`-0` and `0` are the same score).
 */
function bruteArgmax(theta: readonly number[]): number[] {
  const best = Math.max(...theta)
  const first = theta.findIndex((v) => v === best)
  return theta.map((_, i) => (i === first ? 1 : 0))
}

t('equals brute force on random batches (ties, zeros, negatives, ±Infinity), single and batched', () => {
  const solver = argmax()
  fc.assert(
    fc.property(batch, ([rows, n, data]) => {
      const thetas = Float32Array.from(data)
      const got = tf.tidy(() => solver.batched(tf.tensor2d(thetas, [rows, n])).dataSync()) // [rows, n]
      for (let r = 0; r < rows; r++) {
        const row = Array.from(thetas.subarray(r * n, (r + 1) * n))
        const want = bruteArgmax(row)
        assert.equal(Array.from(got.subarray(r * n, (r + 1) * n)), want, `row ${r} of [${row}]`)
        const one = tf.tidy(() => Array.from(solver(tf.tensor1d(row)).dataSync()))
        assert.equal(one, want, `single [${row}]`)
      }
    }),
    { seed: SEED, numRuns: 400 },
  )
})

t('the kernel on its own: writes every row, zeroes stale output, reports the first NaN', () => {
  const out = new Float32Array(6).fill(7)
  assert.is(argmaxOneHot(Float32Array.of(1, 5, 5, -Infinity, -Infinity, -Infinity), 2, 3, out), -1)
  assert.equal(Array.from(out), [0, 1, 0, 1, 0, 0])
  assert.is(argmaxOneHot(Float32Array.of(1, 2, 3, 4, NaN, NaN), 2, 3, new Float32Array(6)), 4)
  assert.is(argmaxOneHot(Float32Array.of(NaN, 2, 3), 1, 3, new Float32Array(3)), 0)
})

t('ties go to the lower index; infinities are ordinary values; int32 theta', () => {
  const s = argmax()
  const run = (x: number[], dtype: 'float32' | 'int32' = 'float32'): number[] => Array.from(s(tf.tensor1d(x, dtype)).dataSync())
  assert.equal(run([2, 2, 2, 2]), [1, 0, 0, 0])
  assert.equal(run([-1, 3, 0, 3]), [0, 1, 0, 0])
  assert.equal(run([0, -0, 0]), [1, 0, 0])
  assert.equal(run([-0, 0]), [1, 0])
  assert.equal(run([-Infinity, -Infinity]), [1, 0])
  assert.equal(run([-Infinity, -5, Infinity, Infinity]), [0, 0, 1, 0])
  assert.equal(run([7]), [1])
  const i32 = s(tf.tensor1d([3, 9, 1, 9], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [0, 1, 0, 0])
})

t('vmap and batched: one kernel call, equal to the per-instance loop', () => {
  const s = argmax()
  const thetas = tf.tensor3d([[[1, 1, 0], [0, 2, 2]], [[-1, -2, -1], [5, 4, 5]]]) // [2, 2, 3]
  const before = solvers.kernelCalls['argmax'] ?? 0
  const out = vmap(vmap(s))(thetas)
  assert.is((solvers.kernelCalls['argmax'] ?? 0) - before, 1)
  assert.equal(out.arraySync(), [[[1, 0, 0], [0, 1, 0]], [[1, 0, 0], [1, 0, 0]]])
})

t('the record: _tag, instanceRank, sense, frozen', () => {
  const s = argmax()
  assert.is(s._tag, 'argmax')
  assert.is(s.instanceRank, 1)
  assert.is(s.sense, 'max')
  assert.ok(Object.isFrozen(s))
})

t('errors: NaN names the instance and the index; n = 0; rank; dtype', () => {
  const s = argmax()
  assert.throws(() => s(tf.tensor1d([1, NaN, 2])), argumentError(/^argmax: theta must not contain NaN .* at instance 0, index 1$/))
  assert.throws(() => s.batched(tf.tensor2d([[1, 2], [3, NaN]])), argumentError(/at instance 1, index 1$/))
  assert.throws(() => vmap(s)(tf.tensor2d([[1, 2, 3], [NaN, 2, NaN], [NaN, 0, 0]])), argumentError(/at instance 1, index 0$/))
  assert.throws(() => s(tf.zeros([0])), argumentError(/^argmax\(theta\): theta must have at least one entry \(n >= 1\).* but got n = 0$/))
  assert.throws(() => s.batched(tf.zeros([2, 0])), argumentError(/^argmax\.batched\(theta\): .*n = 0$/))
  assert.throws(() => s(tf.zeros([2, 3])), argumentError(/argmax\(theta\): theta must have rank 1, shape \[n\].*vmap\(solver\) or solver\.batched/))
  assert.throws(() => s.batched(tf.zeros([3])), argumentError(/argmax\.batched\(theta\): theta must have rank 2, shape \[N, n\]/))
  assert.throws(() => s(tf.tensor1d([true, false], 'bool')), argumentError(/dtype float32 or int32 but got bool/))
  assert.throws(() => s(tf.tensor1d([NaN])), (e: unknown) => e instanceof ArgumentError && e._tag === 'ArgumentError')
})

t('leaks no tensor: plain, batched, vmap, nested vmap, errors', () => {
  const s = argmax()
  const thetas = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 3) // [2, 3, 6]
  assertSolverNoLeak(s, thetas)
  tf.dispose([thetas])
})

t.run()
