/**
 * The `knapsack` solver against brute force over every feasible 0/1 vector (one and several
 * constraints, ties, zero and negative scores, `-Infinity`), its tie rule, its option and
 * shape errors, and leaks.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { vmap } from '../../src/index.js'
import { knapsack } from '../../src/solvers/knapsack/index.js'
import { bruteKnapsack, knapsackFeasible, maskArray, maskScore } from '../support/enumerate.js'
import { argumentError, assertNoLeak, configError, setup } from '../support/helpers.js'

const t = suite('solvers: knapsack')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/** One instance's scores: small integers (exact sums, many ties, some `-Infinity`) or float32 reals. */
const scores = (n: number): fc.Arbitrary<{ exact: boolean; theta: number[] }> =>
  fc.oneof(
    fc.record({
      exact: fc.constant(true),
      theta: fc.array(fc.oneof({ weight: 12, arbitrary: fc.integer({ min: -3, max: 3 }) }, { weight: 1, arbitrary: fc.constant(-Infinity) }), {
        minLength: n,
        maxLength: n,
      }),
    }),
    fc.record({
      exact: fc.constant(false),
      theta: fc.array(fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }),
    }),
  )

/** A problem (`m` constraints on `n` items, small integer weights and capacities) and a batch of scores. */
const problems = fc
  .record({ n: fc.integer({ min: 1, max: 8 }), m: fc.integer({ min: 1, max: 3 }), maxW: fc.integer({ min: 0, max: 6 }) })
  .chain(({ n, m, maxW }) =>
    fc.record({
      n: fc.constant(n),
      weights: fc.array(fc.array(fc.integer({ min: 0, max: maxW }), { minLength: n, maxLength: n }), { minLength: m, maxLength: m }),
      capacity: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: m, maxLength: m }),
      oneD: fc.boolean(),
      batch: fc.array(scores(n), { minLength: 1, maxLength: 4 }),
    }),
  )

t('equals brute force over all feasible 0/1 vectors, ties included (600 problems, 1 to 3 constraints)', () => {
  let exactCases = 0
  let floatCases = 0
  fc.assert(
    fc.property(problems, ({ n, weights, capacity, oneD, batch }) => {
      const solver =
        oneD && weights.length === 1 ? knapsack({ weights: weights[0]!, capacity: capacity[0]! }) : knapsack({ weights, capacity })
      const thetas = batch.flatMap((b) => b.theta)
      const out = tf.tidy(() => solver.batched(tf.tensor2d(thetas, [batch.length, n]))) // [B, n]
      const got = out.dataSync()
      out.dispose()
      batch.forEach(({ exact, theta }, r) => {
        const z = Array.from(got.subarray(r * n, (r + 1) * n))
        const msg = `theta [${theta}], weights ${JSON.stringify(weights)}, capacity [${capacity}]`
        let mask = 0
        z.forEach((v, j) => {
          assert.ok(v === 0 || v === 1, `${msg}: entry ${j} is ${v}`)
          if (v === 1) mask += 2 ** j
        })
        assert.ok(knapsackFeasible(mask, weights, capacity), `${msg}: infeasible [${z}]`)
        const want = bruteKnapsack(theta, weights, capacity)
        if (exact) {
          exactCases++
          // Integer scores: the sums are exact, so the tie rule is checked bit for bit.
          assert.equal(z, maskArray(want.mask, n), `${msg}: the smallest sum z_j 2^j among the optima`)
        } else {
          floatCases++
          const tol = 1e-9 * (1 + theta.reduce((a, v) => a + Math.abs(v), 0))
          assert.ok(Math.abs(maskScore(theta, mask) - want.score) <= tol, `${msg}: score ${maskScore(theta, mask)} vs ${want.score}`)
        }
      })
    }),
    { seed: SEED, numRuns: 600 },
  )
  assert.ok(exactCases > 300 && floatCases > 300, `both kinds of scores were drawn: ${exactCases} exact, ${floatCases} real`)
})

t('16 items, 2 constraints: equals brute force over the 65,536 sets', () => {
  const cases = fc.sample(
    fc.record({
      weights: fc.array(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 16, maxLength: 16 }), { minLength: 2, maxLength: 2 }),
      capacity: fc.array(fc.integer({ min: 10, max: 60 }), { minLength: 2, maxLength: 2 }),
      theta: fc.array(fc.integer({ min: -2, max: 6 }), { minLength: 16, maxLength: 16 }),
    }),
    { seed: SEED, numRuns: 6 },
  )
  for (const { weights, capacity, theta } of cases) {
    const z = Array.from(knapsack({ weights, capacity })(tf.tensor1d(theta)).dataSync())
    assert.equal(z, maskArray(bruteKnapsack(theta, weights, capacity).mask, 16), `theta [${theta}]`)
  }
})

t('the tie rule: lower index wins, theta <= 0 is never taken, -Infinity excluded, zero weights taken when theta > 0', () => {
  const data = (solver: ReturnType<typeof knapsack>, theta: number[]): number[] => Array.from(solver(tf.tensor1d(theta)).dataSync())
  const one = knapsack({ weights: [1, 1, 1], capacity: 1 })
  assert.equal(data(one, [2, 2, 2]), [1, 0, 0])
  assert.equal(data(one, [1, 2, 2]), [0, 1, 0])
  assert.equal(data(one, [0, 0, 0]), [0, 0, 0])
  assert.equal(data(one, [-1, -5, 0]), [0, 0, 0])
  // {0, 1} and {2} both score 2: the set with the smaller sum z_j 2^j, {0, 1} (3 < 4).
  assert.equal(data(knapsack({ weights: [1, 1, 2], capacity: 2 }), [1, 1, 2]), [1, 1, 0])
  // {2} (4) against {0, 1} (3): {0, 1} wins.
  assert.equal(data(knapsack({ weights: [1, 1, 2], capacity: 2 }), [2, 0, 2]), [1, 0, 0])
  const free = knapsack({ weights: [0, 0, 3], capacity: 0 })
  assert.equal(data(free, [1, 0, 5]), [1, 0, 0])
  assert.equal(data(free, [-Infinity, 2, 5]), [0, 1, 0])
  assert.equal(data(knapsack({ weights: [1, 1], capacity: 2 }), [-Infinity, -Infinity]), [0, 0])
  // int32 scores are accepted; the output is float32.
  const i32 = one(tf.tensor1d([1, 3, 2], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [0, 1, 0])
})

t('capacities above the total weight are clipped (a huge capacity costs nothing); the table limit is inclusive', () => {
  const big = knapsack({ weights: [[3, 4, 5], [1, 2, 3]], capacity: [1e9, 2 ** 40] })
  assert.equal(Array.from(big(tf.tensor1d([1, -1, 2])).dataSync()), [1, 0, 1])
  // n x (capacity + 1) = 32 x 2^20 = 2^25 cells: exactly at the limit, accepted and solved.
  const weights = Array.from({ length: 32 }, (_, j) => 2 ** 16 + j)
  const edge = knapsack({ weights, capacity: 2 ** 20 - 1 })
  const theta = weights.map((_, j) => (j % 3 === 1 ? 1 + j : -1))
  const z = Array.from(edge(tf.tensor1d(theta)).dataSync())
  // At most 15 items fit (16 x 2^16 > 2^20 - 1); the 11 positive items all fit.
  assert.equal(z, theta.map((v) => (v > 0 ? 1 : 0)))
})

t('records: _tag, rank, frozen copies of the options', () => {
  const weights = [[2, 3], [1, 1]]
  const capacity = [4, 1]
  const solver = knapsack({ weights, capacity })
  assert.is(solver._tag, 'knapsack')
  assert.is(solver.instanceRank, 1)
  assert.equal(solver.weights, [[2, 3], [1, 1]])
  assert.equal(solver.capacity, [4, 1])
  assert.ok(Object.isFrozen(solver) && Object.isFrozen(solver.weights) && Object.isFrozen((solver.weights as number[][])[0]))
  weights[1]![1] = 0 // the caller's array changes; the solver does not
  capacity[1] = 2
  assert.equal(Array.from(solver(tf.tensor1d([1, 1])).dataSync()), [1, 0])
  assert.equal(solver.weights, [[2, 3], [1, 1]])
  assert.is(knapsack({ weights: [1], capacity: 0 }).capacity, 0)
  // The JSON route a registry uses.
  const r = knapsack.fromJson({ weights: [2, 3], capacity: 3 })
  assert.ok(E.isRight(r) && r.right._tag === 'knapsack')
  const bad = knapsack.fromJson({ weights: [2, -3], capacity: 3 })
  assert.ok(E.isLeft(bad) && /weights must be nonnegative integers but got -3 at item 1/.test(bad.left.message))
})

t('errors: options (values are ArgumentErrors naming the option, the value and the fix; types are ConfigErrors)', () => {
  const fix = /scale your weights and capacities to integers/
  for (const [w, shown] of [[-1, '-1'], [2.5, '2.5'], [NaN, 'NaN'], [Infinity, 'Infinity']] as const) {
    assert.throws(
      () => knapsack({ weights: [1, w, 2], capacity: 3 }),
      argumentError(new RegExp(`^knapsack\\(options\\.weights\\): weights must be nonnegative integers but got ${shown} at item 1; `), fix),
    )
    assert.throws(
      () => knapsack({ weights: [1, 2], capacity: w }),
      argumentError(new RegExp(`^knapsack\\(options\\.capacity\\): capacities must be nonnegative integers but got ${shown}; `), fix),
    )
  }
  assert.throws(() => knapsack({ weights: [[1, 2], [3, -4]], capacity: [1, 1] }), argumentError(/got -4 at constraint 1, item 1;/))
  assert.throws(() => knapsack({ weights: [[1, 2], [3, 4]], capacity: [1, 0.5] }), argumentError(/capacities .* got 0\.5 at constraint 1;/))
  assert.throws(() => knapsack({ weights: [], capacity: 3 }), argumentError(/^knapsack\(options\.weights\): weights must list at least one item but got \[\]$/))
  assert.throws(() => knapsack({ weights: [[1, 2], [3]], capacity: [1, 1] }), argumentError(/n = 2 entries .* but row 1 has 1$/))
  assert.throws(
    () => knapsack({ weights: [[1, 2], [3, 4]], capacity: 5 }),
    argumentError(/^knapsack\(options\.capacity\): with weights of shape \[2, 2\] capacity must be an array of 2 numbers .* but got 5$/),
  )
  assert.throws(() => knapsack({ weights: [[1, 2], [3, 4]], capacity: [5] }), argumentError(/array of 2 numbers .* but got \[5\]$/))
  assert.throws(
    () => knapsack({ weights: [1, 2], capacity: [5, 6] }),
    argumentError(/with weights of shape \[2\] capacity must be a number but got \[5,6\]; for several constraints/),
  )
  assert.throws(
    () => knapsack({ weights: Array.from({ length: 40 }, () => 1e6), capacity: 1e6 }),
    argumentError(/^knapsack\(options\): the dynamic-programming table would have .* = 40 x 1000001 = 40000040 cells, over the limit of 33554432 \(2\^25\); use coarser/),
  )
  assert.throws(
    () => knapsack({ weights: [[5000, 5000], [5000, 5000]], capacity: [6000, 6000] }),
    argumentError(/= 2 x 6001 x 6001 = 72024002 cells/),
  )
  assert.throws(() => knapsack({ weights: 'abc' as unknown as number[], capacity: 1 }), configError(/^knapsack\(options\.weights\): expected number\[\] \| number\[\]\[\] but got "abc"$/))
  assert.throws(() => knapsack({ weights: [1] } as unknown as { weights: number[]; capacity: number }), configError(/knapsack\(options\.capacity\): expected number \| number\[\] but got undefined/))
  assert.throws(
    () => knapsack({ weights: [1], capacity: 1, capacities: [1] } as unknown as { weights: number[]; capacity: number }),
    configError(/unknown option 'capacities'; the options are 'weights', 'capacity'/),
  )
})

t('errors: theta shapes, NaN and +Infinity name the call, the instance and the item; -Infinity is allowed', () => {
  const solver = knapsack({ weights: [1, 2, 3], capacity: 3 })
  assert.throws(
    () => solver(tf.zeros([4])),
    argumentError(/^knapsack\(theta\): an instance of theta must have shape \[3\] \(one score per item of options\.weights\) but got \[4\]$/),
  )
  assert.throws(() => solver.batched(tf.zeros([2, 2])), argumentError(/^knapsack\.batched\(theta\): .* shape \[3\] .* but got \[2\]$/))
  assert.throws(() => vmap(solver)(tf.zeros([2, 5])), argumentError(/shape \[3\] .* but got \[5\]/))
  assert.throws(() => solver(tf.zeros([2, 3])), argumentError(/knapsack\(theta\): theta must have rank 1.*vmap\(solver\) or solver\.batched/))
  assert.throws(
    () => solver(tf.tensor1d([1, NaN, 2])),
    argumentError(/^knapsack: theta must not contain NaN or \+Infinity \(-Infinity is allowed: the item is never taken\) but got NaN at instance 0, item 1$/),
  )
  assert.throws(() => solver.batched(tf.tensor2d([[1, 2, 3], [1, 2, Infinity]])), argumentError(/but got Infinity at instance 1, item 2$/))
  assert.equal(Array.from(solver(tf.tensor1d([-Infinity, 1, 0])).dataSync()), [0, 1, 0])
})

t('no tensor leaks (plain, batched, vmap, errors)', () => {
  const solver = knapsack({ weights: [[1, 2, 3, 1], [2, 2, 1, 0]], capacity: [4, 3] })
  const one = tf.tensor1d([1, 2, -1, 3])
  const many = tf.randomNormal([5, 4], 0, 1, 'float32', 3)
  assertNoLeak(() => solver(one), 1).dispose()
  assertNoLeak(() => solver.batched(many), 1).dispose()
  assertNoLeak(() => vmap(solver)(many), 1).dispose()
  const nested = tf.reshape(many, [1, 5, 4])
  assertNoLeak(() => vmap(vmap(solver))(nested), 1).dispose()
  const bad = tf.tensor2d([[1, 2, 3, 4], [1, NaN, 3, 4]])
  assertNoLeak(() => assert.throws(() => vmap(solver)(bad)), 0)
  tf.dispose([one, many, nested, bad])
})

t.run()
