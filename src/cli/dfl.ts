/**
 * `imle dfl [--preset quick|full] [--methods all|m1,m2] [--run-dir <dir>] [--seed <s>]
 * [--seeds <n>] [--epochs <n>]`: PyEPO's decision-focused shortest-path benchmark. Trains every
 * method on every cell of the preset's grid, prints one line per trained model and the table
 * of normalised regret, and writes the run folder with `report.html`. Ctrl-C stops after the
 * current model (exit status 130); a bad option exits 2.
 *
 * @example
 * ```sh
 * node bin/imle.mjs dfl --preset quick --run-dir out/dfl-quick
 * ```
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { join } from 'node:path'
import { init } from '../core/backend.js'
import { decodeConfig, METHODS, PRESETS, presets, type Method, type Preset } from '../pipelines/dfl/definition.js'
import { formatRegretTable, runDfl } from '../pipelines/dfl/run.js'
import { CliError, methodList, oneOf, positiveInt, withInterrupt } from './options.js'

const methodsOption = methodList(METHODS)

const integer = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer')
  return n
}

/** The options of `imle dfl`, as commander parses them. */
interface DflCliOptions {
  readonly preset: Preset
  readonly methods?: Method[]
  readonly runDir?: string
  readonly seed?: number
  readonly seeds?: number
  readonly epochs?: number
  readonly report: boolean
}

/**
 * The `dfl` command (commander), for `program().addCommand(dflCommand())`; parse it alone with
 * `dflCommand().parseAsync(argv, { from: 'user' })`.
 *
 * @example
 * ```ts
 * await dflCommand().parseAsync(['--preset', 'quick', '--methods', 'two-stage,spo-plus', '--run-dir', 'out/dfl'], { from: 'user' })
 * ```
 */
export function dflCommand(): Command {
  return new Command('dfl')
    .description("decision-focused shortest path (PyEPO's benchmark): normalised regret of every method by polynomial degree, noise and training size")
    .option('--preset <name>', `one of ${PRESETS.join(', ')}`, oneOf(PRESETS, 'a preset:'), 'quick' as Preset)
    .option('--methods <list>', `'all' or a comma-separated list of ${METHODS.join(', ')}`, methodsOption)
    .option('--run-dir <dir>', 'the run folder (default out/dfl-<preset>)')
    .option('--seed <s>', 'the (first) seed of data and training (default: the preset\'s, 0)', integer)
    .option('--seeds <n>', 'seeds per cell (mean ± std)', positiveInt)
    .option('--epochs <n>', 'epochs (default: the preset\'s)', positiveInt)
    .option('--no-report', 'skip report.html')
    .exitOverride()
    .action(async (o: DflCliOptions) => {
      const base = presets[o.preset]
      const decoded = decodeConfig({
        ...base,
        ...(o.methods === undefined ? {} : { methods: o.methods }),
        ...(o.seed === undefined ? {} : { seed: o.seed }),
        ...(o.seeds === undefined ? {} : { seeds: o.seeds }),
        ...(o.epochs === undefined ? {} : { training: { ...base.training, epochs: o.epochs } }),
      })
      if (E.isLeft(decoded)) throw new CliError(decoded.left.message, 2)
      const config = decoded.right
      const runDir = o.runDir ?? join('out', `dfl-${o.preset}`)
      await init()
      const out = process.stdout
      const cells = config.trainSizes.length * config.noiseWidths.length * config.degrees.length
      out.write(`imle dfl: ${config.methods.length} methods x ${cells} cells x ${config.seeds} seed${config.seeds === 1 ? '' : 's'} (preset ${o.preset}, ${config.training.epochs} epochs) into ${runDir}\n`)
      const result = await withInterrupt((signal) =>
        runDfl(config, {
          runDir,
          signal,
          ...(o.report ? {} : { report: false as const }),
          onRunEnd: (info, r) => {
            out.write(
              `[${info.index + 1}/${info.count}] n ${info.trainSize} noise ${info.noiseWidth} deg ${info.degree} seed ${info.seed} ${info.method}: ` +
                `regret ${r.regret.toFixed(4)} (${r.steps} steps, ${(r.ms / 1000).toFixed(1)} s)\n`,
            )
          },
        }),
      )
      console.log(`\nnormalised regret on ${config.testSize} test instances${config.seeds > 1 ? ` (mean ± std over ${config.seeds} seeds)` : ''}:\n${formatRegretTable(result.summary)}`)
      console.log(`\nrun folder: ${runDir}${result.report === undefined ? '' : `\nreport: ${result.report}`}\ntotal ${(result.elapsedMs / 1000).toFixed(1)} s`)
      if (result.status === 'stopped') throw new CliError('imle dfl: stopped before the end; the run folder holds the models trained so far', 130)
    })
}
