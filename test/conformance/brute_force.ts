/**
 * Brute-force maximisers of `<theta, z>` for the conformance suites: the best objective of one
 * instance, by enumeration (top-k by sorting, which is exhaustive for a sum of k entries).
 */
import type { solvers } from '../../src/index.js'
import { simplePathSets } from '../support/grid.js'

/** The best `<theta, z>` over k-subsets: the sum of the k largest entries. */
export const bestTopK =
  (k: number) =>
  (theta: Float32Array): number =>
    Array.from(theta)
      .sort((a, b) => b - a)
      .slice(0, k)
      .reduce((a, b) => a + b, 0)

/** The best `<theta, z>` over the simple paths of an `[h, w]` grid (all enumerated). */
export const bestGridPath =
  (nb: solvers.Neighbourhood) =>
  (theta: Float32Array, [h, w]: readonly number[]): number => {
    let best = -Infinity
    for (const set of simplePathSets(h!, w!, nb)) {
      let s = 0
      for (let i = 0; i < theta.length; i++) if (set & (1 << i)) s += theta[i]!
      best = Math.max(best, s)
    }
    return best
  }
