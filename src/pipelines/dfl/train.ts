/**
 * The linear model of the shortest-path benchmark (features `[p]` to arc costs `[m]`, `x W + b`,
 * `nn.dense`) and its training by each method: two-stage least squares solved exactly, the
 * others by Adam on their loss, each built from the library's public pieces (`losses.spoPlus`,
 * `blackbox`, `perturbed`, `losses.fenchelYoung`, `imle`, `aimle` on `solvers.dagShortestPath`).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { normal } from '../../distributions/noise/normal.js'
import { sumOfGamma } from '../../distributions/noise/sum_of_gamma.js'
import { standard } from '../../distributions/target/standard.js'
import { fenchelYoung } from '../../losses/fenchel_young.js'
import { spoPlus } from '../../losses/spo_plus.js'
import { dense } from '../../nn/dense.js'
import { adam } from '../../optim/adam.js'
import { applyUpdates } from '../../optim/base.js'
import { dagShortestPath } from '../../solvers/dag_shortest_path/index.js'
import { aimle } from '../../transforms/estimators/aimle.js'
import { blackbox } from '../../transforms/estimators/blackbox.js'
import { imle } from '../../transforms/estimators/imle.js'
import { perturbed } from '../../transforms/estimators/perturbed.js'
import { valueAndGrad } from '../../transforms/grad.js'
import { vmap } from '../../transforms/vmap.js'
import type { Hyper, Method } from './definition.js'
import type { ShortestPathData } from './generate.js'
import { shortestPaths } from './regret.js'

/** A trained linear model, as plain arrays: `c^ = x W + b`. */
export interface LinearModel {
  /** `[p, m]` row-major. */
  readonly w: Float32Array
  /** `[m]`. */
  readonly b: Float32Array
  readonly p: number
  readonly m: number
}

/** The training options of `train`. */
export interface TrainOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly hyper: Hyper
  /** The grid of the data (`[5, 5]`). */
  readonly grid: readonly [number, number]
  /** The key of this run: initialisation, epoch orders and the methods' noise derive from it. */
  readonly key: tf.Tensor
  /** Stops after the current step (the model so far is returned, `stopped: true`). */
  readonly signal?: AbortSignal
  /** Called after each epoch with the mean training loss of that epoch. */
  readonly onEpoch?: (epoch: number, loss: number) => void
}

/** What `train` returns. */
export interface TrainResult {
  readonly model: LinearModel
  /** The mean training loss of every epoch (empty for two-stage). */
  readonly epochLosses: readonly number[]
  readonly steps: number
  readonly stopped: boolean
}

/**
 * The costs `x W + b` of a linear model: `x [n, p] -> c^ [n, m]`, flat row-major, float64 sums.
 *
 * @example
 * ```ts
 * dfl.predict({ w: new Float32Array([1, 2]), b: new Float32Array([0, 1]), p: 1, m: 2 }, new Float32Array([3]), 1)   // [3, 7]
 * ```
 */
export function predict(model: LinearModel, x: Float32Array, n: number): Float32Array {
  const { w, b, p, m } = model
  if (x.length !== n * p) throw new ArgumentError(`dfl.predict(x, n): x must hold n * p = ${n} * ${p} values but holds ${x.length}`)
  const out = new Float32Array(n * m)
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      let s = b[a]!
      for (let f = 0; f < p; f++) s += x[i * p + f]! * w[f * m + a]!
      out[i * m + a] = s
    }
  }
  return out
}

/**
 * Two-stage least squares: the linear model (with bias) minimising `||[x, 1] [W; b] - c||^2`,
 * solved exactly from the normal equations `(X^T X) A = X^T c` (`X = [x, 1]`, `[n, p + 1]`) by
 * Gaussian elimination with partial pivoting in float64 (PyEPO's "2-stage LR"). Throws when
 * `X^T X` is singular (fewer independent instances than `p + 1`).
 *
 * @example
 * ```ts
 * const data = dfl.generate({ n: 100, seed: 0 })
 * const model = dfl.leastSquares(data)   // w [5, 40], b [40]
 * ```
 */
export function leastSquares(data: ShortestPathData): LinearModel {
  const { n, p, m, x, c } = data
  const q = p + 1
  const A = new Float64Array(q * q) // X^T X
  const R = new Float64Array(q * m) // X^T c
  const row = new Float64Array(q)
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < p; f++) row[f] = x[i * p + f]!
    row[p] = 1
    for (let u = 0; u < q; u++) {
      for (let v = 0; v < q; v++) A[u * q + v] = A[u * q + v]! + row[u]! * row[v]!
      for (let a = 0; a < m; a++) R[u * m + a] = R[u * m + a]! + row[u]! * c[i * m + a]!
    }
  }
  for (let col = 0; col < q; col++) {
    let piv = col
    for (let r = col + 1; r < q; r++) if (Math.abs(A[r * q + col]!) > Math.abs(A[piv * q + col]!)) piv = r
    if (Math.abs(A[piv * q + col]!) < 1e-12 * n) {
      throw new ArgumentError(`dfl.leastSquares(data): the features are rank-deficient (X^T X is singular with ${n} instances and ${p} features); use more instances`)
    }
    if (piv !== col) {
      for (let v = 0; v < q; v++) [A[col * q + v], A[piv * q + v]] = [A[piv * q + v]!, A[col * q + v]!]
      for (let a = 0; a < m; a++) [R[col * m + a], R[piv * m + a]] = [R[piv * m + a]!, R[col * m + a]!]
    }
    for (let r = 0; r < q; r++) {
      if (r === col) continue
      const f = A[r * q + col]! / A[col * q + col]!
      if (f === 0) continue
      for (let v = col; v < q; v++) A[r * q + v] = A[r * q + v]! - f * A[col * q + v]!
      for (let a = 0; a < m; a++) R[r * m + a] = R[r * m + a]! - f * R[col * m + a]!
    }
  }
  const w = new Float32Array(p * m)
  const b = new Float32Array(m)
  for (let u = 0; u < q; u++) {
    const d = A[u * q + u]!
    for (let a = 0; a < m; a++) (u < p ? w : b)[(u < p ? u * m : 0) + a] = R[u * m + a]! / d
  }
  return { w, b, p, m }
}

/** A method's batch loss: `(c^ [B, m], c [B, m], z* [B, m], keys [B, 2]) -> []`. */
type BatchLoss = (cHat: tf.Tensor, c: tf.Tensor, zTrue: tf.Tensor, keys: tf.Tensor) => tf.Tensor

/** `mean_i sum_s <c_i, z_{i,s}>`: `z [B, m]` or `[B, S, m]`, `c [B, m]`. */
const pathCost = (z: tf.Tensor, c: tf.Tensor): tf.Tensor => {
  const cc = z.rank === 3 ? ops.expandDims(c, 1) : c // [B, 1, m] or [B, m]
  return ops.div(ops.sum(ops.mul(z, cc)), c.shape[0]!) // []
}

/**
 * The training loss of a method (not two-stage), PyEPO's choice of loss for each:
 * - `spo-plus`: SPO+ on costs (`losses.spoPlus(solver, { sense: 'min' })`), mean over the batch;
 * - `blackbox`, `imle`, `aimle`: the true cost `<c, z>` of the layer's paths (the regret up to a
 *   constant: PyEPO's L1 loss on the objective), summed over the layer's samples and averaged
 *   over the batch; blackbox scores `theta = -c^`, I-MLE and AIMLE take costs (`sense: 'min'`,
 *   the noise added to the costs as PyEPO does);
 * - `perturbed`: the squared error of the perturbed optimiser's mean path to `z*`;
 * - `fenchel-young`: the perturbed Fenchel–Young loss of the costs against `z*`.
 *
 * @example
 * ```ts
 * const loss = dfl.methodLoss('fenchel-young', dfl.presets.quick.hyper, [5, 5])
 * const c = tf.ones([2, 40])                                                          // [B, m] costs
 * const zTrue = tf.tensor2d(dfl.shortestPaths(c.dataSync() as Float32Array, 2, [5, 5]), [2, 40])
 * loss(c, c, zTrue, random.split(random.key(0), 2))                                   // []
 * ```
 */
export function methodLoss(method: Exclude<Method, 'two-stage'>, hyper: Hyper, grid: readonly [number, number]): BatchLoss {
  const solver = dagShortestPath({ grid: [grid[0], grid[1]] })
  switch (method) {
    case 'spo-plus': {
      const spo = vmap(spoPlus(solver, { sense: 'min' }))
      return (cHat, c, zTrue) => ops.mean(spo(cHat, c, zTrue)) // [B] -> []
    }
    case 'blackbox': {
      const layer = blackbox(solver, { lambda: hyper.blackbox.lambda })
      const paths = vmap((theta: tf.Tensor) => layer(theta))
      return (cHat, c) => pathCost(paths(ops.neg(cHat)), c) // z [B, m]
    }
    case 'perturbed': {
      const layer = perturbed(solver, normal(), { nbSamples: hyper.perturbed.nbSamples, sigma: hyper.perturbed.sigma, sense: 'min' })
      const mean = vmap(layer)
      return (cHat, _c, zTrue, keys) => ops.mean(ops.square(ops.sub(mean(cHat, keys), zTrue))) // y [B, m] -> []
    }
    case 'fenchel-young': {
      const fy = vmap(fenchelYoung(solver, normal(), { nbSamples: hyper.fenchelYoung.nbSamples, sigma: hyper.fenchelYoung.sigma, sense: 'min' }))
      return (cHat, _c, zTrue, keys) => ops.mean(fy(cHat, zTrue, keys)) // [B] -> []
    }
    case 'imle': {
      const h = hyper.imle
      const layer = imle(solver, sumOfGamma({ k: h.kappa, nbIterations: h.nbIterations }), standard({ beta: h.lambda, scaleGradient: true }), {
        nbSamples: h.nbSamples,
        inputNoiseTemperature: h.temperature,
        sense: 'min',
      })
      const paths = vmap(layer)
      return (cHat, c, _zTrue, keys) => pathCost(paths(cHat, keys), c) // z [B, S, m]
    }
    case 'aimle': {
      const h = hyper.aimle
      const layer = aimle(solver, sumOfGamma({ k: h.kappa, nbIterations: h.nbIterations }), {
        nbSamples: h.nbSamples,
        inputNoiseTemperature: h.temperature,
        sense: 'min',
        initialBeta: h.initialBeta,
        targetNorm: h.targetNorm,
      })
      const paths = vmap(layer)
      return (cHat, c, _zTrue, keys) => pathCost(paths(cHat, keys), c) // z [B, S, m]
    }
  }
}

/** The order of epoch `epoch`: a permutation of `[0, n)` from the key's words. */
function permutation(key: tf.Tensor, epoch: number, n: number): Int32Array {
  const k = tf.tidy(() => random.foldIn(key, epoch).dataSync() as Int32Array)
  const idx = new Int32Array(n)
  random.fillPermutation(k[0]!, k[1]!, idx)
  return idx
}

/** Rows `idx` of a flat `[n, row]` array. */
function gather(src: Float32Array, row: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * row)
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i]! * row, (idx[i]! + 1) * row), i * row)
  return out
}

type Params = { readonly w: tf.Tensor; readonly b: tf.Tensor }

/**
 * Trains the linear model on `data` with `method`: two-stage by `leastSquares`; the others by
 * Adam (`learningRate`) on `methodLoss` over `epochs` epochs of shuffled mini-batches of
 * `batchSize` (the last, smaller batch kept, as PyEPO's `DataLoader`), from `nn.dense`'s
 * Glorot-uniform initialisation. Deterministic given the key: initialisation is
 * `foldIn(key, 0)`, epoch orders `foldIn(key, 1)`, step noise `foldIn(foldIn(key, 2), step)`.
 * Leaks no tensor.
 *
 * @example
 * ```ts
 * const train = dfl.generate({ n: 100, deg: 6, seed: 0 })
 * const { model } = dfl.train('spo-plus', train, { epochs: 10, batchSize: 32, learningRate: 1e-2, hyper: dfl.presets.quick.hyper, grid: [5, 5], key: random.key(1) })
 * ```
 */
export function train(method: Method, data: ShortestPathData, options: TrainOptions): TrainResult {
  if (method === 'two-stage') return { model: leastSquares(data), epochLosses: [], steps: 0, stopped: false }
  const { n, p, m } = data
  const { epochs, batchSize, learningRate, hyper, grid, key, signal, onEpoch } = options
  const zTrue = shortestPaths(data.c, n, grid) // [n, m]
  const loss = methodLoss(method, hyper, grid)
  const net = dense(m)
  const [initKey, orderKey, noiseKey] = [0, 1, 2].map((i) => random.foldIn(key, i)) as [tf.Tensor, tf.Tensor, tf.Tensor]
  let [params] = net.init(initKey, [p]) as unknown as [Params] // w [p, m], b [m]
  const optimizer = adam<Params>({ learningRate })
  let state = optimizer.init(params)
  const objective = (ps: Params, x: tf.Tensor, c: tf.Tensor, z: tf.Tensor, keys: tf.Tensor): tf.Tensor => loss(net.apply(ps, x) as tf.Tensor, c, z, keys) // c^ [B, m]
  const lossAndGrad = valueAndGrad(objective)
  const epochLosses: number[] = []
  let steps = 0
  let stopped = false
  for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
    const order = permutation(orderKey, epoch, n)
    let sum = 0
    let count = 0
    for (let s = 0; s < n; s += batchSize) {
      if (signal?.aborted === true) {
        stopped = true
        break
      }
      const idx = order.subarray(s, Math.min(n, s + batchSize))
      const B = idx.length
      const [value, nextParams, nextState] = tf.tidy(() => {
        const x = tf.tensor2d(gather(data.x, p, idx), [B, p]) // [B, p]
        const c = tf.tensor2d(gather(data.c, m, idx), [B, m]) // [B, m]
        const z = tf.tensor2d(gather(zTrue, m, idx), [B, m]) // [B, m]
        const keys = random.split(random.foldIn(noiseKey, steps), B) // [B, 2]
        const [l, grads] = lossAndGrad(params, x, c, z, keys)
        const [updates, next] = optimizer.update(grads, state, params)
        return [l, applyUpdates(params, updates), next] as unknown as tf.TensorContainer
      }) as unknown as [tf.Tensor, Params, typeof state]
      sum += value.dataSync()[0]! * B
      count += B
      value.dispose()
      const kept = new Set(tree.leaves([nextParams, nextState]).map((u) => u.id))
      tf.dispose([...tree.leaves(params), ...tree.leaves(state)].filter((u) => !kept.has(u.id)))
      params = nextParams
      state = nextState
      steps++
    }
    if (count > 0) {
      epochLosses.push(sum / count)
      onEpoch?.(epoch, sum / count)
    }
  }
  const model: LinearModel = { w: Float32Array.from(params.w.dataSync()), b: Float32Array.from(params.b.dataSync()), p, m }
  tf.dispose([initKey, orderKey, noiseKey, ...tree.leaves(params), ...tree.leaves(state)])
  return { model, epochLosses, steps, stopped }
}
