/**
 * Speed of `vmap` against hand-batched tfjs and the per-example loop, on one 20-op function
 * (elementwise math, two matMuls with unbatched weights, reductions, softmax) over a batch of
 * 1000 examples, on the wasm and cpu backends. Run: `npx tsx bench/vmap.ts`.
 *
 * - hand: the same computation written directly on `[1000, ...]` tensors with `tf` (the 2-D
 *   form of each matMul, `[1000 * 4, 32] x [32, 64]`, as a careful author would write it);
 * - vmap: `vmap(f, { inAxes: [0, null] })`;
 * - loop: `f` called on each example (`tf.unstack`), results `tf.stack`ed.
 *
 * Targets: vmap within 1.5x of hand, and at least 10x faster than the loop (wasm).
 */
import * as tf from '@tensorflow/tfjs-core'
import { init, ops, vmap, type BackendName } from '../src/index.js'

const N = 1000 // examples
const T = 4 // rows per example
const D = 32 // input features
const H = 64 // hidden features
const K = 16 // classes

interface Params {
  readonly w1: tf.Tensor // [D, H]
  readonly b1: tf.Tensor // [H]
  readonly w2: tf.Tensor // [H, K]
}

/** One example: `([T, D], params) -> []`, 20 ops. */
function f(x: tf.Tensor, p: Params): tf.Tensor {
  const h = ops.relu(ops.add(ops.matMul(x, p.w1), p.b1)) // [T, H]                       (3)
  const r = ops.rsqrt(ops.add(ops.mean(ops.square(h), -1, true), 1e-5)) // [T, 1]         (4)
  const z = ops.tanh(ops.matMul(ops.mul(h, r), p.w2)) // [T, K]                           (3)
  const ent = ops.neg(ops.sum(ops.mul(ops.softmax(z), ops.logSoftmax(z)), -1)) // [T]   (5)
  const gap = ops.sub(ops.logSumExp(z, -1), ops.max(z, -1)) // [T]                        (3)
  return ops.mean(ops.add(ent, gap)) // []                                                (2)
}

/** The same computation on the whole batch with raw tf: `([N, T, D], params) -> [N]`. */
function hand(xs: tf.Tensor, p: Params): tf.Tensor {
  const x2 = tf.reshape(xs, [N * T, D]) // [N*T, D]
  const h = tf.relu(tf.add(tf.matMul(x2, p.w1), p.b1)) // [N*T, H]
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(h), -1, true), 1e-5)) // [N*T, 1]
  const z = tf.tanh(tf.matMul(tf.mul(h, r), p.w2)) // [N*T, K]
  const ent = tf.neg(tf.sum(tf.mul(tf.softmax(z), tf.logSoftmax(z)), -1)) // [N*T]
  const gap = tf.sub(tf.logSumExp(z, -1), tf.max(z, -1)) // [N*T]
  return tf.mean(tf.reshape(tf.add(ent, gap), [N, T]), -1) // [N]
}

const batched = vmap(f, { inAxes: [0, null] })

function loop(xs: tf.Tensor, p: Params): tf.Tensor {
  return tf.stack(tf.unstack(xs).map((x) => f(x, p))) // [N]
}

/** The ms of one run of `fn`, waiting for its result; the result is disposed. */
function once(fn: () => tf.Tensor): number {
  const t0 = performance.now()
  const out = tf.tidy(fn)
  out.dataSync() // wait for the result, on any backend
  const ms = performance.now() - t0
  out.dispose()
  return ms
}

const median = (ts: number[]): number => ts.slice().sort((a, b) => a - b)[ts.length >> 1]!

/**
 * The median ms of each of `fns` over `reps` rounds, after `warm` rounds. Each round runs every
 * function once, so that load from elsewhere on the machine hits them alike.
 */
function compare(fns: readonly (() => tf.Tensor)[], reps: number, warm = 3): number[] {
  for (let i = 0; i < warm; i++) fns.forEach(once)
  const ts = fns.map((): number[] => [])
  for (let i = 0; i < reps; i++) fns.forEach((fn, k) => ts[k]!.push(once(fn)))
  return ts.map(median)
}

async function run(backend: BackendName): Promise<void> {
  await init({ backend })
  const xs = tf.randomNormal([N, T, D], 0, 1, 'float32', 1) // [N, T, D]
  const p: Params = {
    w1: tf.randomNormal([D, H], 0, 0.2, 'float32', 2),
    b1: tf.randomNormal([H], 0, 0.1, 'float32', 3),
    w2: tf.randomNormal([H, K], 0, 0.2, 'float32', 4),
  }
  const start = tf.memory().numTensors

  // The three compute the same thing.
  tf.tidy(() => {
    const [a, b, c] = [hand(xs, p), batched(xs, p), loop(xs, p)]
    const err = Math.max(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!, tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]!)
    if (!(err < 1e-4)) throw new Error(`bench: hand, vmap and loop disagree by ${err}`)
  })

  const [handMs, vmapMs] = compare([() => hand(xs, p), () => batched(xs, p)], 50) as [number, number]
  const [loopMs] = compare([() => loop(xs, p)], 5, 1) as [number]
  const leaked = tf.memory().numTensors - start
  console.log(
    `${backend.padEnd(7)} | ${handMs.toFixed(2).padStart(8)} | ${vmapMs.toFixed(2).padStart(8)} | ${loopMs.toFixed(1).padStart(9)} | ` +
      `${(vmapMs / handMs).toFixed(2).padStart(9)} | ${(loopMs / vmapMs).toFixed(1).padStart(9)} | ${leaked}`,
  )
  tf.dispose([xs, p.w1, p.b1, p.w2])
}

async function main(): Promise<void> {
  console.log(`f: 20 ops, ${N} examples of [${T}, ${D}], weights [${D}, ${H}] and [${H}, ${K}]; median ms`)
  console.log('backend |  hand ms |  vmap ms |   loop ms | vmap/hand | loop/vmap | tensors leaked')
  for (const backend of ['wasm', 'cpu'] as const) await run(backend)
}

void main()
