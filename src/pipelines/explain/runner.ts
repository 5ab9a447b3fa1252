/**
 * The learning-to-explain runner: for each method and seed, trains a selector (scores per
 * feature or token), a k-subset selection (the method) and a predictor that sees only the
 * selected part, end to end with Adam, then evaluates the MAP explanations (top-k of the
 * scores) on the test split. Deterministic given the seed: every key is `random.foldIn` of
 * the seed's key by role and step.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { ConfigError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import type { Key } from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { adam } from '../../optim/adam.js'
import { applyUpdates } from '../../optim/base.js'
import { valueAndGrad } from '../../transforms/grad.js'
import { foldIn as foldWords, keyWords } from '../data/warcraft/noise.js'
import { decodeExplain, type ExplainConfig, type ExplainConfigJson } from './config.js'
import { loadSpam, type LoadSpamOptions } from './data/spam.js'
import { permutation, SUBSET_SIZE, synthetic, type SyntheticSet } from './data/synthetic.js'
import { PAD, textSet, type TextSet, type TextSplit } from './data/text.js'
import { selection, type ExplainMethod } from './methods.js'
import { agreement, medianRank, meanStd, subsetPrecision } from './metrics.js'
import { mlpPredictor, mlpSelector, textClassifier, textPredictor, textSelector, type Model, type TextSizes } from './models.js'

/** What `onProgress` receives after each training step. */
export interface ExplainProgress {
  /** The run: the method (or `'classifier'`, the model that reads whole messages) and the seed. */
  readonly method: ExplainMethod | 'classifier'
  readonly seed: number
  /** 0-based index of the run and the number of runs. */
  readonly index: number
  readonly count: number
  readonly step: number
  readonly totalSteps: number
  /** The mean training loss per example over the last 20 steps. */
  readonly loss: number
  readonly elapsedMs: number
}

/** One trained run and its test metrics. */
export interface ExplainRun {
  readonly method: ExplainMethod
  readonly seed: number
  readonly steps: number
  /** Synthetic: `medianRank`, `medianRankStd` (over examples), `precision`, `posthocAccuracy`. Spam: `accuracy`, `fidelity`, `posthocAccuracy`. */
  readonly metrics: Readonly<Record<string, number>>
  /** Mean training loss per example, every `lossEvery` steps. */
  readonly losses: readonly number[]
  readonly lossEvery: number
  readonly elapsedMs: number
}

/** One test message and a method's explanation of it. */
export interface ExplainedMessage {
  readonly index: number
  readonly label: number
  /** The predictor's class on the selected tokens, and the whole-message classifier's. */
  readonly predicted: number
  readonly classifier: number
  readonly tokens: readonly string[]
  /** The positions (into `tokens`) of the selected tokens. */
  readonly selected: readonly number[]
}

/** A metric's mean ± std over seeds. */
export interface MetricSummary {
  readonly mean: number
  readonly std: number
  readonly n: number
}

/** The result of `explain`, also written as `results.json`. */
export interface ExplainResult {
  readonly config: ExplainConfig
  readonly runs: readonly ExplainRun[]
  /** Per method, in the configured order: each metric's mean ± std over seeds, the mean run time. */
  readonly summary: readonly { readonly method: ExplainMethod; readonly metrics: Readonly<Record<string, MetricSummary>>; readonly elapsedMs: number }[]
  /** Spam: the whole-message classifier of each seed and its test accuracy. */
  readonly classifier?: readonly { readonly seed: number; readonly accuracy: number; readonly elapsedMs: number }[]
  /** Spam: the first seed's explanations of a sample of test messages, per method. */
  readonly examples?: readonly { readonly method: ExplainMethod; readonly messages: readonly ExplainedMessage[] }[]
  /** The data: training and test examples (messages), the subset size `k`, and the features per example (tokens per message for spam). */
  readonly data: { readonly train: number; readonly test: number; readonly k: number; readonly features: number }
  readonly status: 'completed' | 'stopped'
  readonly elapsedMs: number
}

/** Options of `explain`. */
export interface ExplainOptions {
  readonly onProgress?: (p: ExplainProgress) => void
  /** Stops after the current step; the runs done so far are returned with `status: 'stopped'`. */
  readonly signal?: AbortSignal
  /** Where the spam corpus is read from (default: the installed package). */
  readonly spam?: LoadSpamOptions
  /** The synthetic data (default: generated from the config); lets tests share one set. */
  readonly syntheticData?: { readonly train: SyntheticSet; readonly test: SyntheticSet }
  /** The text data (default: read and prepared from the config). */
  readonly textData?: TextSet
}

type Params = unknown

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
async function fit(
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
async function fitRun(
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
function thin(losses: readonly number[]): { losses: number[]; every: number } {
  const every = Math.max(1, Math.ceil(losses.length / 200))
  const out: number[] = []
  for (let i = 0; i < losses.length; i += every) {
    const w = losses.slice(i, i + every)
    out.push(w.reduce((a, b) => a + b, 0) / w.length)
  }
  return { losses: out, every }
}

/** Rows `idx` of a flat `[n, row]` array (of any typed-array kind). */
function rows<T extends Float32Array | Int32Array>(src: T, row: number, idx: ArrayLike<number>, make: (n: number) => T): T {
  const out = make(idx.length * row)
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i]! * row, (idx[i]! + 1) * row), i * row)
  return out
}

/** The soft targets `[1 - p, p]` of rows `idx`, `[m, 2]` flat. */
function softTargets(p1: Float64Array, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * 2)
  for (let i = 0; i < idx.length; i++) {
    const p = p1[idx[i]!]!
    out[2 * i] = 1 - p
    out[2 * i + 1] = p
  }
  return out
}

/** Cross-entropy against targets `y [B, 2]` summed over the batch: `[B, 2] -> []`. */
const crossEntropy = (logits: tf.Tensor, y: tf.Tensor): tf.Tensor => ops.neg(ops.sum(ops.mul(y, ops.logSoftmax(logits, -1)))) // []

/** The order of each epoch: epoch `e`'s permutation from `foldIn(key words, e)`. */
function batchIndex(seedWords: readonly [number, number], n: number, batchSize: number): (step: number) => Int32Array {
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
const classes = (logits: tf.Tensor): Int32Array => {
  const v = logits.dataSync()
  const out = new Int32Array(v.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = v[2 * i + 1]! > v[2 * i]! ? 1 : 0
  return out
}

const EVAL_CHUNK = 1000

/** Trains and evaluates one method on a synthetic set. */
async function runSynthetic(
  c: ExplainConfig,
  method: ExplainMethod,
  seed: number,
  data: { readonly train: SyntheticSet; readonly test: SyntheticSet },
  o: { readonly signal?: AbortSignal; readonly onStep?: (step: number, total: number, loss: number) => void },
): Promise<ExplainRun | undefined> {
  const t0 = performance.now()
  const { train, test } = data
  const d = train.d
  const k = train.k
  const B = c.training.batchSize
  const steps = c.training.epochs * Math.floor(train.n / B)
  if (steps < 1) throw new ConfigError(`explain(json.training.batchSize): the batch size ${B} exceeds the ${train.n} training examples`)
  const selector = mlpSelector(d, c.synthetic.selectorHidden)
  const predictor = mlpPredictor(d, c.synthetic.predictorHidden)
  const sel = selection(method, k, c.settings)
  const root = random.key(seed)
  const [initKey, trainKey] = [random.foldIn(root, 0), random.foldIn(root, 1)]
  const params0 = tf.tidy(() => ({ selector: selector.init(random.foldIn(initKey, 0)), predictor: predictor.init(random.foldIn(initKey, 1)) }) as unknown as tf.TensorContainer) as unknown as Params
  const batch = batchIndex(foldWords(keyWords(seed), 2), train.n, B)
  const loss = (p: Params, step: number, key: Key): tf.Tensor => {
    const { selector: ps, predictor: pp } = p as { selector: unknown; predictor: unknown }
    const idx = batch(step)
    const x = tf.tensor2d(rows(train.x, d, idx, (m) => new Float32Array(m)), [B, d]) // [B, d]
    const y = tf.tensor2d(softTargets(train.p1, idx), [B, 2]) // [B, 2]
    const theta = selector.apply(ps, x, { training: true }) // [B, d]
    const mask = sel.train(theta, random.split(key, B)) // [B, d]
    return crossEntropy(predictor.apply(pp, ops.mul(x, mask), { training: true }), y) // []
  }
  const fitted = await fitRun(params0, loss, { steps, batchSize: B, learningRate: c.training.learningRate, key: trainKey, free: [root, initKey, trainKey] }, o)
  if (fitted === undefined) return undefined
  // Test: the MAP explanation (top-k of the scores) and the predictor on it.
  const { selector: ps, predictor: pp } = fitted.params as { selector: unknown; predictor: unknown }
  const masks = new Float32Array(test.n * d)
  const predicted = new Int32Array(test.n)
  for (let s = 0; s < test.n; s += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, test.n - s)
    const [mask, logits] = tf.tidy(() => {
      const x = tf.tensor2d(test.x.subarray(s * d, (s + m) * d), [m, d]) // [m, d]
      const z = sel.map(selector.apply(ps, x, { training: false })) // [m, d]
      return [z, predictor.apply(pp, ops.mul(x, z), { training: false })] // [m, d], [m, 2]
    })
    masks.set(mask.dataSync(), s * d)
    predicted.set(classes(logits), s)
    tf.dispose([mask, logits])
  }
  tf.dispose(tree.leaves(fitted.params))
  const bayes = Int32Array.from(test.p1, (p) => (p >= 0.5 ? 1 : 0))
  const rank = medianRank(masks, test.relevant, test.n, d, foldWords(keyWords(seed), 3))
  const thinned = thin(fitted.losses)
  return {
    method,
    seed,
    steps,
    metrics: { medianRank: rank.mean, medianRankStd: rank.std, precision: subsetPrecision(masks, test.relevant, test.n, d), posthocAccuracy: agreement(predicted, bayes) },
    losses: thinned.losses,
    lossEvery: thinned.every,
    elapsedMs: performance.now() - t0,
  }
}

/** Int32 labels `[m]` as one-hot float targets `[m, 2]`. */
const oneHot = (labels: Int32Array): tf.Tensor => {
  const out = new Float32Array(labels.length * 2)
  for (let i = 0; i < labels.length; i++) out[2 * i + labels[i]!] = 1
  return tf.tensor2d(out, [labels.length, 2])
}

/** Trains the whole-message classifier of a seed; returns its parameters, test classes and accuracy. */
async function trainClassifier(
  c: ExplainConfig,
  sizes: TextSizes,
  data: TextSet,
  seed: number,
  o: { readonly signal?: AbortSignal; readonly onStep?: (step: number, total: number, loss: number) => void },
): Promise<{ model: Model<tf.Tensor>; params: Params; classes: Int32Array; accuracy: number; elapsedMs: number } | undefined> {
  const t0 = performance.now()
  const { train, test } = data
  const L = train.length
  const B = c.training.batchSize
  const model = textClassifier(sizes)
  const steps = c.text.classifierEpochs * Math.floor(train.n / B)
  const root = tf.tidy(() => random.foldIn(random.key(seed), 100))
  const batch = batchIndex(foldWords(keyWords(seed), 102), train.n, B)
  const loss = (p: Params, step: number, key: Key): tf.Tensor => {
    const idx = batch(step)
    const ids = tf.tensor2d(rows(train.ids, L, idx, (m) => new Int32Array(m)), [B, L], 'int32') // [B, L]
    const y = oneHot(rows(train.labels, 1, idx, (m) => new Int32Array(m))) // [B, 2]
    return crossEntropy(model.apply(p, ids, { training: true, key }), y) // []
  }
  const params0 = tf.tidy(() => model.init(random.foldIn(root, 0)) as tf.TensorContainer) as Params
  const trainKey = random.foldIn(root, 1)
  const fitted = await fitRun(params0, loss, { steps, batchSize: B, learningRate: c.training.learningRate, key: trainKey, free: [root, trainKey] }, o)
  if (fitted === undefined) return undefined
  const cls = classifyIds(model, fitted.params, test.ids, test.n, L)
  return { model, params: fitted.params, classes: cls, accuracy: agreement(cls, test.labels), elapsedMs: performance.now() - t0 }
}

/** The classes a whole-message classifier gives `n` messages of `L` ids. */
function classifyIds(model: Model<tf.Tensor>, params: Params, ids: Int32Array, n: number, L: number): Int32Array {
  const out = new Int32Array(n)
  for (let s = 0; s < n; s += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, n - s)
    const logits = tf.tidy(() => model.apply(params, tf.tensor2d(ids.subarray(s * L, (s + m) * L), [m, L], 'int32'), { training: false })) // [m, 2]
    out.set(classes(logits), s)
    logits.dispose()
  }
  return out
}

/** Trains and evaluates one method on the text set, against the seed's whole-message classifier. */
async function runText(
  c: ExplainConfig,
  sizes: TextSizes,
  method: ExplainMethod,
  seed: number,
  data: TextSet,
  full: { readonly model: Model<tf.Tensor>; readonly params: Params; readonly classes: Int32Array },
  o: { readonly signal?: AbortSignal; readonly onStep?: (step: number, total: number, loss: number) => void; readonly examples: number },
): Promise<{ run: ExplainRun; examples: ExplainedMessage[] } | undefined> {
  const t0 = performance.now()
  const { train, test } = data
  const L = train.length
  const k = c.text.k
  const B = c.training.batchSize
  const steps = c.training.epochs * Math.floor(train.n / B)
  if (steps < 1) throw new ConfigError(`explain(json.training.batchSize): the batch size ${B} exceeds the ${train.n} training messages`)
  const selector = textSelector(sizes)
  const predictor = textPredictor(sizes)
  const sel = selection(method, k, c.settings)
  const root = random.key(seed)
  const [initKey, trainKey] = [random.foldIn(root, 0), random.foldIn(root, 1)]
  const params0 = tf.tidy(() => ({ selector: selector.init(random.foldIn(initKey, 0)), predictor: predictor.init(random.foldIn(initKey, 1)) }) as unknown as tf.TensorContainer) as unknown as Params
  const batch = batchIndex(foldWords(keyWords(seed), 2), train.n, B)
  const loss = (p: Params, step: number, key: Key): tf.Tensor => {
    const { selector: ps, predictor: pp } = p as { selector: unknown; predictor: unknown }
    const idx = batch(step)
    const ids = tf.tensor2d(rows(train.ids, L, idx, (m) => new Int32Array(m)), [B, L], 'int32') // [B, L]
    const y = oneHot(rows(train.labels, 1, idx, (m) => new Int32Array(m))) // [B, 2]
    const theta = selector.apply(ps, ids, { training: true, key: random.foldIn(key, 0) }) // [B, L]
    const mask = sel.train(theta, random.split(random.foldIn(key, 1), B)) // [B, L]
    return crossEntropy(predictor.apply(pp, [ids, mask], { training: true }), y) // []
  }
  const fitted = await fitRun(params0, loss, { steps, batchSize: B, learningRate: c.training.learningRate, key: trainKey, free: [root, initKey, trainKey] }, o)
  if (fitted === undefined) return undefined
  const { selector: ps, predictor: pp } = fitted.params as { selector: unknown; predictor: unknown }
  const masks = new Float32Array(test.n * L)
  const predicted = new Int32Array(test.n)
  for (let s = 0; s < test.n; s += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, test.n - s)
    const [mask, logits] = tf.tidy(() => {
      const ids = tf.tensor2d(test.ids.subarray(s * L, (s + m) * L), [m, L], 'int32') // [m, L]
      const z = sel.map(selector.apply(ps, ids, { training: false })) // [m, L]
      return [z, predictor.apply(pp, [ids, z], { training: false })] // [m, L], [m, 2]
    })
    masks.set(mask.dataSync(), s * L)
    predicted.set(classes(logits), s)
    tf.dispose([mask, logits])
  }
  tf.dispose(tree.leaves(fitted.params))
  // L2X's post-hoc accuracy: the whole-message classifier on the selected tokens only.
  const reduced = new Int32Array(test.ids.length)
  for (let i = 0; i < reduced.length; i++) reduced[i] = masks[i]! > 0.5 ? test.ids[i]! : PAD
  const onSelected = classifyIds(full.model, full.params, reduced, test.n, L)
  const thinned = thin(fitted.losses)
  const examples = sampleMessages(test, o.examples).map((i) => ({
    index: i,
    label: test.labels[i]!,
    predicted: predicted[i]!,
    classifier: full.classes[i]!,
    tokens: test.tokens[i]!,
    selected: Array.from({ length: L }, (_, j) => j).filter((j) => masks[i * L + j]! > 0.5 && j < test.tokens[i]!.length),
  }))
  return {
    run: {
      method,
      seed,
      steps,
      metrics: { accuracy: agreement(predicted, test.labels), fidelity: agreement(predicted, full.classes), posthocAccuracy: agreement(onSelected, full.classes) },
      losses: thinned.losses,
      lossEvery: thinned.every,
      elapsedMs: performance.now() - t0,
    },
    examples,
  }
}

/** `m` test messages to show: alternately spam and ham, the first of each in test order. */
function sampleMessages(test: TextSplit, m: number): number[] {
  const spam: number[] = []
  const ham: number[] = []
  for (let i = 0; i < test.n && (spam.length < m || ham.length < m); i++) (test.labels[i] === 1 ? spam : ham).push(i)
  const out: number[] = []
  for (let j = 0; out.length < m && (j < spam.length || j < ham.length); j++) {
    if (j < spam.length && out.length < m) out.push(spam[j]!)
    if (j < ham.length && out.length < m) out.push(ham[j]!)
  }
  return out
}

/**
 * The synthetic training (seed 0) and test (seed 1) sets of a config, as L2X.
 *
 * @example
 * ```ts
 * const data = syntheticData(decoded)   // decoded: a decoded ExplainConfig
 * await explain(decoded, { syntheticData: data })
 * ```
 */
export function syntheticData(c: ExplainConfig): { train: SyntheticSet; test: SyntheticSet } {
  if (c.dataset === 'spam') throw new ConfigError(`explain.syntheticData(config.dataset): expected one of xor, orange, additive, switch but got 'spam'`)
  return { train: synthetic({ dataset: c.dataset, n: c.synthetic.train, seed: 0 }), test: synthetic({ dataset: c.dataset, n: c.synthetic.test, seed: 1 }) }
}

/**
 * The spam text set of a config: the corpus read (a `SpamDataError` if it cannot be), split and encoded.
 *
 * @example
 * ```ts
 * spamData(decoded).vocab.words.length   // decoded.text.vocab
 * ```
 */
export function spamData(c: ExplainConfig, options: LoadSpamOptions = {}): TextSet {
  const corpus = loadSpam(options)
  if (E.isLeft(corpus)) throw corpus.left
  return textSet(corpus.right, { vocabSize: c.text.vocab, length: c.text.length, seed: 0 })
}

/**
 * Runs a comparison: every method of `config.methods` for `config.seeds` seeds, in order
 * (seed-major within a method), and summarises each metric's mean ± std over seeds. For spam,
 * each seed first trains the whole-message classifier that the explanations' fidelity and
 * post-hoc accuracy are measured against. Throws a `ConfigError` for a bad config and a
 * `SpamDataError` when the corpus cannot be read.
 *
 * @example
 * ```ts
 * const result = await explain(preset('orange', 'quick'), { onProgress: (p) => console.log(p.method, p.step, p.loss) })
 * result.summary[0]?.metrics['medianRank']?.mean   // 2.5 is ideal for k = 4
 * ```
 */
export async function explain(config: ExplainConfig | ExplainConfigJson, options: ExplainOptions = {}): Promise<ExplainResult> {
  const decoded = decodeExplain(config)
  if (E.isLeft(decoded)) throw decoded.left
  const c = decoded.right
  const t0 = performance.now()
  const seeds = Array.from({ length: c.seeds }, (_, i) => c.seed + i)
  const runs: ExplainRun[] = []
  const { signal, onProgress } = options
  let status: ExplainResult['status'] = 'completed'
  const count = c.methods.length * seeds.length + (c.dataset === 'spam' ? seeds.length : 0)
  let index = 0
  const progress = (method: ExplainProgress['method'], seed: number, i: number) => (step: number, totalSteps: number, loss: number) =>
    onProgress?.({ method, seed, index: i, count, step, totalSteps, loss, elapsedMs: performance.now() - t0 })
  const base = { ...(signal === undefined ? {} : { signal }) }
  if (c.dataset !== 'spam') {
    const data = options.syntheticData ?? syntheticData(c)
    if (data.train.k !== SUBSET_SIZE[c.dataset]) throw new ConfigError(`explain(options.syntheticData): the data are not the '${c.dataset}' set`)
    outer: for (const method of c.methods) {
      for (const seed of seeds) {
        const r = await runSynthetic(c, method, seed, data, { ...base, onStep: progress(method, seed, index++) })
        if (r === undefined) {
          status = 'stopped'
          break outer
        }
        runs.push(r)
      }
    }
    return finish(c, runs, status, t0, { train: data.train.n, test: data.test.n, k: data.train.k, features: data.train.d })
  }
  const data = options.textData ?? spamData(c, options.spam)
  const sizes: TextSizes = { vocab: data.vocab.words.length, length: c.text.length, embedding: c.text.embedding, filters: c.text.filters, hidden: c.text.hidden, dropout: c.text.dropout }
  const classifiers: { seed: number; accuracy: number; elapsedMs: number }[] = []
  const examples: { method: ExplainMethod; messages: ExplainedMessage[] }[] = []
  const fulls = new Map<number, { model: Model<tf.Tensor>; params: Params; classes: Int32Array }>()
  try {
    outer: for (const seed of seeds) {
      const full = await trainClassifier(c, sizes, data, seed, { ...base, onStep: progress('classifier', seed, index++) })
      if (full === undefined) {
        status = 'stopped'
        break
      }
      fulls.set(seed, full)
      classifiers.push({ seed, accuracy: full.accuracy, elapsedMs: full.elapsedMs })
      for (const method of c.methods) {
        const r = await runText(c, sizes, method, seed, data, full, { ...base, onStep: progress(method, seed, index++), examples: seed === c.seed ? c.text.examples : 0 })
        if (r === undefined) {
          status = 'stopped'
          break outer
        }
        runs.push(r.run)
        if (seed === c.seed) examples.push({ method, messages: r.examples })
      }
    }
  } finally {
    for (const f of fulls.values()) tf.dispose(tree.leaves(f.params))
  }
  // Runs come seed-major for text; present them method-major as the synthetic ones.
  const ordered = c.methods.flatMap((m) => runs.filter((r) => r.method === m))
  return { ...finish(c, ordered, status, t0, { train: data.train.n, test: data.test.n, k: c.text.k, features: c.text.length }), classifier: classifiers, examples }
}

function finish(c: ExplainConfig, runs: readonly ExplainRun[], status: ExplainResult['status'], t0: number, data: ExplainResult['data']): ExplainResult {
  const summary = c.methods
    .map((method) => {
      const mine = runs.filter((r) => r.method === method)
      if (mine.length === 0) return undefined
      const names = Object.keys(mine[0]!.metrics)
      const metrics = Object.fromEntries(names.map((n) => [n, meanStd(mine.map((r) => r.metrics[n]!))]))
      return { method, metrics, elapsedMs: mine.reduce((a, r) => a + r.elapsedMs, 0) / mine.length }
    })
    .filter((s): s is NonNullable<typeof s> => s !== undefined)
  return { config: c, runs, summary, data, status, elapsedMs: performance.now() - t0 }
}
