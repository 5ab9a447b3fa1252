/**
 * The Warcraft stand-in data set: determinism (bit for bit, keys equal to the library's
 * `random.foldIn`), the five costs, spatial regions (neighbour agreement against the i.i.d.
 * value), gold paths that are simple 8-neighbour chains and optimal (brute force on 3x3 and
 * 4x4, Bellman-Ford at k = 12), tiles that a nearest-mean colour classifier mostly but not
 * always recovers, the cache (round trip, corruption, truncation, atomic writes), typed
 * errors, and the generation time of 1000 maps at k = 12 (printed).
 */
import * as tf from '@tensorflow/tfjs-core'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { random } from '../../src/index.js'
import { warcraft } from '../../src/pipelines/data/index.js'
import { foldIn, keyWords } from '../../src/pipelines/data/warcraft/noise.js'
import { configError, setup } from '../support/helpers.js'

const t = suite('pipelines: warcraft data')
t.before(setup)

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0

const split = (s: warcraft.WarcraftSplit, keys: readonly (keyof warcraft.WarcraftSplit)[] = ['images', 'costs', 'paths', 'terrain']) =>
  keys.map((key) => s[key] as ArrayBufferView)

// One shared data set for the statistical tests.
const K = 12
const big = warcraft.generate({ k: K, sizes: { train: 400, val: 0, test: 0 }, seed: 7 }).train

t('host keys are the library keys: foldIn(key(seed), i) as random.foldIn', () => {
  for (const seed of [0, 42, -3, 2 ** 40 + 5]) {
    for (const i of [0, 1, 2, 1000]) {
      const ours = foldIn(keyWords(seed), i)
      const theirs = tf.tidy(() => random.foldIn(random.key(seed), i).dataSync())
      assert.equal([ours[0] | 0, ours[1] | 0], Array.from(theirs), `seed ${seed}, i ${i}`)
    }
  }
})

t('deterministic: the same seed gives the same bits, another seed other data; maps do not depend on split sizes', () => {
  const opts = { k: 12, sizes: { train: 6, val: 3, test: 2 }, seed: 11 }
  const a = warcraft.generate(opts)
  const b = warcraft.generate(opts)
  for (const name of warcraft.SPLITS) {
    split(a[name]).forEach((x, i) => assert.ok(sameBytes(x, split(b[name])[i]!), `${name} array ${i} differs`))
  }
  const c = warcraft.generate({ ...opts, seed: 12 })
  assert.not.ok(sameBytes(a.train.images, c.train.images))
  assert.not.ok(sameBytes(a.train.terrain, c.train.terrain))
  // The splits are different maps.
  assert.not.ok(sameBytes(a.val.terrain, a.train.terrain.subarray(0, a.val.terrain.length)))
  // Map i of a split is the same with larger sizes.
  const d = warcraft.generate({ ...opts, sizes: { train: 9, val: 1, test: 5 } })
  assert.ok(sameBytes(d.train.images.subarray(0, a.train.images.length), a.train.images))
  assert.ok(sameBytes(d.test.paths.subarray(0, a.test.paths.length), a.test.paths))
  assert.equal(a.config, { k: 12, sizes: { train: 6, val: 3, test: 2 }, seed: 11 })
})

t('shapes, ranges, and costs only from the five Warcraft costs', () => {
  for (const k of [12, 18, 24, 30]) {
    const s = warcraft.generate({ k, sizes: { train: 2, val: 1, test: 1 } }).train
    assert.equal(s.shapes, { images: [2, 8 * k, 8 * k, 3], costs: [2, k, k], paths: [2, k, k] })
    assert.is(s.images.length, 2 * 64 * k * k * 3)
    assert.is(s.costs.length, 2 * k * k)
    for (const v of s.images) if (!(v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)) assert.unreachable(`pixel ${v}`)
  }
  const allowed = new Set(Array.from(warcraft.COSTS))
  assert.equal([...allowed].map((c) => Math.round(c * 10) / 10), [0.8, 1.2, 5.3, 7.7, 9.2])
  const seen = new Set<number>()
  big.costs.forEach((c, i) => {
    if (!allowed.has(c)) assert.unreachable(`cost ${c} at ${i}`)
    assert.is(c, warcraft.COSTS[big.terrain[i]!])
    seen.add(c)
  })
  assert.is(seen.size, 5, 'every terrain occurs')
  // Every terrain is a real share of the cells (3% to 60%).
  for (let tIdx = 0; tIdx < 5; tIdx++) {
    const share = big.terrain.filter((x) => x === tIdx).length / big.terrain.length
    assert.ok(share > 0.03 && share < 0.6, `${warcraft.TERRAINS[tIdx]} share ${share}`)
  }
})

t('regions: neighbouring cells share a terrain far more often than i.i.d. cells would', () => {
  const k = K
  const counts = new Float64Array(5)
  for (const x of big.terrain) counts[x]!++
  const iid = counts.reduce((s, c) => s + (c / big.terrain.length) ** 2, 0) // P(same) for i.i.d. cells
  let same = 0
  let pairs = 0
  let sxy = 0
  let sx = 0
  let sxx = 0
  for (let i = 0; i < big.n; i++) {
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) {
        const a = i * k * k + r * k + c
        for (const b of [c + 1 < k ? a + 1 : -1, r + 1 < k ? a + k : -1]) {
          if (b < 0) continue
          pairs++
          if (big.terrain[a] === big.terrain[b]) same++
          const ca = big.costs[a]!
          const cb = big.costs[b]!
          sxy += ca * cb
          sx += ca + cb
          sxx += ca * ca + cb * cb
        }
      }
    }
  }
  const agree = same / pairs
  const mean = sx / (2 * pairs)
  const corr = (sxy / pairs - mean * mean) / (sxx / (2 * pairs) - mean * mean) // lag-1 correlation of costs
  console.log(`  [warcraft] k=${k}: neighbour terrain agreement ${agree.toFixed(3)} (i.i.d. cells: ${iid.toFixed(3)}); lag-1 cost correlation ${corr.toFixed(3)} (i.i.d.: 0)`)
  // For i.i.d. cells, `agree` has mean `iid` and standard error below sqrt(iid / pairs) < 0.003.
  assert.ok(agree > iid + 0.25, `agreement ${agree} vs ${iid}`)
  assert.ok(corr > 0.3, `correlation ${corr}`)
})

/** The cells of a 0/1 mask as a graph of 8-neighbours: is it a simple chain from corner to corner? */
function chainError(mask: ArrayLike<number>, off: number, k: number): string | null {
  const on = (r: number, c: number): boolean => r >= 0 && r < k && c >= 0 && c < k && mask[off + r * k + c] === 1
  if (!on(0, 0) || !on(k - 1, k - 1)) return 'does not contain both corners'
  let cells = 0
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = mask[off + r * k + c]
      if (v !== 0 && v !== 1) return `value ${v}`
      if (v !== 1) continue
      cells++
      let deg = 0
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) if ((dr || dc) && on(r + dr, c + dc)) deg++
      const end = (r === 0 && c === 0) || (r === k - 1 && c === k - 1)
      // A shortest path with positive costs has no shortcut: non-consecutive cells are never neighbours.
      if (deg !== (end ? 1 : 2)) return `cell (${r}, ${c}) has ${deg} neighbours on the path`
    }
  }
  // Connected: walk the chain from (0, 0).
  let prev = -1
  let cur = 0
  let walked = 1
  while (cur !== k * k - 1) {
    const r = Math.floor(cur / k)
    const c = cur % k
    let next = -1
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) if ((dr || dc) && on(r + dr, c + dc) && (r + dr) * k + c + dc !== prev) next = (r + dr) * k + c + dc
    if (next < 0) return 'broken chain'
    prev = cur
    cur = next
    walked++
  }
  return walked === cells ? null : `chain of ${walked} cells but ${cells} cells on`
}

/** Bellman-Ford on the vertex-weighted 8-neighbour grid: the cost of a cheapest path, both ends counted. */
function bellmanFord(costs: ArrayLike<number>, off: number, k: number): number {
  const dist = new Float64Array(k * k).fill(Infinity)
  dist[0] = costs[off]!
  for (let round = 0; round < k * k; round++) {
    let changed = false
    for (let u = 0; u < k * k; u++) {
      if (dist[u] === Infinity) continue
      const r = Math.floor(u / k)
      const c = u % k
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr
          const cc = c + dc
          if (!(dr || dc) || rr < 0 || rr >= k || cc < 0 || cc >= k) continue
          const v = rr * k + cc
          const d = dist[u]! + costs[off + v]!
          if (d < dist[v]!) {
            dist[v] = d
            changed = true
          }
        }
      }
    }
    if (!changed) break
  }
  return dist[k * k - 1]!
}

/** Brute force: the cost of the cheapest simple 8-neighbour path, over every simple path (DFS). */
function bruteForce(costs: ArrayLike<number>, off: number, k: number): number {
  let best = Infinity
  const used = new Uint8Array(k * k)
  const dfs = (u: number, acc: number): void => {
    if (u === k * k - 1) {
      best = Math.min(best, acc)
      return
    }
    used[u] = 1
    const r = Math.floor(u / k)
    const c = u % k
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr
        const cc = c + dc
        if (!(dr || dc) || rr < 0 || rr >= k || cc < 0 || cc >= k || used[rr * k + cc]) continue
        dfs(rr * k + cc, acc + costs[off + rr * k + cc]!)
      }
    }
    used[u] = 0
  }
  dfs(0, costs[off]!)
  return best
}

const pathCost = (s: warcraft.WarcraftSplit, i: number): number => {
  let sum = 0
  for (let j = 0; j < s.k * s.k; j++) sum += s.paths[i * s.k * s.k + j]! * s.costs[i * s.k * s.k + j]!
  return sum
}

t('gold paths: simple 8-neighbour chains from corner to corner, optimal against brute force (k = 3, 4)', () => {
  for (const k of [3, 4]) {
    const s = warcraft.generate({ k, sizes: { train: k === 3 ? 200 : 40, val: 0, test: 0 }, seed: 3 }).train
    for (let i = 0; i < s.n; i++) {
      const err = chainError(s.paths, i * k * k, k)
      if (err !== null) assert.unreachable(`k=${k} map ${i}: ${err}`)
      const want = bruteForce(s.costs, i * k * k, k)
      if (Math.abs(pathCost(s, i) - want) > 1e-4) assert.unreachable(`k=${k} map ${i}: gold path costs ${pathCost(s, i)}, optimum ${want}`)
    }
  }
})

t('gold paths: simple chains and optimal against Bellman-Ford at k = 12 (and chains at k = 30)', () => {
  for (let i = 0; i < big.n; i++) {
    const err = chainError(big.paths, i * K * K, K)
    if (err !== null) assert.unreachable(`map ${i}: ${err}`)
    const want = bellmanFord(big.costs, i * K * K, K)
    if (Math.abs(pathCost(big, i) - want) > 1e-3) assert.unreachable(`map ${i}: gold path costs ${pathCost(big, i)}, optimum ${want}`)
  }
  const s30 = warcraft.generate({ k: 30, sizes: { train: 5, val: 0, test: 0 } }).train
  for (let i = 0; i < s30.n; i++) assert.is(chainError(s30.paths, i * 900, 30), null, `k=30 map ${i}`)
})

t('tiles: a nearest-mean classifier on mean tile colour recovers most terrain, not all', () => {
  const k = K
  const side = 8 * k
  const feats = new Float64Array(big.n * k * k * 3) // mean RGB per cell
  for (let i = 0; i < big.n; i++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const cell = (i * k + (y >> 3)) * k + (x >> 3)
        for (let ch = 0; ch < 3; ch++) feats[3 * cell + ch]! += big.images[((i * side + y) * side + x) * 3 + ch]! / 64
      }
    }
  }
  // Fit the class means on the first half of the maps, test on the second.
  const cut = (big.n / 2) * k * k
  const means = new Float64Array(15)
  const counts = new Float64Array(5)
  for (let j = 0; j < cut; j++) {
    counts[big.terrain[j]!]!++
    for (let ch = 0; ch < 3; ch++) means[3 * big.terrain[j]! + ch]! += feats[3 * j + ch]!
  }
  for (let c = 0; c < 15; c++) means[c]! /= counts[Math.floor(c / 3)]!
  let right = 0
  for (let j = cut; j < big.terrain.length; j++) {
    let best = -1
    let bestD = Infinity
    for (let c = 0; c < 5; c++) {
      let d = 0
      for (let ch = 0; ch < 3; ch++) d += (feats[3 * j + ch]! - means[3 * c + ch]!) ** 2
      if (d < bestD) [best, bestD] = [c, d]
    }
    if (best === big.terrain[j]) right++
  }
  const acc = right / (big.terrain.length - cut)
  console.log(`  [warcraft] nearest-mean tile colour classifier: ${(100 * acc).toFixed(2)}% of ${big.terrain.length - cut} held-out cells`)
  assert.ok(acc > 0.9, `accuracy ${acc}`)
  assert.ok(acc < 0.999, `accuracy ${acc}: colour alone should not be enough`)
})

t('typed errors for bad options', () => {
  assert.throws(() => warcraft.generate({ k: 1, sizes: { train: 1, val: 0, test: 0 } }), configError(/warcraft\.generate\(options\.k\): expected an integer in \[2, 64\] but got 1/))
  assert.throws(() => warcraft.generate({ k: 12, sizes: { train: -1, val: 0, test: 0 } }), configError(/options\.sizes\.train/))
  assert.throws(() => warcraft.generate({ k: 12, sizes: { train: 1, val: 0, test: 0 }, seed: 0.5 }), configError(/options\.seed/))
  assert.throws(() => warcraft.generate({ k: 12, sizes: { train: 1, val: 0, test: 0 }, seeed: 1 } as never), configError(/unknown option 'seeed'/))
})

t('cache: miss, then hit with the same bits; corrupted, truncated and foreign files are regenerated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imle-warcraft-'))
  try {
    const params = { k: 6, sizes: { train: 5, val: 2, test: 3 }, seed: 5 }
    const opts = { ...params, cacheDir: dir }
    const want = warcraft.generate(params)
    const equal = (got: warcraft.WarcraftData): void => {
      for (const name of warcraft.SPLITS) split(got[name]).forEach((x, i) => assert.ok(sameBytes(x, split(want[name])[i]!), `${name} array ${i}`))
      assert.equal(got.train.shapes, want.train.shapes)
    }
    const first = await warcraft.load(opts)
    assert.is(first.cache.status, 'miss')
    equal(first)
    const file = first.cache.path
    assert.is(file, join(dir, await warcraft.cacheFileName(params)))
    assert.equal(await readdir(dir), [file.slice(dir.length + 1)], 'no temporary file left')
    const second = await warcraft.load(opts)
    assert.is(second.cache.status, 'hit')
    equal(second)
    // Other parameters: another file.
    assert.is.not(await warcraft.cacheFileName({ ...params, seed: 6 }), await warcraft.cacheFileName(params))
    assert.is.not(await warcraft.cacheFileName({ ...params, sizes: { ...params.sizes, test: 4 } }), await warcraft.cacheFileName(params))

    const bytes = await readFile(file)
    const cases: [string, Uint8Array, RegExp][] = [
      ['flipped payload bit', (() => { const b = Uint8Array.from(bytes); b[b.length - 10]! ^= 4; return b })(), /checksum/],
      ['truncated', bytes.subarray(0, bytes.length - 100), /truncated/],
      ['empty', new Uint8Array(0), /too short/],
      ['garbage', new TextEncoder().encode('not a cache file at all'), /magic/],
      ['broken header', (() => { const b = Uint8Array.from(bytes); b[14] = 0xff; return b })(), /header/],
    ]
    for (const [what, content, reason] of cases) {
      await writeFile(file, content)
      const got = await warcraft.load(opts)
      assert.is(got.cache.status, 'corrupt', what)
      assert.match(got.cache.reason ?? '', reason, what)
      equal(got)
      assert.is((await warcraft.load(opts)).cache.status, 'hit', `${what}: rewritten`)
    }
    // A cache file of other parameters renamed into place is refused.
    const other = await warcraft.load({ ...opts, seed: 99 })
    await writeFile(file, await readFile(other.cache.path))
    const got = await warcraft.load(opts)
    assert.is(got.cache.status, 'corrupt')
    assert.match(got.cache.reason ?? '', /parameters differ/)
    equal(got)
    assert.ok((await readdir(dir)).every((f) => f.endsWith('.bin')), 'no temporary file left')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

t('timing: 1000 maps at k = 12 (printed; generous bound)', async () => {
  const t0 = performance.now()
  const d = warcraft.generate({ k: 12, sizes: { train: 1000, val: 0, test: 0 }, seed: 1 })
  const gen = performance.now() - t0
  const dir = await mkdtemp(join(tmpdir(), 'imle-warcraft-'))
  try {
    const opts = { k: 12, sizes: { train: 1000, val: 0, test: 0 }, seed: 1, cacheDir: dir }
    const t1 = performance.now()
    await warcraft.load(opts)
    const miss = performance.now() - t1
    const t2 = performance.now()
    const hit = await warcraft.load(opts)
    const hitMs = performance.now() - t2
    assert.is(hit.cache.status, 'hit')
    assert.ok(sameBytes(hit.train.images, d.train.images))
    const size = (await readFile(hit.cache.path)).length
    console.log(`  [warcraft] k=12, 1000 maps: generate ${gen.toFixed(0)} ms; load (miss: generate + write ${(size / 2 ** 20).toFixed(1)} MiB) ${miss.toFixed(0)} ms; load (hit) ${hitMs.toFixed(0)} ms`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  assert.ok(gen < 60_000, `${gen} ms`)
})

t.run()
