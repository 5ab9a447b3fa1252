/**
 * Grids for brute-force checks of path solvers: neighbours of a cell and the cell sets of
 * every simple path from the top-left to the bottom-right corner.
 */
import type { solvers } from '../../src/index.js'

type Neighbourhood = solvers.Neighbourhood

const MOVES: Record<Neighbourhood, readonly (readonly [number, number])[]> = {
  4: [[-1, 0], [1, 0], [0, -1], [0, 1]],
  8: [[-1, 0], [1, 0], [0, -1], [0, 1], [-1, -1], [-1, 1], [1, -1], [1, 1]],
}

/** The flat indices of the in-grid neighbours of cell `u` of an `h x w` grid. */
export function neighbours(u: number, h: number, w: number, nb: Neighbourhood): number[] {
  const r = Math.floor(u / w)
  const c = u % w
  const out: number[] = []
  for (const [dr, dc] of MOVES[nb]) {
    const rr = r + dr
    const cc = c + dc
    if (rr >= 0 && rr < h && cc >= 0 && cc < w) out.push(rr * w + cc)
  }
  return out
}

/** The cell sets (bitmasks) of all simple paths from (0, 0) to (h-1, w-1), by DFS. */
export function simplePathSets(h: number, w: number, nb: Neighbourhood): number[] {
  const end = h * w - 1
  const sets = new Set<number>()
  const dfs = (u: number, mask: number): void => {
    if (u === end) return void sets.add(mask)
    for (const v of neighbours(u, h, w, nb)) if (!(mask & (1 << v))) dfs(v, mask | (1 << v))
  }
  dfs(0, 1)
  return [...sets]
}

