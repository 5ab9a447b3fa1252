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
  const dist = new Float64Array(size) // tentative cost of the best path found to each cell
  const pred = new Int32Array(size) // predecessor on that path; -1 at the start
  const state = new Uint8Array(size) // 0 unseen, 1 in the heap, 2 settled
  const heap = new Int32Array(size) // cells, a binary min-heap on dist
  const pos = new Int32Array(size) // position of each cell in the heap while state is 1
  for (let b = 0; b < batch; b++) {
    const off = b * size
    out.fill(0, off, off + size)
    state.fill(0)
    dist[0] = -theta[off]!
    pred[0] = -1
    heap[0] = 0
    pos[0] = 0
    state[0] = 1
    let n = 1
    while (n > 0) {
      // Pop the closest open cell; it is final.
      const u: number = heap[0]!
      n--
      if (n > 0) {
        heap[0] = heap[n]!
        pos[heap[0]!] = 0
        siftDown(heap, pos, dist, n, 0)
      }
      state[u] = 2
      if (u === end) break
      const r: number = (u / w) | 0
      const c = u - r * w
      const du = dist[u]!
      for (let m = 0; m < moves; m++) {
        const rr: number = r + DR[m]!
        const cc = c + DC[m]!
        if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue
        const v = rr * w + cc
        const s = state[v]!
        if (s === 2) continue
        const dv = du - theta[off + v]!
        if (s === 0) {
          dist[v] = dv
          pred[v] = u
          state[v] = 1
          heap[n] = v
          pos[v] = n
          siftUp(heap, pos, dist, n)
          n++
        } else if (dv < dist[v]!) {
          // With vertex costs every relaxation of v adds the same c[v], so when costs are
          // non-negative (settling order = distance order) the first relaxation is already
          // final and this never fires; with negative costs it keeps the best link found.
          dist[v] = dv
          pred[v] = u
          siftUp(heap, pos, dist, pos[v]!)
        }
      }
    }
    // The grid is connected, so the end was reached; walk the predecessor tree back.
    for (let v = end; v !== -1; v = pred[v]!) out[off + v] = 1
  }
}

/** Moves `heap[i]` up the min-heap on `dist` to its place, keeping `pos` in step. */
function siftUp(heap: Int32Array, pos: Int32Array, dist: Float64Array, i: number): void {
  const x = heap[i]!
  const dx = dist[x]!
  while (i > 0) {
    const p = (i - 1) >> 1
    const y = heap[p]!
    if (dist[y]! <= dx) break
    heap[i] = y
    pos[y] = i
    i = p
  }
  heap[i] = x
  pos[x] = i
}

/** Moves `heap[i]` down the min-heap `heap[0..n)` on `dist` to its place, keeping `pos` in step. */
function siftDown(heap: Int32Array, pos: Int32Array, dist: Float64Array, n: number, i: number): void {
  const x = heap[i]!
  const dx = dist[x]!
  for (;;) {
    let c = 2 * i + 1
    if (c >= n) break
    let y = heap[c]!
    let dy = dist[y]!
    if (c + 1 < n) {
      const z = heap[c + 1]!
      const dz = dist[z]!
      if (dz < dy) {
        c++
        y = z
        dy = dz
      }
    }
    if (dx <= dy) break
    heap[i] = y
    pos[y] = i
    i = c
  }
  heap[i] = x
  pos[x] = i
}
