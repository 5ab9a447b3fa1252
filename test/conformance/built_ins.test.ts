/**
 * The built-in solvers, noises and estimators through the conformance suites.
 */
import { imle, noise, solvers, target } from '../../src/index.js'
import { sumOfGammaMoments } from '../../src/distributions/sum_of_gamma/index.js'
import { EULER_GAMMA } from '../support/stats.js'
import { estimatorConformance } from './estimator.js'
import { noiseConformance } from './noise.js'
import { solverConformance } from './solver.js'
import { bestGridPath, bestTopK } from './brute_force.js'

solverConformance({ solver: solvers.topK(3), shapes: [[3], [7], [10]], best: bestTopK(3) })
solverConformance({ solver: solvers.gridShortestPath({ neighbourhood: 4 }), shapes: [[3, 3], [2, 4]], best: bestGridPath(4), draw: (rng, s) => Float32Array.from({ length: s[0]! * s[1]! }, () => -rng.uniform()) })
solverConformance({ solver: solvers.gridShortestPath({ neighbourhood: 8 }), shapes: [[3, 3], [3, 4]], best: bestGridPath(8), draw: (rng, s) => Float32Array.from({ length: s[0]! * s[1]! }, () => -rng.uniform()) })

noiseConformance({ name: 'gumbel', noise: noise.gumbel(), mean: EULER_GAMMA, variance: Math.PI ** 2 / 6, excessKurtosis: 2.4 })
noiseConformance({ name: 'normal', noise: noise.normal(), mean: 0, variance: 1, excessKurtosis: 0 })
const sog = sumOfGammaMoments(10, 100)
noiseConformance({ name: 'sumOfGamma', noise: noise.sumOfGamma({ k: 10, nbIterations: 100 }), mean: sog.mean, variance: sog.variance, support: [-3, 6] })
noiseConformance({ name: 'none', noise: noise.none(), mean: 0, variance: 0 })

estimatorConformance({
  name: 'imle (S = 1)',
  layer: (solver, law) => imle(solver, law, target.standard({ beta: 2 })),
  backwardCalls: 1,
})
estimatorConformance({
  name: 'imle (S = 3, temperatures)',
  layer: (solver, law) => imle(solver, law, target.standard({ alpha: 0.5, beta: 2, scaleGradient: true }), { nbSamples: 3, inputNoiseTemperature: 0.5, targetNoiseTemperature: 2 }),
  backwardCalls: 1,
})
