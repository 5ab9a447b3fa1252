/**
 * The `gridShortestPath(options)` solver record, defined on its TypedArray kernel
 * (`kernel.ts`).
 *
 * @module
 */
import * as t from 'io-ts'
import { configured } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { define, type Solver } from '../solver.js'
import { gridShortestPathMask, type Neighbourhood } from './kernel.js'

export { gridShortestPathMask, type Neighbourhood } from './kernel.js'

/**
 * The codec of `gridShortestPath`'s options: `neighbourhood` 4 (moves to edge-adjacent cells)
 * or 8 (edge- or corner-adjacent, the default).
 *
 * @example
 * ```ts
 * solvers.GridShortestPathConfig.is({ neighbourhood: 4 })   // true
 * ```
 */
export const GridShortestPathConfig = t.type({ neighbourhood: t.union([t.literal(4), t.literal(8)]) })
/** The decoded options of `gridShortestPath`. */
export type GridShortestPathConfig = t.TypeOf<typeof GridShortestPathConfig>

/** The `gridShortestPath` solver record: `theta [h, w] -> float32 [h, w]` path mask. */
export interface GridShortestPath extends Solver<'gridShortestPath'> {
  /** 4: moves to edge-adjacent cells; 8: also to corner-adjacent cells. */
  readonly neighbourhood: Neighbourhood
}

/** Throws unless every entry of `theta` (`count` grids `[h, w]`) is finite, naming the first bad cell. */
function checkFinite(theta: Float32Array, h: number, w: number): void {
  for (let i = 0; i < theta.length; i++) {
    const v = theta[i]!
    if (!Number.isFinite(v)) {
      const size = h * w
      const inst = Math.floor(i / size)
      const cell = i - inst * size
      const r = Math.floor(cell / w)
      throw new ArgumentError(
        `gridShortestPath: theta (minus the cell costs) must be finite but got ${v} at instance ${inst}, ` +
          `cell (${r}, ${cell - r * w})`,
      )
    }
  }
}

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
export const gridShortestPath = configured(
  'gridShortestPath',
  GridShortestPathConfig,
  { neighbourhood: 8 },
  ({ neighbourhood }): GridShortestPath =>
    define(
      {
        name: 'gridShortestPath',
        instanceRank: 2,
        axes: ['h', 'w'],
        check: ([h, w], fn) => {
          if (h! < 1 || w! < 1) throw new ArgumentError(`${fn}: the grid must be at least 1x1 but got ${h}x${w}`)
        },
        kernel: (theta, out, count, [h, w]) => {
          checkFinite(theta, h!, w!)
          gridShortestPathMask(theta, count, h!, w!, neighbourhood, out)
        },
        origin: { module: import.meta.url, export: 'gridShortestPath', args: [{ neighbourhood }] },
      },
      { neighbourhood },
    ) as GridShortestPath,
)
