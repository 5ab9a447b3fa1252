/**
 * The decision quality metric of the shortest-path benchmark: the normalised regret
 * `sum_i (<c_i, z(c^_i)> - <c_i, z*(c_i)>) / sum_i |<c_i, z*(c_i)>|` (PyEPO's `regret`), over
 * flat TypedArrays, and the batch of shortest paths it needs.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import { dagShortestPath } from '../../solvers/dag_shortest_path/index.js'

/**
 * The shortest paths of `n` cost vectors on the `[h, w]` grid: `costs [n, m] -> z [n, m]`, the
 * 0/1 arcs of a path of least total cost (`dagShortestPath` on `theta = -costs`, one kernel
 * call for the batch).
 *
 * @example
 * ```ts
 * dfl.shortestPaths(new Float32Array([5, 1, 1, 1]), 1, [2, 2])   // [0, 1, 0, 1]: 0 -> 2 -> 3
 * ```
 */
export function shortestPaths(costs: Float32Array, n: number, grid: readonly [number, number]): Float32Array {
  const solver = dagShortestPath({ grid: [grid[0], grid[1]] })
  const m = costs.length / n
  if (!Number.isInteger(m)) throw new ArgumentError(`dfl.shortestPaths(costs, n): costs.length ${costs.length} is not a multiple of n = ${n}`)
  const z = tf.tidy(() => solver.batched(ops.neg(tf.tensor2d(costs, [n, m])))) // [n, m]
  const out = z.dataSync() as Float32Array
  z.dispose()
  return out
}

/**
 * The normalised regret of decisions `zPred` under the true costs `c`, against the optimal
 * decisions `zTrue`: `sum_i (<c_i, zPred_i> - <c_i, zTrue_i>) / sum_i |<c_i, zTrue_i>|`, in
 * float64. 0 when every predicted path is optimal; positive otherwise (for optimal `zTrue`).
 *
 * Shapes: `c, zPred, zTrue [n, m]` flat row-major -> a number.
 *
 * @example
 * ```ts
 * const c = new Float32Array([1, 3])                                                      // one instance, two "paths" as arcs
 * dfl.normalizedRegret(c, new Float32Array([0, 1]), new Float32Array([1, 0]), 1, 2)       // (3 - 1) / 1 = 2
 * ```
 */
export function normalizedRegret(c: ArrayLike<number>, zPred: ArrayLike<number>, zTrue: ArrayLike<number>, n: number, m: number): number {
  if (c.length !== n * m || zPred.length !== n * m || zTrue.length !== n * m) {
    throw new ArgumentError(`dfl.normalizedRegret(c, zPred, zTrue): each must hold n * m = ${n} * ${m} values but got ${c.length}, ${zPred.length} and ${zTrue.length}`)
  }
  let lost = 0
  let total = 0
  for (let i = 0; i < n; i++) {
    let pred = 0
    let best = 0
    for (let a = i * m; a < (i + 1) * m; a++) {
      pred += c[a]! * zPred[a]!
      best += c[a]! * zTrue[a]!
    }
    lost += pred - best
    total += Math.abs(best)
  }
  return lost / total
}
