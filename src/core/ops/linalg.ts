/**
 * Matrix products: `matMul` and `dot`.
 *
 * `matMul`'s rule prefers one 2-D product: a batched operand whose other operand is an
 * unbatched matrix has its batch axis folded into the rows (or columns) of the product by a
 * reshape, wherever the transposes leave the batch axis outside the contracted axis. Otherwise
 * it uses tf's batched product with the batch axis in front, broadcasting an operand only
 * where tf cannot (tf's kernels broadcast batch dims by flat index, which is only right when
 * an operand's batch dims are a suffix of the result's).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { bdimToFront, exampleRank, expandExample, squeezeExample } from '../batch_rules.js'
import { VmapError } from '../errors.js'
import type { Batched, BatchRule } from '../tracer.js'
import { checkDot, checkMatMul } from './check.js'
import { defOp, one, type Operand } from './def.js'
import { broadcastTo, reshape } from './shape.js'

interface MatMulParams {
  readonly transposeA: boolean
  readonly transposeB: boolean
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((n, i) => n === b[i])

/** `x` as tf's batched product takes it against the full outer (batch) shape `outer`. */
function forProduct(x: tf.Tensor, outer: readonly number[]): tf.Tensor {
  const own = x.shape.slice(0, -2)
  let k = 0
  while (k < own.length && own[k] === 1) k++
  const stripped = own.slice(k)
  if (stripped.length === 0 || sameShape(stripped, outer.slice(outer.length - stripped.length))) return x
  return broadcastTo(x, [...outer, ...x.shape.slice(-2)]) // [...outer, r, c]
}

const matMulRule =
  (): BatchRule<MatMulParams> =>
  ([a, b], { transposeA: tA, transposeB: tB }) => {
    const ra = exampleRank(a!)
    const rb = exampleRank(b!)
    if (ra < 2 || rb < 2) {
      throw new VmapError(`ops.matMul(a, b): a and b must have rank >= 2 per example but got ranks ${ra} and ${rb}`)
    }
    const av = a!.value
    const bv = b!.value
    // a batched, b an unbatched matrix.
    if (a!.bdim !== null && b!.bdim === null && bv.rank === 2) {
      const d = a!.bdim
      const R = av.rank
      if (!tA && d !== R - 1) {
        // [..., m, k] with the batch anywhere but k: every axis but k folds into rows.
        const out = matMul(reshape(av, [-1, av.shape[R - 1]!]), bv, false, tB) // [rows, n]
        return { value: reshape(out, [...av.shape.slice(0, R - 1), out.shape[1]!]), bdim: d } // [..., m, n]
      }
      if (tA && ra === 2 && d !== 0) {
        // [k, B, m] or [k, m, B]: the batch folds into the columns of a.
        const out = matMul(reshape(av, [av.shape[0]!, -1]), bv, true, tB) // [B*m | m*B, n]
        return { value: reshape(out, [av.shape[1]!, av.shape[2]!, out.shape[1]!]), bdim: d - 1 }
      }
    }
    // a an unbatched matrix, b batched and a matrix per example.
    if (a!.bdim === null && b!.bdim !== null && av.rank === 2 && rb === 2) {
      const d = b!.bdim
      if (!tB && d !== 0) {
        // [k, B, n] or [k, n, B]: the batch folds into the columns of b.
        const out = matMul(av, reshape(bv, [bv.shape[0]!, -1]), tA, false) // [m, B*n | n*B]
        return { value: reshape(out, [out.shape[0]!, bv.shape[1]!, bv.shape[2]!]), bdim: d }
      }
      if (tB && d !== 2) {
        // [B, n, k] or [n, B, k]: the batch folds into the rows of b.
        const out = matMul(av, reshape(bv, [-1, bv.shape[2]!]), tA, true) // [m, B*n | n*B]
        return { value: reshape(out, [out.shape[0]!, bv.shape[0]!, bv.shape[1]!]), bdim: d + 1 }
      }
    }
    // tf's batched product: batched operands with the batch in front and singleton axes up to
    // the common per-example rank; unbatched operands broadcast by tf where it can.
    const rank = Math.max(ra, rb)
    const canon = (x: Batched): tf.Tensor => {
      if (x.bdim === null) return x.value
      const v = bdimToFront(x) // [B, ...s]
      const missing = rank + 1 - v.rank
      return missing === 0 ? v : reshape(v, [v.shape[0]!, ...Array(missing).fill(1), ...v.shape.slice(1)]) // [B, 1.., ...s]
    }
    const x = canon(a!)
    const y = canon(b!)
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(x.shape.slice(0, -2), y.shape.slice(0, -2))
    return { value: matMul(forProduct(x, outer), forProduct(y, outer), tA, tB), bdim: 0 } // [B, ..., m, n]
  }

/**
 * Matrix product of the last two axes, batched over the leading axes, as `tf.matMul`.
 * `([..., m, k], [..., k, n]) -> [..., m, n]` (`[k, m]` with `transposeA`, `[n, k]` with `transposeB`)
 * @example
 * ```ts
 * ops.matMul(tf.ones([2, 3]), tf.ones([4, 3]), false, true)   // [2, 4], every entry 3
 * ```
 */
export const matMul: (a: Operand, b: Operand, transposeA?: boolean, transposeB?: boolean) => tf.Tensor = defOp<
  MatMulParams,
  (a: Operand, b: Operand, transposeA?: boolean, transposeB?: boolean) => tf.Tensor
>(
  'matMul',
  ([a, b], { transposeA, transposeB }) => {
    const x = a instanceof tf.Tensor ? a : tf.tensor(a as tf.TensorLike)
    const y = b instanceof tf.Tensor ? b : tf.tensor(b as tf.TensorLike)
    if (x.rank <= 2 || y.rank <= 2 || (x.rank === 3 && y.rank === 3)) return tf.matMul(x, y, transposeA, transposeB)
    // tf's kernels broadcast batch axes by flat index: give each operand the full batch shape
    // unless its own is a suffix of it.
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(x.shape.slice(0, -2), y.shape.slice(0, -2))
    return tf.matMul(forProduct(x, outer), forProduct(y, outer), transposeA, transposeB) // [...outer, m, n]
  },
  matMulRule,
  (bind2) =>
    (a, b, transposeA = false, transposeB = false) =>
      one(bind2([a, b], { transposeA, transposeB })),
  ([a, b], { transposeA, transposeB }) => checkMatMul('ops.matMul', a, b, transposeA, transposeB),
)

/**
 * Dot product of vectors and matrices (rank 1 or 2 each), as `tf.dot`.
 * `([k], [k]) -> []`, `([m, k], [k]) -> [m]`, `([k], [k, n]) -> [n]`, `([m, k], [k, n]) -> [m, n]`
 * @example
 * ```ts
 * ops.dot(tf.tensor1d([1, 2]), tf.tensor2d([[1, 0], [0, 1]]))   // [1, 2]
 * ```
 */
export const dot: (t1: Operand, t2: Operand) => tf.Tensor = defOp<undefined, (t1: Operand, t2: Operand) => tf.Tensor>(
  'dot',
  ([a, b]) => tf.dot(a, b),
  () => {
    const mm = matMulRule()
    return ([a, b], _p, size) => {
      const ra = exampleRank(a!)
      const rb = exampleRank(b!)
      if (ra < 1 || ra > 2 || rb < 1 || rb > 2) {
        throw new VmapError(`ops.dot(t1, t2): inputs must be rank 1 or 2 per example but got ranks ${ra} and ${rb}`)
      }
      // Vectors become a row [1, k] (first operand) or a column [k, 1] (second): one matMul.
      const x = ra === 1 ? expandExample(a!, 0) : a!
      const y = rb === 1 ? expandExample(b!, 1) : b!
      let out = mm([x, y], { transposeA: false, transposeB: false }, size) as Batched // [m|1, n|1]
      if (rb === 1) out = squeezeExample(out, 1)
      if (ra === 1) out = squeezeExample(out, 0)
      return out
    }
  },
  (bind2) => (t1, t2) => one(bind2([t1, t2], undefined)),
  ([a, b]) => checkDot('ops.dot', a, b),
)
