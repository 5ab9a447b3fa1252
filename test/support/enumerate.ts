/**
 * Exhaustive enumerations for brute-force checks of the combinatorial solvers (knapsack,
 * assignment, spanning tree, matching), written independently of the kernels: every feasible
 * 0/1 vector, every injection of rows into columns, every spanning tree, every perfect matching
 * of a small instance, with the best value and the tie rule each solver states, in float64.
 */

/** `<theta, z>` for a 0/1 set given as a bitmask over `theta`'s indices, summed in index order. */
export function maskScore(theta: ArrayLike<number>, mask: number): number {
  let s = 0
  for (let j = 0; j < theta.length; j++) if (mask & (2 ** j)) s += theta[j]!
  return s
}

/** A bitmask as a 0/1 array of length `n`. */
export const maskArray = (mask: number, n: number): number[] => Array.from({ length: n }, (_, j) => (mask & (2 ** j) ? 1 : 0))

/** Whether the 0/1 set `mask` satisfies `sum_j weights[i][j] z_j <= capacity[i]` for every `i`. */
export function knapsackFeasible(mask: number, weights: readonly (readonly number[])[], capacity: readonly number[]): boolean {
  return weights.every((row, i) => row.reduce((a, w, j) => a + (mask & (2 ** j) ? w : 0), 0) <= capacity[i]!)
}

/**
 * The brute-force knapsack: over all `2^n` sets in increasing order of `sum_j z_j 2^j`, the
 * feasible one of best score; the first best is kept, so ties go to the smallest such number
 * (the rule `knapsack` states).
 */
export function bruteKnapsack(
  theta: ArrayLike<number>,
  weights: readonly (readonly number[])[],
  capacity: readonly number[],
): { mask: number; score: number } {
  let mask = 0
  let score = 0 // the empty set is always feasible
  for (let s = 1; s < 2 ** theta.length; s++) {
    if (!knapsackFeasible(s, weights, capacity)) continue
    const v = maskScore(theta, s)
    if (v > score) [mask, score] = [s, v]
  }
  return { mask, score }
}

/** Every injection of `n` rows into `m >= n` columns, as the column of each row (`m!/(m-n)!`). */
export function injections(n: number, m: number): number[][] {
  const out: number[][] = []
  const used = new Array<boolean>(m).fill(false)
  const go = (acc: number[]): void => {
    if (acc.length === n) return void out.push(acc.slice())
    for (let c = 0; c < m; c++) {
      if (used[c]) continue
      used[c] = true
      acc.push(c)
      go(acc)
      acc.pop()
      used[c] = false
    }
  }
  go([])
  return out
}

/** The best `<theta, P>` over the assignments of the rows of `theta` (`[n, m]` row-major). */
export function bruteAssignment(theta: ArrayLike<number>, n: number, m: number, all = injections(n, m)): number {
  let best = -Infinity
  for (const cols of all) {
    let s = 0
    for (let i = 0; i < n; i++) s += theta[i * m + cols[i]!]!
    if (s > best) best = s
  }
  return best
}

/** The edges of the complete graph on `n` nodes, `(0, 1), (0, 2), ..., (n-2, n-1)`, written out again here. */
export function edgeList(n: number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j])
  return out
}

const treeCache = new Map<number, number[][]>()

/**
 * Every spanning tree of the complete graph on `n` nodes, as a sorted list of edge indices
 * (`n^(n-2)` of them, Cayley): the `(n-1)`-subsets of edges that connect all nodes (checked by
 * a graph search from node 0).
 */
export function spanningTrees(n: number): number[][] {
  const cached = treeCache.get(n)
  if (cached !== undefined) return cached
  const edges = edgeList(n)
  const out: number[][] = []
  const connected = (set: readonly number[]): boolean => {
    const seen = new Set([0])
    const stack = [0]
    while (stack.length > 0) {
      const u = stack.pop()!
      for (const e of set) {
        const [a, b] = edges[e]!
        const v = a === u ? b : b === u ? a : -1
        if (v >= 0 && !seen.has(v)) {
          seen.add(v)
          stack.push(v)
        }
      }
    }
    return seen.size === n
  }
  const go = (start: number, acc: number[]): void => {
    if (acc.length === n - 1) return void (connected(acc) && out.push(acc.slice()))
    for (let e = start; e < edges.length; e++) {
      acc.push(e)
      go(e + 1, acc)
      acc.pop()
    }
  }
  go(0, [])
  treeCache.set(n, out)
  return out
}

/**
 * The brute-force maximum spanning tree with `spanningTree`'s tie rule: rank the edges by
 * (score descending, index ascending); among all spanning trees, the one whose ranks, sorted,
 * are lexicographically smallest. Works with `±Infinity` (comparisons only). Also returns the
 * best total score over all trees (float64).
 */
export function bruteSpanningTree(theta: ArrayLike<number>, n: number): { tree: number[]; score: number } {
  const order = Array.from({ length: theta.length }, (_, e) => e).sort((a, b) =>
    theta[a]! > theta[b]! ? -1 : theta[a]! < theta[b]! ? 1 : a - b,
  )
  const rank = new Array<number>(theta.length)
  order.forEach((e, r) => (rank[e] = r))
  let best: number[] = []
  let bestRanks: number[] | null = null
  let score = -Infinity
  for (const tree of spanningTrees(n)) {
    const s = tree.reduce((a, e) => a + theta[e]!, 0)
    if (s > score) score = s
    const ranks = tree.map((e) => rank[e]!).sort((a, b) => a - b)
    if (bestRanks === null || lexLess(ranks, bestRanks)) [best, bestRanks] = [tree, ranks]
  }
  return { tree: best, score }
}

/** Whether `a` comes before `b` lexicographically (same lengths). */
export function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!
  return false
}

const matchingCache = new Map<number, number[][]>()

/** Every perfect matching of the complete graph on `n` (even) nodes, as its partner array `mate` (`(n-1)!!` of them). */
export function perfectMatchings(n: number): number[][] {
  const cached = matchingCache.get(n)
  if (cached !== undefined) return cached
  const out: number[][] = []
  const mate = new Array<number>(n).fill(-1)
  const go = (): void => {
    const i = mate.indexOf(-1)
    if (i < 0) return void out.push(mate.slice())
    for (let j = 0; j < n; j++) {
      if (j === i || mate[j] !== -1) continue
      mate[i] = j
      mate[j] = i
      go()
      mate[i] = -1
      mate[j] = -1
    }
  }
  go()
  matchingCache.set(n, out)
  return out
}

/**
 * The brute-force maximum perfect matching with `matching`'s tie rule (general graphs): the
 * best total score, and among the best matchings the one whose partner array is
 * lexicographically smallest, compared explicitly. `theta` scores the edges in `edgeList` order.
 */
export function bruteMatching(theta: ArrayLike<number>, n: number): { mate: number[]; score: number } {
  const index = new Map(edgeList(n).map(([a, b], e) => [a * n + b, e]))
  let best: number[] = []
  let score = -Infinity
  for (const mate of perfectMatchings(n)) {
    let s = 0
    for (let i = 0; i < n; i++) if (i < mate[i]!) s += theta[index.get(i * n + mate[i]!)!]!
    if (s > score || (s === score && lexLess(mate, best))) [best, score] = [mate, s]
  }
  return { mate: best, score }
}

/** The edge mask (in `edgeList` order) of a partner array. */
export function mateMask(mate: readonly number[]): number[] {
  const n = mate.length
  return edgeList(n).map(([a, b]) => (mate[a] === b ? 1 : 0))
}
