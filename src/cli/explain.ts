/**
 * `imle explain`: learning to explain, L2X's synthetic sets or SpamAssassin e-mails, every
 * selection method (the I-MLE paper's table) in one run: prints the results table (mean ± std
 * over seeds) and writes `results.json`, `report.html` (and for spam `explanations.html`) into
 * the run folder. Exit status as the other commands: 2 for a bad option or a missing corpus,
 * 130 when stopped by Ctrl-C.
 *
 * @example
 * ```sh
 * node bin/imle.mjs explain --dataset orange --preset quick --seeds 2 --run-dir out/explain-orange
 * node bin/imle.mjs explain --dataset spam --methods imle-sog,l2x
 * ```
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { init } from '../core/backend.js'
import { DATASETS, decodeExplain, EXPLAIN_PRESETS, preset, type ExplainDataset, type ExplainPreset } from '../pipelines/explain/config.js'
import { SpamDataError } from '../pipelines/explain/data/spam.js'
import { METHODS, type ExplainMethod } from '../pipelines/explain/methods.js'
import { resultsTable, writeExplainReport } from '../pipelines/explain/report.js'
import { explain, type ExplainProgress } from '../pipelines/explain/runner.js'
import { formatTable } from '../pipelines/runner/summary.js'
import { CliError, methodList, oneOf, positiveInt, positiveNumber, withInterrupt } from './options.js'
import { progressReporter, type Reporter } from './progress.js'

const methodsOption = methodList(METHODS)

/** The options of `imle explain`. */
interface ExplainCliOptions {
  readonly dataset: ExplainDataset
  readonly preset: ExplainPreset
  readonly methods: ExplainMethod[]
  readonly seeds?: number
  readonly seed: number
  readonly train?: number
  readonly test?: number
  readonly epochs?: number
  readonly batchSize?: number
  readonly beta?: number
  readonly runDir?: string
  readonly report: boolean
}

/** Turns the runner's progress into the shared reporter's (a plain line every tenth of a run when not on a TTY). */
function progressPrinter(out: NodeJS.WriteStream): { update: (p: ExplainProgress) => void; stop: () => void } {
  let reporter: Reporter | undefined
  let current = -1
  let start = 0
  return {
    update: (p) => {
      if (p.index !== current) {
        reporter?.stop()
        reporter = progressReporter(`[${p.index + 1}/${p.count}] ${p.method} seed ${p.seed}`, out)
        current = p.index
        start = p.elapsedMs
      }
      const every = Math.max(1, Math.round(p.totalSteps / 10))
      const rate = (p.elapsedMs - start) / Math.max(1, p.step)
      reporter!.update({
        phase: p.step % every === 0 || p.step === p.totalSteps ? 'eval' : 'train',
        step: p.step,
        totalSteps: p.totalSteps,
        epoch: 0,
        epochs: 1,
        loss: p.loss,
        metrics: {},
        elapsedMs: p.elapsedMs - start,
        etaMs: rate * (p.totalSteps - p.step),
      })
    },
    stop: () => reporter?.stop(),
  }
}

/**
 * The `explain` command, to be added to the `imle` program (`program().addCommand(explainCommand())`).
 *
 * @example
 * ```ts
 * await explainCommand().parseAsync(['--dataset', 'xor', '--methods', 'imle-sog', '--run-dir', 'out/x'], { from: 'user' })
 * ```
 */
export function explainCommand(): Command {
  return new Command('explain')
    .description("learning to explain: L2X's synthetic sets or SpamAssassin e-mails, every k-subset method in one run (the I-MLE paper's table)")
    .option('--dataset <name>', `one of ${DATASETS.join(', ')}`, oneOf(DATASETS, 'a data set:'), 'xor' as ExplainDataset)
    .option('--preset <name>', `one of ${EXPLAIN_PRESETS.join(', ')}`, oneOf(EXPLAIN_PRESETS, 'a preset:'), 'quick' as ExplainPreset)
    .option('--methods <list>', `'all' or a comma-separated list of ${METHODS.join(', ')}`, methodsOption, [...METHODS] as ExplainMethod[])
    .option('--seeds <n>', "seeds per method (mean ± std; default the preset's)", positiveInt)
    .option('--seed <s>', 'first seed', (v) => {
      const n = Number(v)
      if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer')
      return n
    }, 0)
    .option('--train <n>', 'training examples (synthetic sets)', positiveInt)
    .option('--test <n>', 'test examples (synthetic sets)', positiveInt)
    .option('--epochs <n>', 'training epochs', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt)
    .option('--beta <b>', "I-MLE's target step for imle-map, imle-gumbel and imle-sog (default the preset's, 10)", positiveNumber)
    .option('--run-dir <dir>', 'the run folder (default out/explain-<dataset>-<preset>)')
    .option('--no-report', 'skip report.html (results.json is still written)')
    .exitOverride()
    .action(async (o: ExplainCliOptions) => {
      const base = preset(o.dataset, o.preset)
      const json = {
        ...base,
        methods: o.methods,
        seed: o.seed,
        ...(o.seeds === undefined ? {} : { seeds: o.seeds }),
        training: { ...base.training, ...(o.epochs === undefined ? {} : { epochs: o.epochs }), ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }) },
        synthetic: { ...base.synthetic, ...(o.train === undefined ? {} : { train: o.train }), ...(o.test === undefined ? {} : { test: o.test }) },
        settings: { ...base.settings, ...(o.beta === undefined ? {} : { beta: o.beta }) },
      }
      const decoded = decodeExplain(json)
      if (E.isLeft(decoded)) throw new CliError(decoded.left.message, 2)
      const config = decoded.right
      const runDir = o.runDir ?? join('out', `explain-${o.dataset}-${o.preset}`)
      await init()
      const out = process.stdout
      out.write(`imle explain: ${config.methods.length} methods x ${config.seeds} seed${config.seeds === 1 ? '' : 's'} on '${config.dataset}' (preset ${o.preset}) into ${runDir}\n`)
      const printer = progressPrinter(out)
      let result
      try {
        result = await withInterrupt((signal) => explain(config, { signal, onProgress: printer.update }))
      } catch (e) {
        if (e instanceof SpamDataError) throw new CliError(e.message, 2)
        throw e
      } finally {
        printer.stop()
      }
      console.log(`\nresults on the test split (mean ± std over ${config.seeds} seed${config.seeds === 1 ? '' : 's'}):\n${formatTable(resultsTable(result))}`)
      if (result.classifier !== undefined) console.log(`whole-message classifier accuracy: ${result.classifier.map((c) => `${(c.accuracy * 100).toFixed(1)}% (seed ${c.seed})`).join(', ')}`)
      if (o.report) console.log(`report: ${await writeExplainReport(runDir, result)}`)
      else {
        mkdirSync(runDir, { recursive: true })
        writeFileSync(join(runDir, 'results.json'), JSON.stringify(result, null, 2))
        console.log(`results: ${join(runDir, 'results.json')}`)
      }
      console.log(`total ${(result.elapsedMs / 1000).toFixed(1)} s`)
      if (result.status === 'stopped') throw new CliError('imle explain: stopped; the table shows the runs that finished', 130)
    })
}
