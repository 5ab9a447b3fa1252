/**
 * Checkpoints: pytrees round trip bit for bit (tensors, NaN, undefined), the newest valid
 * checkpoint is found, a damaged or truncated newest file (a run killed mid-write) falls back
 * to the previous good one, and only the `keep` newest survive.
 */
import * as tf from '@tensorflow/tfjs-core'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeTree, encodeTree, listCheckpoints, loadLatest, saveCheckpoint } from '../../src/pipelines/checkpoint.js'
import { assertSameBits, setup } from '../support/helpers.js'

test.before(setup)

test('pytrees round trip bit for bit', () => {
  const w = tf.tensor1d([0.1, -0, 1e-40, 3.4e38])
  const n = tf.tensor1d([1, -2], 'int32')
  const back = decodeTree(JSON.parse(JSON.stringify(encodeTree({ a: [w, undefined, { n }], count: 7, x: NaN, y: -Infinity, s: 'z', b: true, z: null })))) as any
  assertSameBits(back.a[0], w)
  assert.equal(Array.from(back.a[2].n.dataSync()), [1, -2])
  assert.is(back.a[2].n.dtype, 'int32')
  assert.is(back.a[1], undefined)
  assert.ok(Number.isNaN(back.x))
  assert.is(back.y, -Infinity)
  assert.equal([back.count, back.s, back.b, back.z], [7, 'z', true, null])
  tf.dispose([w, n, back.a[0], back.a[2].n])
})

test('keeps the previous good checkpoint; a damaged newest one is skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imle-ckpt-'))
  try {
    for (const s of [1, 2, 3]) saveCheckpoint(dir, s, { step: s })
    assert.equal(listCheckpoints(dir), [3, 2])
    assert.equal(loadLatest(dir), { step: 3, body: { step: 3 } })
    // A run killed mid-write of step 4: a temporary file (never renamed) is ignored ...
    writeFileSync(join(dir, 'ckpt-000000004.json.tmp-999'), 'imle-checkpoint/1 abc\n{"st')
    assert.equal(loadLatest(dir)?.step, 3)
    // ... and a truncated or corrupted file (a disk without atomic rename) falls back to the previous one.
    const f = join(dir, 'ckpt-000000003.json')
    writeFileSync(f, readFileSync(f, 'utf8').slice(0, -3))
    assert.equal(loadLatest(dir), { step: 2, body: { step: 2 } })
    saveCheckpoint(dir, 5, { step: 5 })
    assert.ok(!readdirSync(dir).some((x) => x.includes('.tmp-')), 'stale temporary files are removed')
    assert.equal(loadLatest(dir)?.step, 5)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('an empty or missing folder has no checkpoint', () => {
  assert.is(loadLatest(join(tmpdir(), 'imle-no-such-dir-xyz')), undefined)
})

test.run()
