/**
 * The `matching` solver: general graphs against brute force over every perfect matching (its
 * tie rule on integer scores), against a dense subset DP up to 20 nodes and 2-exchange
 * optimality at the 24-node limit; bipartite graphs against brute force over every permutation;
 * its errors, and leaks.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { vmap } from '../../src/index.js'
import { assignment } from '../../src/solvers/assignment/index.js'
import { matching } from '../../src/solvers/matching/index.js'
import { bruteAssignment, bruteMatching, edgeList, injections, mateMask } from '../support/enumerate.js'
import { argumentError, assertNoLeak, configError, setup } from '../support/helpers.js'

const t = suite('solvers: matching')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/** The partner array of an edge mask over the complete graph on `nodes` nodes, asserting a perfect matching. */
function mateOf(z: ArrayLike<number>, nodes: number, msg: string): number[] {
  const mate = new Array<number>(nodes).fill(-1)
  edgeList(nodes).forEach(([a, b], e) => {
    assert.ok(z[e] === 0 || z[e] === 1, `${msg}: entry ${e} is ${z[e]}`)
    if (z[e] !== 1) return
    assert.ok(mate[a] === -1 && mate[b] === -1, `${msg}: node ${mate[a] === -1 ? b : a} is matched twice`)
    mate[a] = b
    mate[b] = a
  })
  assert.ok(!mate.includes(-1), `${msg}: node ${mate.indexOf(-1)} is unmatched`)
  return mate
}

const matchScore = (theta: ArrayLike<number>, mate: readonly number[]): number => {
  const index = new Map(edgeList(mate.length).map(([a, b], e) => [a * mate.length + b, e]))
  return mate.reduce((s, b, a) => (a < b ? s + theta[index.get(a * mate.length + b)!]! : s), 0)
}

/** General graphs of 2 to 8 nodes, integer scores in a small range (ties) or float32 reals. */
const general = fc
  .record({ nodes: fc.constantFrom(2, 4, 6, 8), exact: fc.boolean(), range: fc.constantFrom(1, 2, 5) })
  .chain(({ nodes, exact, range }) => {
    const E = (nodes * (nodes - 1)) / 2
    const entry = exact ? fc.integer({ min: -range, max: range }) : fc.float({ min: -range, max: range, noNaN: true, noDefaultInfinity: true })
    return fc.record({
      nodes: fc.constant(nodes),
      exact: fc.constant(exact),
      thetas: fc.array(fc.array(entry, { minLength: E, maxLength: E }), { minLength: 1, maxLength: 4 }),
    })
  })

t('general: equals brute force over every perfect matching, with its tie rule on integer scores (600 batches)', () => {
  fc.assert(
    fc.property(general, ({ nodes, exact, thetas }) => {
      const E = (nodes * (nodes - 1)) / 2
      const out = tf.tidy(() => matching({ nodes }).batched(tf.tensor2d(thetas.flat(), [thetas.length, E]))) // [B, E]
      const got = out.dataSync()
      out.dispose()
      thetas.forEach((theta, r) => {
        const msg = `${nodes} nodes, theta [${theta}]`
        const z = got.subarray(r * E, (r + 1) * E)
        const mate = mateOf(z, nodes, msg)
        const want = bruteMatching(theta, nodes)
        if (exact) assert.equal(mate, want.mate, `${msg}: the lexicographically smallest partner array among the optima`)
        const s = matchScore(theta, mate)
        assert.ok(Math.abs(s - want.score) <= 1e-9 * (1 + Math.abs(want.score)), `${msg}: score ${s} vs ${want.score}`)
      })
    }),
    { seed: SEED, numRuns: 600 },
  )
})

t('general: 10 and 12 nodes against brute force (945 and 10,395 matchings), tie rule included', () => {
  const cases = fc.sample(
    fc.constantFrom(10, 12).chain((nodes) =>
      fc.record({
        nodes: fc.constant(nodes),
        theta: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: (nodes * (nodes - 1)) / 2, maxLength: (nodes * (nodes - 1)) / 2 }),
      }),
    ),
    { seed: SEED, numRuns: 8 },
  )
  for (const { nodes, theta } of cases) {
    const mate = mateOf(matching({ nodes })(tf.tensor1d(theta)).dataSync(), nodes, `${nodes} nodes`)
    assert.equal(mate, bruteMatching(theta, nodes).mate, `${nodes} nodes, theta [${theta}]`)
  }
})

/** The best perfect matching score by a dense DP over every set of nodes (O(2^n n^2), written independently of the kernel). */
function denseMatching(theta: ArrayLike<number>, nodes: number): number {
  const index = (a: number, b: number): number => edgeList(nodes).findIndex(([x, y]) => x === a && y === b)
  const w = Array.from({ length: nodes }, (_, a) => Array.from({ length: nodes }, (_, b) => (a < b ? theta[index(a, b)]! : 0)))
  const f = new Float64Array(2 ** nodes).fill(-Infinity)
  f[0] = 0
  for (let s = 0; s < 2 ** nodes; s++) {
    if (f[s] === -Infinity) continue
    let a = 0
    while (a < nodes && s & (1 << a)) a++ // the lowest node not yet matched
    if (a === nodes) continue
    for (let b = a + 1; b < nodes; b++) {
      if (s & (1 << b)) continue
      const t2 = s | (1 << a) | (1 << b)
      f[t2] = Math.max(f[t2]!, f[s]! + w[a]![b]!)
    }
  }
  return f[2 ** nodes - 1]!
}

t('general: 14 to 20 nodes against a dense DP (integer scores, exact); 24 nodes: no 2-exchange improves', () => {
  for (const nodes of [14, 16, 20]) {
    const E = (nodes * (nodes - 1)) / 2
    const theta = tf.tidy(() => tf.floor(tf.randomUniform([E], -4, 5, 'float32', nodes))) // [E] integers
    const th = theta.dataSync()
    const mate = mateOf(matching({ nodes })(theta).dataSync(), nodes, `${nodes} nodes`)
    assert.is(matchScore(th, mate), denseMatching(th, nodes), `${nodes} nodes`)
    theta.dispose()
  }
  const nodes = 24
  const list = edgeList(nodes)
  const w = (a: number, b: number, th: ArrayLike<number>): number => th[list.findIndex(([x, y]) => x === Math.min(a, b) && y === Math.max(a, b))]!
  for (const seed of [1, 2]) {
    const theta = tf.randomNormal([(nodes * (nodes - 1)) / 2], 0, 1, 'float32', seed)
    const th = theta.dataSync()
    const mate = mateOf(matching({ nodes })(theta).dataSync(), nodes, `${nodes} nodes`)
    for (let a = 0; a < nodes; a++) {
      for (let c = 0; c < nodes; c++) {
        const b = mate[a]!
        const d = mate[c]!
        if (a >= b || c >= d || a >= c) continue
        const now = w(a, b, th) + w(c, d, th)
        assert.ok(now >= w(a, c, th) + w(b, d, th) - 1e-5 && now >= w(a, d, th) + w(b, c, th) - 1e-5, `24 nodes: re-pairing (${a}, ${b}), (${c}, ${d}) improves`)
      }
    }
    theta.dispose()
  }
})

/** Bipartite graphs of 1 to 6 nodes a side, integer scores (ties) or float32 reals. */
const bipartite = fc.record({ n: fc.integer({ min: 1, max: 6 }), exact: fc.boolean() }).chain(({ n, exact }) => {
  const entry = exact ? fc.integer({ min: -2, max: 2 }) : fc.float({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true })
  return fc.record({
    n: fc.constant(n),
    exact: fc.constant(exact),
    thetas: fc.array(fc.array(entry, { minLength: n * n, maxLength: n * n }), { minLength: 1, maxLength: 4 }),
  })
})

t('bipartite: a permutation matrix of best score against brute force over every permutation (400 batches); equals assignment()', () => {
  const perms = new Map<number, number[][]>()
  fc.assert(
    fc.property(bipartite, ({ n, exact, thetas }) => {
      const all = perms.get(n) ?? injections(n, n)
      perms.set(n, all)
      const [got, viaAssignment] = tf.tidy(() => {
        const batch = tf.tensor3d(thetas.flat(), [thetas.length, n, n]) // [B, n, n]
        return [matching({ nodes: n, bipartite: true }).batched(batch).dataSync(), assignment().batched(batch).dataSync()]
      })
      assert.equal(Array.from(got!), Array.from(viaAssignment!), 'the assignment kernel, the same answer')
      thetas.forEach((theta, r) => {
        const msg = `n = ${n}, theta [${theta}]`
        const z = got!.subarray(r * n * n, (r + 1) * n * n)
        let s = 0
        for (let i = 0; i < n; i++) {
          let ones = 0
          let col = 0
          for (let j = 0; j < n; j++) {
            assert.ok(z[i * n + j] === 0 || z[i * n + j] === 1, `${msg}: entry (${i}, ${j})`)
            ones += z[i * n + j]!
            col += z[j * n + i]!
            s += z[i * n + j]! * theta[i * n + j]!
          }
          assert.ok(ones === 1 && col === 1, `${msg}: row and column ${i} hold one 1 each`)
        }
        const want = bruteAssignment(theta, n, n, all)
        assert.ok(Math.abs(s - want) <= (exact ? 0 : 1e-9 * (1 + Math.abs(want) + n * 5)), `${msg}: score ${s} vs ${want}`)
      })
    }),
    { seed: SEED, numRuns: 400 },
  )
})

t('known answers and tie rule; int32', () => {
  const four = matching({ nodes: 4 })
  const mask = (theta: number[]): number[] => Array.from(four(tf.tensor1d(theta)).dataSync())
  assert.equal(mask([1, 4, 0, 0, 4, 1]), [0, 1, 0, 0, 1, 0])
  assert.equal(mask([1, 1, 1, 1, 1, 1]), [1, 0, 0, 0, 0, 1]) // mate[0] = 1, the smallest
  assert.equal(mask([0, 2, 2, 2, 2, 0]), [0, 1, 0, 0, 1, 0]) // {(0,2),(1,3)} and {(0,3),(1,2)} tie: mate[0] = 2
  assert.equal(mask([-5, -1, -1, -1, -1, -5]), [0, 1, 0, 0, 1, 0])
  assert.equal(Array.from(matching({ nodes: 2 })(tf.tensor1d([-3])).dataSync()), [1])
  const i32 = four(tf.tensor1d([0, 0, 3, 3, 0, 0], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [0, 0, 1, 1, 0, 0])
  const two = matching({ nodes: 2, bipartite: true })
  assert.equal(two(tf.tensor2d([[1, 3], [2, 1]])).arraySync(), [[0, 1], [1, 0]])
  assert.equal(matching({ nodes: 1, bipartite: true })(tf.tensor2d([[-2]])).arraySync(), [[1]])
})

t('errors: options, shapes, non-finite scores', () => {
  for (const nodes of [5, 0, -2, 2.5, NaN, 26]) {
    assert.throws(
      () => matching({ nodes }),
      argumentError(new RegExp(`^matching\\(options\\.nodes\\): nodes must be an even integer in \\[2, 24\\] for a general graph .* but got ${nodes}`)),
    )
  }
  assert.throws(() => matching({ nodes: 26 }), argumentError(/but got 26; for a bipartite graph pass bipartite: true$/))
  for (const nodes of [0, -1, 1.5]) {
    assert.throws(
      () => matching({ nodes, bipartite: true }),
      argumentError(new RegExp(`^matching\\(options\\.nodes\\): nodes must be an integer >= 1 \\(the nodes per side\\) but got ${nodes}$`)),
    )
  }
  assert.throws(() => matching({ nodes: 4, bipartite: 'yes' as unknown as boolean }), configError(/^matching\(options\.bipartite\): expected boolean but got "yes"$/))
  assert.throws(() => matching({} as { nodes: number }), configError(/^matching\(options\.nodes\): expected number but got undefined$/))
  const general = matching({ nodes: 4 })
  assert.throws(
    () => general(tf.zeros([4])),
    argumentError(/^matching\(theta\): an instance of theta must have shape \[E\] = \[6\] \(one score per edge of the complete graph on 4 nodes, in the order of completeGraphEdges\(4\)\) but got \[4\]$/),
  )
  assert.throws(() => general(tf.zeros([4, 4])), argumentError(/theta must have rank 1/))
  assert.throws(
    () => general(tf.tensor1d([0, 0, 0, NaN, 0, 0])),
    argumentError(/^matching: theta must be finite but got NaN at instance 0, edge 3 \(1, 2\); to forbid an edge, give it a large negative finite score$/),
  )
  assert.throws(() => general.batched(tf.tensor2d([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, -Infinity]])), argumentError(/got -Infinity at instance 1, edge 5 \(2, 3\);/))
  const bi = matching({ nodes: 3, bipartite: true })
  assert.throws(
    () => bi(tf.zeros([3, 4])),
    argumentError(/^matching\(theta\): an instance of theta must have shape \[3, 3\] \(a score per pair of a left and a right node\) but got \[3, 4\]$/),
  )
  assert.throws(() => bi(tf.zeros([6])), argumentError(/theta must have rank 2, shape \[n, n\]/))
  assert.throws(() => vmap(bi)(tf.zeros([2, 2, 3])), argumentError(/shape \[3, 3\] .* but got \[2, 3\]$/))
  assert.throws(
    () => bi(tf.tensor2d([[0, 0, 0], [0, 0, Infinity], [0, 0, 0]])),
    argumentError(/^matching: theta must be finite but got Infinity at instance 0, row 1, column 2; to forbid a pair/),
  )
})

t('no tensor leaks, general and bipartite (plain, batched, vmap, nested vmap, errors); records', () => {
  for (const [solver, shape] of [
    [matching({ nodes: 6 }), [15]],
    [matching({ nodes: 3, bipartite: true }), [3, 3]],
  ] as const) {
    assert.is(solver._tag, 'matching')
    assert.is(solver.instanceRank, shape.length)
    assert.ok(Object.isFrozen(solver))
    const one = tf.randomNormal([...shape], 0, 1, 'float32', 1)
    const many = tf.randomNormal([3, ...shape], 0, 1, 'float32', 2)
    const nested = tf.reshape(many, [3, 1, ...shape])
    assertNoLeak(() => solver(one), 1).dispose()
    assertNoLeak(() => solver.batched(many), 1).dispose()
    assertNoLeak(() => vmap(solver)(many), 1).dispose()
    assertNoLeak(() => vmap(vmap(solver))(nested), 1).dispose()
    const bad = tf.fill([2, ...shape], NaN)
    assertNoLeak(() => assert.throws(() => vmap(solver)(bad)), 0)
    tf.dispose([one, many, nested, bad])
  }
  const m = matching({ nodes: 6 })
  assert.is(m.nodes, 6)
  assert.is(m.bipartite, false)
  assert.is(matching({ nodes: 3, bipartite: true }).bipartite, true)
})

t.run()
