/**
 * MAP solvers as records: `topK(k)` and `gridShortestPath(options)`. Each is a function
 * `theta -> argmax_z <theta, z>` over its feasible set, returning a float32 0/1 tensor shaped
 * like `theta`, with a `_tag`, its options, and a `batched` entry point. Under `vmap` (nested
 * or not) a solver runs its native TypedArray kernel once for the whole batch.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * vmap(solvers.topK(10))(tf.randomNormal([32, 400]))              // [32, 400], 10 ones a row
 * solvers.gridShortestPath()(tf.neg(tf.randomUniform([12, 12])))  // [12, 12] path mask
 * ```
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { ArgumentError } from '../core/errors.js'
import { gridShortestPathMask, type Neighbourhood } from './grid_shortest_path.js'
import { checkTheta, decodeOptions, solverOp, type MapSolver } from './solver.js'
import { topKMask } from './top_k.js'

export { kernelCalls, type MapSolver, type SolverTag } from './solver.js'
export { topKMask } from './top_k.js'
export { gridShortestPathMask, type Neighbourhood } from './grid_shortest_path.js'

// ---------------------------------------------------------------------------------------------
// topK

/** The `topK(k)` solver record: `theta [n] -> float32 [n]` with exactly `k` ones. */
export interface TopK extends MapSolver<'topK'> {
  /** How many entries are selected. */
  readonly k: number
}

const topKOp = solverOp<number>({
  tag: 'topK',
  instanceRank: 1,
  run: (theta, count, [n], k, out) => {
    const bad = topKMask(theta, count, n!, k, out)
    if (bad >= 0) {
      const inst = Math.floor(bad / n!)
      throw new ArgumentError(
        `topK: theta must not contain NaN (NaN has no rank) but got NaN at instance ${inst}, index ${bad - inst * n!}`,
      )
    }
  },
})

/**
 * The top-k solver: `topK(k)(theta)` is the k-hot mask of the `k` largest entries of `theta`,
 * i.e. `argmax <theta, z>` over `z in {0,1}^n` with `sum(z) = k`. Ties are broken by the lower
 * index, so the mask is unique and always has exactly `k` ones. `±Infinity` entries are
 * ranked as usual (`-Infinity` excludes an entry unless fewer than `k` remain); NaN throws an
 * `ArgumentError`. Runs an O(n log k) heap pass per instance on TypedArrays (`topKMask`).
 *
 * Shapes: `([n]) -> [n]`; `batched: ([N, n]) -> [N, n]`; `vmap` over it is one kernel call.
 * Throws an `ArgumentError` when `k` is not a positive integer, or when at a call `k > n`,
 * `theta` is not of rank 1 (rank 2 for `batched`) or not float32/int32.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers, vmap } from 'imle'
 * const top2 = solvers.topK(2)
 * top2(tf.tensor1d([0.3, 0.1, 0.3, 0.2]))                   // [1, 0, 1, 0] (tie: lower index)
 * vmap(top2)(tf.tensor2d([[1, 2, 3], [3, 2, 1]]))           // [[0, 1, 1], [1, 1, 0]]
 * top2.batched(tf.tensor2d([[1, 2, 3], [3, 2, 1]]))         // the same, without vmap
 * ```
 */
export function topK(k: number): TopK {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new ArgumentError(`topK(k): k must be an integer >= 1 but got ${typeof k === 'number' ? k : `${typeof k} ${String(k)}`}`)
  }
  const checkN = (n: number): void => {
    if (k > n) throw new ArgumentError(`topK(k): k must be an integer in [1, ${n}] (the last dimension) but got ${k}`)
  }
  const solve = (theta: tf.Tensor): tf.Tensor => {
    checkTheta('topK(theta)', theta, 1, '[n]')
    checkN(theta.shape[0]!)
    return topKOp(theta, k) // [n]
  }
  const batched = (theta: tf.Tensor): tf.Tensor => {
    checkTheta('topK.batched(theta)', theta, 2, '[N, n]')
    checkN(theta.shape[1]!)
    return topKOp(theta, k) // [N, n]
  }
  return Object.freeze(Object.assign(solve, { _tag: 'topK' as const, instanceRank: 1, k, batched }))
}

// ---------------------------------------------------------------------------------------------
// gridShortestPath

/**
 * Options of `gridShortestPath`, codec and type under one name: `neighbourhood` 4 (moves to
 * edge-adjacent cells) or 8 (edge- or corner-adjacent, the default).
 *
 * @example
 * ```ts
 * solvers.GridShortestPathOptions.is({ neighbourhood: 4 })   // true
 * ```
 */
export const GridShortestPathOptions = t.partial({ neighbourhood: t.union([t.literal(4), t.literal(8)]) })
/** Options of `gridShortestPath`: `{ neighbourhood?: 4 | 8 }`, default 8. */
export type GridShortestPathOptions = t.TypeOf<typeof GridShortestPathOptions>

/** The `gridShortestPath` solver record: `theta [h, w] -> float32 [h, w]` path mask. */
export interface GridShortestPath extends MapSolver<'gridShortestPath'> {
  /** 4: moves to edge-adjacent cells; 8: also to corner-adjacent cells. */
  readonly neighbourhood: Neighbourhood
}

const gridOp = solverOp<Neighbourhood>({
  tag: 'gridShortestPath',
  instanceRank: 2,
  run: (theta, count, [h, w], neighbourhood, out) => {
    for (let i = 0; i < theta.length; i++) {
      const v = theta[i]!
      if (!Number.isFinite(v)) {
        const size = h! * w!
        const inst = Math.floor(i / size)
        const cell = i - inst * size
        const r = Math.floor(cell / w!)
        throw new ArgumentError(
          `gridShortestPath: theta (minus the cell costs) must be finite but got ${v} at instance ${inst}, ` +
            `cell (${r}, ${cell - r * w!})`,
        )
      }
    }
    gridShortestPathMask(theta, count, h!, w!, neighbourhood, out)
  },
})

/**
 * The grid shortest-path solver: `gridShortestPath(options)(theta)` is the 0/1 mask of a path
 * of cells from the top-left cell `(0, 0)` to the bottom-right `(h-1, w-1)`, both included,
 * moving between 4- or 8-neighbours, that maximises `<theta, z>`: `theta` is MINUS the cell
 * costs, and the path minimises the sum of the costs of its cells. Dijkstra's algorithm with a
 * binary heap on TypedArrays (`gridShortestPathMask`).
 *
 * Guarantees: the mask is always a simple path of neighbouring cells from start to end. It is
 * optimal when all costs are non-negative (`theta <= 0`). With negative costs (`theta > 0`
 * somewhere, as perturbation noise can produce) each cell is still settled once and the
 * result is a valid simple path, but not necessarily optimal (that problem is NP-hard); costs
 * are not shifted, since a constant shift changes which path is optimal. A 1x1 grid gives
 * `[[1]]`.
 *
 * Shapes: `([h, w]) -> [h, w]`; `batched: ([N, h, w]) -> [N, h, w]`; `vmap` over it is one
 * kernel call. Throws a `ConfigError` for bad options, an `ArgumentError` when `theta` is not
 * of rank 2 (rank 3 for `batched`), not float32/int32, smaller than 1x1, or has a NaN or
 * infinite entry (the message names the first).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { solvers } from 'imle'
 * const solver = solvers.gridShortestPath({ neighbourhood: 4 })
 * solver(tf.neg(tf.tensor2d([[1, 9], [1, 1]])))            // [[1, 0], [1, 1]]
 * solver.batched(tf.neg(tf.ones([16, 30, 30])))            // [16, 30, 30]
 * ```
 */
export function gridShortestPath(options: GridShortestPathOptions = { neighbourhood: 8 }): GridShortestPath {
  const { neighbourhood = 8 } = decodeOptions('gridShortestPath', GridShortestPathOptions, options, ['neighbourhood'])
  const checkGrid = (fn: string, h: number, w: number): void => {
    if (h < 1 || w < 1) throw new ArgumentError(`${fn}: the grid must be at least 1x1 but got ${h}x${w}`)
  }
  const solve = (theta: tf.Tensor): tf.Tensor => {
    checkTheta('gridShortestPath(theta)', theta, 2, '[h, w]')
    checkGrid('gridShortestPath(theta)', theta.shape[0]!, theta.shape[1]!)
    return gridOp(theta, neighbourhood) // [h, w]
  }
  const batched = (theta: tf.Tensor): tf.Tensor => {
    checkTheta('gridShortestPath.batched(theta)', theta, 3, '[N, h, w]')
    checkGrid('gridShortestPath.batched(theta)', theta.shape[1]!, theta.shape[2]!)
    return gridOp(theta, neighbourhood) // [N, h, w]
  }
  return Object.freeze(
    Object.assign(solve, { _tag: 'gridShortestPath' as const, instanceRank: 2, neighbourhood, batched }),
  )
}
