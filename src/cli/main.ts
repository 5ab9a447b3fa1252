/**
 * The `imle` command line: `imle run <pipeline.json>`, `imle plan [--grid 12] [--method imle]
 * [--preset quick] [--seeds 1]`, `imle compare [--methods all] [--preset quick] [--seeds 1]`
 * (every method in one run folder, one report, the results table), `imle list`, `imle report
 * <run-dir>` (regenerates `report.html` from a run or comparison folder's files); the paper's
 * other experiments: `imle explain` (learning to explain, `src/cli/explain.ts`), `imle toy` (the
 * toy study, `src/cli/toy.ts`), `imle dfl` (decision-focused shortest paths, `src/cli/dfl.ts`). Progress bars
 * with ETA and the running loss and metric on a TTY, plain lines otherwise. Exit status: 0 done,
 * 2 a bad option, config or folder (its one-line message; no stack trace), 130 stopped by
 * Ctrl-C (resume with `--resume`), 1 anything else.
 *
 * @example
 * ```sh
 * node bin/imle.mjs compare --preset quick --run-dir out/quick-k12
 * node bin/imle.mjs report out/quick-k12
 * ```
 *
 * @module
 */
import { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { init } from '../core/backend.js'
import { ArgumentError, ConfigError } from '../core/errors.js'
import { decode, type PipelineConfig, type PipelineDefinition } from '../pipelines/definition/pipeline.js'
import { METHODS, plan, PRESETS, type Method, type Preset } from '../pipelines/definition/presets.js'
import { compare } from '../pipelines/runner/compare.js'
import { meanStd } from '../pipelines/runner/metrics.js'
import { writeReport } from '../pipelines/runner/report.js'
import { run, type RunResult } from '../pipelines/runner/run.js'
import { formatTable, summaryTable } from '../pipelines/runner/summary.js'
import { dflCommand } from './dfl.js'
import { explainCommand } from './explain.js'
import { CliError, methodList, oneOf, positiveInt, positiveInts, withInterrupt } from './options.js'
import { progressReporter, type Reporter } from './progress.js'
import { toyCommand } from './toy.js'

const methodsOption = methodList(METHODS)

/** Options that override a preset's sizes (`plan`, `compare`). */
interface Overrides {
  readonly train?: number
  readonly val?: number
  readonly test?: number
  readonly epochs?: number
  readonly batchSize?: number
  readonly evalEvery?: number
  readonly maxSteps?: number
  readonly channels?: readonly number[]
}

/** Adds the override options to a command. */
const withOverrideOptions = (c: Command): Command =>
  c
    .option('--train <n>', 'training maps (default: the preset\'s)', positiveInt)
    .option('--val <n>', 'validation maps', positiveInt)
    .option('--test <n>', 'test maps', positiveInt)
    .option('--epochs <n>', 'epochs', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt)
    .option('--eval-every <n>', 'evaluate every n steps', positiveInt)
    .option('--max-steps <n>', 'stop after n steps', positiveInt)
    .option('--channels <list>', 'the CNN\'s channels per block, e.g. 8,8,8 (cnn models)', positiveInts)

/** A preset with the overrides applied, resolved (a bad combination is a `CliError` with status 2). */
function resolve(p: PipelineDefinition, o: Overrides): PipelineConfig {
  const sizes = { ...p.data.sizes, ...(o.train === undefined ? {} : { train: o.train }), ...(o.val === undefined ? {} : { val: o.val }), ...(o.test === undefined ? {} : { test: o.test }) }
  const training = {
    ...p.training,
    ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
    ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    ...(o.evalEvery === undefined ? {} : { evalEvery: o.evalEvery }),
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
  }
  if (o.channels !== undefined && p.model.type !== 'cnn') throw new CliError(`imle: --channels applies to cnn models, but this preset's model is '${p.model.type}'`, 2)
  const model = o.channels === undefined ? p.model : { ...p.model, channels: o.channels }
  const r = decode({ ...p, data: { ...p.data, sizes }, training, model })
  if (E.isLeft(r)) throw new CliError(r.left.message, 2)
  return r.right
}

function readPipeline(file: string): PipelineConfig {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new CliError(`imle run: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, 2)
  }
  const r = decode(json)
  if (E.isLeft(r)) throw new CliError(r.left.message, 2)
  return r.right
}

const fmt = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(3))

function summary(results: readonly RunResult[]): string {
  const lines = results.map((r) => `${r.name}: ${r.status} at step ${r.step}/${r.totalSteps}; test ${Object.entries(r.final?.test ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`)
  if (results.length > 1) {
    const agg = meanStd(results.flatMap((r) => (r.final === undefined ? [] : [r.final.test])))
    lines.push(`mean ± std over ${results.length} seeds: ${Object.entries(agg).map(([k, v]) => `${k} ${fmt(v.mean)} ± ${fmt(v.std)}`).join(', ')}`)
  }
  return lines.join('\n')
}

async function runAll(pipelines: readonly PipelineConfig[], runDir: string | undefined, resume: boolean): Promise<RunResult[]> {
  await init()
  return withInterrupt(async (signal) => {
    const results: RunResult[] = []
    for (const p of pipelines) {
      const reporter = progressReporter(p.name, process.stdout)
      const dir = runDir === undefined ? undefined : pipelines.length > 1 ? join(runDir, p.name) : runDir
      try {
        results.push(await run(p, { onProgress: reporter.update, signal, ...(dir === undefined ? {} : { runDir: dir }), resume }))
      } finally {
        reporter.stop()
      }
      if (signal.aborted) break
    }
    return results
  })
}

/** Builds the command (exported for tests and embedding). */
export function program(): Command {
  const cmd = new Command('imle').description('Implicit MLE pipelines: learning to plan on Warcraft-like maps, learning to explain, the toy study, decision-focused shortest paths').exitOverride()
  cmd
    .command('run')
    .description('run a pipeline from a JSON file')
    .argument('<pipeline.json>', 'the pipeline definition')
    .option('--run-dir <dir>', 'the run folder (config, metrics, checkpoints, results, report)')
    .option('--resume', 'resume from the run folder\'s newest checkpoint', false)
    .action(async (file: string, o: { runDir?: string; resume: boolean }) => {
      const results = await runAll([readPipeline(file)], o.runDir, o.resume)
      console.log(summary(results))
    })
  const plan_ = cmd
    .command('plan')
    .description('learning to plan: a method at a preset size')
    .option('--grid <k>', 'grid side k', positiveInt)
    .option('--method <name>', `one of ${METHODS.join(', ')}`, oneOf(METHODS, 'a method:'), 'imle' as Method)
    .option('--preset <name>', `one of ${PRESETS.join(', ')}`, oneOf(PRESETS, 'a preset:'), 'quick' as Preset)
    .option('--seeds <n>', 'number of seeds (mean ± std)', positiveInt, 1)
    .option('--seed <s>', 'first seed', (v) => Number(v), 0)
    .option('--run-dir <dir>', 'the run folder')
    .option('--resume', 'resume from checkpoints', false)
    .option('--print', 'print the resolved pipeline JSON and exit', false)
  withOverrideOptions(plan_)
    .action(async (o: { grid?: number; method: Method; preset: Preset; seeds: number; seed: number; runDir?: string; resume: boolean; print: boolean } & Overrides) => {
      const pipelines = Array.from({ length: o.seeds }, (_, i) => resolve(plan({ method: o.method, preset: o.preset, seed: o.seed + i, ...(o.grid === undefined ? {} : { grid: o.grid }) }), o))
      if (o.print) {
        console.log(JSON.stringify(pipelines.length === 1 ? pipelines[0] : pipelines, null, 2))
        return
      }
      console.log(summary(await runAll(pipelines, o.runDir, o.resume)))
    })
  cmd
    .command('list')
    .description('list the methods and presets')
    .action(() => {
      console.log(`methods: ${METHODS.join(', ')}`)
      console.log(`presets: ${PRESETS.join(', ')}`)
      console.log('pipelines: any method x preset (imle plan --method M --preset P --print shows its JSON)')
    })
  const compare_ = cmd
    .command('compare')
    .description('learning to plan: several methods (default all) at a preset size in one run folder, one report and the results table')
    .option('--methods <list>', `'all' or a comma-separated list of ${METHODS.join(', ')}`, methodsOption, [...METHODS] as Method[])
    .option('--preset <name>', `one of ${PRESETS.join(', ')}`, oneOf(PRESETS, 'a preset:'), 'quick' as Preset)
    .option('--grid <k>', 'grid side k', positiveInt)
    .option('--seeds <n>', 'seeds per method (mean ± std)', positiveInt, 1)
    .option('--seed <s>', 'first seed', (v) => Number(v), 0)
    .option('--run-dir <dir>', 'the comparison folder (default out/<preset>-k<k>)')
    .option('--resume', 'resume every run from its checkpoints', false)
    .option('--no-report', 'skip report.html')
  withOverrideOptions(compare_).action(
    async (o: { methods: Method[]; preset: Preset; grid?: number; seeds: number; seed: number; runDir?: string; resume: boolean; report: boolean } & Overrides) => {
      const entries = o.methods.flatMap((method) =>
        Array.from({ length: o.seeds }, (_, i) => ({ group: method, pipeline: resolve(plan({ method, preset: o.preset, seed: o.seed + i, ...(o.grid === undefined ? {} : { grid: o.grid }) }), o) })),
      )
      const k = entries[0]!.pipeline.data.k
      const runDir = o.runDir ?? join('out', `${o.preset}-k${k}`)
      await init()
      const out = process.stdout
      out.write(`imle compare: ${o.methods.length} methods x ${o.seeds} seed${o.seeds === 1 ? '' : 's'} on ${k}x${k} maps (preset ${o.preset}) into ${runDir}\n`)
      let reporter: Reporter | undefined
      const result = await withInterrupt((signal) =>
        compare(entries, {
          runDir,
          signal,
          resume: o.resume,
          ...(o.report ? {} : { report: false as const }),
          onRunStart: (info) => {
            reporter = progressReporter(`[${info.index + 1}/${info.count}] ${info.group}${o.seeds > 1 ? ` (${info.name})` : ''}`, out)
          },
          onProgress: (_info, p) => reporter?.update(p),
          onRunEnd: (info, r) => {
            reporter?.stop()
            const t = r.final?.test
            out.write(
              `[${info.index + 1}/${info.count}] ${info.group}: ${r.status} in ${(r.elapsedMs / 1000).toFixed(1)} s` +
                `${t === undefined ? '' : `; test optimal cost ${fmt(t.optimalCost)}, perfect match ${fmt(t.perfectMatch)}, hamming ${fmt(t.hamming)}`}\n`,
            )
            if (info.index === info.count - 1 && r.status === 'completed' && o.report) out.write(`writing ${join(runDir, 'report.html')} ...\n`)
          },
        }),
      )
      console.log(`\nresults on the test split${o.seeds > 1 ? ` (mean ± std over ${o.seeds} seeds)` : ''}:\n${formatTable(summaryTable(result.summary))}`)
      console.log(`\nrun folder: ${runDir}${result.report === undefined ? '' : `\nreport: ${result.report}`}\ntotal ${(result.elapsedMs / 1000).toFixed(1)} s`)
      if (result.status === 'stopped') throw new CliError(`imle compare: stopped; continue with the same command and --resume`, 130)
    },
  )
  cmd
    .command('report')
    .description('write report.html for a run or comparison folder, from its files')
    .argument('<run-dir>')
    .action(async (dir: string) => {
      await init()
      try {
        console.log(`wrote ${await writeReport(dir)}`)
      } catch (e) {
        if (e instanceof ArgumentError || e instanceof ConfigError) throw new CliError(`imle report: ${e.message}`, 2)
        throw e
      }
    })
  // The paper's other experiments, each a command of its own file.
  for (const sub of [explainCommand(), toyCommand(), dflCommand()]) cmd.addCommand(sub.copyInheritedSettings(cmd))
  return cmd
}

/**
 * Runs the CLI on `argv` (default `process.argv`); resolves to the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'imle', 'list'])
 * ```
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await program().parseAsync([...argv])
    return 0
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string }
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : (err.exitCode ?? 1) === 0 ? 0 : 2
    }
    if (e instanceof CliError) {
      console.error(e.message)
      return e.code
    }
    if (e instanceof ConfigError) {
      console.error(e.message)
      return 2
    }
    console.error(`imle: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli/main.ts')) {
  process.exitCode = await main()
}
