/**
 * tfjs-core's gradients, registered on demand, with imle's corrections. tfjs-core's own
 * bundles register none, and its `register_all_gradients` module cannot be imported by Node's
 * ESM loader (extensionless specifiers); `npm install` runs `scripts/build-gradients.mjs`,
 * which bundles the gradient configs into `tfjs_gradients.generated.js` without registering
 * them. The registry is tfjs's global one, so gradients work for every backend.
 *
 * Some of tfjs's gradients are wrong or throw, and `grad` over `ops` must not; `overrides`
 * replaces them (each entry says what it fixes). The rules, as in JAX:
 *
 * - a binary op's operand that was broadcast gets its gradient summed back to its own shape
 *   (`Maximum`, `Minimum`, `SquaredDifference`, `BatchMatMul`'s batch axes);
 * - where an elementwise `maximum`/`minimum` is tied, each operand gets half the cotangent, and
 *   a `max`/`min` reduction splits it equally among the tied entries (so that the gradient of
 *   `max(tile(x, [2]))` is the sum over the copies, one in all, as finite differences say);
 * - no gradient calls chained tensor methods (`x.reshape(...)`), which imle does not register.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { gradConfigs } from './tfjs_gradients.generated.js'

type Dy = tf.Tensor | tf.Tensor[]
type Attrs = Record<string, unknown>

const single = (dy: Dy): tf.Tensor => (Array.isArray(dy) ? dy[0]! : dy)

/** `g` (`[...out]`, the broadcast shape) summed over the axes that broadcasting added to `shape`. */
function unbroadcast(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes([...shape], g.shape)
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, [...shape]) // [...shape]
}

/**
 * `indices` (`[...s]`) one-hot along a new last axis of length `n`, float32. Made by a
 * comparison: `tf.oneHot` refuses `n = 1` and ignores a float dtype on wasm.
 */
const hotFloat = (indices: tf.Tensor, n: number): tf.Tensor =>
  tf.cast(tf.equal(tf.expandDims(tf.cast(indices, 'int32'), -1), tf.range(0, n, 1, 'int32')), 'float32') // [...s, n]

/** The same shapes. */
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((n, i) => n === b[i])

/**
 * `Maximum` (`wins` = greater) or `Minimum` (`wins` = less): the winner of each pair gets the
 * cotangent, a tie gives half to each, and broadcast operands are summed back.
 */
const chooserBinary = (kernelName: string, wins: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Dy, [a, b]: tf.Tensor[]) => {
    const d = single(dy)
    const weight = (x: tf.Tensor, y: tf.Tensor): tf.Tensor =>
      tf.add(tf.cast(wins(x, y), 'float32'), tf.mul(tf.cast(tf.equal(x, y), 'float32'), 0.5)) // [...out]
    return {
      a: () => unbroadcast(tf.mul(d, weight(a!, b!)), a!.shape),
      b: () => unbroadcast(tf.mul(d, weight(b!, a!)), b!.shape),
    }
  },
})

/** `Max` and `Min` reductions: the cotangent split equally among the entries equal to the result. */
const chooserReduction = (kernelName: string, axisAttr: string): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy: Dy, [x, y]: tf.Tensor[], attrs: Attrs) => {
    const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], x!.shape)
    const keep = x!.shape.map((n, i) => (axes.includes(i) ? 1 : n)) // x's shape, reduced axes 1
    return {
      x: () => {
        const mask = tf.cast(tf.equal(x!, tf.reshape(y!, keep)), 'float32') // [...s]
        const count = tf.sum(mask, axes, true) // [...keep]
        return tf.mul(tf.reshape(single(dy), keep), tf.div(mask, count)) // [...s]
      },
    }
  },
})

/** `x` (`[...batch, r, c]`) broadcast to the batch shape `outer` (tf's kernels broadcast by flat index). */
function toOuter(x: tf.Tensor, outer: readonly number[]): tf.Tensor {
  return sameShape(x.shape.slice(0, -2), outer) ? x : tf.broadcastTo(x, [...outer, ...x.shape.slice(-2)]) // [...outer, r, c]
}

/** `BatchMatMul`: tfjs's gradient does not sum the batch axes an operand was broadcast along. */
const batchMatMul: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Dy, [a, b]: tf.Tensor[], attrs: Attrs) => {
    const tA = attrs['transposeA'] === true
    const tB = attrs['transposeB'] === true
    const d = single(dy) // [...outer, m, n]
    const outer = d.shape.slice(0, -2)
    const A = (): tf.Tensor => toOuter(a!, outer) // [...outer, m, k] ([..., k, m] with tA)
    const B = (): tf.Tensor => toOuter(b!, outer) // [...outer, k, n] ([..., n, k] with tB)
    const da = (): tf.Tensor =>
      tA ? tf.matMul(B(), d, tB, true) : tf.matMul(d, B(), false, !tB) // [...outer, k, m] | [...outer, m, k]
    const db = (): tf.Tensor =>
      tB ? tf.matMul(d, A(), true, tA) : tf.matMul(A(), d, !tA, false) // [...outer, n, k] | [...outer, k, n]
    return { a: () => unbroadcast(da(), a!.shape), b: () => unbroadcast(db(), b!.shape) }
  },
}

/** `SquaredDifference`: tfjs's gradient does not sum broadcast axes. */
const squaredDifference: tf.GradConfig = {
  kernelName: 'SquaredDifference',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Dy, [a, b]: tf.Tensor[]) => {
    const twice = (): tf.Tensor => tf.mul(single(dy), tf.mul(tf.sub(a!, b!), 2)) // [...out]
    return { a: () => unbroadcast(twice(), a!.shape), b: () => unbroadcast(tf.neg(twice()), b!.shape) }
  },
}

/**
 * `Prod`: tfjs's gradient calls chained methods. The reduced axes are moved last and flattened
 * to one of length `n`; the derivative of the product by one entry is the product of the others,
 * an exclusive cumulative product from each side (exact with zeros, unlike `prod / x`).
 */
const prod: tf.GradConfig = {
  kernelName: 'Prod',
  inputsToSave: ['x'],
  gradFunc: (dy: Dy, [x]: tf.Tensor[], attrs: Attrs) => ({
    x: () => {
      const xs = x!.shape
      const axes = tf.util.parseAxisParam((attrs['axis'] ?? null) as unknown as number[], xs)
      const kept = xs.map((_, i) => i).filter((i) => !axes.includes(i))
      const perm = [...kept, ...axes]
      const moved = tf.transpose(x!, perm) // [...kept, ...reduced]
      const keptShape = kept.map((i) => xs[i]!)
      const n = axes.reduce((p, i) => p * xs[i]!, 1)
      const flat = tf.reshape(moved, [...keptShape, n]) // [...kept, n]
      const last = keptShape.length
      const others = tf.mul(tf.cumprod(flat, last, true, false), tf.cumprod(flat, last, true, true)) // [...kept, n]
      const g = tf.mul(others, tf.reshape(single(dy), [...keptShape, 1])) // [...kept, n]
      const inverse = perm.map((_, i) => perm.indexOf(i))
      return tf.transpose(tf.reshape(g, moved.shape), inverse) // [...s]
    },
  }),
}

/** `Unpack`: with one output, tfjs passes its cotangent alone, not in an array, and `stack` throws. */
const unpack: tf.GradConfig = {
  kernelName: 'Unpack',
  gradFunc: (dy: Dy, _saved: tf.Tensor[], attrs: Attrs) => ({
    value: () => tf.stack(Array.isArray(dy) ? dy : [dy], attrs['axis'] as number),
  }),
}

/** `Tile`: tfjs's gradient stops at rank 4. Here `[r_0 s_0, r_1 s_1, ...]` is summed over each `r_i`. */
const tile: tf.GradConfig = {
  kernelName: 'Tile',
  inputsToSave: ['x'],
  gradFunc: (dy: Dy, [x]: tf.Tensor[], attrs: Attrs) => ({
    x: () => {
      const reps = attrs['reps'] as number[]
      const xs = x!.shape
      if (xs.length === 0) return single(dy)
      const split = tf.reshape(single(dy), xs.flatMap((s, i) => [reps[i]!, s])) // [r_0, s_0, r_1, s_1, ...]
      return tf.sum(split, xs.map((_, i) => 2 * i)) // [...s]
    },
  }),
}

/**
 * `GatherV2`: tfjs's gradient misreads a negative `axis`, uses chained methods for `batchDims`
 * 1, knows no other `batchDims`, needs `UnsortedSegmentSum` (which the wasm backend lacks), and
 * returns int32 for the indices. Here, with `x` `[...K, ...x0, n, ...x1]` (`K` the `batchDims`
 * axes, `N` their size) and indices `[...K, ...i]` (`I` entries per batch), the cotangent rows
 * are scattered into `N * n` rows, by a segment sum or, without that kernel, a batched one-hot
 * product.
 */
const gatherV2: tf.GradConfig = {
  kernelName: 'GatherV2',
  inputsToSave: ['x', 'indices'],
  gradFunc: (dy: Dy, [x, indices]: tf.Tensor[], attrs: Attrs) => ({
    x: () => {
      const xs = x!.shape
      const axis = tf.util.parseAxisParam(attrs['axis'] as number, xs)[0]!
      const bd0 = attrs['batchDims'] as number
      const bd = bd0 < 0 ? bd0 + indices!.rank : bd0
      const size = (s: readonly number[]): number => tf.util.sizeFromShape([...s])
      const N = size(xs.slice(0, bd))
      const X0 = size(xs.slice(bd, axis))
      const n = xs[axis]!
      const X1 = size(xs.slice(axis + 1))
      const I = size(indices!.shape.slice(bd))
      const rows = tf.transpose(tf.reshape(single(dy), [N, X0, I, X1]), [0, 2, 1, 3]) // [N, I, X0, X1]
      const idx = tf.reshape(tf.cast(indices!, 'int32'), [N, I]) // [N, I]
      let scattered: tf.Tensor // [N, n, X0 * X1]
      if (tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined) {
        const offsets = tf.reshape(tf.range(0, N * n, n, 'int32'), [N, 1]) // [N, 1]
        const flatIdx = tf.reshape(tf.add(idx, offsets), [N * I]) as tf.Tensor1D // [N*I]
        const seg = tf.unsortedSegmentSum(tf.reshape(rows, [N * I, X0 * X1]), flatIdx, N * n) // [N*n, X0*X1]
        scattered = tf.reshape(seg, [N, n, X0 * X1])
      } else {
        const hot = hotFloat(idx, n) // [N, I, n]
        scattered = tf.matMul(hot, tf.reshape(rows, [N, I, X0 * X1]), true, false) // [N, n, X0*X1]
      }
      const back = tf.transpose(tf.reshape(scattered, [N, n, X0, X1]), [0, 2, 1, 3]) // [N, X0, n, X1]
      return tf.reshape(back, xs) // [...K, ...x0, n, ...x1]
    },
    indices: () => tf.fill(indices!.shape, 0, 'float32'),
  }),
}

/**
 * Comparisons and logical ops (bool outputs) have no tfjs gradient, but they sit on the tape
 * between a differentiated input and `where`'s condition: their inputs get zeros.
 */
const zeroGradient = (kernelName: string, inputs: readonly string[]): tf.GradConfig => ({
  kernelName,
  inputsToSave: [...inputs],
  gradFunc: (_dy: Dy, saved: tf.Tensor[]) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.fill(saved[i]!.shape, 0, 'float32')])),
})

/**
 * `TopK`: tfjs has no gradient. The cotangent of each of the `k` values goes to the entry it
 * came from: `[..., 1, k] x one-hot [..., k, n] -> [..., n]`.
 */
const topK: tf.GradConfig = {
  kernelName: 'TopK',
  inputsToSave: ['x'],
  outputsToSave: [false, true],
  gradFunc: (dy: Dy, saved: tf.Tensor[]) => ({
    x: () => {
      const [x, indices] = saved as [tf.Tensor, tf.Tensor]
      const dValues = Array.isArray(dy) ? dy[0]! : dy // [..., k]
      const n = x.shape[x.rank - 1]!
      const hot = hotFloat(indices, n) // [..., k, n]
      const back = tf.matMul(tf.expandDims(dValues, -2), hot) // [..., 1, n]
      return tf.reshape(back, x.shape) // [..., n]
    },
  }),
}

/**
 * `Sum` and `Mean`: tfjs's gradients multiply the cotangent by `ones(x.shape)`, a host array
 * made and uploaded on every call (on wasm a fresh buffer of the input's size, which costs more
 * than the kernels around it). Here the ones come from the backend's `Fill` kernel: the same
 * products, so the same values, with nothing built on the host.
 */
const reduction = (kernelName: 'Sum' | 'Mean'): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (dy: Dy, [x]: tf.Tensor[], attrs: Attrs) => ({
    x: () => {
      const xs = x!.shape
      const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], xs)
      const keep = xs.map((n, i) => (axes.includes(i) ? 1 : n)) // x's shape, reduced axes 1
      const spread = tf.mul(tf.reshape(single(dy), keep), tf.fill(xs, 1, 'float32')) // [...s]
      if (kernelName === 'Sum') return spread
      const count = axes.reduce((p, i) => p * xs[i]!, 1)
      return tf.div(spread, count) // [...s]
    },
  }),
})

/** Corrected gradients, registered over tfjs's. */
const overrides: readonly tf.GradConfig[] = [
  chooserBinary('Maximum', tf.greater),
  chooserBinary('Minimum', tf.less),
  chooserReduction('Max', 'reductionIndices'),
  chooserReduction('Min', 'axis'),
  squaredDifference,
  batchMatMul,
  prod,
  unpack,
  tile,
  gatherV2,
  topK,
  reduction('Sum'),
  reduction('Mean'),
  ...['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'].map((k) => zeroGradient(k, ['a', 'b'])),
  zeroGradient('LogicalNot', ['x']),
]

/**
 * Registers every tfjs-core gradient that is not registered yet (another tfjs bundle may have),
 * then imle's corrections over whatever is there.
 */
export function registerGradients(): void {
  for (const config of gradConfigs) if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config)
  for (const config of overrides) tf.registerGradient(config)
}
