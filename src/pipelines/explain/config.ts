/**
 * The configuration of a learning-to-explain comparison (an io-ts codec: the one declaration,
 * decoded from JSON or built by the presets) and its presets: `quick` (minutes on two CPU
 * cores) and `full` (L2X's and the I-MLE paper's sizes as far as they fit that machine).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeWith, Positive, PositiveInt } from '../../core/config.js'
import { ConfigError } from '../../core/errors.js'
import { METHODS, methodDefaults, MethodSettings } from './methods.js'

/**
 * The data sets: the four synthetic sets of L2X and the SpamAssassin e-mails.
 *
 * @example
 * ```ts
 * DATASETS.map((d) => preset(d))   // five quick comparisons
 * ```
 */
export const DATASETS = ['xor', 'orange', 'additive', 'switch', 'spam'] as const
/** A data set name. */
export type ExplainDataset = (typeof DATASETS)[number]

/**
 * The preset names.
 *
 * @example
 * ```ts
 * EXPLAIN_PRESETS   // ['quick', 'full']
 * ```
 */
export const EXPLAIN_PRESETS = ['quick', 'full'] as const
/** A preset name. */
export type ExplainPreset = (typeof EXPLAIN_PRESETS)[number]

const literals = <T extends string>(names: readonly T[]) => t.union(names.map((n) => t.literal(n)) as unknown as [t.LiteralC<T>, t.LiteralC<T>, ...t.LiteralC<T>[]])
const Int = t.refinement(t.number, Number.isSafeInteger, 'SafeInteger')
const Rate = t.refinement(t.number, (r) => r >= 0 && r < 1, 'a number in [0, 1)')

/**
 * The codec of a comparison:
 * - `dataset`, `methods` (run in this order), `seeds` runs per method from seed `seed` (the
 *   seed sets the initialisation and every key; the data are fixed: synthetic training set from
 *   seed 0 and test set from seed 1, as L2X; the spam split from seed 0);
 * - `training`: `epochs`, `batchSize`, Adam's `learningRate`;
 * - `synthetic`: `train` and `test` examples, the selector's and the predictor's hidden units;
 * - `text`: `vocab` (reserved ids included), `length` (tokens per message), `embedding`,
 *   `filters`, `hidden`, `dropout`, `k` (tokens selected), `classifierEpochs` (the model that
 *   reads the whole message), `examples` (test messages shown highlighted in the report);
 * - `settings`: the methods' temperatures and steps (`MethodSettings`).
 *
 * @example
 * ```ts
 * E.isRight(decodeExplain(preset('xor', 'quick')))   // true
 * ```
 */
export const ExplainConfig = t.type({
  dataset: literals(DATASETS),
  methods: t.array(literals(METHODS)),
  seeds: PositiveInt,
  seed: Int,
  training: t.type({ epochs: PositiveInt, batchSize: PositiveInt, learningRate: Positive }),
  synthetic: t.type({ train: PositiveInt, test: PositiveInt, selectorHidden: PositiveInt, predictorHidden: PositiveInt }),
  text: t.type({
    vocab: PositiveInt,
    length: PositiveInt,
    embedding: PositiveInt,
    filters: PositiveInt,
    hidden: PositiveInt,
    dropout: Rate,
    k: PositiveInt,
    classifierEpochs: PositiveInt,
    examples: t.number,
  }),
  settings: MethodSettings,
})
/** A decoded comparison. */
export type ExplainConfig = t.TypeOf<typeof ExplainConfig>
/** A comparison as JSON (branded numbers as plain numbers). */
export type ExplainConfigJson = t.OutputOf<typeof ExplainConfig>

/**
 * Decodes a comparison from JSON; a bad field is a `ConfigError` naming its path:
 * `explain(json.training.batchSize): expected PositiveInt but got 0`.
 *
 * @example
 * ```ts
 * decodeExplain({ ...preset('xor', 'quick'), seeds: 0 })   // Left(ConfigError('explain(json.seeds): ...'))
 * ```
 */
export function decodeExplain(json: unknown): E.Either<ConfigError, ExplainConfig> {
  const r = decodeWith('explain', ExplainConfig, json, 'json')
  if (E.isLeft(r)) return r
  const { methods, text } = r.right
  if (methods.length === 0) return E.left(configError('explain(json.methods): expected at least one method but got []'))
  if (text.k > text.length) return E.left(configError(`explain(json.text.k): k must be at most the message length ${text.length} but got ${text.k}`))
  return r
}

const configError = (message: string): ConfigError => new ConfigError(message)

const sizes = {
  quick: {
    training: { epochs: 2, batchSize: 100, learningRate: 1e-3 },
    synthetic: { train: 10_000, test: 2_000, selectorHidden: 100, predictorHidden: 200 },
    textTraining: { epochs: 1, batchSize: 50, learningRate: 3e-3 },
    text: { vocab: 2000, length: 100, embedding: 16, filters: 32, hidden: 32, dropout: 0.2, k: 10, classifierEpochs: 1, examples: 6 },
    seeds: 1,
  },
  full: {
    // L2X: 1e6 training examples, one epoch of batches of 1000, 1e5 validation examples.
    training: { epochs: 1, batchSize: 1000, learningRate: 1e-3 },
    synthetic: { train: 1_000_000, test: 100_000, selectorHidden: 100, predictorHidden: 200 },
    textTraining: { epochs: 5, batchSize: 50, learningRate: 2e-3 },
    text: { vocab: 5000, length: 200, embedding: 32, filters: 64, hidden: 64, dropout: 0.2, k: 10, classifierEpochs: 5, examples: 8 },
    seeds: 3,
  },
} as const

/**
 * The comparison of a data set at a preset size, every method, the paper's temperatures.
 *
 * | preset | synthetic | spam |
 * |---|---|---|
 * | `quick` | 10,000 train / 2,000 test, 2 epochs of 100 | vocabulary 2000, 100 tokens, 1 epoch of 50 |
 * | `full` | 1,000,000 / 100,000 (L2X's), 1 epoch of 1000 | vocabulary 5000, 200 tokens, 5 epochs of 50 |
 *
 * @example
 * ```ts
 * const c = preset('orange', 'quick')   // ExplainConfigJson
 * c.synthetic.train                      // 10000
 * ```
 */
export function preset(dataset: ExplainDataset, name: ExplainPreset = 'quick'): ExplainConfigJson {
  const s = sizes[name]
  return {
    dataset,
    methods: [...METHODS],
    seeds: s.seeds,
    seed: 0,
    training: dataset === 'spam' ? { ...s.textTraining } : { ...s.training },
    synthetic: { ...s.synthetic },
    text: { ...s.text },
    settings: { ...methodDefaults },
  }
}
