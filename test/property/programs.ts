/**
 * Random programs over `ops` for the property suite: a generator (drawing from fast-check's
 * `gen`, so that failures shrink), and two interpreters of the same program, one with `ops`
 * (float32, on the backend under test) and one with the float64 reference of `ndarray.ts`.
 *
 * A program is a list of steps over values: inputs (per-example shapes, random data) and step
 * results. Steps cover unary math (positive-domain ops get `softplus(x) + 0.25` first), binary
 * math and `where` with numpy broadcasting against new inputs or earlier values, reductions with
 * random (negative, several, all) axes and `keepDims`, reshape, transpose, expand/squeeze,
 * concat, stack, unstack, slice, tile, pad, reverse, gather, broadcastTo, matMul (every
 * transpose, broadcast batch axes, either operand new) and dot, softmax and logSoftmax. The
 * scalar loss is `sum(out * W)` for a fixed random `W`, so that every output entry has its own
 * cotangent.
 *
 * Guards, applied on the float64 reference for every example: every value finite and within
 * 1e3, and no value within 1e-3 (but not exactly at) a kink of the op using it (abs, relu,
 * clip bounds, ties of maximum/minimum/max/min, where's switch, floor's steps), where float32
 * and float64 could choose differently or a finite difference would straddle it. Exact ties
 * are kept: they come from the program's structure (`max(tile(x))`, `maximum(x, x)`), and the
 * gradient splits the cotangent equally among tied entries, as finite differences do.
 *
 * No failure class is excluded. Not drawn (checked by unit tests instead, `test/core/
 * gradients.test.ts` and `ops.test.ts`): convolutions and pooling, `topk`, `oneHot`, `gather`
 * with `batchDims`, logical ops, and `atan2` (not in `ops`). floor/ceil/round/sign and
 * argMax/argMin (zero gradient) are drawn only for the forward `vmap` properties.
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { ops } from '../../src/index.js'
import * as nd from './ndarray.js'
import type { Arr } from './ndarray.js'

/** A value's origin: input `k` or step `k`. */
type Source = { readonly input: number } | { readonly step: number }

interface Value {
  readonly shape: readonly number[]
  readonly src: Source
}

/** One step: `out = apply(args)`, written as `text`; `kink` is the distance to a kink of its inputs. */
export interface Step {
  readonly text: string
  readonly args: readonly number[]
  readonly shape: readonly number[]
  readonly apply: (xs: tf.Tensor[]) => tf.Tensor
  readonly ref: (xs: Arr[]) => Arr
  readonly kink?: (xs: Arr[]) => number
}

export interface Program {
  /** Per-example input shapes. */
  readonly inputs: readonly (readonly number[])[]
  readonly values: readonly Value[]
  readonly steps: readonly Step[]
  readonly out: number
  /** The weights of the loss `sum(out * W)`, of the output's shape. */
  readonly weights: Float64Array
}

/** Whether a program may use ops whose gradient is zero (floor, sign, argMax, ...). */
export type Mode = 'grad' | 'vmap'

/** mulberry32: a small seeded PRNG for input data (data is not shrunk, structure is). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Random input data in [-1.5, 1.5). */
export const randomData = (rand: () => number, n: number): Float64Array => Float64Array.from({ length: n }, () => rand() * 3 - 1.5)

const MAX_SIZE = 48
const fmt = (s: readonly number[]): string => `[${s.join(',')}]`

// ---------------------------------------------------------------------------------------------
// Kinks (distances to the nearest point where an op is not differentiable).

const minAbs = (a: Arr, f: (x: number) => number): number => {
  let m = Infinity
  for (const x of a.data) m = Math.min(m, Math.abs(f(x)))
  return m
}
const pairKink = (a: Arr, b: Arr): number => minAbs(nd.zip([a, b], (x, y) => x - y), (d) => d)
const groupKink = (vs: number[]): number => {
  let best = Infinity
  const m = Math.max(...vs)
  const n = Math.min(...vs)
  for (const v of vs) {
    if (v !== m) best = Math.min(best, m - v)
    if (v !== n) best = Math.min(best, v - n)
  }
  return best
}

// ---------------------------------------------------------------------------------------------
// The catalogue.

interface Unary {
  readonly name: string
  readonly op: (x: tf.Tensor) => tf.Tensor
  readonly ref: (x: number) => number
  readonly positive?: boolean
  readonly kink?: (x: number) => number
  readonly vmapOnly?: boolean
}

const softplus64 = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))
const roundHalfEven = (x: number): number => {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

const UNARY: readonly Unary[] = [
  { name: 'neg', op: ops.neg, ref: (x) => -x },
  { name: 'exp', op: ops.exp, ref: Math.exp },
  { name: 'expm1', op: ops.expm1, ref: Math.expm1 },
  { name: 'square', op: ops.square, ref: (x) => x * x },
  { name: 'sin', op: ops.sin, ref: Math.sin },
  { name: 'cos', op: ops.cos, ref: Math.cos },
  { name: 'tanh', op: ops.tanh, ref: Math.tanh },
  { name: 'sigmoid', op: ops.sigmoid, ref: (x) => 1 / (1 + Math.exp(-x)) },
  { name: 'softplus', op: ops.softplus, ref: softplus64 },
  { name: 'elu', op: ops.elu, ref: (x) => (x > 0 ? x : Math.expm1(x)) },
  { name: 'abs', op: ops.abs, ref: Math.abs, kink: (x) => x },
  { name: 'relu', op: ops.relu, ref: (x) => Math.max(x, 0), kink: (x) => x },
  { name: 'leakyRelu', op: (x) => ops.leakyRelu(x, 0.2), ref: (x) => (x > 0 ? x : 0.2 * x), kink: (x) => x },
  { name: 'clipByValue(-0.5,0.7)', op: (x) => ops.clipByValue(x, -0.5, 0.7), ref: (x) => Math.min(Math.max(x, -0.5), 0.7), kink: (x) => Math.min(Math.abs(x + 0.5), Math.abs(x - 0.7)) },
  { name: 'log', op: ops.log, ref: Math.log, positive: true },
  { name: 'log1p', op: ops.log1p, ref: Math.log1p, positive: true },
  { name: 'sqrt', op: ops.sqrt, ref: Math.sqrt, positive: true },
  { name: 'rsqrt', op: ops.rsqrt, ref: (x) => 1 / Math.sqrt(x), positive: true },
  { name: 'reciprocal', op: ops.reciprocal, ref: (x) => 1 / x, positive: true },
  { name: 'floor', op: ops.floor, ref: Math.floor, kink: (x) => x - Math.round(x), vmapOnly: true },
  { name: 'ceil', op: ops.ceil, ref: Math.ceil, kink: (x) => x - Math.round(x), vmapOnly: true },
  { name: 'round', op: ops.round, ref: roundHalfEven, kink: (x) => x - Math.floor(x) - 0.5, vmapOnly: true },
  { name: 'sign', op: ops.sign, ref: Math.sign, kink: (x) => x, vmapOnly: true },
]

interface Binary {
  readonly name: string
  readonly op: (a: tf.Tensor | number, b: tf.Tensor | number) => tf.Tensor
  readonly ref: (a: number, b: number) => number
  /** Which operand must be positive (made so by `softplus(.) + 0.25`). */
  readonly positive?: 0 | 1
  readonly kink?: boolean
}

const BINARY: readonly Binary[] = [
  { name: 'add', op: ops.add, ref: (a, b) => a + b },
  { name: 'sub', op: ops.sub, ref: (a, b) => a - b },
  { name: 'mul', op: ops.mul, ref: (a, b) => a * b },
  { name: 'div', op: ops.div, ref: (a, b) => a / b, positive: 1 },
  { name: 'pow', op: ops.pow, ref: (a, b) => a ** b, positive: 0 },
  { name: 'maximum', op: ops.maximum, ref: Math.max, kink: true },
  { name: 'minimum', op: ops.minimum, ref: Math.min, kink: true },
  { name: 'squaredDifference', op: ops.squaredDifference, ref: (a, b) => (a - b) ** 2 },
]

interface Reduction {
  readonly name: string
  readonly op: (x: tf.Tensor, axis: number | number[] | null, keepDims: boolean) => tf.Tensor
  readonly ref: (vs: number[]) => number
  readonly kink?: boolean
}

const REDUCTIONS: readonly Reduction[] = [
  { name: 'sum', op: ops.sum, ref: (vs) => vs.reduce((s, v) => s + v, 0) },
  { name: 'mean', op: ops.mean, ref: (vs) => vs.reduce((s, v) => s + v, 0) / vs.length },
  { name: 'max', op: ops.max, ref: (vs) => Math.max(...vs), kink: true },
  { name: 'min', op: ops.min, ref: (vs) => Math.min(...vs), kink: true },
  { name: 'prod', op: ops.prod, ref: (vs) => vs.reduce((s, v) => s * v, 1) },
  { name: 'logSumExp', op: ops.logSumExp, ref: nd.logSumExp },
]

// ---------------------------------------------------------------------------------------------
// The generator.

/** Draws from fast-check's `gen` (so that the program shrinks). */
class Draw {
  constructor(private readonly g: fc.GeneratorValue) {}
  int(min: number, max: number): number {
    return this.g(fc.integer, { min, max })
  }
  bool(p = 0.5): boolean {
    return this.int(0, 999) < p * 1000
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!
  }
  /** A random subset (in random order) of `xs`, of size in [min, max]. */
  subset<T>(xs: readonly T[], min: number, max = xs.length): T[] {
    const pool = [...xs]
    const out: T[] = []
    const n = this.int(min, Math.min(max, xs.length))
    for (let i = 0; i < n; i++) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]!)
    return out
  }
  /** A per-axis `[-r, r)` spelling of normalized axis `a` of rank `r`. */
  spell(a: number, r: number): number {
    return this.bool(0.3) ? a - r : a
  }
}

/** Builds a program step by step. */
class Builder {
  readonly inputs: number[][] = []
  readonly values: Value[] = []
  readonly steps: Step[] = []
  constructor(readonly d: Draw, readonly mode: Mode, readonly rand: () => number) {}

  shape(id: number): readonly number[] {
    return this.values[id]!.shape
  }
  input(shape: readonly number[]): number {
    this.inputs.push([...shape])
    this.values.push({ shape, src: { input: this.inputs.length - 1 } })
    return this.values.length - 1
  }
  step(text: string, args: readonly number[], shape: readonly number[], apply: Step['apply'], ref: Step['ref'], kink?: Step['kink']): number {
    this.steps.push({ text: `${text}  // ${fmt(shape)}`, args, shape, apply, ref, ...(kink ? { kink } : {}) })
    this.values.push({ shape, src: { step: this.steps.length - 1 } })
    return this.values.length - 1
  }
  randomShape(minRank = 0, maxRank = 3): number[] {
    return Array.from({ length: this.d.int(minRank, maxRank) }, () => this.d.int(1, 3))
  }
  /** Random constant data (closed over by a step, not an input). */
  constData(n: number): number[] {
    return Array.from(randomData(this.rand, n))
  }

  /** `softplus(x) + 0.25`: a positive value for the positive-domain ops. */
  positive(x: number): number {
    const s = this.shape(x)
    const sp = this.step(`v${this.values.length} = ops.softplus(v${x})`, [x], s, ([a]) => ops.softplus(a!), ([a]) => nd.map(a!, softplus64))
    return this.step(`v${this.values.length} = ops.add(v${sp}, 0.25)`, [sp], s, ([a]) => ops.add(a!, 0.25), ([a]) => nd.map(a!, (v) => v + 0.25))
  }

  /** A partner shape for broadcasting against `s`. */
  partnerShape(s: readonly number[]): number[] {
    let t = [...s]
    if (t.length < 3 && this.d.bool(0.3)) t = [this.d.int(1, 3), ...t]
    t = t.map((n) => (n === 1 && this.d.bool(0.4) ? this.d.int(2, 3) : n))
    const p = t.slice(t.length - this.d.int(0, t.length))
    return p.map((n) => (this.d.bool(0.25) ? 1 : n))
  }

  /** A partner for `x`: a new input, an earlier value that broadcasts with it, or a number. */
  partner(x: number): number | { readonly literal: number } {
    const s = this.shape(x)
    const r = this.d.int(0, 9)
    if (r === 0) return { literal: Math.round((this.rand() * 2 - 1) * 100) / 100 }
    if (r <= 2) {
      const ok = this.values.map((_, i) => i).filter((i) => nd.broadcastShape(s, this.shape(i)) !== null)
      const out = ok.filter((i) => nd.sizeOf(nd.broadcastShape(s, this.shape(i))!) <= MAX_SIZE)
      if (out.length > 0) return this.d.pick(out)
    }
    return this.input(this.partnerShape(s))
  }

  unary(x: number): number {
    const u = this.d.pick(UNARY.filter((o) => this.mode === 'vmap' || !o.vmapOnly))
    const a = u.positive ? this.positive(x) : x
    const kink = u.kink
    return this.step(
      `v${this.values.length} = ops.${u.name}(v${a})`,
      [a],
      this.shape(a),
      ([t]) => u.op(t!),
      ([t]) => nd.map(t!, u.ref),
      kink ? ([t]) => minAbs(t!, kink) : undefined,
    )
  }

  binary(x: number): number {
    const b = this.d.pick(BINARY)
    const p = this.partner(x)
    const swap = this.d.bool()
    let [l, r] = swap ? [p, x] : [x, p]
    // Positive-domain operands go through softplus + 0.25 (numbers are made positive here).
    const pos = (v: number | { readonly literal: number }): number | { readonly literal: number } =>
      typeof v === 'number' ? this.positive(v) : { literal: Math.abs(v.literal) + 0.25 }
    if (b.positive === 0) l = pos(l)
    if (b.positive === 1) r = pos(r)
    const shapeOf = (v: number | { readonly literal: number }): readonly number[] => (typeof v === 'number' ? this.shape(v) : [])
    const shape = nd.broadcastShape(shapeOf(l), shapeOf(r))!
    const ids = [l, r].filter((v): v is number => typeof v === 'number')
    const name = (v: number | { readonly literal: number }): string => (typeof v === 'number' ? `v${v}` : String(v.literal))
    const lit = (v: number | { readonly literal: number }): number | undefined => (typeof v === 'number' ? undefined : v.literal)
    const [lL, rL] = [lit(l), lit(r)]
    const args = (xs: tf.Tensor[]): [tf.Tensor | number, tf.Tensor | number] => {
      let k = 0
      const a = lL ?? xs[k++]!
      const c = rL ?? xs[k++]!
      return [a, c]
    }
    const refArgs = (xs: Arr[]): [Arr, Arr] => {
      let k = 0
      const a = lL === undefined ? xs[k++]! : nd.arr([], [lL])
      const c = rL === undefined ? xs[k++]! : nd.arr([], [rL])
      return [a, c]
    }
    return this.step(
      `v${this.values.length} = ops.${b.name}(${name(l)}, ${name(r)})`,
      ids,
      shape,
      (xs) => b.op(...args(xs)),
      (xs) => nd.zip(refArgs(xs), b.ref),
      b.kink ? (xs) => pairKink(...refArgs(xs)) : undefined,
    )
  }

  where(x: number): number {
    const s = this.shape(x)
    const cShape = this.partnerShape(s)
    const c = this.constData(nd.sizeOf(cShape))
    const y = this.partner(x)
    if (typeof y !== 'number') return this.unary(x)
    const shape = nd.broadcastShape(nd.broadcastShape(s, cShape)!, this.shape(y))
    if (shape === null || nd.sizeOf(shape) > MAX_SIZE) return this.unary(x)
    const cArr = nd.arr(cShape, c)
    return this.step(
      `v${this.values.length} = ops.where(ops.greater(v${x}, C${fmt(cShape)}), v${x}, v${y})`,
      [x, y],
      shape,
      ([a, b]) => ops.where(ops.greater(a!, tf.tensor(c, cShape)), a!, b!),
      ([a, b]) => nd.zip([a!, cArr, a!, b!], (v, cc, p, q) => (v > cc ? p : q)),
      ([a]) => pairKink(a!, cArr),
    )
  }

  reduction(x: number): number {
    const red = this.d.pick(REDUCTIONS)
    const r = this.shape(x).length
    const keepDims = this.d.bool()
    let axis: number | number[] | null = null
    const kind = r === 0 ? 0 : this.d.int(0, 2)
    if (kind === 1) axis = this.d.spell(this.d.int(0, r - 1), r)
    if (kind === 2) axis = this.d.subset([...Array(r).keys()], 1).map((a) => this.d.spell(a, r))
    const axes = axis === null ? [...Array(r).keys()] : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + r : a))
    const s = this.shape(x)
    const shape = keepDims ? s.map((n, i) => (axes.includes(i) ? 1 : n)) : s.filter((_, i) => !axes.includes(i))
    const ax = axis
    return this.step(
      `v${this.values.length} = ops.${red.name}(v${x}, ${JSON.stringify(ax)}, ${keepDims})`,
      [x],
      shape,
      ([t]) => red.op(t!, ax, keepDims),
      ([t]) => nd.reduce(t!, axes, keepDims, red.ref),
      red.kink
        ? ([t]) => {
            const g = nd.reduce(t!, axes, true, groupKink)
            return Math.min(...g.data)
          }
        : undefined,
    )
  }

  reshape(x: number): number {
    const s = this.shape(x)
    let n = nd.sizeOf(s)
    const shape: number[] = []
    const rank = this.d.int(n === 1 ? 0 : 1, 4)
    for (let i = 0; i < rank - 1; i++) {
      const divs = [...Array(n).keys()].map((k) => k + 1).filter((k) => n % k === 0)
      const k = this.d.pick(divs)
      shape.push(k)
      n /= k
    }
    if (rank > 0) shape.push(n)
    const spelled = [...shape]
    if (rank > 0 && this.d.bool(0.3)) spelled[this.d.int(0, rank - 1)] = -1
    return this.step(`v${this.values.length} = ops.reshape(v${x}, ${fmt(spelled)})`, [x], shape, ([t]) => ops.reshape(t!, spelled), ([t]) => nd.reshape(t!, shape))
  }

  transpose(x: number): number {
    const s = this.shape(x)
    const r = s.length
    if (r < 2) return this.unary(x)
    const perm = this.d.bool(0.2) ? undefined : this.d.subset([...Array(r).keys()], r)
    const p = perm ?? [...Array(r).keys()].reverse()
    return this.step(
      `v${this.values.length} = ops.transpose(v${x}, ${perm ? fmt(perm) : 'undefined'})`,
      [x],
      p.map((a) => s[a]!),
      ([t]) => ops.transpose(t!, perm),
      ([t]) => nd.transpose(t!, p),
    )
  }

  expandSqueeze(x: number): number {
    const s = this.shape(x)
    const ones = s.flatMap((n, i) => (n === 1 ? [i] : []))
    if (ones.length > 0 && this.d.bool()) {
      const axes = this.d.bool(0.3) ? undefined : this.d.subset(ones, 1)
      const drop = axes ?? ones
      const shape = s.filter((_, i) => !drop.includes(i))
      const spelled = axes?.map((a) => this.d.spell(a, s.length))
      return this.step(`v${this.values.length} = ops.squeeze(v${x}, ${spelled ? fmt(spelled) : 'undefined'})`, [x], shape, ([t]) => ops.squeeze(t!, spelled), ([t]) => nd.reshape(t!, shape))
    }
    if (s.length >= 4) return this.unary(x)
    const a = this.d.int(0, s.length)
    const spelled = this.d.bool(0.3) ? a - s.length - 1 : a
    const shape = [...s]
    shape.splice(a, 0, 1)
    return this.step(`v${this.values.length} = ops.expandDims(v${x}, ${spelled})`, [x], shape, ([t]) => ops.expandDims(t!, spelled), ([t]) => nd.reshape(t!, shape))
  }

  concatStack(x: number): number {
    const s = this.shape(x)
    const r = s.length
    if (r === 0) return this.unary(x)
    if (this.d.bool()) {
      const a = this.d.int(0, r - 1)
      const others = Array.from({ length: this.d.int(1, 2) }, () => {
        if (this.d.bool(0.3)) return x
        const t = [...s]
        t[a] = this.d.int(1, 2)
        return this.input(t)
      })
      const ids = this.d.bool() ? [x, ...others] : [...others, x]
      const shape = [...s]
      shape[a] = ids.reduce((p, i) => p + this.shape(i)[a]!, 0)
      if (nd.sizeOf(shape) > MAX_SIZE) return this.unary(x)
      const spelled = this.d.spell(a, r)
      return this.step(`v${this.values.length} = ops.concat([${ids.map((i) => `v${i}`).join(', ')}], ${spelled})`, ids, shape, (ts) => ops.concat(ts, spelled), (ts) => nd.concat(ts, a))
    }
    if (r >= 4 || nd.sizeOf(s) * 2 > MAX_SIZE) return this.unary(x)
    const y = this.d.bool(0.3) ? x : this.input(s)
    const a = this.d.int(0, r)
    const spelled = this.d.bool(0.3) && a >= 1 ? a - r - 1 : a // tf.stack takes [-r, r]
    const shape = [...s]
    shape.splice(a, 0, 2)
    return this.step(
      `v${this.values.length} = ops.stack([v${x}, v${y}], ${spelled})`,
      [x, y],
      shape,
      ([p, q]) => ops.stack([p!, q!], spelled),
      ([p, q]) => {
        const e = (t: Arr): Arr => nd.reshape(t, [...s.slice(0, a), 1, ...s.slice(a)])
        return nd.concat([e(p!), e(q!)], a)
      },
    )
  }

  unstack(x: number): number {
    const s = this.shape(x)
    const r = s.length
    if (r === 0) return this.unary(x)
    const a = this.d.int(0, r - 1)
    const k = this.d.int(0, s[a]! - 1)
    const spelled = this.d.spell(a, r)
    const shape = s.filter((_, i) => i !== a)
    return this.step(
      `v${this.values.length} = ops.unstack(v${x}, ${spelled})[${k}]`,
      [x],
      shape,
      ([t]) => ops.unstack(t!, spelled)[k]!,
      ([t]) => {
        const begin = s.map((_, i) => (i === a ? k : 0))
        const size = s.map((n, i) => (i === a ? 1 : n))
        return nd.reshape(nd.slice(t!, begin, size), shape)
      },
    )
  }

  slice(x: number): number {
    const s = this.shape(x)
    if (s.length === 0) return this.unary(x)
    const begin = s.map((n) => this.d.int(0, n - 1))
    const size = s.map((n, i) => this.d.int(1, n - begin[i]!))
    const sizeSpelled = size.map((n, i) => (this.d.bool(0.2) && begin[i]! + n === s[i] ? -1 : n))
    const asNumber = s.length === 1 && this.d.bool(0.3)
    const bArg: number | number[] = asNumber ? begin[0]! : begin
    const sArg: number | number[] = asNumber ? sizeSpelled[0]! : sizeSpelled
    return this.step(
      `v${this.values.length} = ops.slice(v${x}, ${JSON.stringify(bArg)}, ${JSON.stringify(sArg)})`,
      [x],
      size,
      ([t]) => ops.slice(t!, bArg, sArg),
      ([t]) => nd.slice(t!, begin, size),
    )
  }

  tile(x: number): number {
    const s = this.shape(x)
    if (s.length === 0) return this.unary(x)
    const reps = s.map(() => this.d.int(1, 2))
    const shape = s.map((n, i) => n * reps[i]!)
    if (nd.sizeOf(shape) > MAX_SIZE) return this.unary(x)
    return this.step(`v${this.values.length} = ops.tile(v${x}, ${fmt(reps)})`, [x], shape, ([t]) => ops.tile(t!, reps), ([t]) => nd.tile(t!, reps))
  }

  pad(x: number): number {
    const s = this.shape(x)
    if (s.length === 0) return this.unary(x)
    const paddings = s.map(() => [this.d.int(0, 1), this.d.int(0, 1)] as [number, number])
    const shape = s.map((n, i) => n + paddings[i]![0] + paddings[i]![1])
    if (nd.sizeOf(shape) > MAX_SIZE) return this.unary(x)
    const c = this.d.pick([0, 0.5, -1])
    return this.step(`v${this.values.length} = ops.pad(v${x}, ${JSON.stringify(paddings)}, ${c})`, [x], shape, ([t]) => ops.pad(t!, paddings, c), ([t]) => nd.pad(t!, paddings, c))
  }

  reverse(x: number): number {
    const s = this.shape(x)
    const r = s.length
    if (r === 0) return this.unary(x)
    const axes = this.d.subset([...Array(r).keys()], 1)
    const whole = this.d.bool(0.2)
    const arg: number | number[] | undefined = whole ? undefined : axes.length === 1 && this.d.bool() ? this.d.spell(axes[0]!, r) : axes.map((a) => this.d.spell(a, r))
    const norm = whole ? [...Array(r).keys()] : axes
    return this.step(`v${this.values.length} = ops.reverse(v${x}, ${JSON.stringify(arg)})`, [x], s, ([t]) => ops.reverse(t!, arg), ([t]) => nd.reverse(t!, norm))
  }

  gather(x: number): number {
    const s = this.shape(x)
    const r = s.length
    if (r === 0) return this.unary(x)
    const a = this.d.int(0, r - 1)
    const iShape = Array.from({ length: this.d.int(0, 2) }, () => this.d.int(1, 3))
    const indices = Array.from({ length: nd.sizeOf(iShape) }, () => this.d.int(0, s[a]! - 1))
    const shape = [...s.slice(0, a), ...iShape, ...s.slice(a + 1)]
    if (nd.sizeOf(shape) > MAX_SIZE || shape.length > 4) return this.unary(x)
    const spelled = this.d.spell(a, r)
    return this.step(
      `v${this.values.length} = ops.gather(v${x}, int32${fmt(iShape)} ${JSON.stringify(indices)}, ${spelled})`,
      [x],
      shape,
      ([t]) => ops.gather(t!, tf.tensor(indices, iShape, 'int32'), spelled),
      ([t]) => nd.gather(t!, indices, iShape, a),
    )
  }

  broadcastTo(x: number): number {
    const s = this.shape(x)
    let t = s.map((n) => (n === 1 && this.d.bool() ? this.d.int(2, 3) : n))
    if (t.length < 3 && this.d.bool()) t = [this.d.int(1, 3), ...t]
    if (nd.sizeOf(t) > MAX_SIZE) return this.unary(x)
    return this.step(`v${this.values.length} = ops.broadcastTo(v${x}, ${fmt(t)})`, [x], t, ([v]) => ops.broadcastTo(v!, t), ([v]) => nd.broadcastTo(v!, t))
  }

  /** `matMul` with `x` as either operand and a new input (or `x` itself) as the other. */
  matMul(x: number): number {
    const s = this.shape(x)
    if (s.length < 2) return this.dot(x)
    const xIsA = this.d.bool()
    const tX = this.d.bool()
    const tY = this.d.bool()
    const [r, c] = s.slice(-2) as [number, number]
    // x as a: [.., m, k] (tA: [.., k, m]); x as b: [.., k, n] (tB: [.., n, k]).
    const k = xIsA ? (tX ? r : c) : tX ? c : r
    const other = this.d.int(1, 3)
    const batch = this.partnerShape(s.slice(0, -2)).slice(-2)
    const yMat = xIsA ? (tY ? [other, k] : [k, other]) : tY ? [k, other] : [other, k]
    const y = this.d.bool(0.15) && nd.sizeOf(s) > 0 && s[s.length - 1] === s[s.length - 2] ? x : this.input([...batch, ...yMat])
    const [a, b] = xIsA ? [x, y] : [y, x]
    const [tA, tB] = xIsA ? [tX, tY] : [tY, tX]
    const sa = this.shape(a)
    const sb = this.shape(b)
    const outer = nd.broadcastShape(sa.slice(0, -2), sb.slice(0, -2))
    if (outer === null) return this.unary(x)
    const m = tA ? sa[sa.length - 1]! : sa[sa.length - 2]!
    const n = tB ? sb[sb.length - 2]! : sb[sb.length - 1]!
    const shape = [...outer, m, n]
    if (nd.sizeOf(shape) > MAX_SIZE || shape.length > 4) return this.unary(x)
    return this.step(
      `v${this.values.length} = ops.matMul(v${a}, v${b}, ${tA}, ${tB})`,
      [a, b],
      shape,
      ([p, q]) => ops.matMul(p!, q!, tA, tB),
      ([p, q]) => nd.matMul(p!, q!, tA, tB),
    )
  }

  dot(x: number): number {
    const s = this.shape(x)
    if (s.length < 1 || s.length > 2) return this.unary(x)
    const xFirst = this.d.bool()
    const k = xFirst ? s[s.length - 1]! : s[0]!
    const yRank = this.d.int(1, 2)
    const yShape = yRank === 1 ? [k] : xFirst ? [k, this.d.int(1, 3)] : [this.d.int(1, 3), k]
    const y = this.input(yShape)
    const [a, b] = xFirst ? [x, y] : [y, x]
    const sa = this.shape(a)
    const sb = this.shape(b)
    const shape = [...(sa.length === 2 ? [sa[0]!] : []), ...(sb.length === 2 ? [sb[1]!] : [])]
    return this.step(`v${this.values.length} = ops.dot(v${a}, v${b})`, [a, b], shape, ([p, q]) => ops.dot(p!, q!), ([p, q]) => nd.dot(p!, q!))
  }

  softmax(x: number): number {
    const s = this.shape(x)
    if (s.length === 0) return this.unary(x)
    const log = this.d.bool()
    return this.step(
      `v${this.values.length} = ops.${log ? 'logSoftmax' : 'softmax'}(v${x})`,
      [x],
      s,
      ([t]) => (log ? ops.logSoftmax(t!) : ops.softmax(t!)),
      ([t]) => nd.softmax(t!, log),
    )
  }

  argMax(x: number): number {
    const s = this.shape(x)
    if (s.length === 0) return this.unary(x)
    const a = this.d.int(0, s.length - 1)
    const spelled = this.d.spell(a, s.length)
    const min = this.d.bool()
    return this.step(
      `v${this.values.length} = ops.cast(ops.${min ? 'argMin' : 'argMax'}(v${x}, ${spelled}), 'float32')`,
      [x],
      s.filter((_, i) => i !== a),
      ([t]) => ops.cast(min ? ops.argMin(t!, spelled) : ops.argMax(t!, spelled), 'float32'),
      ([t]) =>
        nd.reduce(t!, [a], false, (vs) => {
          const best = min ? Math.min(...vs) : Math.max(...vs)
          return vs.indexOf(best)
        }),
      // Ties are rejected too: the index is discrete, and a tie exact in float64 (cos(1) and
      // cos(-1)) may be broken by rounding in float32 on one backend.
      ([t]) =>
        Math.min(
          ...nd.reduce(t!, [a], true, (vs) => {
            const best = min ? Math.min(...vs) : Math.max(...vs)
            let ties = 0
            let gap = Infinity
            for (const v of vs) {
              if (v === best) ties++
              else gap = Math.min(gap, Math.abs(v - best))
            }
            return ties > 1 ? 1e-9 : gap
          }).data,
        ),
    )
  }
}

/** The kinds of step, each a method of `Builder` taking the operand's value id. */
export type Kind =
  | 'unary' | 'binary' | 'where' | 'reduction' | 'reshape' | 'transpose' | 'expandSqueeze' | 'concatStack' | 'unstack'
  | 'slice' | 'tile' | 'pad' | 'reverse' | 'gather' | 'broadcastTo' | 'matMul' | 'dot' | 'softmax' | 'argMax'

const KINDS: readonly (readonly [Kind, number])[] = [
  ['unary', 5],
  ['binary', 6],
  ['where', 1],
  ['reduction', 4],
  ['reshape', 2],
  ['transpose', 2],
  ['expandSqueeze', 1],
  ['concatStack', 2],
  ['unstack', 1],
  ['slice', 2],
  ['tile', 1],
  ['pad', 1],
  ['reverse', 1],
  ['gather', 2],
  ['broadcastTo', 1],
  ['matMul', 4],
  ['dot', 1],
  ['softmax', 1],
]

/**
 * A random program drawn with `g`: one or two inputs, then 1 to `maxSteps` steps, each on the
 * latest value (mostly) or an earlier one. `only` restricts the step kinds (for focused runs).
 */
export function genProgram(g: fc.GeneratorValue, mode: Mode, maxSteps = 5, only?: readonly Kind[]): Program {
  const d = new Draw(g)
  const b = new Builder(d, mode, prng(d.int(0, 2 ** 31 - 1)))
  b.input(b.randomShape(0, 3))
  if (d.bool(0.3)) b.input(b.randomShape(0, 3))
  const kinds = only === undefined ? KINDS : KINDS.filter(([k]) => only.includes(k))
  const total = kinds.reduce((p, [, w]) => p + w, 0)
  const nSteps = d.int(1, maxSteps)
  let last = b.values.length - 1
  for (let i = 0; i < nSteps; i++) {
    const x = d.bool(0.7) ? last : d.int(0, b.values.length - 1)
    let w = d.int(0, total - 1)
    let kind: Kind = kinds[0]![0]
    for (const [k, wk] of kinds) {
      if (w < wk) {
        kind = k
        break
      }
      w -= wk
    }
    if (mode === 'vmap' && d.bool(0.05)) kind = 'argMax'
    last = (b[kind] as (x: number) => number).call(b, x)
  }
  const out = last
  const weights = randomData(b.rand, nd.sizeOf(b.shape(out)))
  return { inputs: b.inputs, values: b.values, steps: b.steps, out, weights }
}

/** The program as text, with its inputs. */
export function show(p: Program): string {
  const ins = p.values.flatMap((v, i) => ('input' in v.src ? [`v${i}: input ${fmt(v.shape)}`] : []))
  return [...ins, ...p.steps.map((s) => s.text), `loss = sum(v${p.out} * W)`].join('\n')
}

/** Runs `p` on inputs `xs` with `apply` per step; returns every value. */
function interpret<T>(p: Program, xs: readonly T[], apply: (s: Step, args: T[]) => T): T[] {
  const vals: T[] = []
  for (const v of p.values) vals.push('input' in v.src ? xs[v.src.input]! : apply(p.steps[v.src.step]!, p.steps[v.src.step]!.args.map((a) => vals[a]!)))
  return vals
}

/** The program's output with `ops` (under `vmap` when the inputs are tracers). */
export const runOps = (p: Program, xs: readonly tf.Tensor[]): tf.Tensor => interpret(p, xs, (s, args) => s.apply(args))[p.out]!

/** The scalar loss `sum(out * W)` with `ops`. */
export const lossOps = (p: Program, xs: readonly tf.Tensor[]): tf.Tensor =>
  ops.sum(ops.mul(runOps(p, xs), tf.tensor(Array.from(p.weights), [...p.values[p.out]!.shape])))

/**
 * The float64 output, or a reason the guards reject these inputs (`guard`: checked at the
 * point itself, not at the finite-difference points around it, which may come closer).
 */
export function runRef(p: Program, xs: readonly Arr[], guard = true): { readonly out: Arr } | { readonly rejected: string } {
  let rejected = ''
  const vals = interpret(p, xs, (s, args) => {
    if (rejected !== '') return args[0] ?? nd.arr([], [0])
    if (guard && s.kink) {
      const k = s.kink(args)
      if (k > 0 && k < 1e-3) rejected = `near a kink (${k}) at ${s.text}`
    }
    const out = s.ref(args)
    if (guard) for (const v of out.data) if (!Number.isFinite(v) || Math.abs(v) > 1e3) rejected = `value ${v} at ${s.text}`
    return out
  })
  return rejected === '' ? { out: vals[p.out]! } : { rejected }
}

/** The float64 loss. */
export function lossRef(p: Program, xs: readonly Arr[]): number {
  const r = runRef(p, xs, false)
  if ('rejected' in r) return NaN
  let s = 0
  for (let i = 0; i < r.out.data.length; i++) s += r.out.data[i]! * p.weights[i]!
  return s
}
