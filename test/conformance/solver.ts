/**
 * The conformance suite every MAP solver runs through, built-in or user-defined: the record's
 * shape, 0/1 outputs (or permutations of 1..n for a ranking solver, `values: 'permutation'`),
 * optimality against a brute-force maximiser, batching (`batched`, `vmap`, nested `vmap` equal
 * the per-instance loop, in one kernel call), use inside `imle` under `vmap` and `grad` (one
 * kernel call per pass), no leak, and typed errors for a wrong rank. Uses the public API only.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { aimle, ArgumentError, blackbox, grad, imle, noise, ops, perturbed, random, solvers, ste, target, vmap } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'
import { TestRng } from '../support/rng.js'

/** One solver under test. */
export interface SolverCase {
  readonly solver: solvers.Solver
  /** Instance shapes to test (each of rank `solver.instanceRank`). */
  readonly shapes: readonly (readonly number[])[]
  /** The best objective `max_z <theta, z>` of one instance, by brute force. */
  readonly best: (theta: Float32Array, shape: readonly number[]) => number
  /** Whether `z` is feasible for an instance of `shape` (checked on every output). */
  readonly feasible?: (z: Float32Array, shape: readonly number[]) => boolean
  /** Draws one instance's `theta` (default: standard normal entries). */
  readonly draw?: (rng: TestRng, shape: readonly number[]) => Float32Array
  /** Random instances per shape for the optimality check. Default 30. */
  readonly trials?: number
  /**
   * What the output entries are: `'binary'` (the default), 0/1; `'permutation'`, each
   * instance's output is a permutation of 1..size (a ranking solver).
   */
  readonly values?: 'binary' | 'permutation'
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Registers and runs the solver conformance suite for `c`. */
export function solverConformance(c: SolverCase): void {
  const { solver, shapes, best } = c
  const name = solver._tag
  const t = suite(`conformance: solver ${name}`)
  t.before(setup)
  const rng = new TestRng(0x5eed)
  const drawOne = (shape: readonly number[]): tf.Tensor => {
    const data = c.draw?.(rng, shape) ?? Float32Array.from({ length: size(shape) }, () => rng.normal())
    return tf.tensor(data, [...shape], 'float32')
  }
  const drawMany = (lead: readonly number[], shape: readonly number[]): tf.Tensor =>
    tf.reshape(tf.stack(Array.from({ length: size(lead) }, () => drawOne(shape))), [...lead, ...shape])

  t('the record: a function with _tag, instanceRank, sense max, batched, objective, load', () => {
    assert.type(solver, 'function')
    assert.ok(solvers.isSolver(solver))
    assert.type(name, 'string')
    assert.ok(name.length > 0)
    assert.is(solver.sense, 'max')
    for (const s of shapes) assert.is(s.length, solver.instanceRank, `instance shape [${s}] has the instance rank`)
    assert.type(solver.batched, 'function')
    assert.type(solver.objective, 'function')
    assert.type(solver.load, 'function')
  })

  const permutation = c.values === 'permutation'
  /** Asserts that `zs` is a permutation of 1..zs.length. */
  const assertPermutation = (zs: Float32Array, shape: readonly number[]): void => {
    const seen = new Uint8Array(zs.length + 1)
    for (const v of zs) {
      assert.ok(Number.isInteger(v) && v >= 1 && v <= zs.length && seen[v] === 0, `${name} [${shape}]: output [${Array.from(zs)}] is not a permutation of 1..${zs.length}`)
      seen[v] = 1
    }
  }

  t(permutation ? 'outputs are float32 permutations of 1..size, feasible and optimal (against brute force)' : 'outputs are float32 0/1 tensors, feasible and optimal (against brute force)', () => {
    for (const shape of shapes) {
      for (let trial = 0; trial < (c.trials ?? 30); trial++) {
        const theta = drawOne(shape)
        const z = solver(theta)
        assert.is(z.dtype, 'float32')
        assert.equal(z.shape, [...shape])
        const zs = z.dataSync() as Float32Array
        if (permutation) assertPermutation(zs, shape)
        else for (const v of zs) assert.ok(v === 0 || v === 1, `${name}: output entries are 0 or 1, got ${v}`)
        if (c.feasible) assert.ok(c.feasible(zs, shape), `${name}: infeasible output for shape [${shape}]`)
        const got = solver.objective(theta, z).dataSync()[0]!
        const want = best(theta.dataSync() as Float32Array, shape)
        assert.ok(Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want)), `${name} [${shape}] trial ${trial}: objective ${got}, optimum ${want}`)
      }
    }
  })

  t('batched, vmap and nested vmap equal the per-instance loop, in one kernel call', () => {
    for (const shape of shapes) {
      const thetas = drawMany([2, 3], shape) // [2, 3, ...s]
      const flat = tf.reshape(thetas, [6, ...shape])
      const loop = tf.stack(tf.unstack(flat).map((x) => solver(x)))
      assertClose(solver.batched(flat), loop, 0, 0, 'batched')
      assertClose(vmap(solver)(flat), loop, 0, 0, 'vmap')
      const before = solvers.kernelCalls[name] ?? 0
      const nested = vmap(vmap(solver))(thetas)
      assert.is((solvers.kernelCalls[name] ?? 0) - before, 1, 'vmap(vmap(solver)) is one kernel call')
      assertClose(tf.reshape(nested, [6, ...shape]), loop, 0, 0, 'vmap(vmap)')
      const axis1 = tf.stack(tf.unstack(flat), 1) // [s_0, 6, ...s_rest]
      assertClose(vmap(solver, { inAxes: 1 })(axis1), loop, 0, 0, 'vmap with the batch axis at 1')
    }
  })

  t('deterministic, and the objective is <theta, z> per instance', () => {
    const shape = shapes[0]!
    const thetas = drawMany([4], shape)
    const z = solver.batched(thetas)
    assertClose(solver.batched(thetas), z, 0, 0, 'same input, same output')
    const obj = solver.objective(thetas, z) // [4]
    assert.equal(obj.shape, [4])
    assertClose(obj, tf.sum(tf.mul(thetas, z), shape.map((_, i) => i + 1)), 1e-5, 1e-5)
  })

  t('inside imle, under vmap and grad: one kernel call per pass, a finite gradient', () => {
    const shape = shapes[0]!
    const layer = imle(solver, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 3 })
    const thetas = drawMany([4], shape)
    const w = tf.randomNormal([4, 3, ...shape], 0, 1, 'float32', 7)
    const keys = random.split(random.key(3), 4)
    const before = solvers.kernelCalls[name] ?? 0
    const g = grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), w)))(thetas)
    assert.is((solvers.kernelCalls[name] ?? 0) - before, 2, 'forward and backward: one kernel call each for all B * S instances')
    assert.equal(g.shape, thetas.shape)
    for (const v of g.dataSync()) assert.ok(Number.isFinite(v))
  })

  t('in every perturb-and-MAP estimator, under vmap and grad: its solver calls per step, a finite gradient', () => {
    const shape = shapes[0]!
    const thetas = drawMany([4], shape)
    const keys = random.split(random.key(5), 4)
    // Each estimator with the solver calls one step costs (docs/estimators.md): forward, then
    // one backward call (two for the symmetric AIMLE; none for the straight-through and
    // perturbed estimators, whose backward pass needs no solver).
    const layers: [string, (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor, number][] = [
      ['imle', imle(solver, noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: 2 }), 2],
      ['aimle', aimle(solver, noise.gumbel(), { nbSamples: 2 }), 3],
      ['ste', ste(solver, noise.gumbel(), { nbSamples: 2 }), 1],
      ['blackbox', blackbox(solver, { lambda: 10 }), 2],
      ['perturbed', perturbed(solver, noise.normal(), { nbSamples: 2, sigma: 1 }), 1],
    ]
    for (const [est, layer, calls] of layers) {
      const before = solvers.kernelCalls[name] ?? 0
      const g = grad((th: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(th, keys), vmap(layer)(th, keys))))(thetas)
      assert.is((solvers.kernelCalls[name] ?? 0) - before, 2 * calls, `${est}: ${calls} kernel call(s) per use for all instances`)
      assert.equal(g.shape, thetas.shape, est)
      for (const v of g.dataSync()) assert.ok(Number.isFinite(v), `${est}: a finite gradient`)
    }
  })

  t('no tensor leaks; a wrong rank is an ArgumentError that points to vmap', () => {
    const shape = shapes[0]!
    const theta = drawOne(shape)
    const thetas = drawMany([3], shape)
    assertNoLeak(() => solver(theta).dispose(), 0, 'solver')
    assertNoLeak(() => vmap(solver)(thetas).dispose(), 0, 'vmap(solver)')
    assert.throws(() => solver(thetas), (e: unknown) => e instanceof ArgumentError && /vmap\(solver\) or solver\.batched/.test(e.message))
    assert.throws(() => solver.batched(theta), (e: unknown) => e instanceof ArgumentError && /batched/.test(e.message))
  })

  t.run()
}
