/**
 * The `spanningTree` solver against brute force over every spanning tree (ties, zero and
 * negative scores, `±Infinity`), against the cycle property on larger graphs, the edge order
 * helpers, its errors, and leaks.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { vmap } from '../../src/index.js'
import { completeGraphEdges, edgeIndex, spanningTree } from '../../src/solvers/spanning_tree/index.js'
import { bruteSpanningTree, edgeList, spanningTrees } from '../support/enumerate.js'
import { argumentError, assertNoLeak, configError, setup } from '../support/helpers.js'

const t = suite('solvers: spanningTree')
t.before(setup)

const SEED = Number(process.env['SEED'] ?? 20240611)

/** The edge indices of a 0/1 mask, asserting 0/1 entries. */
function edgesOf(z: ArrayLike<number>, msg: string): number[] {
  const out: number[] = []
  for (let e = 0; e < z.length; e++) {
    assert.ok(z[e] === 0 || z[e] === 1, `${msg}: entry ${e} is ${z[e]}`)
    if (z[e] === 1) out.push(e)
  }
  return out
}

/** Graphs of 2 to 6 nodes; scores small integers (ties), with `±Infinity` now and then, or float32 reals. */
const batches = fc.integer({ min: 2, max: 6 }).chain((nodes) => {
  const E = (nodes * (nodes - 1)) / 2
  const entry = fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: -2, max: 2 }) },
    { weight: 5, arbitrary: fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity) },
  )
  return fc.record({
    nodes: fc.constant(nodes),
    thetas: fc.array(fc.array(entry, { minLength: E, maxLength: E }), { minLength: 1, maxLength: 4 }),
  })
})

t('equals brute force over every spanning tree, with its tie rule, ties and ±Infinity included (600 batches)', () => {
  fc.assert(
    fc.property(batches, ({ nodes, thetas }) => {
      const E = (nodes * (nodes - 1)) / 2
      const trees = new Set(spanningTrees(nodes).map((tree) => tree.join(',')))
      const out = tf.tidy(() => spanningTree({ nodes }).batched(tf.tensor2d(thetas.flat(), [thetas.length, E]))) // [B, E]
      const got = out.dataSync()
      out.dispose()
      thetas.forEach((theta, r) => {
        const msg = `${nodes} nodes, theta [${theta}]`
        const edges = edgesOf(got.subarray(r * E, (r + 1) * E), msg)
        assert.ok(trees.has(edges.join(',')), `${msg}: [${edges}] is not a spanning tree`)
        const want = bruteSpanningTree(theta, nodes)
        // Comparisons only: the tie rule holds exactly, whatever the scores.
        assert.equal(edges, want.tree, `${msg}: the tree first in (score desc, index asc) order`)
        const s = edges.reduce((a, e) => a + theta[e]!, 0)
        if (Number.isFinite(want.score)) assert.ok(Math.abs(s - want.score) <= 1e-9 * (1 + Math.abs(want.score)), `${msg}: score ${s} vs ${want.score}`)
      })
    }),
    { seed: SEED, numRuns: 600 },
  )
})

/**
 * Asserts the strict cycle property of the tree `edges` under the order (score desc, index asc):
 * every edge on the tree path between the ends of a non-tree edge `f` comes before `f`. It holds
 * for exactly one spanning tree, the one the solver promises.
 */
function assertCycleProperty(theta: ArrayLike<number>, nodes: number, edges: readonly number[], msg: string): void {
  const list = edgeList(nodes)
  assert.is(edges.length, nodes - 1, `${msg}: edge count`)
  const adj: number[][] = Array.from({ length: nodes }, () => [])
  for (const e of edges) {
    const [a, b] = list[e]!
    adj[a]!.push(e)
    adj[b]!.push(e)
  }
  const before = (e: number, f: number): boolean => theta[e]! > theta[f]! || (theta[e] === theta[f] && e < f)
  /** The edges on the tree path from u to v. */
  const path = (u: number, v: number): number[] => {
    const via = new Array<number>(nodes).fill(-2)
    via[u] = -1
    const stack = [u]
    while (stack.length > 0) {
      const x = stack.pop()!
      for (const e of adj[x]!) {
        const [a, b] = list[e]!
        const y = a === x ? b : a
        if (via[y] === -2) {
          via[y] = e
          stack.push(y)
        }
      }
    }
    assert.ok(via[v] !== -2, `${msg}: the tree does not connect ${u} and ${v}`)
    const out: number[] = []
    for (let x = v; x !== u; ) {
      const e = via[x]!
      out.push(e)
      const [a, b] = list[e]!
      x = a === x ? b : a
    }
    return out
  }
  const inTree = new Set(edges)
  list.forEach(([u, v], f) => {
    if (inTree.has(f)) return
    for (const e of path(u, v)) assert.ok(before(e, f), `${msg}: non-tree edge ${f} (${u}, ${v}) beats tree edge ${e}`)
  })
}

t('larger graphs (12, 30, 60 nodes; real and tied integer scores): the unique tree with the strict cycle property', () => {
  for (const nodes of [12, 30, 60]) {
    const E = (nodes * (nodes - 1)) / 2
    for (const seed of [1, 2]) {
      const real = tf.randomNormal([E], 0, 1, 'float32', seed)
      const tied = tf.tidy(() => tf.floor(tf.randomUniform([E], 0, 3, 'float32', seed + 10)))
      for (const theta of [real, tied]) {
        const th = theta.dataSync()
        const edges = edgesOf(spanningTree({ nodes })(theta).dataSync(), `${nodes} nodes`)
        assertCycleProperty(th, nodes, edges, `${nodes} nodes, seed ${seed}`)
      }
      tf.dispose([real, tied])
    }
  }
})

t('known answers: ties to the lower edge index; ±Infinity are ordinary scores; int32', () => {
  const three = spanningTree({ nodes: 3 })
  const mask = (solver: ReturnType<typeof spanningTree>, theta: number[]): number[] => Array.from(solver(tf.tensor1d(theta)).dataSync())
  assert.equal(mask(three, [5, 1, 3]), [1, 0, 1])
  assert.equal(mask(three, [2, 2, 2]), [1, 1, 0])
  assert.equal(mask(three, [0, 2, 2]), [0, 1, 1])
  assert.equal(mask(three, [-Infinity, -Infinity, -Infinity]), [1, 1, 0])
  assert.equal(mask(three, [-Infinity, 0, -Infinity]), [1, 1, 0])
  assert.equal(mask(three, [Infinity, -1, Infinity]), [1, 0, 1])
  assert.equal(mask(spanningTree({ nodes: 2 }), [-7]), [1])
  // 4 nodes, a star at 3 wins: (0, 3), (1, 3), (2, 3) are edges 2, 4, 5.
  assert.equal(mask(spanningTree({ nodes: 4 }), [0, 0, 9, 0, 9, 9]), [0, 0, 1, 0, 1, 1])
  const i32 = three(tf.tensor1d([1, 3, 2], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [0, 1, 1])
})

t('completeGraphEdges and edgeIndex: the documented order, both ways', () => {
  assert.equal(completeGraphEdges(4), [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])
  assert.equal(completeGraphEdges(1), [])
  for (let n = 2; n <= 12; n++) {
    const edges = completeGraphEdges(n)
    assert.equal(edges, edgeList(n))
    assert.is(edges.length, (n * (n - 1)) / 2)
    edges.forEach(([i, j], e) => {
      assert.is(edgeIndex(n, i, j), e, `edgeIndex(${n}, ${i}, ${j})`)
      assert.is(edgeIndex(n, j, i), e, `edgeIndex(${n}, ${j}, ${i})`)
    })
  }
})

t('errors: options, shapes, NaN', () => {
  for (const nodes of [1, 0, -3, 2.5, NaN, Infinity]) {
    assert.throws(
      () => spanningTree({ nodes }),
      argumentError(new RegExp(`^spanningTree\\(options\\.nodes\\): nodes must be an integer >= 2 \\(the nodes of the complete graph\\) but got ${nodes}$`)),
    )
  }
  assert.throws(() => spanningTree({ nodes: '4' as unknown as number }), configError(/^spanningTree\(options\.nodes\): expected number but got "4"$/))
  assert.throws(() => spanningTree(), configError(/^spanningTree\(options\.nodes\): expected number but got undefined$/))
  assert.throws(() => spanningTree({ nodes: 4, node: 4 } as unknown as { nodes: number }), configError(/unknown option 'node'; the options are 'nodes'/))
  const solver = spanningTree({ nodes: 4 })
  assert.throws(
    () => solver(tf.zeros([5])),
    argumentError(/^spanningTree\(theta\): an instance of theta must have shape \[E\] = \[6\] \(one score per edge of the complete graph on 4 nodes, in the order of completeGraphEdges\(4\)\) but got \[5\]$/),
  )
  assert.throws(() => solver.batched(tf.zeros([2, 7])), argumentError(/^spanningTree\.batched\(theta\): .* but got \[7\]$/))
  assert.throws(() => solver(tf.zeros([2, 6])), argumentError(/theta must have rank 1, shape \[E\].*vmap\(solver\) or solver\.batched/))
  assert.throws(
    () => solver(tf.tensor1d([0, 0, 0, 0, NaN, 0])),
    argumentError(/^spanningTree: theta must not contain NaN \(NaN has no rank\) but got NaN at instance 0, edge 4 \(1, 3\)$/),
  )
  assert.throws(() => vmap(solver)(tf.tensor2d([[0, 0, 0, 0, 0, 0], [0, 0, NaN, 0, 0, 0]])), argumentError(/at instance 1, edge 2 \(0, 3\)$/))
  assert.throws(() => spanningTree({ nodes: 6 })(tf.tensor1d([...Array(14).fill(0), NaN])), argumentError(/edge 14 \(4, 5\)$/))
})

t('no tensor leaks (plain, batched, vmap, nested vmap, errors); record', () => {
  const solver = spanningTree({ nodes: 5 })
  assert.is(solver._tag, 'spanningTree')
  assert.is(solver.nodes, 5)
  assert.is(solver.instanceRank, 1)
  assert.ok(Object.isFrozen(solver))
  const one = tf.randomNormal([10], 0, 1, 'float32', 1)
  const many = tf.randomNormal([3, 10], 0, 1, 'float32', 2)
  const nested = tf.reshape(many, [3, 1, 10])
  assertNoLeak(() => solver(one), 1).dispose()
  assertNoLeak(() => solver.batched(many), 1).dispose()
  assertNoLeak(() => vmap(solver)(many), 1).dispose()
  assertNoLeak(() => vmap(vmap(solver))(nested), 1).dispose()
  const bad = tf.tensor2d([Array(10).fill(NaN)])
  assertNoLeak(() => assert.throws(() => vmap(solver)(bad)), 0)
  tf.dispose([one, many, nested, bad])
})

t.run()
