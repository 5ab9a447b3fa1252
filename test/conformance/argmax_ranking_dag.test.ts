/**
 * The `argmax`, `ranking` and `dagShortestPath` solvers through the solver conformance suite,
 * against brute force (every one-hot vector, every permutation, every monotone path).
 */
import { argmax } from '../../src/solvers/argmax/index.js'
import { dagArcCount, dagShortestPath } from '../../src/solvers/dag_shortest_path/index.js'
import { ranking } from '../../src/solvers/ranking/index.js'
import { bestDagPath, monotonePaths } from '../support/dag_grid.js'
import { bruteRanking } from '../support/permutations.js'
import { solverConformance } from './solver.js'

/** Whether `z` is the 0/1 arc vector of one of the monotone paths of the `h x w` grid. */
const isPath = (h: number, w: number) => {
  const paths = new Set(monotonePaths(h, w).map((p) => p.join(',')))
  return (z: Float32Array): boolean => {
    const on: number[] = []
    for (let a = 0; a < z.length; a++) if (z[a] === 1) on.push(a)
    return paths.has(on.join(','))
  }
}

solverConformance({ solver: argmax(), shapes: [[1], [5], [9]], best: (theta) => Math.max(...theta) })
solverConformance({ solver: ranking(), shapes: [[1], [4], [6]], best: (theta) => bruteRanking(theta).score, values: 'permutation' })
for (const [h, w] of [[2, 3], [3, 3], [4, 2]] as const) {
  solverConformance({
    solver: dagShortestPath({ grid: [h, w] }),
    shapes: [[dagArcCount(h, w)]],
    best: bestDagPath(h, w),
    feasible: isPath(h, w),
  })
}
