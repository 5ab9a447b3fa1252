import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, ConfigError, ImleError, ops, vmap } from '../../src/index.js'
import { gridShortestPath, kernelCalls, topK, topKMask, type Neighbourhood } from '../../src/solvers/index.js'
import { assertNoLeak, setup } from '../support/helpers.js'
import { neighbours, simplePathSets } from '../support/grid.js'

const t = suite('solvers')
t.before(setup)

// A small deterministic generator (the tests must not depend on tfjs's global RNG).
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

// ---------------------------------------------------------------------------------------------
// topK

/** Every k-subset of [0, n) as a sorted index list, in lexicographic order. */
function subsets(n: number, k: number): number[][] {
  const out: number[][] = []
  const go = (start: number, acc: number[]): void => {
    if (acc.length === k) return void out.push(acc.slice())
    for (let i = start; i < n; i++) go(i + 1, [...acc, i])
  }
  go(0, [])
  return out
}

/**
 * Brute-force top-k: the subset of largest sum, and among those the lexicographically smallest
 * (which is what "ties broken by the lower index" selects). Exact for integer-valued theta.
 */
function bruteTopK(theta: ArrayLike<number>, k: number): number[] {
  let best: number[] = []
  let bestSum = -Infinity
  for (const s of subsets(theta.length, k)) {
    const sum = s.reduce((a, i) => a + theta[i]!, 0)
    if (sum > bestSum) [best, bestSum] = [s, sum] // lexicographic order: first max wins
  }
  const mask = new Array<number>(theta.length).fill(0)
  for (const i of best) mask[i] = 1
  return mask
}

t('topK equals brute force over all k-subsets, n <= 8, every k, with ties', () => {
  const rnd = lcg(1)
  for (let n = 1; n <= 8; n++) {
    for (let k = 1; k <= n; k++) {
      for (const range of [2, 3, 1000]) {
        const rows = 12
        const data = Float32Array.from({ length: rows * n }, () => Math.floor(rnd() * range) - (range >> 1))
        const out = tf.tidy(() => topK(k).batched(tf.tensor2d(data, [rows, n]))) // [rows, n]
        const got = out.dataSync()
        out.dispose()
        for (let r = 0; r < rows; r++) {
          const row = data.subarray(r * n, (r + 1) * n)
          const mask = Array.from(got.subarray(r * n, (r + 1) * n))
          assert.equal(mask, bruteTopK(row, k), `n=${n} k=${k} theta=[${Array.from(row)}]`)
          assert.is(mask.reduce((a, b) => a + b, 0), k)
        }
      }
    }
  }
})

t('topK: ties go to the lower index; infinities are ranked; int32 theta', () => {
  const top2 = topK(2)
  assert.equal(Array.from(top2(tf.tensor1d([5, 5, 5, 5])).dataSync()), [1, 1, 0, 0])
  assert.equal(Array.from(top2(tf.tensor1d([1, 7, 3, 7, 7])).dataSync()), [0, 1, 0, 1, 0])
  assert.equal(Array.from(topK(3)(tf.tensor1d([-Infinity, 3, -Infinity, 1])).dataSync()), [1, 1, 0, 1])
  assert.equal(Array.from(top2(tf.tensor1d([Infinity, 0, Infinity])).dataSync()), [1, 0, 1])
  const i32 = top2(tf.tensor1d([3, 9, 1, 9], 'int32'))
  assert.is(i32.dtype, 'float32')
  assert.equal(Array.from(i32.dataSync()), [0, 1, 0, 1])
})

t('topK on n = 400, k = 10: exactly the 10 largest', () => {
  const rnd = lcg(2)
  const theta = Float32Array.from({ length: 400 }, () => rnd())
  const mask = topK(10)(tf.tensor1d(theta)).dataSync()
  const threshold = Array.from(theta).sort((a, b) => b - a)[9]!
  for (let i = 0; i < 400; i++) assert.is(mask[i], theta[i]! >= threshold ? 1 : 0, `index ${i}`)
})

t('topKMask equals a sort by (value desc, index asc) on batches of rows of 1 to 60, with ties; NaN: the first one is reported', () => {
  const rnd = lcg(23)
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + Math.floor(rnd() * 60)
    const k = 1 + Math.floor(rnd() * n)
    const batch = 1 + Math.floor(rnd() * 4)
    const levels = trial % 3 === 0 ? 3 : 1000 // few distinct values: many ties
    const theta = Float32Array.from({ length: batch * n }, () => Math.floor(rnd() * levels) - levels / 2)
    const out = new Float32Array(batch * n).fill(7)
    assert.is(topKMask(theta, batch, n, k, out), -1)
    for (let b = 0; b < batch; b++) {
      const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => theta[b * n + j]! - theta[b * n + i]! || i - j)
      const want = new Float32Array(n)
      for (const i of order.slice(0, k)) want[i] = 1
      assert.equal(Array.from(out.subarray(b * n, (b + 1) * n)), Array.from(want), `n ${n} k ${k} row ${b}`)
    }
    // NaN anywhere (among the first k, inside a block of four, in the tail): the first is reported.
    const at = Math.floor(rnd() * batch * n)
    theta[at] = NaN
    if (rnd() < 0.5 && at + 1 < theta.length) theta[at + 1] = NaN
    assert.is(topKMask(theta, batch, n, k, out), at, `NaN at ${at}, n ${n} k ${k}`)
  }
})

// ---------------------------------------------------------------------------------------------
// gridShortestPath

const maskBits = (mask: ArrayLike<number>): number => {
  let bits = 0
  for (let i = 0; i < mask.length; i++) {
    assert.ok(mask[i] === 0 || mask[i] === 1, `mask entry ${i} is ${mask[i]}`)
    if (mask[i] === 1) bits |= 1 << i
  }
  return bits
}

const pathCost = (bits: number, cost: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < cost.length; i++) if (bits & (1 << i)) s += cost[i]!
  return s
}

/** Checks that the mask's cells contain both corners and are connected under `nb`. */
function assertConnectedPath(mask: ArrayLike<number>, h: number, w: number, nb: Neighbourhood, msg: string): void {
  assert.is(mask[0], 1, `${msg}: start not on the path`)
  assert.is(mask[h * w - 1], 1, `${msg}: end not on the path`)
  const seen = new Uint8Array(h * w)
  const stack = [0]
  seen[0] = 1
  let reached = 0
  while (stack.length > 0) {
    const u = stack.pop()!
    reached++
    for (const v of neighbours(u, h, w, nb)) {
      if (mask[v] === 1 && !seen[v]) {
        seen[v] = 1
        stack.push(v)
      }
    }
  }
  let ones = 0
  for (let i = 0; i < h * w; i++) ones += mask[i] === 1 ? 1 : 0
  assert.is(reached, ones, `${msg}: the path's cells are not connected`)
}

const SHAPES: readonly [number, number][] = [[1, 1], [1, 4], [4, 1], [2, 2], [2, 3], [3, 2], [3, 3], [3, 4], [4, 3], [4, 4]]

t('gridShortestPath equals brute force over all simple paths (costs >= 0), grids up to 4x4', () => {
  const rnd = lcg(3)
  for (const nb of [4, 8] as const) {
    const solver = gridShortestPath({ neighbourhood: nb })
    for (const [h, w] of SHAPES) {
      const sets = simplePathSets(h, w, nb)
      const valid = new Set(sets)
      const rows = 24
      // Half real-valued costs, half small integers (many ties); zero costs included.
      const cost = Float32Array.from({ length: rows * h * w }, (_, i) =>
        i < (rows / 2) * h * w ? rnd() * 10 : Math.floor(rnd() * 3),
      )
      const out = tf.tidy(() => solver.batched(tf.neg(tf.tensor3d(cost, [rows, h, w])))) // [rows, h, w]
      const got = out.dataSync()
      out.dispose()
      for (let r = 0; r < rows; r++) {
        const c = cost.subarray(r * h * w, (r + 1) * h * w)
        const msg = `${nb}-nbhd ${h}x${w} instance ${r}`
        const bits = maskBits(got.subarray(r * h * w, (r + 1) * h * w))
        assert.ok(valid.has(bits), `${msg}: the mask is not the cell set of a simple path`)
        const optimum = Math.min(...sets.map((s) => pathCost(s, c)))
        assert.ok(Math.abs(pathCost(bits, c) - optimum) < 1e-9, `${msg}: cost ${pathCost(bits, c)} vs optimum ${optimum}`)
      }
    }
  }
})

/** The optimal path cost by Bellman-Ford on vertex costs (exact for non-negative costs). */
function bellmanFord(cost: ArrayLike<number>, h: number, w: number, nb: Neighbourhood): number {
  const d = new Float64Array(h * w).fill(Infinity)
  d[0] = cost[0]!
  for (let changed = true; changed; ) {
    changed = false
    for (let u = 0; u < h * w; u++) {
      if (d[u] === Infinity) continue
      for (const v of neighbours(u, h, w, nb)) {
        if (d[u]! + cost[v]! < d[v]!) {
          d[v] = d[u]! + cost[v]!
          changed = true
        }
      }
    }
  }
  return d[h * w - 1]!
}

t('gridShortestPath is optimal on larger grids (costs >= 0) against Bellman-Ford', () => {
  const rnd = lcg(4)
  for (const nb of [4, 8] as const) {
    for (const [h, w] of [[12, 12], [30, 30], [7, 19]] as const) {
      const cost = Float32Array.from({ length: h * w }, () => rnd() * 9 + 0.1)
      const mask = gridShortestPath({ neighbourhood: nb })(tf.neg(tf.tensor2d(cost, [h, w]))).dataSync()
      assertConnectedPath(mask, h, w, nb, `${nb}-nbhd ${h}x${w}`)
      let value = 0
      for (let i = 0; i < h * w; i++) value += mask[i]! * cost[i]!
      const optimum = bellmanFord(cost, h, w, nb)
      assert.ok(Math.abs(value - optimum) < 1e-6 * optimum, `${nb}-nbhd ${h}x${w}: ${value} vs ${optimum}`)
    }
  }
})

t('gridShortestPath with negative costs: terminates with a valid simple path', () => {
  const rnd = lcg(5)
  for (const nb of [4, 8] as const) {
    const solver = gridShortestPath({ neighbourhood: nb })
    // Small grids: the mask is exactly the cell set of some simple path.
    for (const [h, w] of SHAPES) {
      const valid = new Set(simplePathSets(h, w, nb))
      for (let r = 0; r < 10; r++) {
        const theta = Float32Array.from({ length: h * w }, () => rnd() * 4 - 1) // mostly positive: negative costs
        const bits = maskBits(solver(tf.tensor2d(theta, [h, w])).dataSync())
        assert.ok(valid.has(bits), `${nb}-nbhd ${h}x${w}: not a simple path's cell set`)
      }
    }
    // Large grids, all costs negative or mixed: a connected path from corner to corner.
    for (const shift of [0, 5]) {
      const theta = Float32Array.from({ length: 30 * 30 }, () => rnd() * 2 - 1 + shift)
      assertConnectedPath(solver(tf.tensor2d(theta, [30, 30])).dataSync(), 30, 30, nb, `${nb}-nbhd 30x30 shift ${shift}`)
    }
  }
})

/**
 * A textbook Dijkstra on the cell graph (a state per cell, an indexed binary heap on `dist`,
 * bounds tests per move): the kernel before its fast path, kept as the oracle. The fast kernel
 * must pop the cells in the same order, so it must return the same path, ties and negative
 * costs included.
 */
function textbookGridPath(theta: Float32Array, h: number, w: number, nb: Neighbourhood): Float32Array {
  const size = h * w
  const DR = [-1, 1, 0, 0, -1, -1, 1, 1]
  const DC = [0, 0, -1, 1, -1, 1, -1, 1]
  const dist = new Float64Array(size)
  const pred = new Int32Array(size).fill(-1)
  const state = new Uint8Array(size)
  const heap: number[] = []
  const pos = new Int32Array(size)
  const swap = (i: number, j: number): void => {
    const a = heap[i]!
    const b = heap[j]!
    heap[i] = b
    heap[j] = a
    pos[b] = i
    pos[a] = j
  }
  const up = (i: number): void => {
    while (i > 0 && dist[heap[(i - 1) >> 1]!]! > dist[heap[i]!]!) {
      swap(i, (i - 1) >> 1)
      i = (i - 1) >> 1
    }
  }
  const down = (i: number): void => {
    for (;;) {
      let c = 2 * i + 1
      if (c >= heap.length) return
      if (c + 1 < heap.length && dist[heap[c + 1]!]! < dist[heap[c]!]!) c++
      if (dist[heap[i]!]! <= dist[heap[c]!]!) return
      swap(i, c)
      i = c
    }
  }
  dist[0] = -theta[0]!
  heap.push(0)
  state[0] = 1
  while (heap.length > 0) {
    const u = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      pos[last] = 0
      down(0)
    }
    state[u] = 2
    if (u === size - 1) break
    const r = Math.floor(u / w)
    const c = u % w
    for (let m = 0; m < nb; m++) {
      const rr = r + DR[m]!
      const cc = c + DC[m]!
      if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue
      const v = rr * w + cc
      if (state[v] === 2) continue
      const dv = dist[u]! - theta[v]!
      if (state[v] === 0) {
        dist[v] = dv
        pred[v] = u
        state[v] = 1
        heap.push(v)
        pos[v] = heap.length - 1
        up(heap.length - 1)
      } else if (dv < dist[v]!) {
        dist[v] = dv
        pred[v] = u
        up(pos[v]!)
      }
    }
  }
  const out = new Float32Array(size)
  for (let v = size - 1; v !== -1; v = pred[v]!) out[v] = 1
  return out
}

t('gridShortestPath returns the path of a textbook Dijkstra exactly: ties, negative costs, thin grids', () => {
  const rnd = lcg(17)
  const draws: [string, () => number][] = [
    ['normal-ish', () => rnd() + rnd() + rnd() - 1.5],
    ['costs >= 0', () => -rnd()],
    ['integer ties', () => -Math.floor(rnd() * 3)],
    ['negative costs', () => rnd() * 4 - 1],
  ]
  let compared = 0
  for (const nb of [4, 8] as const) {
    const solver = gridShortestPath({ neighbourhood: nb })
    for (const [h, w] of [[1, 1], [1, 7], [7, 1], [2, 2], [3, 5], [12, 12], [9, 30]] as const) {
      for (const [name, draw] of draws) {
        const B = 6
        const theta = Float32Array.from({ length: B * h * w }, draw)
        const got = solver.batched(tf.tensor3d(theta, [B, h, w])).dataSync()
        for (let b = 0; b < B; b++) {
          const want = textbookGridPath(theta.subarray(b * h * w, (b + 1) * h * w), h, w, nb)
          const mine = got.subarray(b * h * w, (b + 1) * h * w)
          assert.ok(want.every((x, i) => x === mine[i]), `${nb}-nbhd ${h}x${w} ${name}, instance ${b}`)
          compared++
        }
      }
    }
  }
  assert.is(compared, 2 * 7 * 4 * 6)
})

t('gridShortestPath: 1x1 grid is [[1]]; a known 2x2 and 3x3 answer; defaults', () => {
  for (const nb of [4, 8] as const) {
    assert.equal(gridShortestPath({ neighbourhood: nb })(tf.tensor2d([[7]])).arraySync(), [[1]])
    assert.equal(gridShortestPath({ neighbourhood: nb })(tf.tensor2d([[-7]])).arraySync(), [[1]])
  }
  const costs = tf.tensor2d([[1, 9], [1, 1]])
  assert.equal(gridShortestPath({ neighbourhood: 4 })(tf.neg(costs)).arraySync(), [[1, 0], [1, 1]])
  assert.equal(gridShortestPath()(tf.neg(costs)).arraySync(), [[1, 0], [0, 1]]) // diagonal
  const walls = tf.neg(tf.tensor2d([[1, 1, 1], [9, 9, 1], [9, 9, 1]]))
  assert.equal(gridShortestPath({ neighbourhood: 4 })(walls).arraySync(), [[1, 1, 1], [0, 0, 1], [0, 0, 1]])
  assert.equal(gridShortestPath({ neighbourhood: 8 })(walls).arraySync(), [[1, 1, 0], [0, 0, 1], [0, 0, 1]])
  assert.is(gridShortestPath().neighbourhood, 8)
  assert.is(gridShortestPath({}).neighbourhood, 8)
  assert.is(gridShortestPath({ neighbourhood: 4 }).neighbourhood, 4)
})

// ---------------------------------------------------------------------------------------------
// Records, vmap, batched

t('records: _tag, options, instanceRank, batched', () => {
  const a = topK(3)
  assert.is(a._tag, 'topK')
  assert.is(a.k, 3)
  assert.is(a.instanceRank, 1)
  assert.type(a.batched, 'function')
  const g = gridShortestPath({ neighbourhood: 4 })
  assert.is(g._tag, 'gridShortestPath')
  assert.is(g.neighbourhood, 4)
  assert.is(g.instanceRank, 2)
  assert.ok(Object.isFrozen(a) && Object.isFrozen(g))
})

/** Stacks `solver` over the leading axis of `thetas`, one call per instance. */
const loop = (solver: (x: tf.Tensor) => tf.Tensor, thetas: tf.Tensor): tf.Tensor =>
  tf.tidy(() => tf.stack(tf.unstack(thetas).map((x) => solver(x))))

const cases = [
  { name: 'topK(5)', solver: topK(5), shape: [9, 40], tag: 'topK' as const },
  { name: 'gridShortestPath(8)', solver: gridShortestPath(), shape: [7, 6, 5], tag: 'gridShortestPath' as const },
  { name: 'gridShortestPath(4)', solver: gridShortestPath({ neighbourhood: 4 }), shape: [7, 5, 6], tag: 'gridShortestPath' as const },
]

for (const { name, solver, shape, tag } of cases) {
  t(`${name}: vmap and batched equal the per-instance loop, in ONE kernel call`, () => {
    const thetas = tf.randomUniform(shape, -1, 0.2, 'float32', 7) // [B, ...s], some negative costs
    const expected = loop(solver, thetas)
    let before = kernelCalls[tag]
    const v = vmap(solver)(thetas)
    assert.is(kernelCalls[tag] - before, 1, 'vmap: kernel calls')
    assert.equal(v.arraySync(), expected.arraySync())
    before = kernelCalls[tag]
    const b = solver.batched(thetas)
    assert.is(kernelCalls[tag] - before, 1, 'batched: kernel calls')
    assert.equal(b.arraySync(), expected.arraySync())
    // The batch axis last (inAxes/outAxes -1): moved to the front inside, still one call.
    const last = tf.transpose(thetas, [...Array(shape.length).keys()].slice(1).concat([0])) // [...s, B]
    before = kernelCalls[tag]
    const vl = vmap(solver, { inAxes: -1, outAxes: 0 })(last)
    assert.is(kernelCalls[tag] - before, 1, 'vmap inAxes -1: kernel calls')
    assert.equal(vl.arraySync(), expected.arraySync())
    // Composed with ops inside the vmapped function.
    before = kernelCalls[tag]
    const composed = vmap((x: tf.Tensor) => ops.mul(solver(ops.mul(x, 2)), 3))(thetas)
    assert.is(kernelCalls[tag] - before, 1, 'composed: kernel calls')
    assert.equal(composed.arraySync(), tf.mul(expected, 3).arraySync())
    tf.dispose([thetas, expected, v, b, last, vl, composed])
  })

  t(`${name}: nested vmap equals the double loop, in ONE kernel call`, () => {
    const thetas = tf.randomUniform([3, ...shape], -1, 0.2, 'float32', 8) // [3, B, ...s]
    const expected = tf.tidy(() => tf.stack(tf.unstack(thetas).map((x) => loop(solver, x))))
    const before = kernelCalls[tag]
    const out = vmap(vmap(solver))(thetas)
    assert.is(kernelCalls[tag] - before, 1)
    assert.equal(out.arraySync(), expected.arraySync())
    // Inner batch axis last, outer first.
    const perm = [0, ...[...Array(shape.length - 1).keys()].map((i) => i + 2), 1]
    const moved = tf.transpose(thetas, perm) // [3, ...s, B]
    const before2 = kernelCalls[tag]
    const out2 = vmap(vmap(solver, { inAxes: -1 }))(moved)
    assert.is(kernelCalls[tag] - before2, 1)
    assert.equal(out2.arraySync(), expected.arraySync())
    // batched() under vmap: N of the outer level flattened with the inner N.
    const before3 = kernelCalls[tag]
    const out3 = vmap((x: tf.Tensor) => solver.batched(x))(thetas)
    assert.is(kernelCalls[tag] - before3, 1)
    assert.equal(out3.arraySync(), expected.arraySync())
    tf.dispose([thetas, expected, out, moved, out2, out3])
  })

  t(`${name}: leaks no tensor (plain, batched, vmap, nested vmap, errors)`, () => {
    const thetas = tf.randomUniform([2, ...shape], -1, 0, 'float32', 9) // [2, B, ...s]
    const bt = tf.tidy(() => tf.unstack(thetas)[0]!) // [B, ...s]
    const one = tf.tidy(() => tf.unstack(bt)[0]!) // [...s]
    assertNoLeak(() => solver(one), 1).dispose()
    assertNoLeak(() => solver.batched(bt), 1).dispose()
    assertNoLeak(() => vmap(solver)(bt), 1).dispose()
    assertNoLeak(() => vmap(vmap(solver))(thetas), 1).dispose()
    const bad = tf.tidy(() => tf.where(tf.greater(thetas, -0.5), tf.fill(thetas.shape, NaN), thetas))
    assertNoLeak(() => assert.throws(() => vmap(vmap(solver))(bad)), 0)
    tf.dispose([thetas, one, bt, bad])
  })
}

// ---------------------------------------------------------------------------------------------
// Errors

const throwsArg = (fn: () => unknown, re: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof ArgumentError && e._tag === 'ArgumentError' && re.test(e.message))

t('errors: topK', () => {
  for (const k of [0, -1, 2.5, NaN, Infinity]) throwsArg(() => topK(k), /^topK\(k\): k must be an integer >= 1 but got/)
  throwsArg(() => topK('3' as unknown as number), /but got string 3/)
  throwsArg(() => topK(401)(tf.zeros([400])), /^topK\(k\): k must be an integer in \[1, 400\] \(the last dimension\) but got 401$/)
  throwsArg(() => topK(5).batched(tf.zeros([2, 3])), /\[1, 3\] \(the last dimension\) but got 5/)
  throwsArg(() => vmap(topK(5))(tf.zeros([2, 3])), /\[1, 3\] \(the last dimension\) but got 5/)
  throwsArg(() => topK(1)(tf.zeros([2, 3])), /topK\(theta\): theta must have rank 1, shape \[n\], but got shape \[2, 3\].*vmap\(solver\) or solver\.batched/)
  throwsArg(() => topK(1)(tf.scalar(1)), /rank 1/)
  throwsArg(() => topK(1).batched(tf.zeros([3])), /topK\.batched\(theta\): theta must have rank 2, shape \[N, n\], but got shape \[3\]$/)
  throwsArg(() => topK(1)([1, 2] as unknown as tf.Tensor), /must be a tf\.Tensor of shape \[n\] but got an array/)
  throwsArg(() => topK(1)(tf.tensor1d([true, false], 'bool')), /dtype float32 or int32 but got bool/)
  throwsArg(() => topK(1)(tf.tensor1d([1, NaN, 2])), /^topK: theta must not contain NaN .* at instance 0, index 1$/)
  throwsArg(() => vmap(topK(1))(tf.tensor2d([[1, 2], [3, NaN]])), /at instance 1, index 1$/)
})

t('errors: gridShortestPath', () => {
  const isConfig = (re: RegExp) => (e: unknown) => e instanceof ConfigError && e instanceof ImleError && re.test(e.message)
  assert.throws(
    () => gridShortestPath({ neighbourhood: 6 as 4 }),
    isConfig(/^gridShortestPath\(options\.neighbourhood\): expected \(?4 \| 8\)? but got 6$/),
  )
  assert.throws(
    () => gridShortestPath({ neighborhood: 4 } as unknown as { neighbourhood: 4 }),
    isConfig(/unknown option 'neighborhood'; the options are 'neighbourhood'/),
  )
  assert.throws(() => gridShortestPath(8 as unknown as { neighbourhood: 8 }), isConfig(/gridShortestPath\(options\): expected .* but got 8/))
  const g = gridShortestPath()
  throwsArg(() => g(tf.zeros([0, 3])), /^gridShortestPath\(theta\): the grid must be at least 1x1 but got 0x3$/)
  throwsArg(() => g.batched(tf.zeros([2, 3, 0])), /at least 1x1 but got 3x0/)
  throwsArg(() => g(tf.zeros([3])), /gridShortestPath\(theta\): theta must have rank 2, shape \[h, w\], but got shape \[3\]$/)
  throwsArg(() => g(tf.zeros([2, 3, 3])), /rank 2.*vmap\(solver\) or solver\.batched/)
  throwsArg(() => g.batched(tf.zeros([3, 3])), /gridShortestPath\.batched\(theta\): theta must have rank 3, shape \[N, h, w\]/)
  throwsArg(() => g(tf.tensor2d([[0, 0, 0], [0, 0, NaN]])), /^gridShortestPath: theta .* must be finite but got NaN at instance 0, cell \(1, 2\)$/)
  throwsArg(() => g(tf.tensor2d([[0, -Infinity], [0, 0]])), /must be finite but got -Infinity at instance 0, cell \(0, 1\)$/)
  const batch = tf.buffer([3, 2, 2])
  batch.set(Infinity, 2, 1, 0)
  throwsArg(() => g.batched(batch.toTensor()), /Infinity at instance 2, cell \(1, 0\)$/)
  throwsArg(() => vmap(g)(batch.toTensor()), /Infinity at instance 2, cell \(1, 0\)$/)
})

t.run()
