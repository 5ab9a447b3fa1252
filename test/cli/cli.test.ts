/**
 * The CLI as a child process: `list`, `plan --print`, a bad config (exit 2, the one-line
 * message, no stack trace), a bad option, a tiny `run` with plain progress lines (not a TTY)
 * and its report, a tiny `compare` (progress, the results table, the comparison folder and
 * its report) and `report` regenerating it from the files; `report` on a folder that is not a
 * run exits 2.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { plan } from '../../src/pipelines/definition/presets.js'

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, IMLE_BACKEND: 'cpu' }, timeout: 300_000 })

test('list', () => {
  const r = cli('list')
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /methods: imle, imle-map, aimle, blackbox, ste, perturbed, regression/)
  assert.match(r.stdout, /presets: tiny, quick, paper-12/)
})

test('plan --print gives the resolved pipeline', () => {
  const r = cli('plan', '--method', 'blackbox', '--grid', '12', '--preset', 'quick', '--print')
  assert.is(r.status, 0, r.stderr)
  const p = JSON.parse(r.stdout)
  assert.equal(p.layer, { type: 'blackbox', lambda: 20 })
  assert.is(p.data.k, 12)
})

test('a bad option or a bad config exits non-zero with a readable error', () => {
  const r1 = cli('plan', '--method', 'nope')
  assert.is(r1.status, 2)
  assert.match(r1.stderr, /expected a method: one of imle/)
  const dir = mkdtempSync(join(tmpdir(), 'imle-cli-'))
  try {
    const file = join(dir, 'bad.json')
    const p = plan({ method: 'imle', preset: 'tiny' }) as any
    writeFileSync(file, JSON.stringify({ ...p, layer: { ...p.layer, noise: { type: 'sumOfGamma', k: -1 } } }))
    const r2 = cli('run', file)
    assert.is(r2.status, 2)
    assert.is(r2.stderr.trim(), 'pipeline(json.layer.noise.k): expected Positive but got -1')
    assert.not.match(r2.stderr, /\n\s+at /)
    const r3 = cli('run', join(dir, 'missing.json'))
    assert.is(r3.status, 2)
    assert.match(r3.stderr, /cannot read/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('run: plain progress lines and a summary; the run folder gets its report; report regenerates it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-cli-'))
  try {
    const p = plan({ method: 'regression', preset: 'tiny', grid: 6 }) as any
    const file = join(dir, 'p.json')
    writeFileSync(file, JSON.stringify({ ...p, data: { ...p.data, sizes: { train: 16, val: 8, test: 8 } }, training: { epochs: 2, batchSize: 4, evalEvery: 4 } }))
    const run = join(dir, 'run')
    const r = cli('run', file, '--run-dir', run)
    assert.is(r.status, 0, r.stderr)
    assert.match(r.stdout, /step 4\/8 epoch 1\/2 loss \d+\.\d+ optimalCost/)
    assert.match(r.stdout, /completed at step 8\/8; test optimalCost/)
    const html = join(run, 'report.html')
    assert.ok(existsSync(html), 'run writes report.html')
    rmSync(html)
    const rep = cli('report', run)
    assert.is(rep.status, 0, rep.stderr)
    assert.is(rep.stdout.trim(), `wrote ${html}`)
    assert.match(readFileSync(html, 'utf8'), /Learning to plan: regression-tiny-k6-seed0/)
    const none = cli('report', join(dir, 'nope'))
    assert.is(none.status, 2)
    assert.match(none.stderr, /(^|\n)imle report: readManifest\(dir\): .*nope\/config\.json does not exist; is it a run folder\?\n$/)
    assert.not.match(none.stderr, /\n\s+at /)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('compare: progress, the results table, one folder per method and one report; report regenerates it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-cli-'))
  try {
    const run = join(dir, 'cmp')
    const r = cli('compare', '--preset', 'tiny', '--grid', '6', '--methods', 'imle,regression', '--seeds', '2', '--train', '16', '--val', '8', '--test', '8', '--epochs', '2', '--batch-size', '4', '--eval-every', '4', '--run-dir', run)
    assert.is(r.status, 0, r.stderr)
    assert.match(r.stdout, /^imle compare: 2 methods x 2 seeds on 6x6 maps \(preset tiny\) into /)
    assert.match(r.stdout, /\[1\/4\] imle \(imle-tiny-k6-seed0\) step 4\/8 epoch 1\/2/)
    assert.match(r.stdout, /\[4\/4\] regression: completed in [\d.]+ s; test optimal cost \d\.\d{3}, perfect match \d\.\d{3}, hamming \d\.\d{3}/)
    assert.match(r.stdout, /results on the test split \(mean ± std over 2 seeds\):\nmethod +seeds +optimal cost +optimal cost ± std +perfect match +perfect match ± std +hamming +hamming ± std +steps +time \(s\)\n[- ]+\nimle +2 +\d\.\d{3} +\d\.\d{3} .*\nregression +2 /)
    for (const f of ['config.json', 'metrics.jsonl', 'results.json', 'report.html', 'figures/results-optimal-cost.png']) assert.ok(existsSync(join(run, f)), f)
    for (const seed of [0, 1]) for (const m of ['imle', 'regression']) assert.ok(existsSync(join(run, `${m}-tiny-k6-seed${seed}`, 'checkpoints')), `${m} seed ${seed}`)
    const html = join(run, 'report.html')
    const before = statSync(html).mtimeMs
    const rep = cli('report', run)
    assert.is(rep.status, 0, rep.stderr)
    assert.ok(statSync(html).mtimeMs > before, 'report.html rewritten')
    assert.match(readFileSync(html, 'utf8'), /<h1>Learning to plan on 6x6 maps: imle, regression<\/h1>/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('compare: bad options exit 2 with one line', () => {
  const r1 = cli('compare', '--methods', 'imle,nope')
  assert.is(r1.status, 2)
  assert.match(r1.stderr, /expected 'all' or a comma-separated list of methods .* but got 'nope'/)
  const r2 = cli('compare', '--preset', 'tiny', '--channels', '8,8')
  assert.is(r2.status, 2)
  assert.is(r2.stderr.trim(), "imle: --channels applies to cnn models, but this preset's model is 'tileMlp'")
  const r3 = cli('plan', '--preset', 'tiny', '--batch-size', '500', '--print')
  assert.is(r3.status, 0, 'the batch size is checked when the data is known')
  assert.is(JSON.parse(r3.stdout).training.batchSize, 500)
})

test.run()
