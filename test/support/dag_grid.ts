/**
 * PyEPO's shortest-path grid for brute-force checks of `dagShortestPath`: the arc list in
 * PyEPO's order and every monotone (right/down) path from the top-left to the bottom-right node,
 * enumerated here, independently of the solver's kernel and of its `dagShortestPathArcs`.
 *
 * The order, from `_get_grid_arcs` in `pkg/pyepo/model/utils.py` of khalil-research/PyEPO
 * (the same loop as the older `shortestPathModel._getArcs` in
 * `pkg/pyepo/model/grb/shortestpath.py`): for each row of nodes, its right arcs left to right,
 * then, except for the last row, the down arcs to the next row left to right.
 */

/** The arcs `[from, to]` of PyEPO's `h x w` grid (node `i * w + j`), in PyEPO's order. */
export function pyepoArcs(h: number, w: number): [number, number][] {
  const node = (i: number, j: number): number => i * w + j
  const rights = (i: number): [number, number][] => Array.from({ length: w - 1 }, (_, j) => [node(i, j), node(i, j + 1)])
  const downs = (i: number): [number, number][] => Array.from({ length: w }, (_, j) => [node(i, j), node(i + 1, j)])
  return Array.from({ length: h }, (_, i) => (i < h - 1 ? [...rights(i), ...downs(i)] : rights(i))).flat()
}

/**
 * Every path from node 0 to node `h * w - 1` moving right or down, each as its arc indices in
 * PyEPO's order, sorted ascending. There are `C(h + w - 2, h - 1)` of them.
 */
export function monotonePaths(h: number, w: number): number[][] {
  const index = new Map(pyepoArcs(h, w).map(([u, v], a) => [`${u},${v}`, a]))
  const arc = (u: number, v: number): number => {
    const a = index.get(`${u},${v}`)
    if (a === undefined) throw new Error(`no arc ${u} -> ${v} in the ${h}x${w} grid`)
    return a
  }
  const out: number[][] = []
  const walk = (i: number, j: number, acc: number[]): void => {
    if (i === h - 1 && j === w - 1) return void out.push([...acc].sort((a, b) => a - b))
    if (j + 1 < w) walk(i, j + 1, [...acc, arc(i * w + j, i * w + j + 1)])
    if (i + 1 < h) walk(i + 1, j, [...acc, arc(i * w + j, (i + 1) * w + j)])
  }
  walk(0, 0, [])
  return out
}

/** The sum of `theta[a]` over the arcs `a` of `path`, added from the last arc back to the first. */
export const pathScore = (theta: ArrayLike<number>, path: readonly number[]): number => {
  let s = 0
  for (let k = path.length - 1; k >= 0; k--) s = theta[path[k]!]! + s
  return s
}

/** Lexicographic comparison of two equal-length index lists: negative when `a` comes first. */
export const compareLex = (a: readonly number[], b: readonly number[]): number => {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!
  return 0
}

/**
 * The brute-force best path: the maximum score over all monotone paths; among the paths of
 * that score, the lexicographically smallest arc list.
 */
export function bruteDagPath(theta: ArrayLike<number>, h: number, w: number, paths = monotonePaths(h, w)): { path: number[]; score: number } {
  let best = paths[0]!
  let bestScore = pathScore(theta, best)
  for (const p of paths.slice(1)) {
    const s = pathScore(theta, p)
    if (s > bestScore || (s === bestScore && compareLex(p, best) < 0)) [best, bestScore] = [p, s]
  }
  return { path: best, score: bestScore }
}

/** The brute-force best objective `max <theta, z>` over the paths of the `h x w` grid. */
export const bestDagPath =
  (h: number, w: number) =>
  (theta: Float32Array): number =>
    bruteDagPath(theta, h, w).score
