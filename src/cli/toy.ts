/**
 * `imle toy [--preset quick|full] [--run-dir <dir>] [--seed <s>]`: the toy study (the I-MLE
 * paper's top-5-of-10 problem with the exact loss), every method over repetitions and a
 * learning-rate by lambda grid; prints the results table and writes `results.json` and
 * `report.html` into the run folder (default `out/toy-<preset>-seed<s>`).
 *
 * @example
 * ```sh
 * node bin/imle.mjs toy --preset quick --run-dir out/toy-quick
 * ```
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander'
import { join } from 'node:path'
import { init } from '../core/backend.js'
import { ConfigError } from '../core/errors.js'
import { preset, PRESETS, type ToyPreset } from '../pipelines/toy/config.js'
import { formatTable, table, writeToyReport } from '../pipelines/toy/report.js'
import { runToy, type ToyResult } from '../pipelines/toy/run.js'
import { CliError, oneOf, withInterrupt } from './options.js'

/** An option parser for a seed: an integer in `[0, 2^31 - 1]`. */
const seedOption = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new InvalidArgumentError('expected an integer seed in [0, 2147483647]')
  return n
}

/** What `toy` prints and writes; returned for tests and embedding. */
export interface ToyRun {
  readonly result: ToyResult
  readonly runDir: string
  readonly report: string
}

/**
 * Runs the toy study at a preset and seed, writes the run folder and returns the result, writing
 * progress lines and the results table to `out`. Stopped by Ctrl-C: a `CliError` with status 130.
 *
 * @example
 * ```ts
 * const { result, report } = await runToyCli({ preset: 'quick', seed: 0, runDir: 'out/toy-quick' }, process.stdout)
 * ```
 */
export async function runToyCli(o: { readonly preset: ToyPreset; readonly seed: number; readonly runDir?: string }, out: { write: (s: string) => unknown }): Promise<ToyRun> {
  const config = preset(o.preset, o.seed)
  const runDir = o.runDir ?? join('out', `toy-${o.preset}-seed${o.seed}`)
  await init()
  out.write(
    `imle toy: ${config.methods.length} methods x ${config.learningRates.length} learning rates (x ${config.lambdas.length} lambdas for I-MLE and perturbed) ` +
      `x ${config.repetitions} repetitions, ${config.steps} steps (preset ${o.preset}, seed ${o.seed}) into ${runDir}\n`,
  )
  let last = -1
  let started = Date.now()
  const result = await withInterrupt((signal) =>
    runToy(config, {
      signal,
      onProgress: (p) => {
        if (p.index !== last) (last = p.index), (started = Date.now())
        if (p.step === p.steps) out.write(`[${p.index + 1}/${p.count}] ${p.method}: ${p.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
      },
    }),
  )
  if (result.status === 'stopped') throw new CliError(`imle toy: stopped after ${result.methods.length} of ${config.methods.length} methods; nothing written`, 130)
  out.write(`\nexact loss at the best grid point per method (${config.repetitions} repetitions, ${config.steps} steps):\n${formatTable(table(result))}\n`)
  const files = await writeToyReport(runDir, result)
  out.write(`\nrun folder: ${runDir}\nreport: ${files.html}\ntotal ${(result.elapsedMs / 1000).toFixed(1)} s\n`)
  return { result, runDir, report: files.html }
}

/**
 * The `toy` command (commander), to register on the `imle` program with `addCommand`.
 *
 * @example
 * ```ts
 * await toyCommand().parseAsync(['--preset', 'quick', '--run-dir', 'out/toy-quick'], { from: 'user' })
 * program().addCommand(toyCommand())
 * ```
 */
export function toyCommand(): Command {
  return new Command('toy')
    .description("the toy study: top-5 of 10 with the exact loss, I-MLE (SoG, Gumbel), STE, score function, perturbed and the exact gradient over a learning-rate x lambda grid")
    .option('--preset <name>', `one of ${PRESETS.join(', ')}`, oneOf(PRESETS, 'a preset:'), 'quick' as ToyPreset)
    .option('--run-dir <dir>', 'the run folder (default out/toy-<preset>-seed<s>)')
    .option('--seed <s>', 'the seed of the problems and the noise', seedOption, 0)
    .exitOverride()
    .action(async (o: { preset: ToyPreset; seed: number; runDir?: string }) => {
      try {
        await runToyCli(o, process.stdout)
      } catch (e) {
        if (e instanceof ConfigError) throw new CliError(`imle toy: ${e.message}`, 2)
        throw e
      }
    })
}
