/**
 * Exact gradients on enumerable problems, and the measurement of every estimator of the family
 * against them: the problems (top-k over every k-subset, shortest paths over every simple path
 * of a 3x3 grid), the exact law `p(z; theta) ∝ exp(<theta, z> / tau)` and the exact gradient
 * of `E_p[L(z)]` by enumeration in float64, the named estimator configurations, and `measure`,
 * which averages an estimator's gradient over many keys (one `vmap`ped `grad` call per group of
 * keys) and compares it with the exact one. Used by `exact.test.ts` and by
 * `scripts/conformance.ts`; not a suite (the test pattern runs `*.test.ts` files only).
 *
 * The exact gradient. With `p(z) = exp(<theta, z> / tau - A(theta))` and
 * `grad A = E_p[z] / tau = mu / tau`, the score is `grad log p(z) = (z - mu) / tau`, so
 *
 *     grad E_p[L] = sum_z L(z) grad p(z) = sum_z p(z) L(z) (z - mu) / tau
 *                 = E_p[(L(z) - E_p[L]) (z - mu)] / tau = Cov_p(z, L(z)) / tau,
 *
 * (subtracting `E_p[L]` changes nothing since `E_p[z - mu] = 0`). For a linear loss
 * `L = <w, z>` it is `Cov_p(z) w / tau`, the Hessian of the log-partition times `w`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  aimle,
  blackbox,
  grad,
  imle,
  kSubset,
  kSubsetScoreFunction,
  noise,
  ops,
  perturbed,
  random,
  relax,
  scoreFunction,
  solvers,
  ste,
  target,
  vmap,
} from '../../src/index.js'
import { simplePathSets } from '../support/grid.js'
import { TestRng } from '../support/rng.js'

// ---------------------------------------------------------------------------------------------
// Problems and losses

/** A loss of one state, exact in float64 and as `ops` over rows of states. */
export interface Loss {
  /** A short name: `'linear'`, `'squared distance'`, `'(<v,z> - c)^2'`. */
  readonly name: string
  /** `L(z)` for one state `z` (flattened), in float64. */
  readonly value: (z: ArrayLike<number>) => number
  /** `L` of each row, with `ops` (works under `vmap` and `grad`): `[R, ...s] -> [R]`. */
  readonly rows: (z: tf.Tensor) => tf.Tensor
}

/** An enumerable problem: a solver, a fixed `theta` and every feasible state. */
export interface Problem {
  /** An identifier for files and keys: `'top5of10'`, `'grid3x3'`. */
  readonly id: string
  /** The name in tables: `'top-5 of 10'`. */
  readonly name: string
  /** `'subset'`: the feasible states are the k-subsets; `'path'`: the simple grid paths. */
  readonly kind: 'subset' | 'path'
  /** The instance shape: `[n]` or `[h, w]`. */
  readonly shape: readonly number[]
  /** The number of entries of an instance, `prod(shape)`. */
  readonly size: number
  /** The subset size; for paths, the number of cells of a shortest path (the Sum-of-Gamma `k`). */
  readonly k: number
  /** Every feasible state, flattened, each a 0/1 vector of `size` entries. */
  readonly states: readonly Float64Array[]
  /** The natural parameters, float32-exact values (the estimators see the same numbers). */
  readonly theta: Float64Array
  /** The MAP solver of the problem. */
  readonly solver: solvers.Solver
  /** The losses measured on this problem. */
  readonly losses: readonly Loss[]
}

/** Every k-subset of `{0, ..., n-1}`, as 0/1 vectors, in lexicographic order. */
export function kSubsets(n: number, k: number): Float64Array[] {
  const out: Float64Array[] = []
  const pick = (start: number, left: number, z: Float64Array): void => {
    if (left === 0) return void out.push(z.slice())
    for (let i = start; i <= n - left; i++) {
      z[i] = 1
      pick(i + 1, left - 1, z)
      z[i] = 0
    }
  }
  pick(0, k, new Float64Array(n))
  return out
}

/** The cell masks of every simple path from (0, 0) to (h-1, w-1) of an `h x w` grid (DFS). */
export function gridPaths(h: number, w: number, neighbourhood: solvers.Neighbourhood): Float64Array[] {
  return simplePathSets(h, w, neighbourhood).map((mask) => Float64Array.from({ length: h * w }, (_, i) => (mask >>> i) & 1))
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/** `sum over the instance axes` of a rows tensor: `[R, ...s] -> [R]`. */
const sumInstance = (x: tf.Tensor): tf.Tensor => ops.sum(x, Array.from({ length: x.rank - 1 }, (_, i) => i + 1))

/**
 * The three losses of a problem, from its states and a seed:
 * - `linear`: `<w, z>`, `w ~ N(0, 1)`;
 * - `squared distance`: `||z - z*||^2` to `z*`, the least probable state at `theta` among those
 *   with as many ones as the MAP state (a shortest path, for the grid: the longest path
 *   would cover every cell and make the loss `|z*| - |z|`); on 0/1 states it equals
 *   `<1 - 2 z*, z> + |z*|`, linear in `z`, but its autodiff cotangent `2 (z - z*)` is not
 *   `1 - 2 z*`, which estimators that read the cotangent at `z` see;
 * - `(<v,z> - c)^2`: a regression of the score `<v, z>` onto `c` (the mean of `<v, z>` over
 *   the states), quadratic in `z`: genuinely nonlinear on the states.
 */
function lossesOf(shape: readonly number[], states: readonly Float64Array[], theta: Float64Array, seed: number): Loss[] {
  const rng = new TestRng(seed)
  const d = theta.length
  const w = Float32Array.from({ length: d }, () => rng.normal())
  const v = Float32Array.from({ length: d }, () => rng.normal())
  let best = states[0]!
  for (const z of states) if (dot(theta, z) > dot(theta, best)) best = z
  const size = (z: Float64Array): number => z.reduce((a, b) => a + b, 0)
  let worst = best
  for (const z of states) if (size(z) === size(best) && dot(theta, z) < dot(theta, worst)) worst = z
  const zStar = Float32Array.from(worst)
  let c = 0
  for (const z of states) c += dot(v, z) / states.length
  c = Math.fround(c)
  const constant = (x: Float32Array): tf.Tensor => tf.tensor(x, [...shape]) // [...s]
  return [
    { name: 'linear', value: (z) => dot(w, z), rows: (z) => sumInstance(ops.mul(z, constant(w))) },
    {
      name: 'squared distance',
      value: (z) => {
        let s = 0
        for (let i = 0; i < d; i++) s += (z[i]! - zStar[i]!) ** 2
        return s
      },
      rows: (z) => sumInstance(ops.square(ops.sub(z, constant(zStar)))),
    },
    { name: '(<v,z> - c)^2', value: (z) => (dot(v, z) - c) ** 2, rows: (z) => ops.square(ops.sub(sumInstance(ops.mul(z, constant(v))), c)) },
  ]
}

/** Top-k over `n` items, `theta ~ N(0, 1)` from `seed`: the I-MLE paper's toy is `n = 10, k = 5`. */
export function topKProblem(n: number, k: number, seed: number): Problem {
  const rng = new TestRng(seed)
  const theta = Float64Array.from({ length: n }, () => Math.fround(rng.normal()))
  const states = kSubsets(n, k)
  return {
    id: `top${k}of${n}`,
    name: k === 1 ? `argmax of ${n}` : `top-${k} of ${n}`,
    kind: 'subset',
    shape: [n],
    size: n,
    k,
    states,
    theta,
    solver: solvers.topK(k),
    losses: lossesOf([n], states, theta, seed + 1),
  }
}

/**
 * Shortest paths on an `h x w` grid (4-neighbourhood) over every simple path: `theta = -costs`,
 * costs uniform in `[0.5, 2.5]` from `seed`. The grid solver is exact for non-negative costs;
 * a perturbation that makes a cost negative may make its path suboptimal among simple paths
 * (see `solverSuboptimality`).
 */
export function gridProblem(h: number, w: number, seed: number): Problem {
  const rng = new TestRng(seed)
  const theta = Float64Array.from({ length: h * w }, () => Math.fround(-(0.5 + 2 * rng.uniform())))
  const states = gridPaths(h, w, 4)
  return {
    id: `grid${h}x${w}`,
    name: `paths of a ${h}x${w} grid`,
    kind: 'path',
    shape: [h, w],
    size: h * w,
    k: h + w - 1,
    states,
    theta,
    solver: solvers.gridShortestPath({ neighbourhood: 4 }),
    losses: lossesOf([h, w], states, theta, seed + 1),
  }
}

/** The problems of the conformance table: top-5 of 10, top-2 of 6, argmax of 6, the 3x3 grid. */
export const PROBLEMS: readonly Problem[] = [topKProblem(10, 5, 1), topKProblem(6, 2, 11), topKProblem(6, 1, 21), gridProblem(3, 3, 31)]

// ---------------------------------------------------------------------------------------------
// The exact law and gradient

/** The exact law over the states: probabilities, the mean `mu = E_p[z]` and `log Z`. */
export interface ExactLaw {
  readonly probs: Float64Array
  readonly mean: Float64Array
  readonly logPartition: number
}

/** `p(z) ∝ exp(<theta, z> / tau)` over `states`, by log-sum-exp in float64. */
export function exactLaw(states: readonly Float64Array[], theta: ArrayLike<number>, tau = 1): ExactLaw {
  const P = states.length
  const d = theta.length
  const logits = new Float64Array(P)
  let top = -Infinity
  for (let p = 0; p < P; p++) {
    logits[p] = dot(theta, states[p]!) / tau
    if (logits[p]! > top) top = logits[p]!
  }
  let total = 0
  for (let p = 0; p < P; p++) total += Math.exp(logits[p]! - top)
  const logPartition = top + Math.log(total)
  const probs = new Float64Array(P)
  const mean = new Float64Array(d)
  for (let p = 0; p < P; p++) {
    const q = Math.exp(logits[p]! - logPartition)
    probs[p] = q
    const z = states[p]!
    for (let i = 0; i < d; i++) mean[i] = mean[i]! + q * z[i]!
  }
  return { probs, mean, logPartition }
}

/** `grad_theta E_p[L(z)] = Cov_p(z, L(z)) / tau` (see the module comment), in float64. */
export function exactGradient(states: readonly Float64Array[], theta: ArrayLike<number>, loss: (z: ArrayLike<number>) => number, tau = 1): Float64Array {
  const { probs, mean } = exactLaw(states, theta, tau)
  const values = states.map(loss)
  let expected = 0
  for (let p = 0; p < states.length; p++) expected += probs[p]! * values[p]!
  const g = new Float64Array(theta.length)
  for (let p = 0; p < states.length; p++) {
    const c = (probs[p]! * (values[p]! - expected)) / tau
    const z = states[p]!
    for (let i = 0; i < g.length; i++) g[i] = g[i]! + c * (z[i]! - mean[i]!)
  }
  return g
}

/**
 * The fraction of `count` Gumbel-perturbed instances `theta + eps` whose solver state is not a
 * best feasible state (by enumeration): 0 for top-k; for the grid solver, the share of
 * perturbations that make a cost negative enough to mislead Dijkstra.
 */
export function solverSuboptimality(problem: Problem, count: number, seed: number): number {
  return tf.tidy(() => {
    const theta = tf.tensor(Float32Array.from(problem.theta), [...problem.shape]) // [...s]
    const perturbedTheta = ops.add(theta, random.gumbel(random.key(seed), [count, ...problem.shape])) // [N, ...s]
    const z = problem.solver.batched(perturbedTheta).dataSync() // [N, ...s]
    const t = perturbedTheta.dataSync()
    const d = problem.size
    let bad = 0
    for (let r = 0; r < count; r++) {
      const row = t.subarray(r * d, (r + 1) * d)
      let best = -Infinity
      for (const s of problem.states) best = Math.max(best, dot(row, s))
      if (dot(row, z.subarray(r * d, (r + 1) * d)) < best - 1e-4) bad++
    }
    return bad / count
  })
}

// ---------------------------------------------------------------------------------------------
// The estimators

/** A function of one instance and one key to rows of (possibly relaxed) states: `([...s], [2]) -> [R, ...s]`. */
export type Rows = (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor

/** How an estimator configuration is measured. */
export interface EstimatorSpec {
  /** The name in tables: `'I-MLE SoG S=1 (beta=1)'`. */
  readonly name: string
  /** What its key-averaged gradient tends to, and how that differs from `grad E_p[L]`. */
  readonly estimates: string
  /** Whether it applies to a problem (the k-subset tools need a subset problem). */
  readonly applies: (p: Problem) => boolean
  /** False when the gradient does not depend on the key (one key is measured). */
  readonly random: boolean
  /** MAP problems solved per instance per training step (forward and backward), from the options. */
  readonly solves: number
  /** Rows (samples) per key in the forward pass. */
  readonly rowsPerKey: number
  /**
   * How the loss combines the rows so that the gradient estimates `grad E[L]`: `'sum'` for the
   * perturb-and-MAP and score-function layers (their backward rules average the per-sample
   * cotangents, as torch-imle's), `'mean'` for plain differentiable functions.
   */
  readonly reduce: 'sum' | 'mean'
  /** Builds a fresh layer for a problem (fresh: an adaptive estimator starts from its initial state). */
  readonly build: (p: Problem) => Rows
}

/** `[...s]` (one row) or `[R, ...s]` -> `[R, ...s]`. */
const asRows = (x: tf.Tensor, rank: number): tf.Tensor => (x.rank === rank ? ops.expandDims(x, 0) : x)

/** Sum-of-Gamma noise with the problem's `k` (Gumbel-like for k = 1), 100 terms. */
const sog = (p: Problem) => noise.sumOfGamma({ k: p.k, nbIterations: 100 })

/** The RMS of theta: the scale the small finite-difference `beta` is set against. */
export const thetaScale = (p: Problem): number => Math.sqrt(dot(p.theta, p.theta) / p.size)

/** The small `beta` of the finite-difference I-MLE configuration, relative to theta's scale. */
export const SMALL_BETA = 0.05

/** A perturb-and-MAP layer as `Rows`. */
const layerRows = (p: Problem, layer: (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor): Rows => (theta, key) => asRows(layer(theta, key), p.shape.length)

/**
 * Enumeration tools for problems without a k-subset law: the log-probability of states and an
 * exact sampler (Gumbel-max over the enumerated states), written with `ops`.
 */
function enumeration(p: Problem) {
  const d = p.size
  const P = p.states.length
  const flat = new Float32Array(P * d)
  p.states.forEach((s, i) => flat.set(s, i * d))
  const Z = () => tf.tensor2d(flat, [P, d]) // [P, d]
  const logits = (theta: tf.Tensor) => ops.reshape(ops.matMul(Z(), ops.reshape(theta, [d, 1])), [P]) // [P]
  return {
    /** `(theta [...s]) -> mu [...s]`: exact marginals, differentiable with autodiff. */
    marginals: (theta: tf.Tensor) => ops.reshape(ops.matMul(ops.expandDims(ops.softmax(logits(theta)), 0), Z()), [...p.shape]), // [...s]
    /** `(theta, key, S) -> [S, ...s]`: exact samples, by Gumbel-max over the states. */
    sample: (theta: tf.Tensor, key: tf.Tensor, S: number) => {
      const pick = ops.argMax(ops.add(logits(theta), random.gumbel(key, [S, P])), 1) // [S]
      // int32 one-hot, then a cast: tfjs-backend-wasm 4.22's OneHot writes int32 bits into a
      // float32 output (1 reads as 1.4e-45), so oneHot(..., 'float32') is zero on wasm.
      const onehot = ops.cast(ops.oneHot(pick, P), 'float32') // [S, P]
      return ops.reshape(ops.matMul(onehot, Z()), [S, ...p.shape]) // [S, ...s]
    },
    /** `(theta, z [S, ...s]) -> [S]`: `<theta, z> - log Z(theta)`. */
    logProb: (theta: tf.Tensor, z: tf.Tensor) => ops.sub(sumInstance(ops.mul(z, theta)), ops.logSumExp(logits(theta))), // [S]
  }
}

/**
 * I-MLE as a finite difference: Gumbel noise, the standard target with `beta = relative *
 * rms(theta)` and `scaleGradient`, one sample. As `beta -> 0` its mean tends to the gradient of
 * `E_q[L]` for the Gumbel perturb-and-MAP law `q` (for a linear `L`), which is `p` for argmax.
 */
export const imleSmallBeta = (relative: number): EstimatorSpec => ({
  name: relative === SMALL_BETA ? 'I-MLE Gumbel beta small + scaleGradient' : `I-MLE Gumbel beta=${relative} rms(theta) + scaleGradient`,
  estimates:
    `(mu(theta) - mu(theta - beta dL/dz)) / beta with beta = ${relative} rms(theta), variance O(1/beta): for a linear L consistent (beta -> 0) for grad E_q[L], ` +
    'q the Gumbel perturb-and-MAP law (p for argmax only); for a nonlinear L it differences along dL/dz at the sample (for ||z - z*||^2 on argmax: twice the exact gradient)',
  applies: ANY,
  random: true,
  solves: 2,
  rowsPerKey: 1,
  reduce: 'sum',
  build: (p) => layerRows(p, imle(p.solver, noise.gumbel(), target.standard({ beta: relative * thetaScale(p), scaleGradient: true }))),
})

const SUBSET = (p: Problem): boolean => p.kind === 'subset'
const ANY = (): boolean => true
const SF_SAMPLES = 10

/** The estimator configurations of the table, in its order. */
export const ESTIMATORS: readonly EstimatorSpec[] = [
  {
    name: 'I-MLE SoG S=1 (beta=1)',
    estimates:
      'the I-MLE direction mean(z - MAP(theta - dL/dz + eps)): a finite difference of the perturb-and-MAP marginals with a step of the size of theta; biased (large step, SoG perturb-and-MAP only approximates p), not scaled by 1/beta',
    applies: ANY,
    random: true,
    solves: 2,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, imle(p.solver, sog(p), target.standard())),
  },
  {
    name: 'I-MLE SoG mu-mu M=10 (beta=1)',
    estimates: 'as I-MLE (beta=1), each side averaged over 10 perturbations before differencing (lower variance, same bias)',
    applies: ANY,
    random: true,
    solves: 20,
    rowsPerKey: 10,
    reduce: 'sum',
    build: (p) => layerRows(p, imle(p.solver, sog(p), target.standard(), { nbMarginalSamples: 10 })),
  },
  {
    name: 'I-MLE SoG symmetric (beta=1)',
    estimates: 'central differences MAP(theta + dL/dz + eps) - MAP(theta - dL/dz + eps), halved: bias of second order in the step, but the step is large',
    applies: ANY,
    random: true,
    solves: 3,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, imle(p.solver, sog(p), target.standard(), { symmetric: true })),
  },
  imleSmallBeta(SMALL_BETA),
  {
    name: 'AIMLE (SoG, defaults)',
    estimates: 'symmetric I-MLE with lambda = beta ||theta|| / ||dL/dz|| (initial beta = 1, measured before any adaptation), divided by lambda: a large-step central difference',
    applies: ANY,
    random: true,
    solves: 3,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, aimle(p.solver, sog(p))),
  },
  {
    name: 'STE (SoG)',
    estimates: 'dL/dz at the perturbed MAP state (identity Jacobian): not a gradient of E[L] (ignores the Jacobian of the marginals)',
    applies: ANY,
    random: true,
    solves: 1,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, ste(p.solver, sog(p))),
  },
  {
    name: 'blackbox (lambda=1)',
    estimates: 'the gradient of the piecewise-linear interpolation of L(MAP(theta)) (no noise): deterministic, a different quantity',
    applies: ANY,
    random: false,
    solves: 2,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => {
      const layer = blackbox(p.solver, { lambda: 1 })
      return (theta) => asRows(layer(theta), p.shape.length)
    },
  },
  {
    name: 'perturbed Gumbel (sigma=1, S=1)',
    estimates:
      'unbiased for the Jacobian of E[MAP(theta + G)] times dL/dy at the output y: for argmax that is grad E_p[L] for a linear L; for top-k > 1 the law of MAP(theta + G) is not p; for nonlinear L it reads dL/dy at a sample',
    applies: ANY,
    random: true,
    solves: 1,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, perturbed(p.solver, noise.gumbel(), { nbSamples: 1, sigma: 1 })),
  },
  {
    name: 'perturbed Normal (sigma=1, S=1)',
    estimates: 'as perturbed Gumbel, for the Gaussian-perturbed law (Berthet et al.): a different distribution than p',
    applies: ANY,
    random: true,
    solves: 1,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, perturbed(p.solver, noise.normal(), { nbSamples: 1, sigma: 1 })),
  },
  {
    name: 'perturbed multiplicative Normal (sigma=0.5)',
    estimates: 'the Jacobian of E[MAP(theta exp(sigma Z - sigma^2/2))], for positive costs (theta < 0): a different distribution than p',
    applies: (p) => p.kind === 'path',
    random: true,
    solves: 1,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => layerRows(p, perturbed(p.solver, noise.normal(), { nbSamples: 1, sigma: 0.5, multiplicative: true })),
  },
  {
    name: `score function (exact sampler, S=${SF_SAMPLES}, baseline mean)`,
    estimates:
      'REINFORCE on exact samples of p with a leave-one-out baseline: unbiased for grad E_p[L] when L is linear (it weighs samples by <dL/dz, z>, which equals L(z) only for linear L)',
    applies: ANY,
    random: true,
    solves: 0,
    rowsPerKey: SF_SAMPLES,
    reduce: 'sum',
    build: (p) => {
      const options = { nbSamples: SF_SAMPLES, baseline: 'mean' } as const
      if (p.kind === 'subset') return kSubsetScoreFunction(p.k, options)
      const e = enumeration(p)
      return scoreFunction(e.sample, e.logProb, options)
    },
  },
  {
    name: 'exact marginals (kSubset.layer / enumeration)',
    estimates: 'the gradient of L(mu(theta)), exact: equal to grad E_p[L] for linear L only (for others, L of the mean is not the mean of L)',
    applies: ANY,
    random: false,
    solves: 0,
    rowsPerKey: 1,
    reduce: 'sum',
    build: (p) => {
      const layer = p.kind === 'subset' ? kSubset.layer(p.k) : enumeration(p).marginals
      return (theta) => asRows(layer(theta), p.shape.length)
    },
  },
  {
    name: 'Gumbel-softmax subset (tau=0.5)',
    estimates: 'the exact gradient of E[L(relaxed sample)] of a relaxed objective (L2X: max of k Concrete samples, with replacement): a different quantity, biased for E_p[L]',
    applies: SUBSET,
    random: true,
    solves: 0,
    rowsPerKey: 1,
    reduce: 'mean',
    build: (p) => layerRows(p, relax.gumbelSoftmaxSubset(p.k, 0.5)),
  },
  {
    name: 'SoftSub (tau=0.5)',
    estimates: 'the gradient of E[L(relaxed sample)] of a relaxed Gumbel-top-k (sampling without replacement, not p for k > 1): a different quantity, biased for E_p[L]',
    applies: SUBSET,
    random: true,
    solves: 0,
    rowsPerKey: 1,
    reduce: 'mean',
    build: (p) => layerRows(p, relax.softSub(p.k, 0.5)),
  },
]

// ---------------------------------------------------------------------------------------------
// The measurement

/**
 * The gradient of `L` for each of the `B` keys, in one call: `theta` is repeated `B` times so
 * that `grad(vmap(...))` returns the per-key gradients `[B, ...s]` (flattened, float64). The
 * loss of a key is `sum` or `mean` over its rows, as `spec.reduce` says.
 */
export function perKeyGradients(problem: Problem, loss: Loss, spec: EstimatorSpec, keys: tf.Tensor): Float64Array {
  const B = keys.shape[0]!
  const rows = spec.build(problem)
  const perKey = (theta: tf.Tensor, key: tf.Tensor): tf.Tensor => {
    const values = loss.rows(rows(theta, key)) // [R]
    return spec.reduce === 'sum' ? ops.sum(values) : ops.mean(values) // []
  }
  const g = tf.tidy(() => {
    const thetas = tf.tile(tf.tensor(Float32Array.from(problem.theta), [1, ...problem.shape]), [B, ...problem.shape.map(() => 1)]) // [B, ...s]
    return grad((th: tf.Tensor) => ops.sum(vmap(perKey)(th, keys)))(thetas) // [B, ...s]
  })
  const out = Float64Array.from(g.dataSync())
  g.dispose()
  return out
}

/** A mean and its standard error. */
export interface MeanSe {
  readonly mean: number
  readonly se: number
}

/** The result of measuring one estimator on one problem and loss. */
export interface Measurement {
  readonly problem: string
  readonly loss: string
  readonly estimator: string
  readonly estimates: string
  /** Keys averaged (1 for a deterministic estimator), in `groups` independent groups. */
  readonly keys: number
  readonly groups: number
  /** Cosine similarity of the key-averaged gradient with the exact one. */
  readonly cosine: number
  /** `||g - g*|| / ||g*||` of the key-averaged gradient `g`. */
  readonly relativeError: number
  /** The cosine and relative error of each group's average: mean ± SE over the groups. */
  readonly groupCosine: MeanSe
  readonly groupRelativeError: MeanSe
  /** `max_i |g_i - g*_i| / se_i`, the largest deviation in standard errors (null when deterministic). */
  readonly maxZ: number | null
  /** The key-averaged gradient, its per-coordinate standard errors and the exact gradient (flattened). */
  readonly gradient: readonly number[]
  readonly se: readonly number[]
  readonly exact: readonly number[]
  /** Batched solver kernel calls per training step (one `vmap`ped `grad` call), measured. */
  readonly solverCalls: number
  /** MAP problems solved per instance per step, from the options. */
  readonly solves: number
  readonly rowsPerKey: number
  /** Wall time of the measurement. */
  readonly seconds: number
}

/** How many keys `measure` averages: `groups` groups of `perGroup` keys (one call per group). */
export interface MeasureOptions {
  readonly groups: number
  readonly perGroup: number
  readonly seed: number
}

const norm = (x: ArrayLike<number>): number => Math.sqrt(dot(x, x))
/** The cosine similarity; 0 when either vector is zero (an estimator that returned no gradient). */
const cosineOf = (a: ArrayLike<number>, b: ArrayLike<number>): number => (norm(a) === 0 || norm(b) === 0 ? 0 : dot(a, b) / (norm(a) * norm(b)))
const relErrOf = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2
  return Math.sqrt(s) / norm(b)
}
const meanSe = (xs: readonly number[]): MeanSe => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  if (xs.length < 2) return { mean: m, se: 0 }
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
  return { mean: m, se: Math.sqrt(v / xs.length) }
}
const solverCallCount = (): number => (solvers.kernelCalls.topK ?? 0) + (solvers.kernelCalls.gridShortestPath ?? 0)

/**
 * Measures `spec` on `problem` and `loss`: `groups` calls of `perKeyGradients` on `perGroup`
 * fresh keys each (one key, once, for a deterministic estimator), the mean of all per-key
 * gradients against `exactGradient`, and the standard error of each coordinate from the spread
 * of the group means (`sd(group means) / sqrt(groups)`).
 */
export function measure(problem: Problem, loss: Loss, spec: EstimatorSpec, options: MeasureOptions): Measurement {
  const start = performance.now()
  const exact = exactGradient(problem.states, problem.theta, loss.value)
  const d = problem.size
  const groups = spec.random ? options.groups : 1
  const perGroup = spec.random ? options.perGroup : 1
  const keys = tf.tidy(() => random.split(random.key(options.seed), groups * perGroup)) // [G * K, 2]
  const means: Float64Array[] = []
  const calls0 = solverCallCount()
  for (let gi = 0; gi < groups; gi++) {
    const groupKeys = tf.slice(keys, [gi * perGroup, 0], [perGroup, 2]) // [K, 2]
    const g = perKeyGradients(problem, loss, spec, groupKeys) // [K * d]
    groupKeys.dispose()
    const m = new Float64Array(d)
    for (let r = 0; r < perGroup; r++) for (let i = 0; i < d; i++) m[i] = m[i]! + g[r * d + i]! / perGroup
    means.push(m)
  }
  const solverCalls = (solverCallCount() - calls0) / groups
  keys.dispose()
  const gradient = new Float64Array(d)
  for (const m of means) for (let i = 0; i < d; i++) gradient[i] = gradient[i]! + m[i]! / groups
  const se = Array.from({ length: d }, (_, i) => meanSe(means.map((m) => m[i]!)).se)
  const sampled = spec.random && groups > 1
  // A coordinate that every key gets exactly right (a grid corner: always on the path) has no
  // spread and no deviation: it is skipped, not 0 / 0. A deviation with no spread is Infinity.
  let maxZ = 0
  for (let i = 0; i < d; i++) {
    const dev = Math.abs(gradient[i]! - exact[i]!)
    if (dev > 1e-7) maxZ = Math.max(maxZ, dev / se[i]!)
  }
  return {
    problem: problem.name,
    loss: loss.name,
    estimator: spec.name,
    estimates: spec.estimates,
    keys: groups * perGroup,
    groups,
    cosine: cosineOf(gradient, exact),
    relativeError: relErrOf(gradient, exact),
    groupCosine: meanSe(means.map((m) => cosineOf(m, exact))),
    groupRelativeError: meanSe(means.map((m) => relErrOf(m, exact))),
    maxZ: sampled ? maxZ : null,
    gradient: Array.from(gradient),
    se,
    exact: Array.from(exact),
    solverCalls,
    solves: spec.solves,
    rowsPerKey: spec.rowsPerKey,
    seconds: (performance.now() - start) / 1000,
  }
}
