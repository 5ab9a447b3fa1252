/**
 * The exact k-subset distribution `p(z; theta) ∝ exp(<theta, z>)` over `z` in `{0, 1}^n` with
 * `sum(z) = k`: its log-partition, marginals, exact samples and log-probability, and a
 * differentiable marginals layer with an exact gradient. All numerics run on the host, in
 * float64, by the O(nk) dynamic program over prefixes in log space,
 * `a[i][j] = logaddexp(a[i-1][j], a[i-1][j-1] + theta_i)`, and its mirror over suffixes; each
 * function is a host kernel, so every instance of every `vmap` level is one kernel call. It sits
 * in `transforms/` because its log-partition and marginals carry custom gradients (`customVjp`).
 *
 * @example
 * ```ts
 * const theta = tf.tensor1d([0.5, -1, 2, 0])
 * kSubset.logPartition(theta, 2)                       // []: log sum over the 6 pairs
 * kSubset.marginals(theta, 2)                          // [4], sums to 2
 * kSubset.sample(theta, 2, random.key(0))              // [4], exactly two ones
 * ```
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { decodeOptionsOrThrow, PositiveInt, type OptionsOf } from '../core/config.js'
import { ArgumentError } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import { defineKernel } from '../core/kernel.js'
import * as ops from '../core/ops.js'
import { fillUniform } from '../core/random/fill.js'
import { checkKey, type Key } from '../core/random/keyed.js'
import { topK } from '../solvers/top_k/index.js'
import { customVjp } from './custom_vjp.js'

// ---------------------------------------------------------------------------------------------
// Host numerics. Tables are row-major `[(n + 1), (k + 1)]`, in float64, reused across calls
// (JavaScript is single-threaded and these loops call no user code).

const NEG = -Infinity
let A = new Float64Array(0) // alpha: log-sum over the first e elements choosing j
let B = new Float64Array(0) // beta: log-sum over the elements e..n-1 choosing j
let dA = new Float64Array(0) // tangents of alpha along a direction
let dB = new Float64Array(0) // tangents of beta

const grow = (size: number): void => {
  if (A.length >= size) return
  A = new Float64Array(size)
  B = new Float64Array(size)
  dA = new Float64Array(size)
  dB = new Float64Array(size)
}

/** `log(exp(a) + exp(b))`, exact at `-Infinity`. */
const logAddExp = (a: number, b: number): number => {
  const m = a > b ? a : b
  return m === NEG ? NEG : m + Math.log1p(Math.exp(-(a > b ? a - b : b - a)))
}

/** Throws unless the `n` values of instance `r` at `off` are finite. */
function checkFinite(fn: string, x: Float32Array, off: number, n: number, r: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[off + i]!
    if (!Number.isFinite(v)) {
      throw new ArgumentError(`${fn}(theta): theta must be finite but got ${v} at index ${i} of instance ${r} (flattened batch)`)
    }
  }
}

/**
 * The log-space dynamic program over prefixes (`dir = 1`: table `T` row `e` holds the first `e`
 * elements) or suffixes (`dir = -1`: row `e` holds the elements `e .. n-1`) of
 * `theta[off .. off + n)`: `T[row][j]` is the log-sum over the subsets of `j` of those elements.
 * With `dy`, `dT` receives the tangents along `dy` (forward-mode differentiation).
 */
function sweep(T: Float64Array, dT: Float64Array, dir: 1 | -1, theta: Float32Array, off: number, n: number, k: number, dy?: Float32Array): void {
  const w = k + 1
  const first = dir > 0 ? 0 : n * w
  T[first] = 0
  dT[first] = 0
  for (let j = 1; j <= k; j++) (T[first + j] = NEG), (dT[first + j] = 0)
  for (let i = 0; i < n; i++) {
    const e = dir > 0 ? i : n - 1 - i
    const th = theta[off + e]!
    const d = dy === undefined ? 0 : dy[off + e]!
    const src = dir > 0 ? e * w : (e + 1) * w // the row without element e
    const dst = dir > 0 ? (e + 1) * w : e * w // the row with it
    T[dst] = T[src]!
    dT[dst] = dT[src]!
    for (let j = 1; j <= k; j++) {
      const a = T[src + j]!
      const b = T[src + j - 1]! + th
      const r = logAddExp(a, b)
      T[dst + j] = r
      if (dy !== undefined) dT[dst + j] = r === NEG ? 0 : Math.exp(a - r) * dT[src + j]! + Math.exp(b - r) * (dT[src + j - 1]! + d)
    }
  }
}

/** Fills alpha (and its tangent along `dy`) over the prefixes of `theta[off .. off + n)`. */
const forward = (theta: Float32Array, off: number, n: number, k: number, dy?: Float32Array): void => sweep(A, dA, 1, theta, off, n, k, dy)

/** Fills beta (and its tangent along `dy`) over the suffixes, the mirror of `forward`. */
const backward = (theta: Float32Array, off: number, n: number, k: number, dy?: Float32Array): void => sweep(B, dB, -1, theta, off, n, k, dy)

/**
 * Writes `P(z_e = 1)` for each `e` into `out[off ..]`, from the tables of `forward` and
 * `backward`; with `dy`, writes instead the derivative of the marginals along `dy`
 * (`Cov(z) dy`, the tangents of the same sum).
 */
function marginalsFromTables(theta: Float32Array, off: number, n: number, k: number, out: Float32Array, dy?: Float32Array): void {
  const w = k + 1
  const logZ = A[n * w + k]!
  const dLogZ = dA[n * w + k]!
  for (let e = 0; e < n; e++) {
    const th = theta[off + e]!
    const d = dy === undefined ? 0 : dy[off + e]!
    let m = 0
    let dm = 0
    for (let j = 0; j < k; j++) {
      const p = Math.exp(A[e * w + j]! + th + B[(e + 1) * w + k - 1 - j]! - logZ)
      m += p
      if (dy !== undefined && p > 0) dm += p * (dA[e * w + j]! + d + dB[(e + 1) * w + k - 1 - j]! - dLogZ)
    }
    out[off + e] = dy === undefined ? m : dm
  }
}

// ---------------------------------------------------------------------------------------------
// Kernels: one call for every instance of every vmap level.

interface Params {
  readonly fn: string
  readonly k: number
}

/** Sizes the tables for `[n]` instances, then runs `body(off)` on each finite instance. */
function eachInstance(fn: string, theta: Float32Array, n: number, k: number, count: number, body: (off: number, r: number) => void): void {
  grow((n + 1) * (k + 1))
  for (let r = 0; r < count; r++) {
    checkFinite(fn, theta, r * n, n, r)
    body(r * n, r)
  }
}

const logPartitionKernel = defineKernel<Params>({
  name: 'kSubset.logPartition',
  operands: [{ name: 'theta', rank: 1 }],
  outputs: () => [{ shape: [], dtype: 'float32' }],
  host: ({ inputs: [theta], shapes: [shape], count, params: { fn, k }, outputs: [out] }) => {
    const n = shape![0]!
    eachInstance(fn, theta as Float32Array, n, k, count, (off, r) => {
      forward(theta as Float32Array, off, n, k)
      out![r] = A[n * (k + 1) + k]!
    })
  },
})

const marginalsKernel = defineKernel<Params>({
  name: 'kSubset.marginals',
  operands: [{ name: 'theta', rank: 1 }],
  outputs: ([s]) => [{ shape: s!, dtype: 'float32' }],
  host: ({ inputs: [theta], shapes: [shape], count, params: { fn, k }, outputs: [out] }) => {
    const n = shape![0]!
    eachInstance(fn, theta as Float32Array, n, k, count, (off) => {
      forward(theta as Float32Array, off, n, k)
      backward(theta as Float32Array, off, n, k)
      marginalsFromTables(theta as Float32Array, off, n, k, out as Float32Array)
    })
  },
})

/** `(theta [n], dy [n]) -> Cov(z) dy [n]`: forward-mode derivative of the marginals along `dy`. */
const marginalsVjpKernel = defineKernel<Params>({
  name: 'kSubset.marginalsVjp',
  operands: [
    { name: 'theta', rank: 1 },
    { name: 'dy', rank: 1 },
  ],
  outputs: ([s]) => [{ shape: s!, dtype: 'float32' }],
  host: ({ inputs: [theta, dy], shapes: [shape], count, params: { fn, k }, outputs: [out] }) => {
    const n = shape![0]!
    eachInstance(fn, theta as Float32Array, n, k, count, (off) => {
      forward(theta as Float32Array, off, n, k, dy as Float32Array)
      backward(theta as Float32Array, off, n, k, dy as Float32Array)
      marginalsFromTables(theta as Float32Array, off, n, k, out as Float32Array, dy as Float32Array)
    })
  },
})

interface SampleParams extends Params {
  readonly nbSamples: number
  readonly squeeze: boolean
}

const TWO_M23 = 2 ** -23

/**
 * `(theta [n], key [2]) -> [S, n]` (or `[n]`): backward sampling through alpha. Going from the
 * last element down with `j` ones left to place, element `e` is in with probability
 * `exp(alpha[e][j-1] + theta_e - alpha[e+1][j])`, against a uniform of 46 bits made of two
 * `fillUniform` values (decision `i` of instance `r` reads values `2i`, `2i + 1` of its key).
 */
const sampleKernel = defineKernel<SampleParams>({
  name: 'kSubset.sample',
  operands: [
    { name: 'theta', rank: 1 },
    { name: 'key', rank: 1, dtype: 'int32' },
  ],
  outputs: ([s], { nbSamples, squeeze }) => [{ shape: squeeze ? s! : [nbSamples, ...s!], dtype: 'float32' }],
  host: ({ inputs: [theta, keys], shapes: [shape], count, params: { fn, k, nbSamples: S }, outputs: [out] }) => {
    const n = shape![0]!
    const w = k + 1
    grow((n + 1) * w)
    const u = new Float64Array(2 * S * n)
    for (let r = 0; r < count; r++) {
      const off = r * n
      checkFinite(fn, theta as Float32Array, off, n, r)
      forward(theta as Float32Array, off, n, k)
      fillUniform(keys![2 * r]! >>> 0, keys![2 * r + 1]! >>> 0, u)
      for (let s = 0; s < S; s++) {
        const base = (r * S + s) * n
        for (let e = n - 1, j = k; e >= 0 && j > 0; e--) {
          const i = s * n + e
          const p = Math.exp(A[e * w + j - 1]! + theta![off + e]! - A[(e + 1) * w + j]!)
          if (u[2 * i]! + u[2 * i + 1]! * TWO_M23 < p) (out![base + e] = 1), j--
        }
      }
    }
  },
})

// ---------------------------------------------------------------------------------------------
// The public functions.

/** Checks `theta` (one instance `[n]`, float32 or int32) and `k` (an integer in `[0, n]`). */
function check(fn: string, theta: unknown, k: unknown): asserts theta is tf.Tensor {
  if (!(theta instanceof tf.Tensor)) throw new ArgumentError(`${fn}(theta): theta must be a tf.Tensor of shape [n] but got ${typeof theta}`)
  if (theta.rank !== 1) {
    throw new ArgumentError(`${fn}(theta): theta must have rank 1, shape [n], but got shape ${fmtShape(theta.shape)}; for a batch of instances use vmap`)
  }
  if (theta.dtype !== 'float32' && theta.dtype !== 'int32') throw new ArgumentError(`${fn}(theta): theta must have dtype float32 or int32 but got ${theta.dtype}`)
  const n = theta.shape[0]!
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > n) {
    throw new ArgumentError(`${fn}(k): k must be an integer in [0, ${n}] (the length of theta) but got ${String(k)}`)
  }
}

/**
 * The log-partition `log Z(theta) = log sum_{|z| = k} exp(<theta, z>)`, by the O(nk)
 * log-space dynamic program in float64 (stable for any finite `theta`). Differentiable: its
 * gradient is the marginals.
 *
 * Shapes: `([n], k) -> []`; under `vmap`, one kernel call for the whole batch.
 *
 * @example
 * ```ts
 * kSubset.logPartition(tf.tensor1d([0, 0, 0, 0]), 2)                   // []: log 6
 * grad((th: tf.Tensor) => kSubset.logPartition(th, 2))(theta)          // [n]: the marginals
 * vmap((th: tf.Tensor) => kSubset.logPartition(th, 2))(thetas)         // [B]
 * ```
 */
export function logPartition(theta: tf.Tensor, k: number): tf.Tensor {
  check('kSubset.logPartition', theta, k)
  const params = { fn: 'kSubset.logPartition', k }
  return customVjp(
    (th: tf.Tensor) => [logPartitionKernel([th], params)[0]!, th] as const, // []
    (th: tf.Tensor, dLogZ: tf.Tensor) => [ops.mul(marginalsKernel([th], params)[0]!, dLogZ)] as const, // [n]
  )(theta)
}

/**
 * The marginals `P(z_i = 1)` of the k-subset law, by forward-backward over the log-space
 * dynamic program (float64 on the host, rounded once); they sum to `k`. Differentiable with
 * an exact gradient: the vector-Jacobian product with `dy` is `Cov(z) dy`, the Hessian of
 * `log Z` times `dy`, computed on the host by forward-mode differentiation of the same
 * program.
 *
 * Shapes: `([n], k) -> [n]`; under `vmap`, one kernel call for the whole batch.
 *
 * @example
 * ```ts
 * kSubset.marginals(tf.tensor1d([0, 0, 0, 0]), 2)                      // [4]: [0.5, 0.5, 0.5, 0.5]
 * vmap((th: tf.Tensor) => kSubset.marginals(th, 3))(thetas)            // [B, n]
 * ```
 */
export function marginals(theta: tf.Tensor, k: number): tf.Tensor {
  check('kSubset.marginals', theta, k)
  const params = { fn: 'kSubset.marginals', k }
  return customVjp(
    (th: tf.Tensor) => [marginalsKernel([th], params)[0]!, th] as const, // [n]
    (th: tf.Tensor, dy: tf.Tensor) => [marginalsVjpKernel([th, dy], params)[0]!] as const, // [n]
  )(theta)
}

/**
 * A differentiable exact k-subset layer: `theta [n] -> marginals [n]` (see `marginals`),
 * with the exact gradient `Cov(z) dy`. It works under `vmap` and `grad`.
 *
 * Shapes: `([n]) -> [n]`.
 *
 * @example
 * ```ts
 * const layer = kSubset.layer(3)
 * const g = grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th), w)))(theta)   // [n]: Cov(z) w
 * vmap(layer)(thetas)                                                          // [B, n]
 * ```
 */
export function layer(k: number): ((theta: tf.Tensor) => tf.Tensor) & { readonly map: (theta: tf.Tensor) => tf.Tensor } {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
    throw new ArgumentError(`kSubset.layer(k): k must be a non-negative integer but got ${String(k)}`)
  }
  // The mode of the law: the top-k mask (no subset when k = 0).
  const mode = k === 0 ? (theta: tf.Tensor) => ops.zerosLike(theta) : topK(k)
  return Object.assign((theta: tf.Tensor) => marginals(theta, k), { map: mode })
}

/**
 * The codec of `sample`'s options: `nbSamples` `S` (absent: one sample, no sample axis).
 *
 * @example
 * ```ts
 * kSubset.SampleConfig.is({ nbSamples: 10 })   // true
 * kSubset.SampleConfig.is({ nbSamples: 0 })    // false
 * ```
 */
export const SampleConfig = t.partial({ nbSamples: PositiveInt })
/** The options of `sample`. */
export type SampleOptions = OptionsOf<typeof SampleConfig>

/**
 * Exact samples of the k-subset law, by backward sampling through the dynamic program's table;
 * a deterministic function of the key (the same key gives the same samples on every backend,
 * and sample `s` does not depend on `nbSamples`). Not differentiable.
 *
 * Shapes: `([n], k, key [2]) -> float32 [n]` with exactly `k` ones; with `nbSamples: S`,
 * `[S, n]`. Under `vmap` (over `theta`, keys or both), one kernel call for the whole batch.
 *
 * @example
 * ```ts
 * kSubset.sample(theta, 2, random.key(0))                                   // [n]
 * kSubset.sample(theta, 2, random.key(0), { nbSamples: 100 })              // [100, n]
 * vmap((th: tf.Tensor, k: tf.Tensor) => kSubset.sample(th, 2, k))(thetas, keys)   // [B, n]
 * ```
 */
export function sample(theta: tf.Tensor, k: number, key: Key, options: SampleOptions = {}): tf.Tensor {
  check('kSubset.sample', theta, k)
  checkKey('kSubset.sample(key)', key)
  const { nbSamples } = decodeOptionsOrThrow('kSubset.sample', SampleConfig, {}, options)
  const params = { fn: 'kSubset.sample', k, nbSamples: nbSamples ?? 1, squeeze: nbSamples === undefined }
  return sampleKernel([theta, key], params)[0]! // [n] or [S, n]
}

/**
 * The log-probability `<theta, z> - log Z(theta)` of k-subsets `z` (for `z` with exactly `k`
 * ones; other `z` are not checked and give a meaningless value). Differentiable in `theta`:
 * the gradient is `z - marginals(theta)`.
 *
 * Shapes: `([n], k, [...lead, n]) -> [...lead]`.
 *
 * @example
 * ```ts
 * const zs = kSubset.sample(theta, 2, random.key(0), { nbSamples: 8 })   // [8, n]
 * kSubset.logProb(theta, 2, zs)                                            // [8]
 * ```
 */
export function logProb(theta: tf.Tensor, k: number, z: tf.Tensor): tf.Tensor {
  check('kSubset.logProb', theta, k)
  if (!(z instanceof tf.Tensor) || z.rank < 1 || z.shape[z.rank - 1] !== theta.shape[0]) {
    throw new ArgumentError(
      `kSubset.logProb(z): z must be a tensor of shape [${theta.shape[0]}] or [..., ${theta.shape[0]}] (the length of theta last) but got ` +
        (z instanceof tf.Tensor ? `shape ${fmtShape(z.shape)}` : typeof z),
    )
  }
  return tf.tidy(() => {
    const zf = z.dtype === 'float32' ? z : ops.cast(z, 'float32') // [...lead, n]
    return ops.sub(ops.sum(ops.mul(theta, zf), -1), logPartition(theta, k)) // [...lead]
  })
}
