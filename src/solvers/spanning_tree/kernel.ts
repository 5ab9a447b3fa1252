/**
 * The maximum spanning tree kernel: for each instance of a batch of edge scores of the complete
 * graph on `nodes` nodes, the 0/1 edge mask of a spanning tree of largest total score, by
 * Kruskal's algorithm (best edge first, union-find). Pure TypedArray code (no tfjs), so it runs
 * unchanged in a worker. Also the edge numbering shared with the general `matching` solver.
 *
 * Edge order. The `E = nodes (nodes - 1) / 2` edges are numbered row by row of the upper
 * triangle: `(0, 1), (0, 2), ..., (0, n-1), (1, 2), ..., (n-2, n-1)`; edge `(i, j)`, `i < j`,
 * has index `i (2n - i - 1) / 2 + (j - i - 1)` (`completeGraphEdges`, `edgeIndex`).
 *
 * Algorithm and ties. The edges are ranked by the total order (score descending, index
 * ascending) and scanned best first, an edge being kept when it joins two components
 * (union-find with union by size and path halving). The scan pops a binary heap built in O(E)
 * and stops after `n - 1` edges are kept, so O(E + k log E) for `k` edges scanned, O(n^2 log n)
 * at worst. Since only comparisons are made, the result is exact and `±Infinity` are ordinary
 * scores. With ties, the tree is the one Kruskal builds in that order: among the maximum spanning
 * trees, the one whose edges, listed best first in the order above, come first lexicographically
 * (the greedy basis of the graphic matroid).
 *
 * @module
 */

/**
 * The edges of the complete graph on `nodes` nodes, in the order the `spanningTree` and
 * general `matching` solvers index their scores: `(0, 1), (0, 2), ..., (0, n-1), (1, 2), ...,
 * (n-2, n-1)`, `E = nodes (nodes - 1) / 2` pairs `[i, j]` with `i < j`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.completeGraphEdges(4)   // [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
 * ```
 */
export function completeGraphEdges(nodes: number): Array<[number, number]> {
  const edges: Array<[number, number]> = []
  for (let i = 0; i < nodes; i++) for (let j = i + 1; j < nodes; j++) edges.push([i, j])
  return edges
}

/**
 * The index of edge `(i, j)` (either order, `i !== j`) in the order of `completeGraphEdges(nodes)`:
 * `a (2 nodes - a - 1) / 2 + (b - a - 1)` with `a = min(i, j)`, `b = max(i, j)`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * solvers.edgeIndex(4, 1, 3)   // 4: the fifth edge, (1, 3)
 * solvers.edgeIndex(4, 3, 1)   // 4
 * ```
 */
export function edgeIndex(nodes: number, i: number, j: number): number {
  const a = Math.min(i, j)
  const b = Math.max(i, j)
  return (a * (2 * nodes - a - 1)) / 2 + (b - a - 1)
}

/**
 * Writes, for each of the `batch` instances of `theta` (row-major `[batch, E]`, the scores of
 * the edges of the complete graph on `nodes >= 1` nodes in the order of `completeGraphEdges`),
 * the 0/1 mask of a maximum spanning tree (`nodes - 1` edges) into the same row of `out`. Ties:
 * Kruskal's order (score descending, edge index ascending; see the module notes); `±Infinity`
 * are ordinary scores. `out` must be zeroed. Returns -1, or the flat index of the first NaN of
 * an instance, where it stops (NaN has no rank).
 *
 * Shapes: `([batch, E]) -> [batch, E]`, flat row-major, `E = nodes (nodes - 1) / 2`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const out = new Float32Array(3)
 * // edges (0, 1), (0, 2), (1, 2) scored 5, 1, 3: the tree {(0, 1), (1, 2)}.
 * solvers.spanningTreeMask(Float32Array.of(5, 1, 3), 1, 3, out)   // -1; out = [1, 0, 1]
 * ```
 */
export function spanningTreeMask(theta: Float32Array, batch: number, nodes: number, out: Float32Array): number {
  const edges = (nodes * (nodes - 1)) / 2
  // Endpoints of each edge, computed once.
  const head = new Int32Array(edges)
  const tail = new Int32Array(edges)
  for (let i = 0, e = 0; i < nodes; i++) {
    for (let j = i + 1; j < nodes; j++, e++) {
      head[e] = i
      tail[e] = j
    }
  }
  // Scratch, allocated once and reused by every instance.
  const heap = new Int32Array(edges) // edge indices, the best edge at the root
  const parent = new Int32Array(nodes)
  const size = new Int32Array(nodes)
  for (let b = 0; b < batch; b++) {
    const off = b * edges
    for (let e = 0; e < edges; e++) {
      if (theta[off + e] !== theta[off + e]) return off + e
      heap[e] = e
    }
    for (let k = (edges >> 1) - 1; k >= 0; k--) siftDown(theta, off, heap, edges, k)
    for (let v = 0; v < nodes; v++) {
      parent[v] = v
      size[v] = 1
    }
    let len = edges
    for (let kept = 0; kept < nodes - 1; ) {
      const e = heap[0]!
      len--
      heap[0] = heap[len]!
      siftDown(theta, off, heap, len, 0)
      let x = head[e]!
      let y = tail[e]!
      while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!
      while (parent[y] !== y) y = parent[y] = parent[parent[y]!]!
      if (x === y) continue
      if (size[x]! < size[y]!) {
        const z = x
        x = y
        y = z
      }
      parent[y] = x
      size[x]! += size[y]!
      out[off + e] = 1
      kept++
    }
  }
  return -1
}

/**
 * Sinks `heap[i]` in the heap `heap[0..len)` whose root is the best edge: `a` is better than
 * `b` when `theta[a] > theta[b]`, or they are equal and `a < b`.
 */
function siftDown(theta: Float32Array, off: number, heap: Int32Array, len: number, i: number): void {
  const x = heap[i]!
  const xv = theta[off + x]!
  for (;;) {
    let c = 2 * i + 1
    if (c >= len) break
    let cIdx = heap[c]!
    let cv = theta[off + cIdx]!
    if (c + 1 < len) {
      const dIdx = heap[c + 1]!
      const dv = theta[off + dIdx]!
      if (dv > cv || (dv === cv && dIdx < cIdx)) {
        c++
        cIdx = dIdx
        cv = dv
      }
    }
    // Stop when x is better than its best child.
    if (xv > cv || (xv === cv && x < cIdx)) break
    heap[i] = cIdx
    i = c
  }
  heap[i] = x
}
