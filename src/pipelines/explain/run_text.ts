/**
 * Learning-to-explain runs on the SpamAssassin e-mails: the whole-message classifier of a seed
 * (the reference for fidelity and post-hoc accuracy), and one method's run: a convolutional
 * selector over tokens, exactly `k` tokens selected, a predictor that sees only them; trained
 * end to end, then scored on the test messages, with the selected words of a few messages.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ConfigError } from '../../core/errors.js'
import * as random from '../../core/random/index.js'
import type { Key } from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { foldIn as foldWords, keyWords } from '../data/warcraft/noise.js'
import type { ExplainConfig } from './config.js'
import { PAD, type TextSet, type TextSplit } from './data/text.js'
import { batchIndex, classes, crossEntropy, EVAL_CHUNK, explainTest, fitRun, oneHot, rows, startRun, thin, type Params } from './fit.js'
import { selection, type ExplainMethod } from './methods.js'
import { agreement } from './metrics.js'
import { textClassifier, textPredictor, textSelector, type Model, type TextSizes } from './models.js'
import type { ExplainedMessage, ExplainRun } from './runner.js'

/** Trains the whole-message classifier of a seed; returns its parameters, test classes and accuracy. */
export async function trainClassifier(
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
    const m = Math.min(n - s)
    const logits = tf.tidy(() => model.apply(params, tf.tensor2d(ids.subarray(s * L, (s + m) * L), [m, L], 'int32'), { training: false })) // [m, 2]
    out.set(classes(logits), s)
    logits.dispose()
  }
  return out
}

/** Trains and evaluates one method on the text set, against the seed's whole-message classifier. */
export async function runText(
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
  const { trainKey, params0, batch, free } = startRun(seed, selector, predictor, train.n, B)
  const loss = (p: Params, step: number, key: Key): tf.Tensor => {
    const { selector: ps, predictor: pp } = p as { selector: unknown; predictor: unknown }
    const idx = batch(step)
    const ids = tf.tensor2d(rows(train.ids, L, idx, (m) => new Int32Array(m)), [B, L], 'int32') // [B, L]
    const y = oneHot(rows(train.labels, 1, idx, (m) => new Int32Array(m))) // [B, 2]
    const theta = selector.apply(ps, ids, { training: true, key: random.foldIn(key, 0) }) // [B, L]
    const mask = sel.train(theta, random.split(random.foldIn(key, 1), B)) // [B, L]
    return crossEntropy(predictor.apply(pp, [ids, mask], { training: true }), y) // []
  }
  const fitted = await fitRun(params0, loss, { steps, batchSize: B, learningRate: c.training.learningRate, key: trainKey, free }, o)
  if (fitted === undefined) return undefined
  const { selector: ps, predictor: pp } = fitted.params as { selector: unknown; predictor: unknown }
  const { masks, predicted } = explainTest(test.n, L, (s, m) => {
    const ids = tf.tensor2d(test.ids.subarray(s * L, (s + m) * L), [m, L], 'int32') // [m, L]
    const z = sel.map(selector.apply(ps, ids, { training: false })) // [m, L]
    return [z, predictor.apply(pp, [ids, z], { training: false })] // [m, L], [m, 2]
  })
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
