/**
 * The grid shortest-path kernel: for each `[h, w]` instance of a batch, the 0/1 mask of a
 * minimum-cost path of cells from the top-left cell to the bottom-right one, found by
 * Dijkstra's algorithm with an indexed binary heap on typed arrays. Pure TypedArray code (no
 * tfjs), so it runs unchanged in a worker.
 *
 * The MAP convention of the solvers: `theta` scores cells and the path maximises
 * `<theta, z>`, so the vertex costs are `c = -theta` and the path minimises the sum of the
 * costs of its cells, both ends included. Moves go to the 4 edge-adjacent cells, or to the 8
 * cells that share an edge or a corner.
 *
 * Guarantees. Every vertex is settled at most once (a vertex popped from the heap is final and
 * is never relaxed again), and each predecessor link points to a vertex settled earlier, so the
 * links form a tree rooted at the start and the returned mask is always a simple path of
 * neighbouring cells from (0, 0) to (h-1, w-1); the loop ends after at most `h * w` pops.
 * - When every cost is non-negative (`theta <= 0`), the path is optimal (Dijkstra's invariant).
 * - With negative costs (`theta > 0` somewhere, as perturbation noise produces) the path is
 *   still a valid simple path, and its cost is the distance Dijkstra computed, but it need not
 *   be optimal: the minimum-cost simple path with negative vertex costs contains the longest
 *   path problem and is NP-hard. The costs are deliberately NOT shifted to be non-negative:
 *   adding a constant to every cell adds it once per cell of a path, which favours short paths
 *   and changes which path is optimal, i.e. it would silently solve a different problem.
 *
 * @module
 */

/** The neighbourhoods `gridShortestPathMask` supports: edge neighbours, or edge and corner. */
export type Neighbourhood = 4 | 8

// Row and column steps: the first 4 are the edge neighbours, the last 4 the diagonals.
const DR = Int32Array.of(-1, 1, 0, 0, -1, -1, 1, 1)
const DC = Int32Array.of(0, 0, -1, 1, -1, 1, -1, 1)

/**
 * Writes, for each of the `batch` instances of `theta` (row-major `[batch, h, w]`, scores =
 * minus the vertex costs), the 0/1 mask of a path from cell (0, 0) to cell (h-1, w-1) into the
 * same place of `out`: ones on the path's cells (both ends included), zeros elsewhere. The
 * path is optimal (maximises `<theta, mask>`) when `theta <= 0`; otherwise it is a valid simple
 * path, not necessarily optimal (see the module notes). Requires `h, w >= 1`, finite `theta`
 * (unchecked here: this is the hot kernel), `theta.length` and `out.length >= batch * h * w`.
 *
 * Shapes: `([batch, h, w]) -> [batch, h, w]`, flat row-major.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const theta = Float32Array.of(-1, -9, -1, -1)     // costs [[1, 9], [1, 1]]
 * const out = new Float32Array(4)
 * solvers.gridShortestPathMask(theta, 1, 2, 2, 4, out)   // out = [1, 0, 1, 1]
 * ```
 */
export function gridShortestPathMask(
  theta: Float32Array,
  batch: number,
  h: number,
  w: number,
  neighbourhood: Neighbourhood,
  out: Float32Array,
): void {
  const size = h * w
  const end = size - 1
  const moves = neighbourhood === 8 ? 8 : 4
  // Scratch, allocated once and reused by every instance.
  // dist: the cost of the best path found to each cell; +Infinity while unseen, -Infinity once
  // settled, so that one comparison (`dv < dist[v]`) decides whether a move relaxes v.
  const dist = new Float64Array(size)
  const pred = new Int32Array(size) // predecessor on that path; -1 at the start
  const heap = new Int32Array(size) // cells, a binary min-heap on their keys
  const keys = new Float64Array(size) // keys[i] = dist[heap[i]], kept beside the heap for the sifts
  const pos = new Int32Array(size) // position of each cell in the heap; -1 while unseen
  // The cell-index step of each move, and for each cell the bit set of the moves that stay on
  // the grid (bit m for move m), so that the loop below needs no division nor bounds tests.
  const step = new Int32Array(8)
  for (let m = 0; m < 8; m++) step[m] = DR[m]! * w + DC[m]!
  const inside = new Uint8Array(size)
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      let bits = 0
      for (let m = 0; m < moves; m++) {
        const rr = r + DR[m]!
        const cc = c + DC[m]!
        if (rr >= 0 && rr < h && cc >= 0 && cc < w) bits |= 1 << m
      }
      inside[r * w + c] = bits
    }
  }
  for (let b = 0; b < batch; b++) {
    const off = b * size
    out.fill(0, off, off + size)
    dist.fill(Infinity)
    pos.fill(-1)
    const d0 = -theta[off]!
    dist[0] = d0
    pred[0] = -1
    heap[0] = 0
    keys[0] = d0
    pos[0] = 0
    let n = 1
    while (n > 0) {
      // Pop the closest open cell; it is final. The last entry moves to the root and sifts down.
      const u: number = heap[0]!
      const du = keys[0]!
      n--
      if (n > 0) siftDown(heap, keys, pos, n, heap[n]!, keys[n]!)
      dist[u] = -Infinity // settled: no move relaxes it again
      if (u === end) break
      const bits = inside[u]!
      for (let m = 0; m < moves; m++) {
        if (((bits >> m) & 1) === 0) continue
        const v = u + step[m]!
        const dv = du - theta[off + v]!
        // An unseen cell is always relaxed (dist +Infinity), a settled one never (-Infinity).
        // With vertex costs every relaxation of v adds the same c[v], so when costs are
        // non-negative (settling order = distance order) a cell in the heap is never improved;
        // with negative costs it keeps the best link found.
        if (!(dv < dist[v]!)) continue
        dist[v] = dv
        pred[v] = u
        const at = pos[v]!
        siftUp(heap, keys, pos, at < 0 ? n++ : at, v, dv)
      }
    }
    // The grid is connected, so the end was reached; walk the predecessor tree back.
    for (let v = end; v !== -1; v = pred[v]!) out[off + v] = 1
  }
}

/** Places cell `x` with key `dx` at heap position `i` or above, moving larger parents down. */
function siftUp(heap: Int32Array, keys: Float64Array, pos: Int32Array, i: number, x: number, dx: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1
    const dp = keys[p]!
    if (dp <= dx) break
    const y = heap[p]!
    heap[i] = y
    keys[i] = dp
    pos[y] = i
    i = p
  }
  heap[i] = x
  keys[i] = dx
  pos[x] = i
}

/** Places cell `x` with key `dx` at the root of the heap `[0, n)` or below, moving smaller children up. */
function siftDown(heap: Int32Array, keys: Float64Array, pos: Int32Array, n: number, x: number, dx: number): void {
  let i = 0
  for (;;) {
    let c = 2 * i + 1
    if (c >= n) break
    let dc = keys[c]!
    if (c + 1 < n) {
      // The smaller child, chosen without a branch (ties go to the left one).
      const dr = keys[c + 1]!
      const right = dr < dc ? 1 : 0
      c += right
      dc = right === 1 ? dr : dc
    }
    if (dx <= dc) break
    const y = heap[c]!
    heap[i] = y
    keys[i] = dc
    pos[y] = i
    i = c
  }
  heap[i] = x
  keys[i] = dx
  pos[x] = i
}
