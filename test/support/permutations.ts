/**
 * Permutations for brute-force checks of ranking solvers.
 */

/** Every permutation of `(1, 2, ..., n)`, in lexicographic order (`n!` of them). */
export function permutations(n: number): number[][] {
  const out: number[][] = []
  const used = new Array<boolean>(n + 1).fill(false)
  const go = (acc: number[]): void => {
    if (acc.length === n) return void out.push(acc.slice())
    for (let v = 1; v <= n; v++) {
      if (used[v]) continue
      used[v] = true
      acc.push(v)
      go(acc)
      acc.pop()
      used[v] = false
    }
  }
  go([])
  return out
}

/** `<theta, z>`, summed in index order. */
export const dot = (theta: ArrayLike<number>, z: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < theta.length; i++) s += theta[i]! * z[i]!
  return s
}

/**
 * The brute-force best permutation for `theta`: the maximum of `<theta, z>` over the
 * permutations `z` of 1..n, and among the maximisers the lexicographically first, which is the
 * one that gives equal values increasing ranks in index order (the first index of a group of
 * equal values takes the group's smallest rank, and so on).
 */
export function bruteRanking(theta: ArrayLike<number>, perms = permutations(theta.length)): { z: number[]; score: number } {
  let best = perms[0]!
  let bestScore = dot(theta, best)
  for (const p of perms) {
    const s = dot(theta, p)
    if (s > bestScore) [best, bestScore] = [p, s] // lexicographic order: the first maximiser stays
  }
  return { z: best, score: bestScore }
}
