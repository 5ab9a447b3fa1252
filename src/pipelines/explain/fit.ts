/**
 * The training loop and data helpers shared by the learning-to-explain runs: Adam over a loss
 * with a per-step key and progress (`fit`, `fitRun`), the epoch order of a seed's batches, rows
 * of flat arrays, soft and hard targets, cross-entropy, the classes of logits, and the loss
 * curve thinned for the results.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import type { Key } from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { adam } from '../../optim/adam.js'
import { applyUpdates } from '../../optim/base.js'
import { valueAndGrad } from '../../transforms/grad.js'
import { foldIn as foldWords, keyWords } from '../data/warcraft/noise.js'
import { permutation } from './data/synthetic.js'

/** A model's parameters: a pytree of tensors. */
export type Params = unknown

/** Disposes the tensors of `old` that `next` does not hold. */
function release(old: unknown, next: unknown): void {
  const keep = new Set(tree.leaves(next).map((x) => x.id))
  for (const x of tree.leaves(old)) if (!keep.has(x.id) && !x.isDisposed) x.dispose()
}

const LOSS_WINDOW = 20

/**
 * Adam on `loss(params, step, key) -> []` (the sum over a batch of `batchSize` examples) for
 * `steps` steps; returns the parameters and the mean loss per example every `lossEvery` steps.
 * `params` is consumed (disposed as it is replaced).
 */
export async function fit(
  params0: Params,
  loss: (params: Params, step: number, key: Key) => tf.Tensor,
  o: { readonly steps: number; readonly batchSize: number; readonly learningRate: number; readonly key: Key; readonly signal?: AbortSignal; readonly onStep?: (step: number, loss: number) => void },
): Promise<{ params: Params; losses: number[]; stopped: boolean }> {
  const optimizer = adam<Params>({ learningRate: o.learningRate })
  let params = params0
  let state: unknown = optimizer.init(params)
  const vg = valueAndGrad((p: Params, step: number, key: Key) => loss(p, step, key))
  const losses: number[] = []
  let stopped = false
  for (let step = 0; step < o.steps; step++) {
    if (o.signal?.aborted === true) {
      stopped = true
      break
    }
    const [value, nextParams, nextState] = tf.tidy(() => {
      const [l, g] = vg(params, step, random.foldIn(o.key, step)) as unknown as [tf.Tensor, Params]
      const [updates, next] = optimizer.update(g, state as never, params)
      return [l, applyUpdates(params, updates), next] as unknown as tf.TensorContainer
    }) as unknown as [tf.Tensor, Params, unknown]
    const v = value.dataSync()[0]! / o.batchSize
    value.dispose()
    release(params, nextParams)
    release(state, nextState)
    params = nextParams
    state = nextState
    losses.push(v)
    o.onStep?.(step + 1, losses.slice(-LOSS_WINDOW).reduce((a, b) => a + b, 0) / Math.min(LOSS_WINDOW, losses.length))
    if (step % 10 === 9) await new Promise((resolve) => setImmediate(resolve))
  }
  tf.dispose(tree.leaves(state))
  return { params, losses, stopped }
}

/**
 * `fit` with a run's training options (its `signal`, progress as `(step, steps, loss)`), then
 * frees `keys`; `undefined` (the parameters freed) when the run was stopped.
 */
export async function fitRun(
  params0: Params,
  loss: (params: Params, step: number, key: Key) => tf.Tensor,
  f: { readonly steps: number; readonly batchSize: number; readonly learningRate: number; readonly key: Key; readonly free: readonly tf.Tensor[] },
  o: { readonly signal?: AbortSignal; readonly onStep?: (step: number, total: number, loss: number) => void },
): Promise<{ params: Params; losses: number[] } | undefined> {
  const fitted = await fit(params0, loss, {
    steps: f.steps, batchSize: f.batchSize, learningRate: f.learningRate, key: f.key,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
    onStep: (s, l) => o.onStep?.(s, f.steps, l),
  })
  tf.dispose([...f.free])
  if (fitted.stopped) {
    tf.dispose(tree.leaves(fitted.params))
    return undefined
  }
  return fitted
}

/** Subsamples per-step losses to at most 200 points: the means of consecutive windows. */
export function thin(losses: readonly number[]): { losses: number[]; every: number } {
  const every = Math.max(1, Math.ceil(losses.length / 200))
  const out: number[] = []
  for (let i = 0; i < losses.length; i += every) {
    const w = losses.slice(i, i + every)
    out.push(w.reduce((a, b) => a + b, 0) / w.length)
  }
  return { losses: out, every }
}

/** Rows `idx` of a flat `[n, row]` array (of any typed-array kind). */
export function rows<T extends Float32Array | Int32Array>(src: T, row: number, idx: ArrayLike<number>, make: (n: number) => T): T {
  const out = make(idx.length * row)
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i]! * row, (idx[i]! + 1) * row), i * row)
  return out
}

/** The soft targets `[1 - p, p]` of rows `idx`, `[m, 2]` flat. */
export function softTargets(p1: Float64Array, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * 2)
  for (let i = 0; i < idx.length; i++) {
    const p = p1[idx[i]!]!
    out[2 * i] = 1 - p
    out[2 * i + 1] = p
  }
  return out
}

/** Cross-entropy against targets `y [B, 2]` summed over the batch: `[B, 2] -> []`. */
export const crossEntropy = (logits: tf.Tensor, y: tf.Tensor): tf.Tensor => ops.neg(ops.sum(ops.mul(y, ops.logSoftmax(logits, -1)))) // []

/** The order of each epoch: epoch `e`'s permutation from `foldIn(key words, e)`. */
export function batchIndex(seedWords: readonly [number, number], n: number, batchSize: number): (step: number) => Int32Array {
  const perEpoch = Math.floor(n / batchSize)
  let epoch = -1
  let order: Int32Array = new Int32Array(0)
  return (step) => {
    const e = Math.floor(step / perEpoch)
    if (e !== epoch) {
      order = permutation(foldWords(seedWords, e), n)
      epoch = e
    }
    const at = (step % perEpoch) * batchSize
    return order.subarray(at, at + batchSize)
  }
}

/** The argmax of each row of `[m, 2]` logits, read to the host. */
export const classes = (logits: tf.Tensor): Int32Array => {
  const v = logits.dataSync()
  const out = new Int32Array(v.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = v[2 * i + 1]! > v[2 * i]! ? 1 : 0
  return out
}

export const EVAL_CHUNK = 1000

/** Int32 labels `[m]` as one-hot float targets `[m, 2]`. */
export const oneHot = (labels: Int32Array): tf.Tensor => {
  const out = new Float32Array(labels.length * 2)
  for (let i = 0; i < labels.length; i++) out[2 * i + labels[i]!] = 1
  return tf.tensor2d(out, [labels.length, 2])
}

/**
 * The MAP explanations and the predictor's classes on `n` test examples, in chunks of
 * `EVAL_CHUNK`: `chunk(s, m)` returns the masks `[m, row]` and the logits `[m, 2]` of examples
 * `s .. s + m` (its tensors are freed here).
 */
export function explainTest(n: number, row: number, chunk: (s: number, m: number) => [tf.Tensor, tf.Tensor]): { masks: Float32Array; predicted: Int32Array } {
  const masks = new Float32Array(n * row)
  const predicted = new Int32Array(n)
  for (let s = 0; s < n; s += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, n - s)
    const [mask, logits] = tf.tidy(() => chunk(s, m)) // [m, row], [m, 2]
    masks.set(mask.dataSync(), s * row)
    predicted.set(classes(logits), s)
    tf.dispose([mask, logits])
  }
  return { masks, predicted }
}

/**
 * The start of a selector-predictor run from its seed: the training key, the initial
 * parameters `{ selector, predictor }`, the epoch order of the batches over `n` examples, and
 * the keys to free once trained.
 */
export function startRun(
  seed: number,
  selector: { readonly init: (key: Key) => unknown },
  predictor: { readonly init: (key: Key) => unknown },
  n: number,
  batchSize: number,
): { trainKey: Key; params0: Params; batch: (step: number) => Int32Array; free: tf.Tensor[] } {
  const root = random.key(seed)
  const [initKey, trainKey] = [random.foldIn(root, 0), random.foldIn(root, 1)]
  const params0 = tf.tidy(() => ({ selector: selector.init(random.foldIn(initKey, 0)), predictor: predictor.init(random.foldIn(initKey, 1)) }) as unknown as tf.TensorContainer) as unknown as Params
  return { trainKey, params0, batch: batchIndex(foldWords(keyWords(seed), 2), n, batchSize), free: [root, initKey, trainKey] }
}
