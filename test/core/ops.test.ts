/**
 * Every op's batch rule against the per-example loop: `vmap(f, { inAxes, outAxes })(...xs)`
 * must equal stacking `f` over the examples of `xs` (sliced along their batch axes) along the
 * out axis, for several axis configurations per op (batch axis first, last, in the middle,
 * negative, and unbatched `null` operands), and through nested `vmap` for a subset. Each
 * vmapped call must leave exactly its outputs behind (no leaked temporaries).
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, grad, ops, tree, vmap, VmapError } from '../../src/index.js'
import { primitives } from '../../src/core/ops/def.js'
import { BACKEND, assertClose, setup } from '../support/helpers.js'

// ---------------------------------------------------------------------------------------------
// Inputs. Sizes 5 and 7 (the batches) never occur in a per-example shape, so a rule that mixes
// up the batch axis with another one fails on shapes, not only on values.

const B = 5
const B_OUTER = 7

type Gen = (shape: number[], seed: number) => tf.Tensor
const normal: Gen = (s, seed) => tf.randomNormal(s, 0, 1, 'float32', seed)
const positive: Gen = (s, seed) => tf.randomUniform(s, 0.5, 2, 'float32', seed)
/** Small integers as float32, so that comparisons meet equal values. */
const integral: Gen = (s, seed) => tf.floor(tf.randomUniform(s, 0, 3, 'float32', seed))
const ints =
  (hi: number): Gen =>
  (s, seed) =>
    tf.randomUniform(s, 0, hi, 'int32', seed)
const bools: Gen = (s, seed) => tf.greater(tf.randomNormal(s, 0, 1, 'float32', seed), 0)

/** A per-example argument: its shape and how to fill it (normal by default). */
type Arg = readonly number[] | { readonly shape: readonly number[]; readonly gen: Gen }
const shapeOf = (a: Arg): readonly number[] => ('shape' in a ? a.shape : (a as readonly number[]))
const genOf = (a: Arg): Gen => ('gen' in a ? a.gen : normal)

interface Case {
  /** The `ops` export under test. */
  readonly op: string
  /** Tells cases of one op apart. */
  readonly label?: string
  /** The per-example function. */
  readonly f: (...xs: tf.Tensor[]) => unknown
  readonly args: readonly Arg[]
  /** Backends to skip, each with the reason. */
  readonly skip?: Partial<Record<string, string>>
  /** Run through nested vmap too. */
  readonly nested?: boolean
}

type InAxes = (number | null)[]
interface Config {
  readonly inAxes: InAxes
  readonly outAxes: number
}

/** `shape` with `size` inserted at (possibly negative) axis `axis`. */
function insertAxis(shape: readonly number[], axis: number | null, size: number): number[] {
  if (axis === null) return [...shape]
  const a = axis < 0 ? axis + shape.length + 1 : axis
  return [...shape.slice(0, a), size, ...shape.slice(a)]
}

/**
 * The configurations of a case: batch axis 0, -1, 1 (or 0 for scalars) and -2, each for every
 * argument and the outputs; with several arguments also the first and the last argument alone
 * batched (the others `null`) at axes 0, 1, -2 and -1, and every other argument batched.
 */
function configs(ranks: readonly number[], outRank: number): Config[] {
  const mid = (r: number): number => Math.min(1, r)
  const neg2 = (r: number): number => (r >= 1 ? -2 : -1)
  const cs: Config[] = [
    { inAxes: ranks.map(() => 0), outAxes: 0 },
    { inAxes: ranks.map(() => -1), outAxes: -1 },
    { inAxes: ranks.map(mid), outAxes: mid(outRank) },
    { inAxes: ranks.map(neg2), outAxes: neg2(outRank) },
  ]
  if (ranks.length > 1) {
    const alone = (j: number, axis: (r: number) => number, outAxes: number): Config => ({
      inAxes: ranks.map((r, i) => (i === j ? axis(r) : null)),
      outAxes,
    })
    const last = ranks.length - 1
    cs.push(alone(0, mid, -1), alone(last, neg2, mid(outRank)))
    cs.push(alone(0, () => -1, 0), alone(0, () => 0, neg2(outRank)), alone(last, () => -1, 0), alone(last, () => 0, -1))
  }
  if (ranks.length > 2) cs.push({ inAxes: ranks.map((_, i) => (i % 2 === 0 ? -1 : null)), outAxes: 0 })
  return cs
}

/** The per-example loop that `vmap(f, config)` must equal: slice, call, stack. */
const loopMap =
  (f: (...xs: tf.Tensor[]) => unknown, { inAxes, outAxes }: Config) =>
  (...args: tf.Tensor[]): unknown => {
    const slices = args.map((a, j) => (inAxes[j] === null ? null : tf.unstack(a, inAxes[j]!)))
    const n = slices.find((s) => s !== null)!.length
    const outs = [...Array(n).keys()].map((i) => tree.flatten(f(...args.map((a, j) => slices[j]?.[i] ?? a))))
    const [first, def] = outs[0]!
    const stacked = first.map((l, k) => {
      const ax = outAxes < 0 ? outAxes + l.rank + 1 : outAxes
      return tf.stack(outs.map(([ls]) => ls[k]!), ax)
    })
    return tree.unflatten(def, stacked)
  }

let seed = 1

/**
 * Checks `vmap(f, config)` (or nested levels, innermost first) against the loop on fresh random
 * inputs, and that the call leaves no tensor behind besides its outputs.
 */
function check(c: Case, levels: readonly Config[]): void {
  tf.tidy(() => {
    // Per-example shape, then each level's batch axis, innermost first.
    const inputs = c.args.map((a, j) => {
      let shape = [...shapeOf(a)]
      levels.forEach((cfg, depth) => {
        shape = insertAxis(shape, cfg.inAxes[j] ?? null, depth === 0 ? B : B_OUTER)
      })
      return genOf(a)(shape, seed++)
    })
    let batched = c.f
    let loop = c.f
    for (const cfg of levels) {
      batched = vmap(batched, cfg)
      loop = loopMap(loop, cfg)
    }
    const axes = levels.map((l) => `inAxes [${l.inAxes.map(String)}], outAxes ${l.outAxes}`)
    const what = `${c.op}${c.label ? ` (${c.label})` : ''} with ${axes.join(' inside ')}`
    const before = tf.memory().numTensors
    const out = batched(...inputs)
    const [got, gotDef] = tree.flatten(out)
    assert.is(tf.memory().numTensors - before, got.length, `${what}: tensors left behind besides the outputs`)
    const [want, wantDef] = tree.flatten(loop(...inputs))
    assert.equal(gotDef, wantDef, `${what}: output structure`)
    got.forEach((g, k) => {
      assert.is(g.dtype, want[k]!.dtype, `${what}: dtype of output ${k}`)
      assertClose(g, want[k]!, 1e-4, 1e-4, what)
    })
  })
}

// ---------------------------------------------------------------------------------------------
// The table.

const cases: Case[] = []
const add = (...cs: Case[]): void => {
  cases.push(...cs)
}

type AnyOp = (...xs: any[]) => tf.Tensor
const opsTable = ops as unknown as Record<string, AnyOp>

// Elementwise unary.
const unaryInputs: Record<string, Gen> = {
  log: positive,
  sqrt: positive,
  rsqrt: positive,
  reciprocal: positive,
  log1p: positive,
  logicalNot: bools,
}
for (const name of [
  'neg', 'abs', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tanh',
  'sigmoid', 'softplus', 'relu', 'elu', 'floor', 'ceil', 'round', 'sign', 'logicalNot', 'zerosLike', 'onesLike',
  'stopGradient',
]) {
  add({ op: name, f: (x) => opsTable[name]!(x), args: [{ shape: [3, 4], gen: unaryInputs[name] ?? normal }] })
}
add(
  { op: 'exp', label: 'scalar examples', f: (x) => ops.exp(x), args: [[]], nested: true },
  { op: 'leakyRelu', f: (x) => ops.leakyRelu(x, 0.1), args: [[3, 4]] },
  { op: 'clipByValue', f: (x) => ops.clipByValue(x, -0.5, 0.5), args: [[3, 4]] },
  { op: 'cast', label: 'float32 -> int32', f: (x) => ops.cast(ops.mul(x, 3), 'int32'), args: [[3, 4]] },
  { op: 'cast', label: 'bool -> float32', f: (x) => ops.cast(x, 'float32'), args: [{ shape: [4], gen: bools }] },
)

// Binary, with broadcasting.
const binaryInputs: Record<string, [Gen, Gen]> = {
  div: [normal, positive],
  pow: [positive, normal],
  equal: [integral, integral],
  notEqual: [integral, integral],
  greaterEqual: [integral, integral],
  lessEqual: [integral, integral],
  logicalAnd: [bools, bools],
  logicalOr: [bools, bools],
}
for (const name of [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference', 'equal', 'notEqual', 'greater',
  'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr',
]) {
  const [g0, g1] = binaryInputs[name] ?? [normal, normal]
  add({
    op: name,
    f: (a, b) => opsTable[name]!(a, b),
    args: [
      { shape: [3, 4], gen: g0 },
      { shape: [4], gen: g1 },
    ],
    nested: name === 'add',
  })
}
add(
  { op: 'add', label: 'rank-3 against rank-2', f: (a, b) => ops.add(a, b), args: [[2, 1, 4], [3, 1]], nested: true },
  { op: 'mul', label: 'a number', f: (a) => ops.mul(a, 2), args: [[3, 4]] },
  { op: 'sub', label: 'a number first', f: (a) => ops.sub(1, a), args: [[4]] },
  {
    op: 'where',
    f: (c, a, b) => ops.where(c, a, b),
    args: [{ shape: [3, 4], gen: bools }, [3, 4], [4]],
    nested: true,
  },
  { op: 'where', label: 'broadcast condition', f: (c, a) => ops.where(c, a, 0), args: [{ shape: [4], gen: bools }, [3, 4]] },
)

// Reductions.
for (const name of ['sum', 'mean', 'max', 'min', 'prod', 'logSumExp']) {
  const r = opsTable[name]!
  add(
    { op: name, label: 'all axes', f: (x) => r(x), args: [[3, 4, 2]], nested: name === 'sum' },
    { op: name, label: 'axes [0, -1]', f: (x) => r(x, [0, -1]), args: [[3, 4, 2]] },
    { op: name, label: 'axis 1, keepDims', f: (x) => r(x, 1, true), args: [[3, 4, 2]] },
  )
}
for (const name of ['any', 'all']) {
  add(
    { op: name, f: (x) => opsTable[name]!(x), args: [{ shape: [3, 4], gen: bools }] },
    { op: name, label: 'axis -1, keepDims', f: (x) => opsTable[name]!(x, -1, true), args: [{ shape: [3, 4], gen: bools }] },
  )
}
for (const name of ['argMax', 'argMin']) {
  add(
    { op: name, label: 'default axis 0', f: (x) => opsTable[name]!(x), args: [[3, 4]] },
    { op: name, label: 'axis -1', f: (x) => opsTable[name]!(x, -1), args: [[3, 4, 2]], nested: name === 'argMax' },
  )
}

// Shape ops.
add(
  { op: 'reshape', f: (x) => ops.reshape(x, [2, 6]), args: [[3, 4]], nested: true },
  { op: 'reshape', label: 'to -1', f: (x) => ops.reshape(x, [-1]), args: [[3, 4]] },
  { op: 'reshape', label: 'more axes', f: (x) => ops.reshape(x, [4, 1, 3]), args: [[3, 4]] },
  { op: 'transpose', f: (x) => ops.transpose(x, [2, 0, 1]), args: [[2, 3, 4]], nested: true },
  { op: 'transpose', label: 'default perm', f: (x) => ops.transpose(x), args: [[2, 3, 4]] },
  { op: 'expandDims', f: (x) => ops.expandDims(x), args: [[3, 4]] },
  { op: 'expandDims', label: 'axis -1', f: (x) => ops.expandDims(x, -1), args: [[3, 4]] },
  { op: 'expandDims', label: 'axis 1', f: (x) => ops.expandDims(x, 1), args: [[3, 4]] },
  { op: 'squeeze', f: (x) => ops.squeeze(x), args: [[3, 1, 4, 1]] },
  { op: 'squeeze', label: 'axis [1]', f: (x) => ops.squeeze(x, [1]), args: [[3, 1, 4, 1]] },
  { op: 'squeeze', label: 'axis [-1, 0]', f: (x) => ops.squeeze(x, [-1, 0]), args: [[1, 3, 4, 1]] },
  { op: 'concat', f: (a, b) => ops.concat([a, b]), args: [[2, 3], [4, 3]], nested: true },
  { op: 'concat', label: 'three along -1', f: (a, b, c) => ops.concat([a, b, c], -1), args: [[3, 2], [3, 4], [3, 1]] },
  { op: 'stack', f: (a, b) => ops.stack([a, b]), args: [[3, 4], [3, 4]] },
  { op: 'stack', label: 'axis -1', f: (a, b) => ops.stack([a, b], -1), args: [[3, 4], [3, 4]], nested: true },
  { op: 'stack', label: 'three along 1', f: (a, b, c) => ops.stack([a, b, c], 1), args: [[3, 4], [3, 4], [3, 4]] },
  { op: 'unstack', f: (x) => ops.unstack(x), args: [[3, 4]] },
  { op: 'unstack', label: 'axis -1', f: (x) => ops.unstack(x, -1), args: [[3, 4, 2]], nested: true },
  { op: 'slice', f: (x) => ops.slice(x, [1, 0], [3, -1]), args: [[6, 4]], nested: true },
  { op: 'slice', label: 'numbers along axis 0', f: (x) => ops.slice(x, 2, 3), args: [[6, 4]] },
  { op: 'slice', label: 'no size', f: (x) => ops.slice(x, [1, 1]), args: [[6, 4]] },
  { op: 'gather', f: (x, i) => ops.gather(x, i), args: [[6, 4], { shape: [3], gen: ints(6) }], nested: true },
  { op: 'gather', label: 'axis 1, 2-D indices', f: (x, i) => ops.gather(x, i, 1), args: [[4, 6], { shape: [2, 3], gen: ints(6) }] },
  { op: 'gather', label: 'axis -1', f: (x, i) => ops.gather(x, i, -1), args: [[3, 4, 6], { shape: [2], gen: ints(6) }] },
  {
    op: 'gather',
    label: 'batchDims 1',
    f: (x, i) => ops.gather(x, i, 1, 1),
    args: [[3, 6], { shape: [3, 2], gen: ints(6) }],
    skip: { wasm: "tfjs's wasm GatherV2 kernel gets batchDims > 0 wrong, so the per-example reference is wrong there" },
  },
  {
    op: 'gather',
    label: 'axis 1 of 3, 2-D indices',
    f: (x, i) => ops.gather(x, i, 1),
    args: [[2, 6, 3], { shape: [2, 4], gen: ints(6) }],
  },
  { op: 'gather', label: 'indices as numbers', f: (x) => ops.gather(x, [2, 0, 2]), args: [[6, 4]] },
  { op: 'tile', f: (x) => ops.tile(x, [2, 3]), args: [[3, 2]], nested: true },
  { op: 'broadcastTo', f: (x) => ops.broadcastTo(x, [3, 4]), args: [[4]], nested: true },
  { op: 'broadcastTo', label: 'new axis and a stretched 1', f: (x) => ops.broadcastTo(x, [2, 3, 4]), args: [[3, 1]] },
  { op: 'pad', f: (x) => ops.pad(x, [[1, 0], [2, 1]], 0.5), args: [[3, 4]], nested: true },
  { op: 'reverse', f: (x) => ops.reverse(x), args: [[3, 4]] },
  { op: 'reverse', label: 'axis 1', f: (x) => ops.reverse(x, 1), args: [[3, 4]] },
  { op: 'reverse', label: 'axes [0, -1]', f: (x) => ops.reverse(x, [0, -1]), args: [[3, 4, 2]] },
)

// Matrix products.
add(
  { op: 'matMul', f: (a, b) => ops.matMul(a, b), args: [[3, 4], [4, 2]], nested: true },
  { op: 'matMul', label: 'transposeA', f: (a, b) => ops.matMul(a, b, true), args: [[4, 3], [4, 2]], nested: true },
  { op: 'matMul', label: 'transposeB', f: (a, b) => ops.matMul(a, b, false, true), args: [[3, 4], [2, 4]], nested: true },
  { op: 'matMul', label: 'both transposed', f: (a, b) => ops.matMul(a, b, true, true), args: [[4, 3], [2, 4]] },
  { op: 'matMul', label: 'rank 3 by rank 2', f: (a, b) => ops.matMul(a, b), args: [[2, 3, 4], [4, 6]], nested: true },
  { op: 'matMul', label: 'rank 2 by rank 3', f: (a, b) => ops.matMul(a, b), args: [[3, 4], [2, 4, 6]] },
  { op: 'matMul', label: 'rank 3 by rank 3', f: (a, b) => ops.matMul(a, b, false, true), args: [[2, 3, 4], [2, 6, 4]] },
  { op: 'dot', label: 'vector . vector', f: (a, b) => ops.dot(a, b), args: [[4], [4]], nested: true },
  { op: 'dot', label: 'matrix . vector', f: (a, b) => ops.dot(a, b), args: [[3, 4], [4]] },
  { op: 'dot', label: 'vector . matrix', f: (a, b) => ops.dot(a, b), args: [[4], [4, 2]] },
  { op: 'dot', label: 'matrix . matrix', f: (a, b) => ops.dot(a, b), args: [[3, 4], [4, 2]], nested: true },
)

// Neural-network ops.
add(
  { op: 'oneHot', f: (i) => ops.oneHot(i, 4), args: [{ shape: [3], gen: ints(4) }], nested: true },
  { op: 'oneHot', label: 'on/off values, float32', f: (i) => ops.oneHot(i, 3, 2, -1, 'float32'), args: [{ shape: [2, 3], gen: ints(3) }] },
  { op: 'softmax', f: (x) => ops.softmax(x), args: [[3, 4]], nested: true },
  { op: 'softmax', label: 'vector, dim -1', f: (x) => ops.softmax(x, -1), args: [[4]] },
  { op: 'logSoftmax', f: (x) => ops.logSoftmax(x), args: [[3, 4]], nested: true },
  { op: 'logSoftmax', label: 'vector, axis 0', f: (x) => ops.logSoftmax(x, 0), args: [[4]] },
  { op: 'topk', f: (x) => ops.topk(x, 2), args: [[3, 6]], nested: true },
  { op: 'topk', label: 'vector, k 3', f: (x) => ops.topk(x, 3, true), args: [[6]] },
  { op: 'conv1d', f: (x, w) => ops.conv1d(x, w, 1, 'valid'), args: [[6, 2], [3, 2, 4]], nested: true },
  { op: 'conv1d', label: 'N axis, stride 2, same', f: (x, w) => ops.conv1d(x, w, 2, 'same'), args: [[2, 6, 2], [3, 2, 3]] },
  { op: 'conv1d', label: 'dilation 2', f: (x, w) => ops.conv1d(x, w, 1, 'valid', 'NWC', 2), args: [[8, 1], [2, 1, 2]] },
  { op: 'conv2d', f: (x, w) => ops.conv2d(x, w, 1, 'same'), args: [[6, 6, 2], [3, 3, 2, 4]], nested: true },
  { op: 'conv2d', label: 'N axis, stride 2', f: (x, w) => ops.conv2d(x, w, 2, 'valid'), args: [[2, 6, 6, 1], [2, 2, 1, 3]] },
  {
    op: 'conv2d',
    label: 'dilations, explicit padding',
    f: (x, w) => ops.conv2d(x, w, 1, [[0, 0], [1, 0], [0, 1], [0, 0]], 'NHWC', [2, 2]),
    args: [[6, 6, 2], [2, 2, 2, 3]],
  },
  {
    op: 'conv2d',
    label: 'NCHW',
    f: (x, w) => ops.conv2d(x, w, 1, 'same', 'NCHW'),
    args: [[2, 2, 6, 6], [3, 3, 2, 3]],
    skip: { wasm: "tfjs's wasm Conv2D kernel has no NCHW (channels-first) support" },
  },
  { op: 'depthwiseConv2d', f: (x, w) => ops.depthwiseConv2d(x, w, 1, 'same'), args: [[6, 6, 2], [3, 3, 2, 2]], nested: true },
  { op: 'depthwiseConv2d', label: 'N axis', f: (x, w) => ops.depthwiseConv2d(x, w, 2, 'valid'), args: [[2, 6, 6, 3], [2, 2, 3, 1]] },
  { op: 'maxPool', f: (x) => ops.maxPool(x, 2, 2, 'valid'), args: [[6, 6, 2]], nested: true },
  { op: 'maxPool', label: 'N axis, same', f: (x) => ops.maxPool(x, 3, 1, 'same'), args: [[2, 6, 6, 3]] },
  { op: 'avgPool', f: (x) => ops.avgPool(x, 2, 2, 'valid'), args: [[6, 6, 2]], nested: true },
  { op: 'avgPool', label: 'N axis, same', f: (x) => ops.avgPool(x, [3, 2], 1, 'same'), args: [[2, 6, 6, 3]] },
)

// ---------------------------------------------------------------------------------------------
// The suite.

const t = suite('ops')
t.before(setup)

t('the table covers every op exported by ops, and every op is a registered primitive', () => {
  const tested = new Set(cases.map((c) => c.op))
  const exported = Object.keys(ops).filter((k) => typeof opsTable[k] === 'function')
  const untested = exported.filter((k) => !tested.has(k))
  assert.equal(untested, [], `ops without a batch-rule case in the table: ${untested.join(', ')}`)
  const unknown = [...tested].filter((k) => !exported.includes(k))
  assert.equal(unknown, [], `table cases for ops that ops does not export: ${unknown.join(', ')}`)
  const unregistered = exported.filter((k) => !primitives.has(k))
  assert.equal(unregistered, [], `ops not defined as primitives (no batch rule): ${unregistered.join(', ')}`)
  assert.equal([...primitives.keys()].filter((k) => !exported.includes(k)), [], 'primitives not exported from ops')
})

for (const c of cases) {
  const name = `${c.op}${c.label ? ` (${c.label})` : ''}`
  const reason = c.skip?.[BACKEND]
  if (reason !== undefined) {
    // Skipped on this backend only, for the reason given in the table.
    t.skip(`${name} [skipped on ${BACKEND}: ${reason}]`, () => {})
    continue
  }
  t(`${name}: vmap equals the per-example loop`, () => {
    const ranks = c.args.map((a) => shapeOf(a).length)
    const outRank = tf.tidy(() => {
      const out = tree.flatten(c.f(...c.args.map((a, i) => genOf(a)([...shapeOf(a)], i))))[0]
      return Math.min(...out.map((o) => o.rank))
    })
    for (const cfg of configs(ranks, outRank)) check(c, [cfg])
    if (c.nested) {
      const cs = configs(ranks, outRank)
      // (inner, outer) pairs: axis 0 inside axis -1, middle inside -2, one argument inside the other.
      const pairs: [Config, Config][] = [
        [cs[0]!, cs[1]!],
        [cs[2]!, cs[3]!],
      ]
      if (ranks.length > 1) pairs.push([cs[4]!, { inAxes: ranks.map((r, i) => (i === ranks.length - 1 ? 0 : null)), outAxes: -1 }])
      // The outer level's axes index the arguments with the inner batch axis in place.
      for (const [inner, outer] of pairs) check(c, [inner, outer])
    }
  })
}

t('a vmapped chain of ops leaves only its outputs', () => {
  const x = tf.randomNormal([B, 6, 4], 0, 1, 'float32', 11) // [B, 6, 4]
  const w = tf.randomNormal([4, 3], 0, 1, 'float32', 12) // [4, 3]
  const f = (xi: tf.Tensor, wi: tf.Tensor) => {
    const h = ops.relu(ops.matMul(xi, wi)) // [6, 3]
    const p = ops.softmax(h) // [6, 3]
    const { values, indices } = ops.topk(ops.sum(p, 1), 2) // [2], [2]
    return { h: ops.gather(h, indices), m: ops.logSumExp(values), c: ops.concat([p, h], -1) }
  }
  const before = tf.memory().numTensors
  const out = vmap(f, { inAxes: [0, null] })(x, w)
  assert.is(tf.memory().numTensors - before, 3, 'tensors left besides the 3 outputs')
  assert.equal(out.h.shape, [B, 2, 3])
  tf.dispose([out.h, out.m, out.c, x, w])
})

/**
 * Checks `vmap(grad(loss, { argnums }))` against the loop of `grad(loss)`: `args` batched along
 * axis 0 where `batched` says so, unbatched otherwise.
 */
function checkPerExampleGrads(loss: (...xs: tf.Tensor[]) => tf.Tensor, args: tf.Tensor[], batched: boolean[], argnums: number[]): void {
  const g = vmap(grad(loss, { argnums }), { inAxes: batched.map((b) => (b ? 0 : null)) })(...args) as tf.Tensor[]
  const slices = args.map((x, j) => (batched[j] ? tf.unstack(x) : null))
  const per = [...Array(B).keys()].map((k) => grad(loss, { argnums })(...args.map((a, j) => slices[j]?.[k] ?? a)) as tf.Tensor[])
  argnums.forEach((n, k) => assertClose(g[k]!, tf.stack(per.map((p) => p[k]!)), 1e-4, 1e-3, `gradient of argument ${n}`))
}

// matMul, conv2d, maxPool, slice, pad, concat, softmax, max, logSumExp (tf has no gradient for
// topk): ([2, 3], [3, 3, 1, 2], [6, 6, 1]) -> []
const convLoss = (w: tf.Tensor, filt: tf.Tensor, x: tf.Tensor): tf.Tensor => {
  const c = ops.maxPool(ops.conv2d(x, filt, 1, 'same'), 2, 2, 'valid') // [3, 3, 2]
  const h = ops.matMul(ops.reshape(c, [9, 2]), w) // [9, 3]
  const q = ops.concat([ops.softmax(h), ops.pad(ops.slice(h, [0, 1]), [[0, 0], [1, 0]])], -1) // [9, 6]
  return ops.add(ops.sum(ops.max(q, -1)), ops.logSumExp(h)) // []
}
const convArgs = (): tf.Tensor[] => [
  tf.randomNormal([2, 3], 0, 1, 'float32', 21),
  tf.randomNormal([3, 3, 1, 2], 0, 1, 'float32', 22),
  tf.randomNormal([B, 6, 6, 1], 0, 1, 'float32', 23),
]

t('per-example gradients through the rules equal the loop of gradients', () => {
  tf.tidy(() => checkPerExampleGrads(convLoss, convArgs(), [false, false, true], [0, 2]))
})

// The filter's gradient needs Conv2DBackpropFilter (the loop) and, for per-example filters (grad
// broadcasts the filter it differentiates), DepthwiseConv2dNativeBackpropFilter (vmap): tfjs's
// wasm backend has neither; imle registers both (src/core/wasm_kernels.ts).
t('per-example gradients of conv2d filters equal the loop of gradients', () => {
  tf.tidy(() => checkPerExampleGrads(convLoss, convArgs(), [false, false, true], [0, 1, 2]))
})

// tf's gradient of gather needs the UnsortedSegmentSum kernel, which tfjs's wasm backend lacks
// and imle registers.
t('per-example gradients through gather equal the loop of gradients', () => {
  const loss = (w: tf.Tensor, x: tf.Tensor, i: tf.Tensor): tf.Tensor => ops.sum(ops.square(ops.matMul(ops.gather(x, i), w))) // []
  tf.tidy(() => {
    const args = [
      tf.randomNormal([2, 3], 0, 1, 'float32', 25), // w
      tf.randomNormal([B, 6, 2], 0, 1, 'float32', 26), // x
      tf.randomUniform([B, 4], 0, 6, 'int32', 27), // i
    ]
    checkPerExampleGrads(loss, args, [false, true, true], [0, 1])
  })
})

t('errors for bad axes name the op, the argument, the value and the range', () => {
  const xs = tf.ones([B, 3, 4])
  const throwsWith = (f: (x: tf.Tensor) => unknown, re: RegExp): void =>
    assert.throws(
      () => vmap(f)(xs),
      (e: unknown) => e instanceof VmapError && re.test(e.message),
      `expected a VmapError matching ${re}`,
    )
  throwsWith((x) => ops.sum(x, 2), /ops\.sum\(axis\): axis must be an integer in \[-2, 1\] \(per-example rank 2\) but got 2/)
  throwsWith((x) => ops.argMax(x, -3), /ops\.argMax\(axis\).*\[-2, 1\].*got -3/)
  throwsWith((x) => ops.expandDims(x, 3), /ops\.expandDims\(axis\).*\[-3, 2\].*got 3/)
  throwsWith((x) => ops.concat([x, x], 2), /ops\.concat\(axis\).*\[-2, 1\].*got 2/)
  throwsWith((x) => ops.stack([x, x], -4), /ops\.stack\(axis\).*\[-3, 2\].*got -4/)
  throwsWith((x) => ops.unstack(x, 2), /ops\.unstack\(axis\).*got 2/)
  throwsWith((x) => ops.gather(x, [0], 2), /ops\.gather\(axis\).*got 2/)
  throwsWith((x) => ops.squeeze(x, [0]), /ops\.squeeze\(axis\): axis 0 .* has size 3, not 1/)
  throwsWith((x) => ops.softmax(x, 0), /ops\.softmax\(axis\): only the last axis/)
  throwsWith((x) => ops.transpose(x, [0, 0]), /ops\.transpose\(perm\)/)
  // reps of the wrong length is the same mistake with or without vmap: an ArgumentError (per-example terms).
  assert.throws(() => vmap((x: tf.Tensor) => ops.tile(x, [2]))(xs), (e: unknown) => e instanceof ArgumentError && /ops\.tile\(reps\): expected 2 entries .*per-example shape \[3, 4\]/.test((e as Error).message))
  throwsWith((x) => ops.matMul(ops.sum(x, 0), x), /ops\.matMul\(a, b\).*ranks 1 and 2/)
  throwsWith((x) => ops.sum(ops.sum(x), 0), /ops\.sum\(axis\).*scalar.*got 0/)
  xs.dispose()
})

t('matMul with an unbatched weight folds the batch into rows: one 2-D product, no transpose', async () => {
  const x = tf.randomNormal([B, 3, 4]) // [B, 3, 4]
  const w = tf.randomNormal([4, 6]) // [4, 6]
  for (const inAxis of [0, 1]) {
    const xs = inAxis === 0 ? x : tf.transpose(x, [1, 0, 2]) // batch at inAxis
    const info = await tf.profile(() => vmap((xi: tf.Tensor) => ops.matMul(xi, w), { inAxes: inAxis, outAxes: inAxis })(xs))
    const names = info.kernels.map((k) => k.name)
    assert.not.ok(names.includes('Transpose'), `inAxes ${inAxis}: kernels ${names.join(', ')}`)
    assert.equal(names.filter((n) => n === 'BatchMatMul').length, 1)
  }
  tf.dispose([x, w])
})

t('broadcasting ops with the batch axis in the middle move no data', async () => {
  const x = tf.randomNormal([3, B, 4]) // batch at axis 1
  const b = tf.randomNormal([4])
  const info = await tf.profile(() => vmap((xi: tf.Tensor) => ops.exp(ops.mul(ops.add(xi, b), 2)), { inAxes: 1, outAxes: 1 })(x))
  assert.not.ok(info.kernels.map((k) => k.name).includes('Transpose'))
  tf.dispose([x, b])
})

t.run()
