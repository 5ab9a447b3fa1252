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
import * as tree from '../../core/tree.js'
import { decodeExplain, type ExplainConfig, type ExplainConfigJson } from './config.js'
import { loadSpam, type LoadSpamOptions } from './data/spam.js'
import { SUBSET_SIZE, synthetic, type SyntheticSet } from './data/synthetic.js'
import { textSet, type TextSet } from './data/text.js'
import type { Params } from './fit.js'
import type { ExplainMethod } from './methods.js'
import { meanStd } from './metrics.js'
import type { Model, TextSizes } from './models.js'
import { runSynthetic } from './run_synthetic.js'
import { runText, trainClassifier } from './run_text.js'

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
