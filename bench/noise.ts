/**
 * The noise samplers on 1e6 float32 values: the JavaScript loops (`hostSamplers`,
 * `sampleSumOfGammaTableHost`) against the WebAssembly SIMD kernels (`nativeNoise()`), side by
 * side in one run. Each of `ROUNDS` rounds times `REPS` calls of each path, the order swapped
 * from round to round (JS first, then native first, ...), so the machine's drift falls on both;
 * the table gives the median over all calls and the minimum, and the ratio of the medians.
 * The Sum-of-Gamma rows use `(k, s) = (10, 100)`; "two calls" is `fillUniformOpen` then
 * `sampleSumOfGammaTable` (what `noise.sumOfGamma` calls), "fused" one kernel pass from the key.
 * Then the same through the public tensor API (`noise.gumbel().sample`, `noise.sumOfGamma`)
 * on the current backend, which uses the kernels.
 *
 * Run: `npx tsx bench/noise.ts` (IMLE_BACKEND=cpu|wasm, ROUNDS=9, REPS=3).
 */
import * as tf from '@tensorflow/tfjs-core'
import { init, noise, random, type BackendName } from '../src/index.js'
import { hostSamplers, nativeNoise } from '../src/core/random/fill.js'
import { fillSumOfGammaTable, sampleSumOfGammaTable, sampleSumOfGammaTableHost, sumOfGammaTable } from '../src/distributions/sum_of_gamma/table.js'
import { median } from './_timing.js'

const N = 1_000_000
const ROUNDS = Number(process.env['ROUNDS'] ?? 9)
const REPS = Number(process.env['REPS'] ?? 3)

type Fill = (seed: number) => void

/** Times `a` and `b` alternately; returns the per-call times of each. */
function sideBySide(a: Fill, b: Fill): { readonly a: number[]; readonly b: number[] } {
  for (let i = 0; i < 2; i++) {
    a(-1 - i)
    b(-1 - i)
  }
  const ta: number[] = []
  const tb: number[] = []
  let seed = 0
  const run = (f: Fill, ts: number[]): void => {
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now()
      f(seed++)
      ts.push(performance.now() - t0)
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      run(a, ta)
      run(b, tb)
    } else {
      run(b, tb)
      run(a, ta)
    }
  }
  return { a: ta, b: tb }
}

async function main(): Promise<void> {
  const backend = await init({ backend: (process.env['IMLE_BACKEND'] ?? 'wasm') as BackendName })
  const kernels = nativeNoise()
  if (kernels === undefined) throw new Error('bench/noise: the native kernels did not load; run `npm run prepare`')
  const out = new Float32Array(N)
  const table = sumOfGammaTable(10, 100)
  const uniforms = new Float32Array(N)
  hostSamplers.uniformOpen(3, 4, uniforms)
  const constants = { uLo: 2 ** -10, uHi: 1 - 2 ** -10, invBulkDu: 4096 / (1 - 2 ** -9), log2e: 1 / Math.LN2 }
  const rows: [string, Fill, Fill][] = [
    ['uniform', (s) => hostSamplers.uniform(1, s, out), (s) => kernels.uniform(1, s, out, false)],
    ['open uniform', (s) => hostSamplers.uniformOpen(1, s, out), (s) => kernels.uniform(1, s, out, true)],
    ['normal', (s) => hostSamplers.normal(1, s, out), (s) => kernels.normal(1, s, out)],
    ['Gumbel', (s) => hostSamplers.gumbel(1, s, out), (s) => kernels.gumbel(1, s, out)],
    [
      'Sum-of-Gamma(k=10, s=100), two calls (open uniform, table)',
      (s) => {
        hostSamplers.uniformOpen(1, s, out)
        sampleSumOfGammaTableHost(table, out, out)
      },
      (s) => {
        kernels.uniform(1, s, out, true)
        kernels.sumOfGamma(table, constants, out, out)
      },
    ],
    [
      'Sum-of-Gamma, fused: fillSumOfGammaTable',
      (s) => {
        hostSamplers.uniformOpen(1, s, out)
        sampleSumOfGammaTableHost(table, out, out)
      },
      (s) => fillSumOfGammaTable(1, s, table, out),
    ],
    ['  its table step alone', () => sampleSumOfGammaTableHost(table, uniforms, out), () => sampleSumOfGammaTable(table, uniforms, out)],
  ]
  console.log(`1e6 float32 values, ms per call: median (min) over ${ROUNDS} x ${REPS} calls each, alternating; ${new Date().toISOString()}`)
  console.log(`${'sampler'.padEnd(50)} ${'JavaScript'.padStart(16)} ${'wasm SIMD'.padStart(16)}  JS/wasm`)
  for (const [name, js, wasm] of rows) {
    const { a, b } = sideBySide(js, wasm)
    const cell = (ts: number[]): string => `${median(ts).toFixed(2)} (${Math.min(...ts).toFixed(2)})`.padStart(16)
    console.log(`${name.padEnd(50)} ${cell(a)} ${cell(b)}  ${(median(a) / median(b)).toFixed(2)}x`)
  }

  // The public tensor API, which takes the native path (one call each; the key is fixed).
  const key = random.key(0)
  const gumbel = noise.gumbel()
  const sog = noise.sumOfGamma({ k: 10, nbIterations: 100 })
  const api: [string, Fill][] = [
    [`noise.gumbel().sample(key, [1e6]) on ${backend}`, () => gumbel.sample(key, [N]).dispose()],
    [`noise.sumOfGamma(10, 100).sample(key, [1e6]) on ${backend}`, () => sog.sample(key, [N]).dispose()],
    [`random.normal(key, [1e6]) on ${backend}`, () => random.normal(key, [N]).dispose()],
  ]
  for (const [name, f] of api) {
    for (let i = 0; i < 2; i++) f(i)
    const ts: number[] = []
    for (let i = 0; i < ROUNDS * REPS; i++) {
      const t0 = performance.now()
      f(i)
      ts.push(performance.now() - t0)
    }
    console.log(`${name.padEnd(50)} ${`${median(ts).toFixed(2)} (${Math.min(...ts).toFixed(2)})`.padStart(16)} ms`)
  }
  key.dispose()
  console.log(`tensors left: ${tf.memory().numTensors}`)
}

void main()
