/**
 * Plain-JavaScript reference solvers for `bench/solvers.ts`: what a careful user would write
 * without the library, on `number[]` with the array methods (`sort` with a comparator,
 * `map`, fresh arrays per instance). Each solves one instance and returns its output as a
 * `number[]`; the benchmark checks that they agree with the built-ins before timing them.
 */

/** k-hot mask of the k largest entries (ties to the lower index), by sorting. */
export function topK(theta: readonly number[], k: number): number[] {
  const order = theta.map((_, i) => i).sort((a, b) => theta[b]! - theta[a]! || a - b)
  const z = new Array<number>(theta.length).fill(0)
  for (const i of order.slice(0, k)) z[i] = 1
  return z
}

/** One-hot argmax (ties to the lower index). */
export function argmax(theta: readonly number[]): number[] {
  const best = theta.indexOf(Math.max(...theta))
  return theta.map((_, i) => (i === best ? 1 : 0))
}

/** Ranks 1..n in increasing order of theta (ties by index), by sorting. */
export function ranking(theta: readonly number[]): number[] {
  const order = theta.map((_, i) => i).sort((a, b) => theta[a]! - theta[b]! || a - b)
  const r = new Array<number>(theta.length)
  order.forEach((i, pos) => (r[i] = pos + 1))
  return r
}

/**
 * The longest path (max sum of theta) from the top-left to the bottom-right node of an h x w
 * grid with arcs right and down, arcs given in `arcs` ([from, to] per arc); returns the arc mask.
 */
export function dagPath(theta: readonly number[], h: number, w: number, arcs: readonly (readonly [number, number])[]): number[] {
  const incoming: number[][] = Array.from({ length: h * w }, () => [])
  arcs.forEach(([, to], a) => incoming[to]!.push(a))
  const value = new Array<number>(h * w).fill(-Infinity)
  const via = new Array<number>(h * w).fill(-1)
  value[0] = 0
  for (let v = 1; v < h * w; v++) {
    for (const a of incoming[v]!) {
      const cand = value[arcs[a]![0]]! + theta[a]!
      if (cand > value[v]!) [value[v], via[v]] = [cand, a]
    }
  }
  const z = new Array<number>(arcs.length).fill(0)
  for (let v = h * w - 1; v !== 0; v = arcs[via[v]!]![0]) z[via[v]!] = 1
  return z
}

/** 0/1 knapsack with integer weights by dynamic programming over capacities (one dimension). */
export function knapsack(theta: readonly number[], weights: readonly number[], capacity: number): number[] {
  const n = theta.length
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(capacity + 1).fill(0))
  for (let i = 1; i <= n; i++) {
    for (let c = 0; c <= capacity; c++) {
      const skip = table[i - 1]![c]!
      const take = weights[i - 1]! <= c ? table[i - 1]![c - weights[i - 1]!]! + theta[i - 1]! : -Infinity
      table[i]![c] = Math.max(skip, take)
    }
  }
  const z = new Array<number>(n).fill(0)
  for (let i = n, c = capacity; i >= 1; i--) {
    if (table[i]![c] !== table[i - 1]![c]) {
      z[i - 1] = 1
      c -= weights[i - 1]!
    }
  }
  return z
}

/** The assignment maximising <theta, P> (theta n x n row-major), Hungarian algorithm on arrays. */
export function assignment(theta: readonly number[], n: number): number[] {
  const cost = (i: number, j: number): number => -theta[(i - 1) * n + (j - 1)]!
  const u = new Array<number>(n + 1).fill(0)
  const v = new Array<number>(n + 1).fill(0)
  const p = new Array<number>(n + 1).fill(0)
  const way = new Array<number>(n + 1).fill(0)
  for (let i = 1; i <= n; i++) {
    p[0] = i
    let j0 = 0
    const minv = new Array<number>(n + 1).fill(Infinity)
    const used = new Array<boolean>(n + 1).fill(false)
    do {
      used[j0] = true
      const i0 = p[j0]!
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue
        const cur = cost(i0, j) - u[i0]! - v[j]!
        if (cur < minv[j]!) [minv[j], way[j]] = [cur, j0]
        if (minv[j]! < delta) [delta, j1] = [minv[j]!, j]
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!]! += delta
          v[j]! -= delta
        } else minv[j]! -= delta
      }
      j0 = j1
    } while (p[j0] !== 0)
    do {
      const j1 = way[j0]!
      p[j0] = p[j1]!
      j0 = j1
    } while (j0 !== 0)
  }
  const z = new Array<number>(n * n).fill(0)
  for (let j = 1; j <= n; j++) z[(p[j]! - 1) * n + (j - 1)] = 1
  return z
}

/** Maximum spanning tree of the complete graph (edges (0,1), (0,2), ..., (n-2, n-1)), Kruskal. */
export function spanningTree(theta: readonly number[], nodes: number): number[] {
  const edges: { a: number; b: number; w: number; e: number }[] = []
  for (let a = 0, e = 0; a < nodes; a++) for (let b = a + 1; b < nodes; b++, e++) edges.push({ a, b, w: theta[e]!, e })
  edges.sort((x, y) => y.w - x.w || x.e - y.e)
  const parent = Array.from({ length: nodes }, (_, i) => i)
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)))
  const z = new Array<number>(edges.length).fill(0)
  for (const { a, b, e } of edges) {
    const [ra, rb] = [find(a), find(b)]
    if (ra !== rb) {
      parent[ra] = rb
      z[e] = 1
    }
  }
  return z
}

/** Maximum-weight perfect matching of the complete graph on `nodes` (even) nodes, by DP over subsets. */
export function matching(theta: readonly number[], nodes: number): number[] {
  const edge = (a: number, b: number): number => a * nodes - (a * (a + 1)) / 2 + (b - a - 1)
  const full = (1 << nodes) - 1
  const best = new Map<number, number>([[0, 0]])
  const solve = (mask: number): number => {
    const known = best.get(mask)
    if (known !== undefined) return known
    let a = 0
    while (!(mask & (1 << a))) a++
    let value = -Infinity
    for (let b = a + 1; b < nodes; b++) {
      if (mask & (1 << b)) value = Math.max(value, theta[edge(a, b)]! + solve(mask & ~(1 << a) & ~(1 << b)))
    }
    best.set(mask, value)
    return value
  }
  const z = new Array<number>(theta.length).fill(0)
  for (let mask = full; mask !== 0; ) {
    let a = 0
    while (!(mask & (1 << a))) a++
    for (let b = a + 1; b < nodes; b++) {
      if (!(mask & (1 << b))) continue
      const rest = mask & ~(1 << a) & ~(1 << b)
      if (theta[edge(a, b)]! + solve(rest) === solve(mask)) {
        z[edge(a, b)] = 1
        mask = rest
        break
      }
    }
  }
  return z
}

/**
 * The grid shortest path of `gridShortestPath` (cells scored by theta, costs `-theta >= 0`,
 * both ends counted, 4 or 8 neighbours): Dijkstra with a binary heap of `[dist, cell]` pairs
 * and lazy deletion, on arrays. Returns the cell mask, row-major.
 */
export function gridPath(theta: readonly number[], h: number, w: number, neighbourhood: 4 | 8): number[] {
  const steps = neighbourhood === 4 ? [[-1, 0], [1, 0], [0, -1], [0, 1]] : [[-1, 0], [1, 0], [0, -1], [0, 1], [-1, -1], [-1, 1], [1, -1], [1, 1]]
  const dist = new Array<number>(h * w).fill(Infinity)
  const prev = new Array<number>(h * w).fill(-1)
  const done = new Array<boolean>(h * w).fill(false)
  const heap: [number, number][] = []
  const push = (item: [number, number]): void => {
    heap.push(item)
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1
      if (heap[p]![0] <= heap[i]![0]) break
      ;[heap[p], heap[i]] = [heap[i]!, heap[p]!]
      i = p
    }
  }
  const pop = (): [number, number] => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2]
        let m = i
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r
        if (m === i) break
        ;[heap[m], heap[i]] = [heap[i]!, heap[m]!]
        i = m
      }
    }
    return top
  }
  dist[0] = -theta[0]!
  push([dist[0]!, 0])
  while (heap.length > 0) {
    const [d, v] = pop()
    if (done[v]) continue
    done[v] = true
    if (v === h * w - 1) break
    const [r, c] = [Math.floor(v / w), v % w]
    for (const [dr, dc] of steps) {
      const [rr, cc] = [r + dr!, c + dc!]
      if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue
      const u = rr * w + cc
      const nd = d - theta[u]!
      if (!done[u] && nd < dist[u]!) {
        dist[u] = nd
        prev[u] = v
        push([nd, u])
      }
    }
  }
  const z = new Array<number>(h * w).fill(0)
  for (let v = h * w - 1; v !== -1; v = prev[v]!) z[v] = 1
  return z
}
