/**
 * Training steps of the experiments' networks on the wasm backend (Node's default), the
 * workloads this repository's kernels for wasm (`src/core/wasm_kernels.ts`) were written for:
 * milliseconds per step (forward + backward, parameters fixed) of
 * - `text`: the learning-to-explain text selector and predictor at the spam `full` preset's
 *   sizes (50 messages of 200 tokens, embeddings 32, 64 filters) with I-MLE Sum-of-Gamma
 *   top-10 selection;
 * - `cnn-quick`: the learning-to-plan CNN of the `quick` preset ([16, 16, 16], batch norm) on
 *   16 maps of 96 x 96 pixels;
 * - `cnn-paper12`: the `paper-12` CNN ([64, 64, 64], batch norm) on 16 maps (the preset's
 *   batch is 70).
 * Each workload is timed for ROUNDS rounds of STEPS steps after a warm-up; the table gives the
 * median and the best per-round mean. To compare two versions, run this file in both trees
 * alternately (A B B A): the machine's speed drifts.
 *
 * Run: `npm run bench:train` (optionally `ROUNDS=5`, `STEPS=3`, `ONLY=text,cnn-quick`).
 */
import * as tf from '@tensorflow/tfjs-core'
import { init } from '../src/core/backend.js'
import * as random from '../src/core/random/index.js'
import { methodDefaults, selection } from '../src/pipelines/explain/methods.js'
import { crossEntropy } from '../src/pipelines/explain/fit.js'
import { textPredictor, textSelector } from '../src/pipelines/explain/models.js'
import { buildModel } from '../src/pipelines/runner/model.js'
import * as tree from '../src/core/tree.js'
import { grad, valueAndGrad } from '../src/transforms/grad.js'
import { median } from './_timing.js'

const ROUNDS = Number(process.env['ROUNDS'] ?? 5)
const STEPS = Number(process.env['STEPS'] ?? 3)
const ONLY = process.env['ONLY']?.split(',')

await init({ backend: 'wasm' })

/** A workload: `step()` runs one forward + backward (wasm runs synchronously: done on return). */
type Workload = { name: string; step: () => void }

function text(): Workload {
  const sizes = { vocab: 5000, length: 200, embedding: 32, filters: 64, hidden: 64, dropout: 0.2 }
  const B = 50
  const selector = textSelector(sizes)
  const predictor = textPredictor(sizes)
  const sel = selection('imle-sog', 10, methodDefaults)
  const params = tf.tidy(() => ({ selector: selector.init(random.key(1)), predictor: predictor.init(random.key(2)) }) as unknown as tf.TensorContainer) as unknown as { selector: unknown; predictor: unknown }
  const ids = tf.tensor2d(Int32Array.from({ length: B * sizes.length }, (_, i) => (i * 7919) % sizes.vocab), [B, sizes.length], 'int32')
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 2), 'int32'), 2), 'float32'))
  const vg = valueAndGrad((p: typeof params, key: tf.Tensor) => {
    const theta = selector.apply(p.selector, ids, { training: true, key: random.foldIn(key, 0) })
    const mask = sel.train(theta, random.split(random.foldIn(key, 1), B))
    return crossEntropy(predictor.apply(p.predictor, [ids, mask], { training: true }), y)
  })
  let s = 0
  return {
    name: 'text',
    step: () => {
      const key = random.key(s++)
      tf.dispose(tree.leaves(vg(params, key)))
      key.dispose()
    },
  }
}

function cnn(name: string, channels: number[]): Workload {
  const net = buildModel({ type: 'cnn', channels, batchNorm: true })
  const B = 16
  const [params] = net.init(random.key(0), [96, 96, 3])
  const state = net.initState(params)
  const x = tf.randomUniform([B, 96, 96, 3], 0, 1, 'float32', 1)
  const w = tf.randomNormal([B, 12, 12, 1], 0, 1, 'float32', 2)
  const g = grad((p: unknown) => {
    const [out] = net.applyWithState(p as never, state as never, x, { training: true, key: random.key(1) }) as [tf.Tensor, unknown]
    return tf.sum(tf.mul(out, w))
  })
  return {
    name,
    step: () => tf.dispose(tree.leaves(g(params))),
  }
}

const all = [text(), cnn('cnn-quick', [16, 16, 16]), cnn('cnn-paper12', [64, 64, 64])].filter((w) => ONLY === undefined || ONLY.includes(w.name))
for (const w of all) w.step() // warm-up (compiles, allocates)
const times = new Map<string, number[]>(all.map((w) => [w.name, []]))
for (let r = 0; r < ROUNDS; r++) {
  for (const w of r % 2 === 0 ? all : [...all].reverse()) {
    const t = performance.now()
    for (let i = 0; i < STEPS; i++) w.step()
    times.get(w.name)!.push((performance.now() - t) / STEPS)
  }
}
console.log(`wasm, ${ROUNDS} rounds of ${STEPS} steps; ms per step`)
console.log('workload      median      best')
for (const w of all) {
  const ts = times.get(w.name)!
  console.log(`${w.name.padEnd(12)} ${median(ts).toFixed(1).padStart(8)} ${Math.min(...ts).toFixed(1).padStart(9)}`)
}
