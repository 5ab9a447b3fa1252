/**
 * The properties, each a check of one random program drawn with `g` that throws (naming the
 * program) on failure: `grad` against finite differences, `vmap` against the per-example
 * reference, `vmap(grad)`, `grad(vmap)` with shared and batched arguments, and `vmap(vmap)`.
 * Inputs are batched along random axes (negative spellings included) or shared (`inAxes:
 * null`), batch sizes are 1 to 3, and outputs go to a random `outAxes`.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { grad, vmap } from '../../src/index.js'
import * as nd from './ndarray.js'
import type { Arr } from './ndarray.js'
import { genProgram, lossOps, runOps, type Program } from './programs.js'
import { assertNear, drawData, exampleArrs, fdGrad, requireClean, stackArrs, sumArrs, toTensor } from './support.js'

/** Tolerances: values within 1e-3 (relative to the largest), gradients within 2e-3. */
const GRAD_TOL = 2e-3

const argnumsOf = (p: Program): number[] => p.inputs.map((_, i) => i)

/** `grad` of the loss matches float64 central differences; the forward matches float64. */
export function gradProperty(g: fc.GeneratorValue): void {
  const p = genProgram(g, 'grad')
  const data = drawData(g, p, p.inputs.map(() => 1))
  const xs64 = exampleArrs(p, data, () => 0)
  const [out] = requireClean(p, [xs64])
  const fd = fdGrad(p, xs64)
  tf.tidy(() => {
    const xs = xs64.map(toTensor)
    assertNear(p, 'forward', runOps(p, xs), out!)
    const gs = grad((...a: tf.Tensor[]) => lossOps(p, a), { argnums: argnumsOf(p) })(...xs) as tf.Tensor[]
    gs.forEach((gi, i) => assertNear(p, `grad of input ${i}`, gi, nd.arr(p.inputs[i]!, fd[i]!), GRAD_TOL, GRAD_TOL))
  })
}

/** One vmap level: batch size, and each input's batch axis (`null`: shared) and its spelling. */
interface Level {
  readonly size: number
  readonly axes: readonly (number | null)[]
  readonly spelled: readonly (number | null)[]
}

/** Draws a level for inputs of ranks `ranks` (at least one batched). */
function drawLevel(g: fc.GeneratorValue, ranks: readonly number[]): Level {
  const size = g(fc.integer, { min: 1, max: 3 })
  const axes: (number | null)[] = ranks.map((r) => (g(fc.integer, { min: 0, max: 9 }) < 3 ? null : g(fc.integer, { min: 0, max: r })))
  if (!axes.some((a) => a !== null)) axes[0] = 0
  const spelled = axes.map((a, i) => (a !== null && g(fc.boolean) ? a - ranks[i]! - 1 : a))
  return { size, axes, spelled }
}

/** Input `i` batched by `level`: its examples stacked at its axis, or its one value when shared. */
function batchedInput(examples: readonly Arr[], axis: number | null): Arr {
  return axis === null ? examples[0]! : stackArrs(examples, axis)
}

/** `vmap(f)` matches the float64 reference example by example, at a random `outAxes`. */
export function vmapProperty(g: fc.GeneratorValue): void {
  const p = genProgram(g, 'vmap')
  const lv = drawLevel(g, p.inputs.map((s) => s.length))
  const data = drawData(g, p, lv.axes.map((a) => (a === null ? 1 : lv.size)))
  const pick = (b: number) => (i: number) => (lv.axes[i] === null ? 0 : b)
  const examples = Array.from({ length: lv.size }, (_, b) => exampleArrs(p, data, pick(b)))
  const outs = requireClean(p, examples)
  const outRank = p.values[p.out]!.shape.length
  const outAxis = g(fc.integer, { min: 0, max: outRank })
  tf.tidy(() => {
    const xs = p.inputs.map((_, i) => toTensor(batchedInput(examples.map((e) => e[i]!), lv.axes[i]!)))
    const got = vmap((...a: tf.Tensor[]) => runOps(p, a), { inAxes: [...lv.spelled], outAxes: outAxis })(...xs) as tf.Tensor
    assertNear(p, `vmap (size ${lv.size}, inAxes ${JSON.stringify(lv.spelled)}, outAxes ${outAxis})`, got, stackArrs(outs, outAxis))
  })
}

/**
 * A random program with a vmap level over its inputs (some shared), each example's inputs, and
 * each example's float64 finite-difference gradient: what the `vmap(grad)` and `grad(vmap)`
 * properties compare against.
 */
function batchedGradCase(g: fc.GeneratorValue) {
  const p = genProgram(g, 'grad')
  const lv = drawLevel(g, p.inputs.map((s) => s.length))
  const data = drawData(g, p, lv.axes.map((a) => (a === null ? 1 : lv.size)))
  const pick = (b: number) => (i: number) => (lv.axes[i] === null ? 0 : b)
  const examples = Array.from({ length: lv.size }, (_, b) => exampleArrs(p, data, pick(b)))
  requireClean(p, examples)
  return { p, lv, examples, fds: examples.map((xs) => fdGrad(p, xs)) }
}

/** `vmap(grad(loss))` gives per-example gradients (batched at 0, shared inputs too). */
export function vmapGradProperty(g: fc.GeneratorValue): void {
  const { p, lv, examples, fds } = batchedGradCase(g)
  tf.tidy(() => {
    const xs = p.inputs.map((_, i) => toTensor(batchedInput(examples.map((e) => e[i]!), lv.axes[i]!)))
    const perExample = grad((...a: tf.Tensor[]) => lossOps(p, a), { argnums: argnumsOf(p) })
    const gs = vmap(perExample, { inAxes: [...lv.spelled] })(...xs) as tf.Tensor[]
    gs.forEach((gi, i) => {
      const expected = stackArrs(fds.map((fd) => nd.arr(p.inputs[i]!, fd[i]!)), 0)
      assertNear(p, `vmap(grad) of input ${i} (size ${lv.size}, inAxes ${JSON.stringify(lv.spelled)})`, gi, expected, GRAD_TOL, GRAD_TOL)
    })
  })
}

/**
 * `grad(sum(vmap(loss)))`: a batched input gets its per-example gradients at its own axis, a
 * shared one (`inAxes: null`) the sum over examples.
 */
export function gradVmapProperty(g: fc.GeneratorValue): void {
  const { p, lv, examples, fds } = batchedGradCase(g)
  tf.tidy(() => {
    const xs = p.inputs.map((_, i) => toTensor(batchedInput(examples.map((e) => e[i]!), lv.axes[i]!)))
    const total = (...a: tf.Tensor[]): tf.Tensor => tf.sum(vmap((...e: tf.Tensor[]) => lossOps(p, e), { inAxes: [...lv.spelled] })(...a) as tf.Tensor)
    const gs = grad(total, { argnums: argnumsOf(p) })(...xs) as tf.Tensor[]
    gs.forEach((gi, i) => {
      const per = fds.map((fd) => nd.arr(p.inputs[i]!, fd[i]!))
      const a = lv.axes[i]!
      const expected = a === null ? sumArrs(per) : stackArrs(per, a)
      assertNear(p, `grad(vmap) of input ${i} (size ${lv.size}, inAxes ${JSON.stringify(lv.spelled)})`, gi, expected, GRAD_TOL, GRAD_TOL)
    })
  })
}

/**
 * `vmap(vmap(f))` with each input batched, shared or both at each level, against the float64
 * reference for every pair of examples; half the time `f` is `grad(loss)` (against finite
 * differences).
 */
export function vmapVmapProperty(g: fc.GeneratorValue): void {
  const withGrad = g(fc.boolean)
  const p = genProgram(g, withGrad ? 'grad' : 'vmap', 4)
  const ranks = p.inputs.map((s) => s.length)
  const inner = drawLevel(g, ranks)
  const outer = drawLevel(g, ranks.map((r, i) => r + (inner.axes[i] === null ? 0 : 1)))
  const n1 = outer.size
  const n2 = inner.size
  const data = drawData(g, p, p.inputs.map((_, i) => (outer.axes[i] === null ? 1 : n1) * (inner.axes[i] === null ? 1 : n2)))
  const pick = (b1: number, b2: number) => (i: number) => (outer.axes[i] === null ? 0 : b1) * (inner.axes[i] === null ? 1 : n2) + (inner.axes[i] === null ? 0 : b2)
  const examples = Array.from({ length: n1 }, (_, b1) => Array.from({ length: n2 }, (_, b2) => exampleArrs(p, data, pick(b1, b2))))
  const outs = requireClean(p, examples.flat())
  const expectedOf = (perPair: (xs: Arr[], k: number) => Arr): Arr =>
    stackArrs(examples.map((row, b1) => stackArrs(row.map((xs, b2) => perPair(xs, b1 * n2 + b2)), 0)), 0)
  const fds = withGrad ? examples.flat().map((xs) => fdGrad(p, xs)) : []
  tf.tidy(() => {
    const xs = p.inputs.map((_, i) =>
      toTensor(batchedInput(examples.map((row) => batchedInput(row.map((e) => e[i]!), inner.axes[i]!)), outer.axes[i]!)),
    )
    const where = `(sizes ${n1}x${n2}, inAxes ${JSON.stringify(outer.spelled)} / ${JSON.stringify(inner.spelled)})`
    if (withGrad) {
      const per = grad((...a: tf.Tensor[]) => lossOps(p, a), { argnums: argnumsOf(p) })
      const gs = vmap(vmap(per, { inAxes: [...inner.spelled] }), { inAxes: [...outer.spelled] })(...xs) as tf.Tensor[]
      gs.forEach((gi, i) => assertNear(p, `vmap(vmap(grad)) of input ${i} ${where}`, gi, expectedOf((_, k) => nd.arr(p.inputs[i]!, fds[k]![i]!)), GRAD_TOL, GRAD_TOL))
    } else {
      const f = (...a: tf.Tensor[]): tf.Tensor => runOps(p, a)
      const got = vmap(vmap(f, { inAxes: [...inner.spelled] }), { inAxes: [...outer.spelled] })(...xs) as tf.Tensor
      assertNear(p, `vmap(vmap) ${where}`, got, expectedOf((_, k) => outs[k]!))
    }
  })
}
