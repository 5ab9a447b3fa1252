/**
 * The toy study's exact quantities, by enumerating every k-subset: the expected loss
 * `L(theta) = E_{z ~ p(z; theta)} ||z - b||^2` with `p(z; theta) ∝ exp(<theta, z>)`, its exact
 * gradient `Cov_p(z, ||z - b||^2)`, and the optimum `min_z ||z - b||^2`. The host functions
 * run in float64 over flat TypedArrays (one row per instance); `enumeratedLoss` is the same
 * loss as a differentiable tensor function, for `valueAndGrad` and `vmap`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import { K, N } from './problem.js'

/** Every k-subset of `n` items, as 0/1 rows and as index lists. */
export interface States {
  readonly n: number
  readonly k: number
  /** The number of states, `C(n, k)`. */
  readonly count: number
  /** `[count, n]` row-major 0/1 indicators, states in increasing order of `sum_i z_i 2^i`. */
  readonly z: Uint8Array
  /** `[count, k]` row-major: the items of each state, increasing. */
  readonly items: Uint8Array
}

/**
 * Lists the `C(n, k)` subsets of size `k` of `n` items (`n <= 20`), in increasing order of the
 * bitmask `sum_i z_i 2^i`.
 *
 * Shapes: `(n, k) -> z [C(n, k), n]`, `items [C(n, k), k]`.
 *
 * @example
 * ```ts
 * toy.states(10, 5).count   // 252
 * toy.states(3, 2).z        // Uint8Array [1,1,0, 1,0,1, 0,1,1]
 * ```
 */
export function states(n: number = N, k: number = K): States {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new ArgumentError(`toy.states(n): n must be an integer in [1, 20] but got ${String(n)}`)
  if (!Number.isInteger(k) || k < 0 || k > n) throw new ArgumentError(`toy.states(k): k must be an integer in [0, ${n}] but got ${String(k)}`)
  const masks: number[] = []
  for (let m = 0; m < 1 << n; m++) {
    let c = 0
    for (let x = m; x !== 0; x &= x - 1) c++
    if (c === k) masks.push(m)
  }
  const z = new Uint8Array(masks.length * n)
  const items = new Uint8Array(masks.length * k)
  for (let s = 0; s < masks.length; s++) {
    for (let i = 0, j = 0; i < n; i++) {
      if ((masks[s]! >> i) & 1) (z[s * n + i] = 1), (items[s * k + j++] = i)
    }
  }
  return { n, k, count: masks.length, z, items }
}

const DEFAULT = states()

/** Checks that `theta` and `b` are flat arrays of whole rows of `n` and of the same length. */
function rowsOf(fn: string, theta: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  if (theta.length % n !== 0 || theta.length === 0) {
    throw new ArgumentError(`${fn}(theta): expected a flat array of rows of ${n} values (length a positive multiple of ${n}) but got length ${theta.length}`)
  }
  if (b.length !== theta.length) throw new ArgumentError(`${fn}(b): expected the length of theta (${theta.length}) but got ${b.length}`)
  return theta.length / n
}

/** Per-state scratch, grown once and reused (JavaScript is single-threaded; no user code runs inside). */
let logits = new Float64Array(0)
let losses = new Float64Array(0)
const scratch = (count: number): void => {
  if (logits.length >= count) return
  logits = new Float64Array(count)
  losses = new Float64Array(count)
}

/**
 * For row `r`: fills `logits[s] = <theta, z_s>` and `losses[s] = ||z_s - b||^2`, and returns the
 * maximum logit. `||z - b||^2 = ||b||^2 + sum_{i in z} (1 - 2 b_i)` for 0/1 `z`.
 */
function fillRow(S: States, theta: ArrayLike<number>, b: ArrayLike<number>, r: number): number {
  const { n, k, count, items } = S
  const off = r * n
  let bb = 0
  for (let i = 0; i < n; i++) bb += b[off + i]! * b[off + i]!
  let max = -Infinity
  for (let s = 0; s < count; s++) {
    let l = 0
    let d = bb
    for (let j = 0; j < k; j++) {
      const i = off + items[s * k + j]!
      l += theta[i]!
      d += 1 - 2 * b[i]!
    }
    logits[s] = l
    losses[s] = d
    if (l > max) max = l
  }
  return max
}

/**
 * The exact expected loss `E_{z ~ p(z; theta)} ||z - b||^2` of each row, in float64, by summing
 * over the `C(n, k)` states with the log-sum-exp shift (stable for any finite `theta`).
 *
 * Shapes: `(theta [R * n], b [R * n]) -> [R]` (flat row-major arrays).
 *
 * @example
 * ```ts
 * toy.exactLoss(theta0.dataSync(), b.dataSync())   // Float64Array [R]
 * ```
 */
export function exactLoss(theta: ArrayLike<number>, b: ArrayLike<number>, S: States = DEFAULT): Float64Array {
  const rows = rowsOf('toy.exactLoss', theta, b, S.n)
  scratch(S.count)
  const out = new Float64Array(rows)
  for (let r = 0; r < rows; r++) {
    const max = fillRow(S, theta, b, r)
    let z = 0
    let e = 0
    for (let s = 0; s < S.count; s++) {
      const w = Math.exp(logits[s]! - max)
      z += w
      e += w * losses[s]!
    }
    out[r] = e / z
  }
  return out
}

/**
 * The probabilities `p(z_s; theta) = exp(<theta, z_s>) / sum_t exp(<theta, z_t>)` of every state
 * of `S` for one instance, in float64 (log-sum-exp shifted), in the order of `S.z`.
 *
 * Shapes: `(theta [n]) -> [C(n, k)]`.
 *
 * @example
 * ```ts
 * toy.probabilities([0, 0, 0], toy.states(3, 2))   // Float64Array [1/3, 1/3, 1/3]
 * ```
 */
export function probabilities(theta: ArrayLike<number>, S: States = DEFAULT): Float64Array {
  if (theta.length !== S.n) throw new ArgumentError(`toy.probabilities(theta): expected one instance of ${S.n} values but got length ${theta.length}`)
  scratch(S.count)
  const max = fillRow(S, theta, new Float64Array(S.n), 0)
  const out = new Float64Array(S.count)
  let z = 0
  for (let s = 0; s < S.count; s++) z += out[s] = Math.exp(logits[s]! - max)
  for (let s = 0; s < S.count; s++) out[s] = out[s]! / z
  return out
}

/**
 * The exact gradient of `exactLoss` in `theta`, in float64:
 * `dL/dtheta_i = Cov_p(z_i, ||z - b||^2) = E_p[z_i L(z)] - E_p[z_i] E_p[L(z)]`.
 *
 * Shapes: `(theta [R * n], b [R * n]) -> [R * n]`.
 *
 * @example
 * ```ts
 * const g = toy.exactGradient(theta0.dataSync(), b.dataSync())   // Float64Array [R * n]
 * ```
 */
export function exactGradient(theta: ArrayLike<number>, b: ArrayLike<number>, S: States = DEFAULT): Float64Array {
  const { n, k, count, items } = S
  const rows = rowsOf('toy.exactGradient', theta, b, n)
  scratch(count)
  const out = new Float64Array(rows * n)
  const mu = new Float64Array(n)
  const muL = new Float64Array(n)
  for (let r = 0; r < rows; r++) {
    const max = fillRow(S, theta, b, r)
    mu.fill(0)
    muL.fill(0)
    let z = 0
    let e = 0
    for (let s = 0; s < count; s++) {
      const w = Math.exp(logits[s]! - max)
      z += w
      e += w * losses[s]!
      for (let j = 0; j < k; j++) {
        const i = items[s * k + j]!
        mu[i] = mu[i]! + w
        muL[i] = muL[i]! + w * losses[s]!
      }
    }
    for (let i = 0; i < n; i++) out[r * n + i] = muL[i]! / z - ((mu[i]! / z) * e) / z
  }
  return out
}

/**
 * The optimum `min_z ||z - b||^2` of each row by its closed form: the best state selects the
 * `k` largest entries of `b`, so with `b` sorted increasingly the optimum is
 * `sum(sorted(b)[:n-k]^2) + sum((sorted(b)[n-k:] - 1)^2)`. (For `n = 2k`, as here, the paper's
 * `sum(sorted(b)[:k]^2) + sum((sorted(b)[k:] - 1)^2)`.) It is the infimum of `exactLoss`, reached
 * only as `theta` tends to infinity along the best state.
 *
 * Shapes: `(b [R * n]) -> [R]`.
 *
 * @example
 * ```ts
 * toy.optimum([0, 0.5, 1, 2], 4, 2)   // Float64Array [0.25 + 0 + 1] = [1.25]
 * ```
 */
export function optimum(b: ArrayLike<number>, n: number = N, k: number = K): Float64Array {
  if (b.length % n !== 0 || b.length === 0) throw new ArgumentError(`toy.optimum(b): expected a flat array of rows of ${n} values but got length ${b.length}`)
  if (!Number.isInteger(k) || k < 0 || k > n) throw new ArgumentError(`toy.optimum(k): k must be an integer in [0, ${n}] but got ${String(k)}`)
  const rows = b.length / n
  const out = new Float64Array(rows)
  const row = new Float64Array(n)
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) row[i] = b[r * n + i]!
    row.sort()
    let v = 0
    for (let i = 0; i < n - k; i++) v += row[i]! * row[i]!
    for (let i = n - k; i < n; i++) v += (row[i]! - 1) * (row[i]! - 1)
    out[r] = v
  }
  return out
}

/**
 * The enumerated loss as a differentiable tensor function of one instance, for `valueAndGrad`
 * and `vmap`: `sum_s softmax(Z theta)_s ||z_s - b||^2` with `Z` the `[C(n, k), n]` state
 * matrix. Its gradient is the exact gradient (in float32).
 *
 * Shapes: `(theta [n], b [n]) -> []`; under `vmap`, `([B, n], [B, n]) -> [B]`.
 *
 * @example
 * ```ts
 * import { valueAndGrad, vmap, ops } from 'imle'
 * const loss = toy.enumeratedLoss()
 * const [value, g] = valueAndGrad((th: tf.Tensor) => ops.sum(vmap(loss)(th, b)))(theta)   // [], [B, n]
 * ```
 */
export function enumeratedLoss(S: States = DEFAULT): (theta: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  const z = Float32Array.from(S.z)
  return (theta, b) => {
    const zs = tf.tensor2d(z, [S.count, S.n]) // [C, n]: a constant, made per call so that nothing outlives the caller's tidy
    const logit = ops.sum(ops.mul(zs, theta), -1) // [C]
    const p = ops.softmax(logit) // [C]
    const dist = ops.sum(ops.square(ops.sub(zs, b)), -1) // [C]
    return ops.sum(ops.mul(p, dist)) // []
  }
}
