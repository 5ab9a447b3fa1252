/**
 * The property suite's settings and checks: a fixed seed (`SEED` to override; fast-check
 * prints the seed and the shrunk counterexample on failure), the number of programs
 * (`NUM_RUNS`, 10,400 by default, split among the properties by fixed shares; `npm run
 * test:long` runs 52,000 per backend), batched inputs, float64 finite differences and tolerant comparison.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import * as nd from './ndarray.js'
import type { Arr } from './ndarray.js'
import { lossRef, prng, randomData, runRef, show, type Program } from './programs.js'

export const SEED = Number(process.env['SEED'] ?? 20240611)
const TOTAL = Number(process.env['NUM_RUNS'] ?? 10400)

/** fast-check's parameters for a property that gets `share` of the programs. */
export const params = (share: number): fc.Parameters<[fc.GeneratorValue]> => ({
  seed: SEED,
  numRuns: Math.max(1, Math.round(TOTAL * share)),
  maxSkipsPerRun: 1000,
})

/** Per-example input data: `[input][example]` (one example for a shared input). */
export type Data = Float64Array[][]

/** Draws data for `p`'s inputs: `counts[i]` examples of input `i`. */
export function drawData(g: fc.GeneratorValue, p: Program, counts: readonly number[]): Data {
  const rand = prng(g(fc.integer, { min: 0, max: 2 ** 31 - 1 }))
  return p.inputs.map((s, i) => Array.from({ length: counts[i]! }, () => randomData(rand, nd.sizeOf(s))))
}

/** The float64 inputs of one example (`pick(i)` chooses input i's example). */
export const exampleArrs = (p: Program, data: Data, pick: (i: number) => number): Arr[] =>
  p.inputs.map((s, i) => nd.arr(s, data[i]![pick(i)]!))

/** Rejects (skips) the run unless every example passes the reference's guards. */
export function requireClean(p: Program, examples: readonly Arr[][]): Arr[] {
  return examples.map((xs) => {
    const r = runRef(p, xs)
    fc.pre(!('rejected' in r))
    return (r as { out: Arr }).out
  })
}

/** The float64 central-difference gradient of the loss with respect to every input. */
export function fdGrad(p: Program, xs: readonly Arr[], h = 1e-5): Float64Array[] {
  return xs.map((x, i) => {
    const g = new Float64Array(x.data.length)
    for (let j = 0; j < x.data.length; j++) {
      const at = (d: number): number => {
        const data = x.data.slice()
        data[j]! += d
        const ys = xs.slice()
        ys[i] = { shape: x.shape, data }
        return lossRef(p, ys)
      }
      g[j] = (at(h) - at(-h)) / (2 * h)
    }
    return g
  })
}

/**
 * Throws (with the program) unless `actual` is within `atol * max(1, max|expected|) + rtol *
 * |expected|` of `expected` everywhere: float32 results against float64 references.
 */
export function assertNear(p: Program, what: string, actual: tf.Tensor, expected: Arr, atol = 1e-3, rtol = 1e-3): void {
  const fail = (why: string): never => {
    throw new Error(`${what}: ${why}\nprogram:\n${show(p)}`)
  }
  if (actual.shape.length !== expected.shape.length || actual.shape.some((n, i) => n !== expected.shape[i])) {
    fail(`shape [${actual.shape}] but expected [${expected.shape}]`)
  }
  const a = actual.dataSync()
  let scale = 1
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v))
  for (let i = 0; i < a.length; i++) {
    const e = expected.data[i]!
    if (!(Math.abs(a[i]! - e) <= atol * scale + rtol * Math.abs(e))) {
      fail(`differs at flat index ${i}: ${a[i]} vs ${e} (all: [${Array.from(a).map((v) => v.toPrecision(5))}] vs [${Array.from(expected.data).map((v) => v.toPrecision(5))}])`)
    }
  }
}

/** `xs` stacked along `axis` (a float64 array of shape with the new axis). */
export function stackArrs(xs: readonly Arr[], axis: number): Arr {
  const s = xs[0]!.shape
  const e = xs.map((x) => nd.reshape(x, [...s.slice(0, axis), 1, ...s.slice(axis)]))
  return nd.concat(e, axis)
}

/** The element-wise sum of same-shape arrays. */
export const sumArrs = (xs: readonly Arr[]): Arr => nd.zip(xs, (...v) => v.reduce((p, q) => p + q, 0))

/** A tensor from a float64 array. */
export const toTensor = (a: Arr): tf.Tensor => tf.tensor(Array.from(a.data), [...a.shape])
