/**
 * The knapsack, assignment, spanning tree and matching solvers through the solver conformance
 * suite, each against an exhaustive brute force (`test/support/enumerate.ts`).
 */
import { assignment } from '../../src/solvers/assignment/index.js'
import { knapsack } from '../../src/solvers/knapsack/index.js'
import { matching } from '../../src/solvers/matching/index.js'
import { spanningTree } from '../../src/solvers/spanning_tree/index.js'
import {
  bruteAssignment,
  bruteKnapsack,
  bruteMatching,
  bruteSpanningTree,
  edgeList,
  knapsackFeasible,
  spanningTrees,
} from '../support/enumerate.js'
import { solverConformance } from './solver.js'

/** The bitmask of a 0/1 vector. */
const maskOf = (z: Float32Array): number => z.reduce((a, v, j) => a + (v === 1 ? 2 ** j : 0), 0)

/** Whether `z` (`[n, m]`) has one 1 in each row and at most one in each column. */
function isAssignment(z: Float32Array, [n, m]: readonly number[]): boolean {
  for (let i = 0; i < n!; i++) if (z.subarray(i * m!, (i + 1) * m!).reduce((a, v) => a + v, 0) !== 1) return false
  for (let j = 0; j < m!; j++) {
    let col = 0
    for (let i = 0; i < n!; i++) col += z[i * m! + j]!
    if (col > 1) return false
  }
  return true
}

/** Whether the edge mask `z` over the complete graph on `nodes` nodes is a perfect matching. */
function isPerfectMatching(z: Float32Array, nodes: number): boolean {
  const degree = new Array<number>(nodes).fill(0)
  edgeList(nodes).forEach(([a, b], e) => {
    degree[a]! += z[e]!
    degree[b]! += z[e]!
  })
  return degree.every((d) => d === 1)
}

for (const [weights, capacity] of [
  [[[3, 1, 4, 1, 5, 2]], [8]],
  [[[2, 3, 1, 4, 2], [1, 1, 3, 2, 2]], [6, 4]],
] as const) {
  const rows = weights as readonly (readonly number[])[]
  solverConformance({
    solver: rows.length === 1 ? knapsack({ weights: rows[0]!, capacity: capacity[0]! }) : knapsack({ weights: rows, capacity }),
    shapes: [[rows[0]!.length]],
    best: (theta) => bruteKnapsack(theta, rows, capacity).score,
    feasible: (z) => knapsackFeasible(maskOf(z), rows, capacity),
  })
}

solverConformance({
  solver: assignment(),
  shapes: [[3, 3], [4, 4], [2, 5]],
  best: (theta, [n, m]) => bruteAssignment(theta, n!, m!),
  feasible: isAssignment,
})

for (const nodes of [4, 5]) {
  const trees = new Set(spanningTrees(nodes).map((tree) => tree.reduce((a, e) => a + 2 ** e, 0)))
  solverConformance({
    solver: spanningTree({ nodes }),
    shapes: [[(nodes * (nodes - 1)) / 2]],
    best: (theta) => bruteSpanningTree(theta, nodes).score,
    feasible: (z) => trees.has(maskOf(z)),
  })
}

for (const nodes of [4, 6]) {
  solverConformance({
    solver: matching({ nodes }),
    shapes: [[(nodes * (nodes - 1)) / 2]],
    best: (theta) => bruteMatching(theta, nodes).score,
    feasible: (z) => isPerfectMatching(z, nodes),
  })
}

for (const nodes of [3, 4]) {
  solverConformance({
    solver: matching({ nodes, bipartite: true }),
    shapes: [[nodes, nodes]],
    best: (theta) => bruteAssignment(theta, nodes, nodes),
    feasible: (z) => isAssignment(z, [nodes, nodes]),
  })
}
