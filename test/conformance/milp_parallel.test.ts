/**
 * `milp` on a binary model, and `parallel` over it and over `topK`, through the solver
 * conformance suite, against brute force (every feasible 0/1 vector; the k largest entries).
 * HiGHS and the worker pools load in a first suite, which uvu runs before the conformance
 * suites (the suites are synchronous; top-level await is not available under `uvu -r tsx`).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadMilp, milp, type MilpModel } from '../../src/solvers/milp/index.js'
import { parallel } from '../../src/solvers/parallel/index.js'
import { topK } from '../../src/solvers/top_k/index.js'
import { bruteForce, isFeasible } from '../support/milp.js'
import { bestTopK } from './brute_force.js'
import { solverConformance } from './solver.js'

// Choose 2 or 3 of 6 items (weights 3, 1, 4, 1, 5, 2, capacity 8), item 0 only with item 1.
const model: MilpModel = {
  A: [
    [3, 1, 4, 1, 5, 2],
    [1, -1, 0, 0, 0, 0],
  ],
  b: [8, 0],
  Aeq: [[1, 1, 1, 1, 1, 1]],
  beq: [3],
  integer: true,
}
const binary = milp(model)
const binaryPool = parallel(milp(model), { workers: 2 })
const topPool = parallel(topK(3), { workers: 2 })

const load = suite('conformance: load HiGHS and the pools')
load.before(async () => {
  await loadMilp()
  await Promise.all([binaryPool.load(), topPool.load()])
})
load('loaded', () => {
  assert.is(binaryPool.status(), 'ready')
  assert.is(topPool.status(), 'ready')
})
load.run()

const best = (theta: Float32Array): number => bruteForce(model, theta)!.best
const feasible = (z: Float32Array): boolean => isFeasible(model, z)
solverConformance({ solver: binary, shapes: [[6]], best, feasible })
solverConformance({ solver: binaryPool, shapes: [[6]], best, feasible, trials: 10 })
solverConformance({ solver: topPool, shapes: [[3], [7], [20]], best: bestTopK(3), trials: 10 })

const close = suite('conformance: close the pools')
close('closed', async () => {
  await Promise.all([binaryPool.close(), topPool.close()])
  assert.is(binaryPool.status(), 'closed')
})
close.run()
