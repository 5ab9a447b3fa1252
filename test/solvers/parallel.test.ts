/**
 * `solvers.parallel(solver, { workers })`: the same outputs as the sequential solver (bit for
 * bit) on batches of topK, gridShortestPath and milp with 1 and 2 workers, under `vmap` and
 * inside `imle`; errors from workers come back as the same class and message with the
 * instance counted in the whole batch; the life cycle (load, close, a worker that dies); the
 * process exits with a pool open; typed errors for bad arguments.
 */
import * as tf from '@tensorflow/tfjs-core'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, BackendError, ConfigError, grad, imle, noise, ops, random, target, vmap } from '../../src/index.js'
import { gridShortestPath, kernelCalls, topK, type Solver } from '../../src/solvers/index.js'
import { loadMilp, milp, type MilpModel } from '../../src/solvers/milp/index.js'
import { parallel, type Parallel } from '../../src/solvers/parallel/index.js'
import { define } from '../../src/solvers/solver.js'
import { argumentError, assertNoLeak, configError, setup } from '../support/helpers.js'
import { exiting, flaky } from './parallel_fixture.js'

const t = suite('parallel')

/** The assignment polytope of a 3 x 3 matrix (row-major) as equalities. */
const assignment3: MilpModel = {
  A: [],
  b: [],
  Aeq: [
    [1, 1, 1, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 1, 1, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 1, 1, 1],
    [1, 0, 0, 1, 0, 0, 1, 0, 0],
    [0, 1, 0, 0, 1, 0, 0, 1, 0],
    [0, 0, 1, 0, 0, 1, 0, 0, 1],
  ],
  beq: [1, 1, 1, 1, 1, 1],
}

interface Case {
  readonly label: string
  readonly inner: Solver
  /** One instance's shape. */
  readonly shape: readonly number[]
  /** Thetas: `[count, ...shape]`. */
  readonly draw: (count: number, seed: number) => tf.Tensor
}

const cases: readonly Case[] = [
  { label: 'topK(5)', inner: topK(5), shape: [40], draw: (c, s) => tf.randomNormal([c, 40], 0, 1, 'float32', s) },
  {
    label: 'gridShortestPath(4)',
    inner: gridShortestPath({ neighbourhood: 4 }),
    shape: [9, 7],
    draw: (c, s) => tf.randomUniform([c, 9, 7], -1, 0, 'float32', s),
  },
  { label: 'milp(assignment 3x3)', inner: milp(assignment3), shape: [9], draw: (c, s) => tf.randomNormal([c, 9], 0, 1, 'float32', s) },
]

const pools = new Map<string, Parallel>()
const poolOf = (c: Case, workers: number): Parallel => pools.get(`${c.label}/${workers}`)!
for (const c of cases) for (const workers of [1, 2]) pools.set(`${c.label}/${workers}`, parallel(c.inner, { workers }))

t.before(async () => {
  await setup()
  await loadMilp()
  await Promise.all([...pools.values()].map((p) => p.load()))
})
t.after(async () => {
  await Promise.all([...pools.values()].map((p) => p.close()))
})

for (const c of cases) {
  for (const workers of [1, 2]) {
    t(`${c.label}, ${workers} worker(s): batched equals the sequential solver bit for bit, for every batch size; one kernel call`, () => {
      const pool = poolOf(c, workers)
      assert.is(pool.status(), 'ready')
      for (const [i, count] of [1, 2, 3, 4, 5, 17, 64].entries()) {
        const thetas = c.draw(count, 100 * i + workers)
        const want = c.inner.batched(thetas)
        const before = (kernelCalls[pool._tag] ?? 0)
        const got = pool.batched(thetas)
        assert.is((kernelCalls[pool._tag] ?? 0) - before, 1)
        assert.equal(got.shape, want.shape)
        assert.equal(Array.from(got.dataSync()), Array.from(want.dataSync()), `batch of ${count}`)
        // Single instances are solved by the calling thread alone, also right.
        if (count === 3) assert.equal(Array.from(pool(tf.unstack(thetas)[2]!).dataSync()), Array.from(c.inner(tf.unstack(thetas)[2]!).dataSync()))
        tf.dispose([thetas, want, got])
      }
    })
  }

  t(`${c.label}: vmap and nested vmap equal the sequential solver, in one kernel call; no leak`, () => {
    const pool = poolOf(c, 2)
    const thetas = tf.reshape(c.draw(12, 7), [3, 4, ...c.shape]) // [3, 4, ...s]
    const want = vmap(vmap(c.inner))(thetas)
    const before = (kernelCalls[pool._tag] ?? 0)
    const got = vmap(vmap(pool))(thetas)
    assert.is((kernelCalls[pool._tag] ?? 0) - before, 1)
    assert.equal(got.arraySync(), want.arraySync())
    const some = tf.unstack(thetas)[0]! // [4, ...s]
    const one = tf.unstack(some)[0]! // [...s]
    assertNoLeak(() => vmap(pool)(some), 1).dispose()
    assertNoLeak(() => pool.batched(some), 1).dispose()
    assertNoLeak(() => pool(one), 1).dispose()
  })
}

t('inside imle under vmap and grad: the gradient of the sequential solver, one pool call per pass', () => {
  for (const c of [cases[0]!, cases[2]!]) {
    const pool = poolOf(c, 2)
    const layerOf = (s: Solver) => imle(s, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 3 })
    const thetas = c.draw(6, 3) // [6, ...s]
    const w = tf.randomNormal([6, 3, ...c.shape], 0, 1, 'float32', 4)
    const keys = random.split(random.key(5), 6)
    const lossOf = (s: Solver) => (th: tf.Tensor) => ops.sum(ops.mul(vmap(layerOf(s))(th, keys), w))
    const want = grad(lossOf(c.inner))(thetas)
    const before = (kernelCalls[pool._tag] ?? 0)
    const got = grad(lossOf(pool))(thetas)
    assert.is((kernelCalls[pool._tag] ?? 0) - before, 2, 'forward and backward')
    assert.equal(got.arraySync(), want.arraySync(), c.label)
    assert.ok(tf.sum(tf.abs(got)).dataSync()[0]! > 0)
  }
})

/** The error `f` throws (fails if none). */
function thrown(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  return assert.unreachable('expected an error') as never
}

/** Asserts that the pool throws what the sequential solver throws: same class, same message. */
function sameError(pool: Solver, inner: Solver, thetas: tf.Tensor, re: RegExp): void {
  const want = thrown(() => inner.batched(thetas))
  const got = thrown(() => pool.batched(thetas))
  assert.match(want.message, re)
  assert.is(got.constructor, want.constructor)
  assert.is(got.name, want.name)
  assert.is(got.message, want.message)
}

t('errors in workers come back as the same class and message, the instance counted in the whole batch', () => {
  // 10 instances, 2 workers: chunks [0, 3) here, [3, 7) and [7, 10) in the workers.
  const top = cases[0]!
  for (const at of [0, 2, 3, 6, 7, 9]) {
    const buf = top.draw(10, at).bufferSync()
    buf.set(NaN, at, 4)
    buf.set(NaN, 9, 1) // a later NaN too: the first is named, as the sequential solver does
    sameError(poolOf(top, 2), top.inner, buf.toTensor(), new RegExp(`NaN at instance ${at}, index ${at === 9 ? 1 : 4}$`))
    sameError(poolOf(top, 1), top.inner, buf.toTensor(), new RegExp(`NaN at instance ${at}, index`))
  }
  const grid = cases[1]!
  const g = grid.draw(10, 1).bufferSync()
  g.set(-Infinity, 8, 2, 3)
  sameError(poolOf(grid, 2), grid.inner, g.toTensor(), /-Infinity at instance 8, cell \(2, 3\)$/)
  const m = cases[2]!
  const mb = m.draw(10, 2).bufferSync()
  mb.set(Infinity, 5, 0)
  sameError(poolOf(m, 2), m.inner, mb.toTensor(), /^milp: theta must be finite but got Infinity at instance 5, index 0$/)
})

t('infeasible and unbounded milp instances and a user error class from workers, numbered in the whole batch', async () => {
  const ray = milp({ A: [[1, -1]], b: [0], upper: Infinity })
  const rays = parallel(ray, { workers: 2 })
  const user = parallel(flaky(), { workers: 2 })
  const empty = milp({ A: [[1, 1]], b: [-1] })
  const none = parallel(empty, { workers: 2 })
  try {
    await Promise.all([rays.load(), user.load(), none.load()])
    // Infeasibility does not depend on theta: every chunk fails, the first instance is named.
    sameError(none, empty, tf.ones([5, 2]), /^milp: instance 0 is infeasible/)
    // z0 <= z1, z >= 0: unbounded where theta0 + theta1 > 0 or theta1 > 0, i.e. at instance 5 only.
    const thetas = tf.tensor2d([[1, -1], [0.5, -1], [0, -1], [1, -2], [-1, -1], [1, 1], [1, -1]]) // [7, 2]
    sameError(rays, ray, thetas, /^milp: instance 5 is (unbounded|infeasible or unbounded)/)
    // A plain Error (no library class) thrown by a kernel in a worker comes back as a plain
    // Error with its message renumbered; each record then reports it as its host kernel's
    // error, under its own name, the original as the root cause.
    const root = (e: unknown): Error => (e instanceof Error && e.cause instanceof Error ? root(e.cause) : (e as Error))
    for (const at of [1, 6]) {
      // 9 instances: chunks [0, 3) here, [3, 6) and [6, 9) in the workers; a later 13 at 7.
      const data = [[0, 1], [1, 0], [0, 1], [2, 3], [1, 1], [5, 4], [0, 0], [13, 1], [0, 0]]
      data[at]![0] = 13
      const theta = tf.tensor2d(data) // [9, 2]
      const want = thrown(() => flaky().batched(theta))
      const got = thrown(() => user.batched(theta))
      assert.is(got.constructor, want.constructor)
      assert.is(root(want).message, `flaky: thirteen at instance ${at}`)
      assert.is(root(got).message, root(want).message)
      assert.is(root(got).constructor, Error)
    }
    // The pools still work after an error.
    assert.equal(rays.batched(tf.tensor2d([[1, -1], [-1, -1], [0, -3]])).arraySync(), ray.batched(tf.tensor2d([[1, -1], [-1, -1], [0, -3]])).arraySync())
  } finally {
    await Promise.all([rays.close(), user.close(), none.close()])
  }
})

t('a worker whose thread ends during a call: a BackendError, not a hang, and the pool is closed', async () => {
  const pool = parallel(exiting(), { workers: 2 })
  await pool.load()
  // 3 instances: one each; instance 2 ends worker 1's thread.
  const e = thrown(() => pool.batched(tf.tensor2d([[0, 1], [1, 0], [42, 0]])))
  assert.ok(e instanceof BackendError, e.message)
  assert.match(e.message, /^parallel\(exiting\): worker 1 exited while solving instances \[2, 3\); the pool is closed$/)
  assert.is(pool.status(), 'closed')
  assert.throws(() => pool.batched(tf.zeros([3, 2])), argumentError(/^parallel\(exiting\): the worker pool is closed \(a worker exited during a call\)/))
  await pool.close()
})

t('life cycle: a call before load() and after close() is an ArgumentError; load() after close() rejects', async () => {
  const pool = parallel(topK(2), { workers: 1 })
  assert.is(pool.status(), 'idle')
  assert.throws(() => pool(tf.ones([4])), argumentError(/^parallel\(topK\): the worker pool is not started; `await solver\.load\(\)` \(asynchronous, once\) before solving$/))
  assert.throws(() => vmap(pool)(tf.ones([3, 4])), argumentError(/not started/))
  const loading = pool.load()
  assert.is(pool.status(), 'starting')
  assert.is(pool.load(), loading, 'one start')
  await loading
  assert.is(pool.status(), 'ready')
  assert.equal(Array.from(pool(tf.tensor1d([1, 3, 2, 0])).dataSync()), [0, 1, 1, 0])
  await pool.close()
  assert.is(pool.status(), 'closed')
  await pool.close() // twice is fine
  assert.throws(() => pool.batched(tf.ones([3, 4])), argumentError(/^parallel\(topK\): the worker pool is closed \(close\(\) was called\); make a new solvers\.parallel\(\.\.\.\) and await its load\(\)$/))
  let rejected: unknown
  await pool.load().catch((e: unknown) => (rejected = e))
  assert.ok(rejected instanceof ArgumentError && /closed/.test(rejected.message))
  // Closed while starting: the start settles and the workers stop.
  const early = parallel(topK(2), { workers: 2 })
  const starting = early.load()
  await early.close()
  await starting.catch(() => undefined)
  assert.is(early.status(), 'closed')
})

t('the process exits with a pool open (workers are unref\'d)', () => {
  const probe = fileURLToPath(new URL('./parallel_probe.ts', import.meta.url))
  const out = execFileSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(JSON.parse(out.trim().split('\n').pop()!), { z: [[0, 1], [1, 0], [0, 1]], status: 'ready' })
})

t('the record: a solver named parallel(<name>), with the inner checks, usable where the solver is', () => {
  const pool = poolOf(cases[0]!, 2)
  assert.is(pool._tag, 'parallel(topK)')
  assert.is(pool.inner, cases[0]!.inner)
  assert.is(pool.workers, 2)
  assert.is(pool.instanceRank, 1)
  assert.is(pool.sense, 'max')
  assert.is(pool.origin, undefined)
  assert.ok(Object.isFrozen(pool))
  assert.throws(() => pool(tf.zeros([3])), argumentError(/^topK\(k\): k must be an integer in \[1, 3\]/))
  assert.throws(() => pool(tf.zeros([2, 40])), argumentError(/^parallel\(topK\)\(theta\): theta must have rank 1.*vmap\(solver\) or solver\.batched/))
  assert.throws(() => parallel(pool, { workers: 1 }), argumentError(/^parallel\(solver\): the solver 'parallel\(topK\)' has no origin/))
})

t('built-in solvers carry an origin that rebuilds them', () => {
  const here = (m: string | undefined, dir: string): boolean => m !== undefined && new RegExp(`/src/solvers/${dir}/index\\.(ts|js)$`).test(new URL(m).pathname)
  const k = topK(3).origin!
  assert.ok(here(k.module, 'top_k'))
  assert.equal([k.export, k.args], ['topK', [3]])
  const g = gridShortestPath().origin!
  assert.ok(here(g.module, 'grid_shortest_path'))
  assert.equal([g.export, g.args], ['gridShortestPath', [{ neighbourhood: 8 }]])
  const m = milp({ A: [[1, 1]], b: [1] }).origin!
  assert.ok(here(m.module, 'milp'))
  assert.equal([m.export, m.args], ['milp', [{ A: [[1, 1]], b: [1] }]])
})

t('errors: no origin, not a solver, bad options, an origin that does not rebuild', async () => {
  const plain = define({ name: 'plain', instanceRank: 1, kernel: () => undefined })
  assert.throws(
    () => parallel(plain, { workers: 2 }),
    argumentError(/^parallel\(solver\): the solver 'plain' has no origin, so worker threads cannot rebuild it; give its define\(\) call origin: \{ module: import\.meta\.url, export: '<its factory>', args: \[<the factory's arguments>\] \}$/),
  )
  assert.throws(() => parallel(((x: tf.Tensor) => x) as unknown as Solver, { workers: 2 }), argumentError(/^parallel\(solver\): expected a solver record/))
  assert.throws(() => parallel(topK(2), { workers: 0 }), configError(/^parallel\(options\.workers\): expected PositiveInt but got 0$/))
  assert.throws(() => parallel(topK(2), { workers: 1.5 }), configError(/expected PositiveInt but got 1\.5/))
  assert.throws(() => parallel(topK(2), undefined as unknown as { workers: number }), configError(/^parallel\(options\.workers\): expected PositiveInt but got undefined$/))
  assert.throws(() => parallel(topK(2), { workers: 2, threads: 2 } as unknown as { workers: number }), configError(/unknown option 'threads'/))
  const k = topK(2).origin!
  const wrong = define({ name: 'wrong', instanceRank: 1, kernel: () => undefined, origin: { ...k, export: 'nope' } })
  let rejected: unknown
  await parallel(wrong, { workers: 1 })
    .load()
    .catch((e: unknown) => (rejected = e))
  assert.ok(rejected instanceof BackendError, String(rejected))
  assert.match((rejected as Error).message, /^parallel\(wrong\)\.load\(\): worker 0 could not rebuild the solver from its origin \(nope in file:.*top_k\/index\.(ts|js)\): .*has no function export 'nope'/)
  const renamed = define({ name: 'renamed', instanceRank: 1, kernel: () => undefined, origin: k })
  rejected = undefined
  await parallel(renamed, { workers: 1 })
    .load()
    .catch((e: unknown) => (rejected = e))
  assert.match(String((rejected as Error | undefined)?.message), /rebuilt 'topK', not 'renamed'/)
  assert.instance(rejected, BackendError)
  assert.not.instance(rejected, ConfigError)
})

t.run()
