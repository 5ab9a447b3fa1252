/**
 * One learning-to-explain run on a synthetic set: an MLP selector scores the features, the
 * method selects `k` of them, an MLP predictor sees only those; trained end to end, then the
 * MAP explanations (top-k of the scores) are scored on the test set (median rank of the true
 * features, subset precision, post-hoc accuracy against the Bayes classes).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ConfigError } from '../../core/errors.js'
import * as ops from '../../core/ops.js'
import * as random from '../../core/random/index.js'
import type { Key } from '../../core/random/index.js'
import * as tree from '../../core/tree.js'
import { foldIn as foldWords, keyWords } from '../data/warcraft/noise.js'
import type { ExplainConfig } from './config.js'
import type { SyntheticSet } from './data/synthetic.js'
import { crossEntropy, explainTest, fitRun, rows, softTargets, startRun, thin, type Params } from './fit.js'
import { selection, type ExplainMethod } from './methods.js'
import { agreement, medianRank, subsetPrecision } from './metrics.js'
import { mlpPredictor, mlpSelector } from './models.js'
import type { ExplainRun } from './runner.js'

/** Trains and evaluates one method on a synthetic set. */
export async function runSynthetic(
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
  const { trainKey, params0, batch, free } = startRun(seed, selector, predictor, train.n, B)
  const loss = (p: Params, step: number, key: Key): tf.Tensor => {
    const { selector: ps, predictor: pp } = p as { selector: unknown; predictor: unknown }
    const idx = batch(step)
    const x = tf.tensor2d(rows(train.x, d, idx, (m) => new Float32Array(m)), [B, d]) // [B, d]
    const y = tf.tensor2d(softTargets(train.p1, idx), [B, 2]) // [B, 2]
    const theta = selector.apply(ps, x, { training: true }) // [B, d]
    const mask = sel.train(theta, random.split(key, B)) // [B, d]
    return crossEntropy(predictor.apply(pp, ops.mul(x, mask), { training: true }), y) // []
  }
  const fitted = await fitRun(params0, loss, { steps, batchSize: B, learningRate: c.training.learningRate, key: trainKey, free }, o)
  if (fitted === undefined) return undefined
  // Test: the MAP explanation (top-k of the scores) and the predictor on it.
  const { selector: ps, predictor: pp } = fitted.params as { selector: unknown; predictor: unknown }
  const { masks, predicted } = explainTest(test.n, d, (s, m) => {
    const x = tf.tensor2d(test.x.subarray(s * d, (s + m) * d), [m, d]) // [m, d]
    const z = sel.map(selector.apply(ps, x, { training: false })) // [m, d]
    return [z, predictor.apply(pp, ops.mul(x, z), { training: false })] // [m, d], [m, 2]
  })
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
