/**
 * Progress display for the CLI: a `cli-progress` bar with ETA and the running loss and metric
 * on a TTY, one plain line per evaluation otherwise.
 *
 * @module
 */
import cliProgress from 'cli-progress'
import type { Progress } from '../pipelines/runner/run.js'

/** What `progressReporter` returns: `update` for `run`'s `onProgress`, and `stop`. */
export interface Reporter {
  readonly update: (p: Progress) => void
  readonly stop: () => void
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

/**
 * A reporter writing to `out` (a TTY: a progress bar; otherwise plain lines at evaluations).
 *
 * @example
 * ```ts
 * const r = progressReporter('imle-quick', process.stdout)
 * await run(pipeline, { onProgress: r.update })
 * r.stop()
 * ```
 */
export function progressReporter(name: string, out: NodeJS.WriteStream): Reporter {
  if (out.isTTY !== true) {
    return {
      update: (p) => {
        if (p.phase !== 'eval') return
        const m = Object.entries(p.metrics).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ')
        out.write(`${name} step ${p.step}/${p.totalSteps} epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(4)} ${m} elapsed ${seconds(p.elapsedMs)} eta ${seconds(p.etaMs)}\n`)
      },
      stop: () => undefined,
    }
  }
  const bar = new cliProgress.SingleBar(
    { format: `${name} [{bar}] {value}/{total} | loss {loss} | optimal {optimal} | ETA {eta_formatted}`, stream: out, hideCursor: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update: (p) => {
      const payload = { loss: p.loss.toFixed(4), optimal: p.metrics.optimalCost?.toFixed(3) ?? '-' }
      if (!started) {
        bar.start(p.totalSteps, p.step, payload)
        started = true
      } else bar.update(p.step, payload)
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}
