/**
 * The `imle` command line: `imle run <pipeline.json>`, `imle plan [--grid 12] [--method imle]
 * [--preset quick] [--seeds 1]`, `imle list`, `imle report <run-dir>`. Progress bars with ETA
 * and the running loss and metric on a TTY, plain lines otherwise. A bad config exits with
 * status 2 and its one-line message; no stack trace.
 *
 * @example
 * ```sh
 * node --import tsx src/cli/main.ts plan --method aimle --preset quick --run-dir runs/aimle
 * ```
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { init } from '../core/backend.js'
import { ConfigError } from '../core/errors.js'
import { decode, type PipelineConfig } from '../pipelines/definition/pipeline.js'
import { METHODS, plan, PRESETS, type Method, type Preset } from '../pipelines/definition/presets.js'
import { meanStd } from '../pipelines/runner/metrics.js'
import { defaultReport, run, type RunResult } from '../pipelines/runner/run.js'
import { progressReporter } from './progress.js'

/** An error the CLI reports as one line and an exit status. */
class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message)
  }
}

const oneOf =
  <T extends string>(names: readonly T[], what: string) =>
  (v: string): T => {
    if (!(names as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected ${what} one of ${names.join(', ')}`)
    return v as T
  }
const positiveInt = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer')
  return n
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
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  const results: RunResult[] = []
  try {
    for (const p of pipelines) {
      const reporter = progressReporter(p.name, process.stdout)
      const dir = runDir === undefined ? undefined : pipelines.length > 1 ? join(runDir, p.name) : runDir
      try {
        results.push(await run(p, { onProgress: reporter.update, signal: controller.signal, ...(dir === undefined ? {} : { runDir: dir }), resume }))
      } finally {
        reporter.stop()
      }
      if (controller.signal.aborted) break
    }
  } finally {
    process.off('SIGINT', stop)
  }
  return results
}

/** Builds the command (exported for tests and embedding). */
export function program(): Command {
  const cmd = new Command('imle').description('Implicit MLE pipelines: learning to plan on Warcraft-like maps').exitOverride()
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
  cmd
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
    .action(async (o: { grid?: number; method: Method; preset: Preset; seeds: number; seed: number; runDir?: string; resume: boolean; print: boolean }) => {
      const pipelines = Array.from({ length: o.seeds }, (_, i) => {
        const r = decode(plan({ method: o.method, preset: o.preset, seed: o.seed + i, ...(o.grid === undefined ? {} : { grid: o.grid }) }))
        if (E.isLeft(r)) throw new CliError(r.left.message, 2)
        return r.right
      })
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
  cmd
    .command('report')
    .description('write report.html for a run folder')
    .argument('<run-dir>')
    .action(async (dir: string) => {
      let results: RunResult
      try {
        results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult
      } catch {
        throw new CliError(`imle report: ${dir} has no readable results.json (is it a finished run folder?)`, 2)
      }
      const path = await defaultReport(dir)
      if (path === undefined) {
        console.log(summary([results]))
        throw new CliError('imle report: the report module (src/pipelines/report) is not available yet; printed the summary instead', 3)
      }
      console.log(`wrote ${path}`)
    })
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
