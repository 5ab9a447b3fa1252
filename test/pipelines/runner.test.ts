/**
 * The runner: a run stopped (AbortSignal) and resumed from its checkpoint equals an
 * uninterrupted one bit for bit (parameters, losses, metrics, the adaptive target's state);
 * the run folder holds config.json, metrics.jsonl, results.json and checkpoints; and tiny
 * pipelines learn (loss and error at the end below 0.75x their start).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { define, type PipelineDefinition } from '../../src/pipelines/definition/pipeline.js'
import { METHODS, plan, type Method } from '../../src/pipelines/definition/presets.js'
import { run, type RunResult } from '../../src/pipelines/runner/run.js'
import { setup } from '../support/helpers.js'

test.before(setup)

const small = (method: Method): PipelineDefinition => {
  const p = plan({ method, preset: 'tiny', grid: 6 })
  return { ...p, data: { ...p.data, sizes: { train: 24, val: 8, test: 8 } }, training: { epochs: 2, batchSize: 4, evalEvery: 4 } } as PipelineDefinition
}

const same = (a: RunResult, b: RunResult): void => {
  assert.is(a.paramsDigest, b.paramsDigest)
  assert.equal(a.losses, b.losses)
  assert.equal(a.history, b.history)
  assert.equal(a.final, b.final)
  assert.equal(a.layerState, b.layerState)
}

test('a stopped and resumed run equals an uninterrupted one, bit for bit (aimle: adaptive state)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-run-'))
  try {
    const pipeline = define(small('aimle'))
    const whole = await run(pipeline, { report: false })
    assert.is(whole.status, 'completed')
    assert.is(whole.step, 12)
    const controller = new AbortController()
    const part = await run(pipeline, { runDir: dir, report: false, signal: controller.signal, checkpointEvery: 5, onProgress: (p) => p.step === 7 && controller.abort() })
    assert.is(part.status, 'stopped')
    assert.is(part.step, 7)
    const resumed = await run(pipeline, { runDir: dir, resume: true, report: false, checkpointEvery: 5 })
    assert.is(resumed.status, 'completed')
    same(resumed, whole)
    for (const f of ['config.json', 'metrics.jsonl', 'results.json']) assert.ok(existsSync(join(dir, f)), f)
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(lines.map((l) => l.step), [0, 4, 8, 12])
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), JSON.parse(JSON.stringify(pipeline)))
    assert.is(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).paramsDigest, whole.paramsDigest)
    // Another pipeline in the same folder is refused.
    await run({ ...pipeline, seed: 1 }, { runDir: dir, resume: true, report: false }).then(
      () => assert.unreachable('expected a ConfigError'),
      (e: Error) => assert.match(e.message, /holds another pipeline/),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the same seed gives the same run; another seed another one', async () => {
  const a = await run(small('imle'), { report: false })
  const b = await run(small('imle'), { report: false })
  const c = await run({ ...small('imle'), seed: 1 }, { report: false })
  same(a, b)
  assert.is.not(a.paramsDigest, c.paramsDigest)
})

// Every method learns the tiny task within its budget (STE on the squared form of the Hamming
// loss, its preset's: docs/experiments.md, "STE").
for (const method of METHODS) {
  test(`tiny pipeline learns: ${method}`, async () => {
    const r = await run(plan({ method, preset: 'tiny' }), { report: false })
    const mean = (xs: readonly number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length
    const [l0, l1] = [mean(r.losses.slice(0, 10)), mean(r.losses.slice(-10))]
    assert.ok(l1 < 0.75 * l0, `${method}: loss ${l0} -> ${l1}`)
    const err0 = 1 - r.history[0]!.metrics.optimalCost!
    const err1 = 1 - r.final!.val.optimalCost!
    assert.ok(err1 < 0.75 * err0, `${method}: 1 - optimalCost ${err0} -> ${err1}`)
  })
}

test.run()
