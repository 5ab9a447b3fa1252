/**
 * The maximum-weight perfect matching kernel for general graphs: for each instance of a batch
 * of edge scores of the complete graph on an even number of nodes, the 0/1 edge mask of a
 * perfect matching of largest total score, by dynamic programming over vertex subsets. Pure
 * TypedArray code (no tfjs), so it runs unchanged in a worker. (Bipartite matching is the
 * assignment problem: the `matching` solver runs `assignmentMask` for it.)
 *
 * Algorithm. For a set `S` of nodes (a bitmask) with lowest node `i`, the best perfect matching
 * of `S` pairs `i` with some `j` in `S`: `f(S) = max_j theta(i, j) + f(S \ {i, j})`,
 * `f({}) = 0`. Only the sets reached from the full set by this recurrence are evaluated, by a
 * depth-first search with an explicit stack and a memo in an open-addressing hash table: a
 * reached set is `{s} + ((s, n) \ T)` for its lowest node `s` and a set `T` of at most `s`
 * higher nodes, and there are `F(n+1) - 1` of them (`F` the Fibonacci numbers: 10,945 for
 * `n = 20`, 1,346,268 for `n = 30`, against `2^(n-1)` sets of even size). Time O(F(n+1) n) per
 * instance; memory about 26 bytes per reached set (the table at load <= 1/2) per kernel call,
 * reused by every instance.
 *
 * Ties. `f(S)` scans the partners `j` in increasing order and keeps one only when strictly
 * better, so the lowest node of every set gets the smallest partner of an optimal matching of
 * that set. Read back from the full set: among the maximum matchings, the one whose partner
 * array `mate[0], mate[1], ..., mate[n-1]` is lexicographically smallest. The rule holds for
 * the float64 values the table computes, exact when the partial sums are (integer scores, for
 * instance).
 *
 * @module
 */

/** `F(n + 1) - 1`: how many nonempty sets the recurrence reaches from the full set of `n` nodes. */
const reachedSets = (n: number): number => {
  let a = 0
  let b = 1
  for (let k = 0; k < n + 1; k++) {
    const c = a + b
    a = b
    b = c
  }
  return a - 1
}

/**
 * Writes, for each of the `batch` instances of `theta` (row-major `[batch, E]`, the scores of
 * the edges of the complete graph on `nodes` nodes in the order of `completeGraphEdges`, `nodes`
 * even, `2 <= nodes <= 30`), the 0/1 mask of a maximum-weight perfect matching (`nodes / 2`
 * edges) into the same row of `out`. Ties: the lexicographically smallest partner array (see
 * the module notes). `out` must be zeroed. Returns -1, or the flat index of the first entry of
 * an instance that is not finite (NaN or `±Infinity`), where it stops.
 *
 * Shapes: `([batch, E]) -> [batch, E]`, flat row-major, `E = nodes (nodes - 1) / 2`.
 *
 * @example
 * ```ts
 * import { solvers } from 'imle'
 * const out = new Float32Array(6)
 * // edges (0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3): {(0, 2), (1, 3)} scores 4 + 4.
 * solvers.matchingMask(Float32Array.of(1, 4, 0, 0, 4, 1), 1, 4, out)   // -1; out = [0, 1, 0, 0, 1, 0]
 * ```
 */
export function matchingMask(theta: Float32Array, batch: number, nodes: number, out: Float32Array): number {
  const edges = (nodes * (nodes - 1)) / 2
  const full = 2 ** nodes - 1
  // index[i * nodes + j]: the edge index of (i, j), i < j, computed once.
  const index = new Int32Array(nodes * nodes)
  for (let i = 0, e = 0; i < nodes; i++) for (let j = i + 1; j < nodes; j++, e++) index[i * nodes + j] = e
  // The memo: open addressing, linear probing, a power-of-two capacity >= 2x the sets reached.
  let bits = 1
  while (2 ** bits < 2 * reachedSets(nodes)) bits++
  const capacity = 2 ** bits
  const mask = capacity - 1
  const shift = 32 - bits
  const keys = new Int32Array(capacity) // a set, or -1 for an empty slot
  const value = new Float64Array(capacity) // f(set)
  const mate = new Uint8Array(capacity) // the partner of the set's lowest node
  // The DFS stack: each set on the current path (at most n/2 + 1) with its pending children
  // (at most n - 1 each) above it.
  const stack = new Int32Array(nodes * nodes + 1)
  for (let b = 0; b < batch; b++) {
    const off = b * edges
    for (let e = 0; e < edges; e++) {
      const x = theta[off + e]!
      if (x - x !== 0) return off + e // NaN and ±Infinity
    }
    keys.fill(-1)
    let top = 0
    stack[top++] = full
    while (top > 0) {
      const s = stack[top - 1]!
      let h = Math.imul(s, 0x9e3779b1) >>> shift
      while (keys[h] !== -1 && keys[h] !== s) h = (h + 1) & mask
      if (keys[h] === s) {
        top-- // reached twice before it was solved; solved the first time
        continue
      }
      const low = s & -s
      const i = 31 - Math.clz32(low)
      const ii = i * nodes
      let best = -Infinity
      let bestJ = 0
      let pending = false
      for (let rest = s ^ low; rest !== 0; ) {
        const bit = rest & -rest
        rest ^= bit
        const child = s ^ low ^ bit
        let sub = 0
        if (child !== 0) {
          let g = Math.imul(child, 0x9e3779b1) >>> shift
          while (keys[g] !== -1 && keys[g] !== child) g = (g + 1) & mask
          if (keys[g] !== child) {
            stack[top++] = child
            pending = true
            continue
          }
          sub = value[g]!
        }
        const j = 31 - Math.clz32(bit)
        const v = theta[off + index[ii + j]!]! + sub
        if (v > best) {
          best = v
          bestJ = j
        }
      }
      if (pending) continue // solve the children first; s is scanned again after them
      keys[h] = s
      value[h] = best
      mate[h] = bestJ
      top--
    }
    // Read the matching back from the full set.
    for (let s = full; s !== 0; ) {
      let h = Math.imul(s, 0x9e3779b1) >>> shift
      while (keys[h] !== s) h = (h + 1) & mask
      const low = s & -s
      const i = 31 - Math.clz32(low)
      const j = mate[h]!
      out[off + index[i * nodes + j]!] = 1
      s ^= low | (1 << j)
    }
  }
  return -1
}
