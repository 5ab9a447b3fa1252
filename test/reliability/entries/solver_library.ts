/** Bad inputs to the solver library: argmax, ranking, dagShortestPath, knapsack, assignment, spanningTree, matching, milp, parallel. */
import * as E from 'fp-ts/lib/Either.js'
import { solvers } from '../../../src/index.js'
import { bad, fx, isolated, type Entry } from '../catalogue.js'

const any = (x: unknown) => x as any
const orThrow = <A>(r: E.Either<Error, A>): A => {
  if (E.isLeft(r)) throw r.left
  return r.right
}

export const solverLibraryEntries: Entry[] = [
  bad('solvers', 'argmax: theta rank 2', () => solvers.argmax()(fx.ones([2, 3])), 'ArgumentError', /argmax\(theta\)/, /\[2, 3\]/, /vmap/),
  bad('solvers', 'argmax: NaN names the instance', () => solvers.argmax().batched(fx.t([[1, 2], [NaN, 1]])), 'ArgumentError', /argmax/, /NaN/, /instance 1/),
  bad('solvers', 'argmax: no entries', () => solvers.argmax()(fx.ones([0])), 'ArgumentError', /argmax\(theta\)/, /n = 0/),
  bad('solvers', 'ranking: NaN names the instance', () => solvers.ranking()(fx.t([1, NaN])), 'ArgumentError', /ranking/, /NaN/, /instance 0, index 1/),
  bad('solvers', 'dagShortestPath: grid missing', () => solvers.dagShortestPath(any({})), 'ConfigError', /dagShortestPath\(options\.grid\)/, /undefined/),
  bad('solvers', 'dagShortestPath: grid [0, 3]', () => solvers.dagShortestPath({ grid: [0, 3] }), 'ConfigError', /dagShortestPath\(options\.grid\.0\)/, /0/),
  bad('solvers', 'dagShortestPath: theta of the wrong length', () => solvers.dagShortestPath({ grid: [3, 3] })(fx.ones([10])), 'ArgumentError', /dagShortestPath\(theta\)/, /\[12\]/, /\[10\]/),
  bad('solvers', 'dagShortestPath: +Infinity', () => solvers.dagShortestPath({ grid: [2, 2] })(fx.t([1, Infinity, 1, 1])), 'ArgumentError', /dagShortestPath/, /Infinity/, /instance 0, arc 1/),
  bad('solvers', 'knapsack: a negative weight', () => solvers.knapsack({ weights: [1, -1], capacity: 3 }), 'ArgumentError', /knapsack\(options\.weights\)/, /-1/, /integers/),
  bad('solvers', 'knapsack: a fractional weight', () => solvers.knapsack({ weights: [1, 1.5], capacity: 3 }), 'ArgumentError', /knapsack\(options\.weights\)/, /1\.5/, /scale/),
  bad('solvers', 'knapsack: a negative capacity', () => solvers.knapsack({ weights: [1, 1], capacity: -3 }), 'ArgumentError', /knapsack\(options\.capacity\)/, /-3/),
  bad('solvers', 'knapsack: weights and capacity disagree', () => solvers.knapsack({ weights: [[1, 1], [2, 2]], capacity: [3] }), 'ArgumentError', /knapsack\(options\.capacity\)/, /\[2, 2\]/, /\[3\]/),
  bad('solvers', 'knapsack: a table too large', () => solvers.knapsack({ weights: Array<number>(40).fill(1e6), capacity: 1e7 }), 'ArgumentError', /knapsack\(options\)/, /33554432/, /coarser/),
  bad('solvers', 'knapsack: theta of the wrong length', () => solvers.knapsack({ weights: [1, 2, 3], capacity: 3 })(fx.ones([4])), 'ArgumentError', /knapsack\(theta\)/, /\[3\]/, /\[4\]/),
  bad('solvers', 'knapsack: +Infinity', () => solvers.knapsack({ weights: [1, 2, 3], capacity: 3 })(fx.t([1, Infinity, 0])), 'ArgumentError', /knapsack/, /Infinity/, /item 1/),
  bad('solvers', 'assignment: more rows than columns', () => solvers.assignment()(fx.ones([3, 2])), 'ArgumentError', /assignment\(theta\)/, /\[3, 2\]/, /transpose/),
  bad('solvers', 'assignment: -Infinity', () => solvers.assignment()(fx.t([[1, -Infinity], [0, 1]])), 'ArgumentError', /assignment/, /-Infinity/, /row 0, column 1/),
  bad('solvers', 'assignment: an option', () => solvers.assignment(any({ size: 3 })), 'ConfigError', /assignment\(options\)/, /size/),
  bad('solvers', 'spanningTree: one node', () => solvers.spanningTree({ nodes: 1 }), 'ArgumentError', /spanningTree\(options\.nodes\)/, /1/),
  bad('solvers', 'spanningTree: theta of the wrong length', () => solvers.spanningTree({ nodes: 4 })(fx.ones([5])), 'ArgumentError', /spanningTree\(theta\)/, /\[6\]/, /\[5\]/),
  bad('solvers', 'spanningTree: NaN', () => solvers.spanningTree({ nodes: 3 })(fx.t([1, NaN, 0])), 'ArgumentError', /spanningTree/, /NaN/, /edge 1/),
  bad('solvers', 'matching: an odd number of nodes', () => solvers.matching({ nodes: 5 }), 'ArgumentError', /matching\(options\.nodes\)/, /even/, /5/),
  bad('solvers', 'matching: too many nodes for a general graph', () => solvers.matching({ nodes: 26 }), 'ArgumentError', /matching\(options\.nodes\)/, /24/, /26/, /bipartite/),
  bad('solvers', 'matching: a bipartite theta not square', () => solvers.matching({ nodes: 3, bipartite: true })(fx.ones([3, 4])), 'ArgumentError', /matching\(theta\)/, /\[3, 3\]/, /\[3, 4\]/),
  isolated('solvers', 'milp: used before loadMilp', () => solvers.milp({ A: [[1, 1]], b: [1] })(fx.ones([2])), 'ArgumentError', /milp/, /loadMilp/),
  bad('solvers', 'milp: A and b disagree', () => solvers.milp({ A: [[1, 1]], b: [1, 2] }), 'ArgumentError', /milp\(model\.b\)/, /1/, /2/),
  bad('solvers', 'milp: a ragged A', () => solvers.milp({ A: [[1, 1], [1]], b: [1, 2] }), 'ArgumentError', /milp\(model\.A\)/, /row 1/),
  bad('solvers', 'milp: NaN in A', () => solvers.milp({ A: [[1, NaN]], b: [1] }), 'ArgumentError', /milp\(model\.A\)/, /NaN/, /\[0, 1\]/),
  bad('solvers', 'milp: a lower bound above its upper bound', () => solvers.milp({ A: [[1, 1]], b: [1], lower: 2, upper: 1 }), 'ArgumentError', /milp\(model\.lower\)/, /2/, /1/),
  bad('solvers', 'milp: theta of the wrong length', () => solvers.milp({ A: [[1, 1]], b: [1] })(fx.ones([3])), 'ArgumentError', /milp\(theta\)/, /2/, /3/),
  bad('solvers', 'parallel: a solver without an origin', () => solvers.parallel(solvers.define({ name: 'noOrigin', instanceRank: 1, kernel: () => {} }), { workers: 1 }), 'ArgumentError', /parallel\(solver\)/, /noOrigin/, /origin/),
  bad('solvers', 'parallel: workers 0', () => solvers.parallel(solvers.topK(1), { workers: 0 }), 'ConfigError', /parallel\(options\.workers\)/, /0/),
  bad('solvers', 'parallel: not a solver', () => solvers.parallel(any(3), { workers: 1 }), 'ArgumentError', /parallel\(solver\)/, /number/),
  bad('solvers', 'parallel: used before load', () => solvers.parallel(solvers.topK(1), { workers: 1 }).batched(fx.ones([4, 3])), 'ArgumentError', /parallel\(topK\)/, /load\(\)/),
  bad('solvers', 'decode: knapsack with a negative weight', () => orThrow(solvers.decode({ type: 'knapsack', weights: [1, -2], capacity: 2 })), 'ConfigError', /solvers\.decode\(json/, /weights/, /-2/),
  bad('solvers', 'decode: dagShortestPath with a grid of one number', () => orThrow(solvers.decode({ type: 'dagShortestPath', grid: [2] })), 'ConfigError', /solvers\.decode\(json\.grid/, /undefined/),
]
