/**
 * The CLI as a child process: `list`, `plan --print`, a bad config (exit 2, the one-line
 * message, no stack trace), a bad option, and a tiny `run` with plain progress lines (not a TTY).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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

test('run: plain progress lines and a summary; report without the report module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-cli-'))
  try {
    const p = plan({ method: 'regression', preset: 'tiny', grid: 6 }) as any
    const file = join(dir, 'p.json')
    writeFileSync(file, JSON.stringify({ ...p, data: { ...p.data, sizes: { train: 16, val: 8, test: 8 } }, training: { epochs: 2, batchSize: 4, evalEvery: 4 } }))
    const r = cli('run', file, '--run-dir', join(dir, 'run'))
    assert.is(r.status, 0, r.stderr)
    assert.match(r.stdout, /step 4\/8 epoch 1\/2 loss \d+\.\d+ optimalCost/)
    assert.match(r.stdout, /completed at step 8\/8; test optimalCost/)
    const rep = cli('report', join(dir, 'run'))
    assert.ok(rep.status === 0 || rep.status === 3, rep.stderr)
    assert.is(cli('report', join(dir, 'nope')).status, 2)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
