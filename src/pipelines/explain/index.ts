/**
 * Learning to explain (L2X, Chen et al., ICML 2018; the I-MLE paper's second experiment): a
 * selector scores every feature or token, a k-subset method samples exactly `k` of them, a
 * predictor sees only those, and at test time the top-k of the scores is the explanation.
 * L2X's four synthetic sets and the SpamAssassin e-mails; eight selection methods compared in
 * one run (`explain`), the paper's table (`resultsTable`) and a report (`writeExplainReport`).
 *
 * @example
 * ```ts
 * import { explain as l2x } from './src/pipelines/explain/index.js'
 * const result = await l2x.explain(l2x.preset('orange', 'quick'))
 * await l2x.writeExplainReport('out/explain-orange', result)
 * ```
 *
 * @module
 */
export { DATASETS, EXPLAIN_PRESETS, ExplainConfig, decodeExplain, preset, type ExplainConfigJson, type ExplainDataset, type ExplainPreset } from './config.js'
export { METHODS, METHOD_LABELS, MethodSettings, methodDefaults, selection, type ExplainMethod, type Selection } from './methods.js'
export { explain, syntheticData, spamData, type ExplainOptions, type ExplainProgress, type ExplainResult, type ExplainRun, type ExplainedMessage, type MetricSummary } from './runner.js'
export { resultsTable, writeExplainReport, highlightSvg, highlightHtml, METRIC_COLUMNS } from './report.js'
export { medianRank, subsetPrecision, agreement, meanStd } from './metrics.js'
export { mlpSelector, mlpPredictor, textSelector, textPredictor, textClassifier, type Model, type TextSizes } from './models.js'
export {
  synthetic,
  SyntheticConfig,
  SYNTHETIC,
  SUBSET_SIZE,
  FEATURES,
  orangeLogit,
  additiveLogit,
  xorLogit,
  probOne,
  permutation,
  type SyntheticName,
  type SyntheticSet,
} from './data/synthetic.js'
export { loadSpam, spamDataDir, SpamDataError, SPAM_PACKAGE, SPAM_GROUPS, type SpamGroup, type SpamMessage, type LoadSpamOptions } from './data/spam.js'
export { tokenize, buildVocabulary, encode, textSet, PAD, UNK, type Vocabulary, type TextSet, type TextSplit, type TextSetOptions } from './data/text.js'
