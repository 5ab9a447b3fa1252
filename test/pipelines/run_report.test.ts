/**
 * The runner's reports and comparisons: `run` with a run folder writes `report.html` (learning
 * curves, results, maps) from the folder's files, and its maps are the trained model's (over
 * the whole test split, the share of maps the report calls optimal is `results.json`'s
 * optimal-cost fraction); a checkpoint that does not match `results.json` leaves the maps out
 * and says so; `compare` writes one folder per run, the manifest, tagged metrics, the summary
 * and one report; the summary's mean ± std agrees with `meanStd`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { PipelineDefinition } from '../../src/pipelines/definition/pipeline.js'
import { plan, type Method } from '../../src/pipelines/definition/presets.js'
import { compare } from '../../src/pipelines/runner/compare.js'
import { meanStd } from '../../src/pipelines/runner/metrics.js'
import { COMPARISON_KIND, writeRunReport } from '../../src/pipelines/runner/report.js'
import { run } from '../../src/pipelines/runner/run.js'
import { formatTable, summarize, summaryTable } from '../../src/pipelines/runner/summary.js'
import { setup } from '../support/helpers.js'

test.before(setup)

const small = (method: Method, seed = 0): PipelineDefinition => {
  const p = plan({ method, preset: 'tiny', grid: 6, seed })
  return { ...p, data: { ...p.data, sizes: { train: 16, val: 8, test: 8 } }, training: { epochs: 2, batchSize: 4, evalEvery: 4 } } as PipelineDefinition
}

const svgs = (html: string, cls: string): number => (html.match(new RegExp(`<figure id="fig-${cls}`, 'g')) ?? []).length

test('run writes report.html from its files; the maps are the trained model\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-report-run-'))
  try {
    const r = await run(small('imle'), { runDir: dir })
    assert.is(r.report, join(dir, 'report.html'))
    const html = readFileSync(r.report!, 'utf8')
    assert.ok(svgs(html, 'metric-validation-optimal-cost') === 1 && svgs(html, 'metric-training-loss') === 1, 'learning curves')
    assert.is(svgs(html, 'results-test'), 1, 'results bar chart')
    assert.is(svgs(html, 'map0-gold'), 1)
    assert.is(svgs(html, 'map0-imle-tiny-k6-seed0'), 2, 'predicted costs and path, and marginals')
    assert.match(html, /<td>optimal cost<\/td>/)
    assert.not.match(html, /<script|https?:/i)
    assert.ok(existsSync(join(dir, 'figures', 'map0-gold.png')))
    // Over the whole test split, the maps the report calls optimal are the run's optimal-cost share.
    await writeRunReport(dir, { maps: 8 })
    const again = readFileSync(join(dir, 'report.html'), 'utf8')
    const optimal = (again.match(/its true cost is optimal/g) ?? []).length
    const above = (again.match(/% above the optimum/g) ?? []).length
    assert.is(optimal + above, 8)
    assert.is(optimal / 8, r.final!.test.optimalCost)
    // A checkpoint that is not the run's final one: no maps, and the report says why.
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...results, paramsDigest: '0'.repeat(64) }))
    await writeRunReport(dir, { maps: 1 })
    const stale = readFileSync(join(dir, 'report.html'), 'utf8')
    assert.match(stale, /no predictions: the checkpoint parameters do not match results\.json/)
    assert.is(svgs(stale, 'map0-imle'), 0)
    assert.is(svgs(stale, 'map0-gold'), 1)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a folder that is not a finished run: an ArgumentError naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-report-none-'))
  try {
    await writeRunReport(dir).then(
      () => assert.unreachable('no error'),
      (e: Error & { _tag?: string }) => {
        assert.is(e._tag, 'ArgumentError')
        assert.match(e.message, /readRun\(dir\): .*config\.json does not exist/)
      },
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('compare: one folder per run, manifest, tagged metrics, summary and one report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-compare-'))
  try {
    const entries = [
      { group: 'regression', pipeline: small('regression', 0) },
      { group: 'regression', pipeline: small('regression', 1) },
      { group: 'perturbed', pipeline: small('perturbed', 0) },
    ]
    const seen: string[] = []
    const r = await compare(entries, { runDir: dir, onRunEnd: (info) => seen.push(`${info.index}/${info.count} ${info.group}`) })
    assert.is(r.status, 'completed')
    assert.equal(seen, ['0/3 regression', '1/3 regression', '2/3 perturbed'])
    const manifest = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    assert.is(manifest.kind, COMPARISON_KIND)
    assert.equal(manifest.runs.map((x: { dir: string }) => x.dir), ['regression-tiny-k6-seed0', 'regression-tiny-k6-seed1', 'perturbed-tiny-k6-seed0'])
    for (const run of manifest.runs) for (const f of ['config.json', 'metrics.jsonl', 'results.json', 'checkpoints']) assert.ok(existsSync(join(dir, run.dir, f)), `${run.dir}/${f}`)
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.is(lines.length, 3 * 3, 'steps 0, 4, 8 of each run')
    assert.equal([...new Set(lines.map((l) => l.run))], manifest.runs.map((x: { name: string }) => x.name))
    // The regression group: two seeds, mean ± std as meanStd gives them.
    const reg = r.summary.find((g) => g.group === 'regression')!
    const expected = meanStd(r.runs.filter((x) => x.group === 'regression').map((x) => x.result.final!.test))
    assert.equal(reg.test, expected)
    assert.is(reg.completed, 2)
    assert.equal(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).summary, JSON.parse(JSON.stringify(r.summary)))
    const html = readFileSync(r.report!, 'utf8')
    assert.is(svgs(html, 'metric-validation-optimal-cost'), 1)
    assert.is(svgs(html, 'results-optimal-cost'), 1)
    assert.is(svgs(html, 'results-all'), 1)
    assert.is(svgs(html, 'map0-regression'), 1, 'regression has no noise: no marginals')
    assert.is(svgs(html, 'map0-perturbed'), 2, 'the perturbed optimiser: prediction and marginals')
    assert.match(html, /<th>optimal cost ± std<\/th>/)
    // Resuming a finished comparison only evaluates again: the same results.
    const again = await compare(entries, { runDir: dir, resume: true, report: false })
    assert.equal(again.summary.map((g) => g.test), r.summary.map((g) => g.test))
    await compare([{ group: 'x', pipeline: small('imle') }], { runDir: dir, resume: true }).then(
      () => assert.unreachable('expected a ConfigError'),
      (e: Error) => assert.match(e.message, /holds another comparison/),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('compare refuses two runs of one name', async () => {
  await compare([{ group: 'a', pipeline: small('imle') }, { group: 'b', pipeline: small('imle') }]).then(
    () => assert.unreachable('no error'),
    (e: Error) => assert.match(e.message, /compare\(entries\): two pipelines are named 'imle-tiny-k6-seed0'/),
  )
})

test('summaryTable and formatTable: ± std columns with several seeds, aligned text', () => {
  const run = (group: string, optimalCost: number) => ({ group, status: 'completed' as const, step: 8, totalSteps: 8, elapsedMs: 1500, final: { val: {}, test: { optimalCost, hamming: 0.1 } } })
  const one = summaryTable(summarize([run('imle', 0.5), run('ste', 0.25)]))
  assert.equal(one.columns, ['method', 'seeds', 'optimal cost', 'hamming', 'steps', 'time (s)'])
  assert.equal(one.rows[0], ['imle', 1, 0.5, 0.1, 8, '1.5'])
  const two = summaryTable(summarize([run('imle', 0.5), run('imle', 0.7), run('ste', 0.25)]))
  assert.equal(two.columns, ['method', 'seeds', 'optimal cost', 'optimal cost ± std', 'hamming', 'hamming ± std', 'steps', 'time (s)'])
  assert.equal(two.rows[0]!.slice(0, 4), ['imle', 2, 0.6, 0.1414])
  const text = formatTable(one).split('\n')
  assert.is(text[0], 'method  seeds  optimal cost  hamming  steps  time (s)')
  assert.is(text[2], 'imle        1         0.500    0.100      8       1.5')
  assert.is(new Set(text.map((l) => l.length)).size, 1, 'aligned')
})

test.run()
