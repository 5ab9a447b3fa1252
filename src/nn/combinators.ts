/**
 * Combinators, as stax's: `serial` (composition), `parallel` (one layer per input of a
 * tuple), and the fan layers that connect them (`fanOut`, `fanInSum`, `fanInConcat`).
 * Parameters and state of a combinator are arrays with one entry per child; child `i` gets the
 * key `random.foldIn(key, i)` (for `init`, and for `apply` when a key is given).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { decodeOrThrow, show } from '../core/config.js'
import { ArgumentError, describe } from '../core/errors.js'
import { fmtShape } from '../core/folded.js'
import * as ops from '../core/ops.js'
import * as random from '../core/random/index.js'
import * as t from 'io-ts'
import {
  checkApplyOptions,
  checkInShape,
  checkTensor,
  copy,
  stateless,
  tidy,
  type AnyLayer,
  type ApplyOptions,
  type Checked,
  type Layer,
  type Shape,
  type StepOptions,
} from './layer.js'

/** The parameters (or the state) of a combinator: one entry per child layer. */
export type Children = readonly unknown[]

/** Throws unless `layers` is a non-empty array of layers. */
function checkLayers(fn: string, layers: readonly unknown[], allowEmpty = false): readonly AnyLayer[] {
  if (layers.length === 0 && !allowEmpty) throw new ArgumentError(`${fn}(...layers): expected at least one layer but got none`)
  layers.forEach((l, i) => {
    const ok = typeof l === 'object' && l !== null && typeof (l as AnyLayer).init === 'function' && typeof (l as AnyLayer).apply === 'function'
    if (!ok) throw new ArgumentError(`${fn}(...layers): layer ${i} must be a layer (an nn record with init and apply) but got ${describe(l)}`)
  })
  return layers as readonly AnyLayer[]
}

/** Throws unless `v` (argument `arg` of `fn`) is an array with one entry per child. */
function checkChildren(fn: string, arg: string, v: unknown, n: number, what: string): Children {
  if (!Array.isArray(v) || v.length !== n) {
    throw new ArgumentError(`${fn}(${arg}): expected an array of ${n} ${what} (one per layer, from ${what === 'states' ? 'initState' : 'init'}) but got ${describe(v)}`)
  }
  return v
}

/** The options of child `i`: its own key when one is given. */
const childOptions = (o: Checked, i: number): StepOptions => (o.key === undefined ? { training: o.training } : { training: o.training, key: random.foldIn(o.key, i) })

const tagsOf = (layers: readonly AnyLayer[]): string => layers.map((l) => l._tag).join(', ')

/**
 * Composition: `serial(f, g, h)` applies `f`, then `g`, then `h` (`serial()` is the
 * identity). Parameters and state are arrays with one entry per layer; `applyWithState`
 * threads each layer's state.
 * Shapes: those of the first layer's input and the last layer's output.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const net = nn.serial(nn.conv2d(4, 3), nn.relu, nn.maxPool(2), nn.flatten, nn.dense(10))
 * const [params, outShape] = net.init(random.key(0), [8, 8, 1])   // outShape [10]
 * const logits = net.apply(params, tf.zeros([32, 8, 8, 1]))       // [32, 10]
 * ```
 */
export function serial(...layers: AnyLayer[]): Layer<Children, Children> {
  const fn = 'nn.serial'
  const ls = checkLayers(fn, layers, true)
  const n = ls.length
  return {
    _tag: `serial(${tagsOf(ls)})`,
    init: (key, inShape) =>
      tidy(() => {
        let shape: unknown = inShape
        const params = ls.map((l, i) => {
          const [p, out] = l.init(random.foldIn(key, i), shape as Shape)
          shape = out
          return p
        })
        return [params, shape as Shape] as const
      }),
    initState: (params) => childStates(fn, ls, params),
    apply: (params, x, options?: ApplyOptions<Children>) => {
      const { o, ps, st } = childArgs(fn, n, params, options)
      return tidy(() => ls.reduce((h, l, i) => l.apply(ps[i], h, { ...childOptions(o, i), state: st?.[i] }), n === 0 ? copy(checkTensor(`${fn}.apply`, x)) : x))
    },
    applyWithState: (params, state, x, options?: StepOptions) => {
      const o = checkApplyOptions(`${fn}.applyWithState`, options)
      const ps = checkChildren(`${fn}.applyWithState`, 'params', params, n, 'parameters')
      const st = checkChildren(`${fn}.applyWithState`, 'state', state, n, 'states')
      return tidy(() => {
        let h: unknown = n === 0 ? copy(checkTensor(`${fn}.applyWithState`, x)) : x
        const next = ls.map((l, i) => {
          const [y, s] = l.applyWithState(ps[i], st[i], h, childOptions(o, i))
          h = y
          return s
        })
        return [h as tf.Tensor, next] as const
      })
    },
  }
}

/**
 * One layer per input: `parallel(f, g)` maps `[x1, x2]` to `[f(x1), g(x2)]`. Parameters and
 * state are arrays with one entry per layer. Use with `fanOut` and `fanInSum`/`fanInConcat`
 * for branches: `serial(fanOut(2), parallel(f, g), fanInSum)`.
 * Shapes: `init(key, [s1, s2, ...]) -> [o1, o2, ...]`; `apply: [[B, ...s1], ...] -> [[B, ...o1], ...]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { nn, random } from 'imle'
 * const residual = nn.serial(nn.fanOut(2), nn.parallel(nn.dense(4), nn.serial()), nn.fanInSum)
 * ```
 */
export function parallel(...layers: AnyLayer[]): Layer<Children, Children, readonly tf.Tensor[], readonly tf.Tensor[]> {
  const fn = 'nn.parallel'
  const ls = checkLayers(fn, layers)
  const n = ls.length
  const inputs = (where: string, x: unknown): readonly tf.Tensor[] => {
    if (!Array.isArray(x) || x.length !== n || !x.every((v) => v instanceof tf.Tensor)) {
      throw new ArgumentError(`${where}(x): expected an array of ${n} tensors (one per layer: ${tagsOf(ls)}) but got ${describe(x)}`)
    }
    return x
  }
  return {
    _tag: `parallel(${tagsOf(ls)})`,
    init: (key, inShape) =>
      tidy(() => {
        if (!Array.isArray(inShape) || inShape.length !== n) {
          throw new ArgumentError(`${fn}.init(inShape): expected an array of ${n} shapes (one per layer) but got ${show(inShape)}`)
        }
        const made = ls.map((l, i) => l.init(random.foldIn(key, i), inShape[i]!))
        return [made.map((m) => m[0]), made.map((m) => m[1] as Shape)] as const
      }),
    initState: (params) => childStates(fn, ls, params),
    apply: (params, x, options?: ApplyOptions<Children>) => {
      const { o, ps, st } = childArgs(fn, n, params, options)
      const xs = inputs(`${fn}.apply`, x)
      return tidy(() => ls.map((l, i) => l.apply(ps[i], xs[i], { ...childOptions(o, i), state: st?.[i] }) as tf.Tensor))
    },
    applyWithState: (params, state, x, options?: StepOptions) => {
      const o = checkApplyOptions(`${fn}.applyWithState`, options)
      const ps = checkChildren(`${fn}.applyWithState`, 'params', params, n, 'parameters')
      const st = checkChildren(`${fn}.applyWithState`, 'state', state, n, 'states')
      const xs = inputs(`${fn}.applyWithState`, x)
      return tidy(() => {
        const made = ls.map((l, i) => l.applyWithState(ps[i], st[i], xs[i], childOptions(o, i)))
        return [made.map((m) => m[0] as tf.Tensor), made.map((m) => m[1])] as const
      })
    },
  }
}

/**
 * Copies its input `n` times: `x -> [x, ..., x]` (no parameters).
 * Shapes: `init(key, s) -> [s, ..., s]`; `apply: [B, ...s] -> n x [B, ...s]`.
 *
 * @example
 * ```ts
 * nn.fanOut(2).apply(undefined, tf.ones([3, 4])).length   // 2
 * ```
 */
export function fanOut(n: number): Layer<undefined, undefined, tf.Tensor, readonly tf.Tensor[]> {
  const k = decodeOrThrow('nn.fanOut', t.refinement(t.number, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'), n, 'n')
  return stateless<undefined, tf.Tensor, readonly tf.Tensor[]>(
    'fanOut',
    (_key, inShape) => {
      const s = checkInShape('nn.fanOut.init', inShape)
      return [undefined, Array.from({ length: k }, () => [...s])]
    },
    (_params, x) => {
      const xt = checkTensor('nn.fanOut.apply', x)
      return Array.from({ length: k }, () => copy(xt)) // n x [B, ...s]
    },
  )
}

/** Checks a fan-in's input: a non-empty array of tensors. */
function fanInputs(fn: string, x: unknown): readonly tf.Tensor[] {
  if (!Array.isArray(x) || x.length === 0 || !x.every((v) => v instanceof tf.Tensor)) {
    throw new ArgumentError(`${fn}(x): expected a non-empty array of tensors (the outputs of parallel) but got ${describe(x)}`)
  }
  return x
}

/** Checks fan-in shapes: an array of shapes. */
function fanShapes(fn: string, inShape: unknown): readonly Shape[] {
  if (!Array.isArray(inShape) || inShape.length === 0) throw new ArgumentError(`${fn}(inShape): expected a non-empty array of shapes but got ${show(inShape)}`)
  return inShape.map((s) => checkInShape(fn, s))
}

/**
 * Sums its inputs: `[x1, ..., xn] -> x1 + ... + xn`, all of one shape (no parameters).
 * Shapes: `init(key, [s, ..., s]) -> s`; `apply: n x [B, ...s] -> [B, ...s]`.
 *
 * @example
 * ```ts
 * nn.fanInSum.apply(undefined, [tf.ones([2, 3]), tf.ones([2, 3])])   // [[2, 2, 2], [2, 2, 2]]
 * ```
 */
export const fanInSum: Layer<undefined, undefined, readonly tf.Tensor[], tf.Tensor> = stateless<undefined, readonly tf.Tensor[], tf.Tensor>(
  'fanInSum',
  (_key, inShape) => {
    const ss = fanShapes('nn.fanInSum.init', inShape)
    const bad = ss.findIndex((s) => fmtShape(s) !== fmtShape(ss[0]!))
    if (bad >= 0) throw new ArgumentError(`nn.fanInSum.init(inShape): every input must have one shape but input 0 is ${fmtShape(ss[0]!)} and input ${bad} is ${fmtShape(ss[bad]!)}`)
    return [undefined, [...ss[0]!]]
  },
  (_params, x) => {
    const xs = fanInputs('nn.fanInSum.apply', x)
    const bad = xs.findIndex((v) => fmtShape(v.shape) !== fmtShape(xs[0]!.shape))
    if (bad >= 0) throw new ArgumentError(`nn.fanInSum.apply(x): every input must have one shape but x[0] is ${fmtShape(xs[0]!.shape)} and x[${bad}] is ${fmtShape(xs[bad]!.shape)}`)
    return xs.slice(1).reduce((a, b) => ops.add(a, b), copy(xs[0]!)) // [B, ...s]
  },
)

/**
 * Concatenates its inputs along a per-example `axis` (default `-1`, the last), no parameters.
 * Shapes: `init(key, [[...a, n1], [...a, n2]]) -> [...a, n1 + n2]`; `apply` likewise with the batch axis in front.
 *
 * @example
 * ```ts
 * nn.fanInConcat().apply(undefined, [tf.ones([2, 3]), tf.ones([2, 1])]).shape   // [2, 4]
 * ```
 */
export function fanInConcat(axis = -1): Layer<undefined, undefined, readonly tf.Tensor[], tf.Tensor> {
  const fn = 'nn.fanInConcat'
  if (!Number.isInteger(axis)) throw new ArgumentError(`${fn}(axis): expected an integer but got ${show(axis)}`)
  const resolve = (where: string, rank: number): number => {
    if (axis < -rank || axis >= rank) throw new ArgumentError(`${where}: axis ${axis} is out of range for examples of rank ${rank} (expected an integer in [${-rank}, ${rank - 1}])`)
    return axis < 0 ? axis + rank : axis
  }
  return stateless<undefined, readonly tf.Tensor[], tf.Tensor>(
    'fanInConcat',
    (_key, inShape) => {
      const ss = fanShapes(`${fn}.init`, inShape)
      const a = resolve(`${fn}.init(axis)`, ss[0]!.length)
      const rest = (s: Shape): string => fmtShape(s.filter((_, i) => i !== a))
      const bad = ss.findIndex((s) => s.length !== ss[0]!.length || rest(s) !== rest(ss[0]!))
      if (bad >= 0) throw new ArgumentError(`${fn}.init(inShape): inputs must agree except on axis ${axis} but input 0 is ${fmtShape(ss[0]!)} and input ${bad} is ${fmtShape(ss[bad]!)}`)
      const out = [...ss[0]!]
      out[a] = ss.reduce((acc, s) => acc + s[a]!, 0)
      return [undefined, out]
    },
    (_params, x) => {
      const xs = fanInputs(`${fn}.apply`, x)
      const a = resolve(`${fn}.apply(axis)`, xs[0]!.rank - 1)
      return ops.concat([...xs], a + 1) // [B, ..., sum n_i, ...]
    },
  )
}

/** The state of each child of a combinator, from its params (`fn` names the combinator). */
function childStates(fn: string, ls: readonly Layer<any, any, any, any>[], params: unknown): Children {
  const ps = checkChildren(`${fn}.initState`, 'params', params, ls.length, 'parameters')
  return ls.map((l, i) => l.initState(ps[i]))
}

/** A combinator's `apply` arguments checked: its options, each child's params and state. */
function childArgs(fn: string, n: number, params: unknown, options: ApplyOptions<Children> | undefined) {
  const o = checkApplyOptions(`${fn}.apply`, options)
  const ps = checkChildren(`${fn}.apply`, 'params', params, n, 'parameters')
  const st = options?.state === undefined ? undefined : checkChildren(`${fn}.apply`, 'options.state', options.state, n, 'states')
  return { o, ps, st }
}
