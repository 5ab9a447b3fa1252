/**
 * `valueAndGrad` and `grad` over pytree arguments, on tfjs's tape. `grad` is derived from
 * `valueAndGrad`.
 *
 * Under `vmap` the differentiated arguments are materialized in canonical form (every active
 * batch axis in front, broadcast where unbatched), the function runs on tracers rebuilt from
 * them, and the per-example outputs are summed before tfjs differentiates: examples are
 * independent, so the gradient of the sum is the stack of per-example gradients. That is how
 * `vmap(grad(f))` gives per-example gradients, batched even for unbatched arguments.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { installEngine } from '../core/engine.js'
import { fromCanonical, toCanonical } from '../core/batching.js'
import { show } from '../core/config.js'
import { describe, GradError } from '../core/errors.js'
import { activeFrames } from '../core/tracer.js'
import * as tree from '../core/tree.js'

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions {
  /** Which positional argument(s) to differentiate with respect to. Default `0`. */
  readonly argnums?: number | readonly number[]
  /** Whether `f` returns `[output, aux]`; `aux` is passed through undifferentiated. Default `false`. */
  readonly hasAux?: boolean
}

const isFloat = (t: tf.Tensor): boolean => t.dtype === 'float32'

/** Checks the transformation's own arguments: `f` a function, `options` an object with a boolean `hasAux`. */
function checkArgs(fnName: string, f: unknown, options: unknown): void {
  if (typeof f !== 'function') throw new GradError(`${fnName}(f): f must be a function but got ${show(f)}`)
  if (typeof options !== 'object' || options === null) throw new GradError(`${fnName}(options): expected an object { argnums?, hasAux? } but got ${show(options)}`)
  const { hasAux } = options as GradOptions
  if (hasAux !== undefined && typeof hasAux !== 'boolean') throw new GradError(`${fnName}(options.hasAux): expected a boolean but got ${show(hasAux)}`)
}

interface Computed {
  readonly value: tf.Tensor
  readonly aux: unknown
  readonly grads: unknown
}

function compute(
  fnName: string,
  f: (...args: any[]) => any,
  argnums: number | readonly number[],
  hasAux: boolean,
  args: readonly unknown[],
): Computed {
  if (typeof argnums !== 'number' && !Array.isArray(argnums)) {
    throw new GradError(`${fnName}(options.argnums): argnums must be an integer or an array of integers but got ${show(argnums)}`)
  }
  const nums = typeof argnums === 'number' ? [argnums] : [...argnums]
  if (nums.length === 0) throw new GradError(`${fnName}: argnums is empty; give at least one argument index`)
  for (const n of nums) {
    if (!Number.isInteger(n) || n < 0 || n >= args.length) {
      throw new GradError(
        `${fnName}: argnums contains ${show(n)} but the function was called with ${args.length} argument(s); ` +
          `each entry must be an integer in [0, ${args.length - 1}]`,
      )
    }
  }
  const dup = nums.find((n, i) => nums.indexOf(n) !== i)
  if (dup !== undefined) throw new GradError(`${fnName}(options.argnums): argnums lists argument ${dup} more than once (duplicate argnums: ${show(nums)})`)
  const flat = nums.map((n) => tree.flatten(args[n]))
  flat.forEach(([leaves], j) => {
    if (leaves.length === 0) {
      throw new GradError(`${fnName}: argument ${nums[j]} has no tensor leaf to differentiate (got ${show(args[nums[j]!])}); pass a float32 tensor or a pytree of them`)
    }
  })
  flat.forEach(([leaves], j) => {
    leaves.forEach((l) => {
      if (!isFloat(l)) {
        throw new GradError(
          `${fnName}: argument ${nums[j]} has a leaf of dtype ${l.dtype}; only float32 leaves can be ` +
            `differentiated (cast it, or move it to an argument not in argnums)`,
        )
      }
    })
  })
  const frames = activeFrames().slice()
  const batched = frames.length > 0

  return tf.tidy(() => {
    // Fresh tensors, so that the tape separates the arguments from anything `f` closes over.
    const raws = flat.flatMap(([leaves]) => leaves.map((l) => tf.clone(batched ? toCanonical(l, frames) : l)))
    let kept: tf.Tensor[] = []
    let auxDef: tree.TreeDef | undefined
    const { value: total, grads } = disposingOnError(() => kept, () => keepingOuterTape(() => tf.engine().gradients(
      () => {
        const newArgs = args.slice()
        let k = 0
        flat.forEach(([leaves, def], j) => {
          const ls = raws.slice(k, k + leaves.length).map((r) => (batched ? fromCanonical(r, frames) : r))
          k += leaves.length
          newArgs[nums[j]!] = tree.unflatten(def, ls)
        })
        const out = f(...newArgs)
        const [y, aux] = hasAux ? checkAux(fnName, out) : [out, undefined]
        if (!(y instanceof tf.Tensor) || y.rank !== 0) {
          const shape = y instanceof tf.Tensor ? `[${y.shape.join(', ')}]` : describe(y)
          throw new GradError(
            `${fnName}: the function must return a scalar tensor${hasAux ? ' as the first element of [output, aux]' : ''} ` +
              `but returned ${shape}; reduce it (ops.sum, ops.mean) or vmap over the batch`,
          )
        }
        if (!isFloat(y)) throw new GradError(`${fnName}: the function returned dtype ${y.dtype}; expected float32`)
        const yRaw = batched ? toCanonical(y, frames) : y // [B_1, ..., B_n]
        const [auxLeaves, def] = tree.flatten(aux)
        auxDef = def
        kept = [yRaw, ...auxLeaves.map((a) => (batched ? toCanonical(a, frames) : a))].map((t) => tf.keep(t))
        return batched ? tf.sum(yRaw) : yRaw // []
      },
      raws,
      undefined,
      true,
    )))
    // Move the kept outputs back into this scope (a clone shares the data).
    const [value, ...auxRaw] = kept.map((t) => {
      const c = tf.clone(t)
      t.dispose()
      return c
    })
    total.dispose()
    const unbatch = (t: tf.Tensor): tf.Tensor => (batched ? fromCanonical(t, frames) : t)
    let k = 0
    const gradTrees = flat.map(([leaves, def]) => {
      const gs = leaves.map((_, i) => {
        const g = grads[k + i] ?? tf.zerosLike(raws[k + i]!)
        return unbatch(g)
      })
      k += leaves.length
      return tree.unflatten(def, gs)
    })
    const result = {
      value: unbatch(value!),
      aux: tree.unflatten(auxDef!, auxRaw.map(unbatch)),
      grads: typeof argnums === 'number' ? gradTrees[0] : gradTrees,
    }
    return result as unknown as tf.TensorContainer
  }) as unknown as Computed
}

/** The parts of tfjs's engine state that `keepingOuterTape` manages. */
interface TapeState {
  activeTape: { readonly saved?: readonly tf.Tensor[] }[] | null | undefined
  readonly gradientDepth: number
}

/**
 * Runs `body` (a `tf.engine().gradients` call) and puts back the tape that was active before
 * it. tfjs starts a fresh tape when no gradient is being recorded and drops it when done; a
 * `grad` inside a backward pass (a `customVjp` backward rule that differentiates something)
 * would otherwise drop the outer pass's tape while that pass still needs it.
 *
 * tfjs frees the tensors a fresh tape saved for the backward pass (kept clones of op inputs and
 * outputs, `customGrad` residuals) only when the backward pass completes; when `body` throws
 * (in `f`, in a gradient, in a `customVjp` backward rule or a solver it calls), they are freed
 * here. A tape that was not fresh belongs to an enclosing `gradients` call, which frees it.
 */
function keepingOuterTape<R>(body: () => R): R {
  const state = (tf.engine() as unknown as { state: TapeState }).state
  const outer = state.activeTape
  const fresh = state.gradientDepth === 0
  try {
    return body()
  } catch (e) {
    const tape = state.activeTape
    if (fresh && tape !== outer && tape != null) for (const node of tape) for (const t of node.saved ?? []) t.dispose()
    throw e
  } finally {
    state.activeTape = outer
  }
}

/** Runs `body`; when it throws, disposes the (kept, so untracked by `tidy`) tensors `kept()`. */
function disposingOnError<R>(kept: () => readonly tf.Tensor[], body: () => R): R {
  try {
    return body()
  } catch (e) {
    for (const t of kept()) t.dispose()
    throw e
  }
}

function checkAux(fnName: string, out: unknown): [unknown, unknown] {
  if (!Array.isArray(out) || out.length !== 2) {
    throw new GradError(`${fnName}: with hasAux the function must return [output, aux], but returned ${typeof out}`)
  }
  return [out[0], out[1]]
}

/** The gradient tree(s) `grad` returns for `argnums`: one tree, or a tuple of trees. */
export type Grads<Args extends readonly unknown[], N> = N extends number
  ? Args[N]
  : N extends readonly number[]
    ? { [K in keyof N]: N[K] extends number ? Args[N[K]] : never }
    : Args[0]

/**
 * Returns a function computing `f`'s value and its gradient with respect to argument(s)
 * `argnums` (pytrees of float32 tensors). `f` must return a scalar tensor, or `[scalar, aux]`
 * with `hasAux`. Gradients have the structure of the arguments; a leaf that does not affect the
 * output gets zeros. Under `vmap`, per-example gradients.
 *
 * Returns `[value, grads]`, or `[[value, aux], grads]` with `hasAux` (as JAX).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { ops, valueAndGrad } from 'imle'
 * const loss = (p: { w: tf.Tensor }, x: tf.Tensor) => ops.sum(ops.square(ops.mul(p.w, x)))
 * const [value, g] = valueAndGrad(loss)({ w: tf.ones([3]) }, tf.tensor1d([1, 2, 3]))
 * // value: 14; g.w: [2, 8, 18]
 * ```
 */
export function valueAndGrad<Args extends any[], const N extends number | readonly number[] = 0>(
  f: (...args: Args) => tf.Tensor,
  options?: { readonly argnums?: N; readonly hasAux?: false },
): (...args: Args) => [tf.Tensor, Grads<Args, N>]
export function valueAndGrad<Args extends any[], Aux, const N extends number | readonly number[] = 0>(
  f: (...args: Args) => readonly [tf.Tensor, Aux],
  options: { readonly argnums?: N; readonly hasAux: true },
): (...args: Args) => [[tf.Tensor, Aux], Grads<Args, N>]
export function valueAndGrad(f: (...args: any[]) => any, options: GradOptions = {}): (...args: any[]) => unknown {
  return named('valueAndGrad', f, options)
}

/** `valueAndGrad` whose errors name `fnName` (`grad` or `valueAndGrad`). */
function named(fnName: string, f: (...args: any[]) => any, options: GradOptions): (...args: any[]) => unknown {
  checkArgs(fnName, f, options)
  installEngine()
  const { argnums = 0, hasAux = false } = options
  return (...args: unknown[]) => {
    const { value, aux, grads } = compute(fnName, f, argnums, hasAux, args)
    return hasAux ? [[value, aux], grads] : [value, grads]
  }
}

/**
 * Returns a function computing the gradient of scalar-valued `f` with respect to argument(s)
 * `argnums`; with `hasAux`, `[grads, aux]`. Derived from `valueAndGrad` (the value is freed).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { grad, ops, vmap } from 'imle'
 * const f = (w: tf.Tensor, x: tf.Tensor) => ops.sum(ops.mul(w, x))      // ([n], [n]) -> []
 * grad(f)(tf.ones([3]), tf.tensor1d([1, 2, 3]))                          // [1, 2, 3]
 * vmap(grad(f), { inAxes: [null, 0] })(tf.ones([3]), tf.ones([5, 3]))    // per-example: [5, 3]
 * ```
 */
export function grad<Args extends any[], const N extends number | readonly number[] = 0>(
  f: (...args: Args) => tf.Tensor,
  options?: { readonly argnums?: N; readonly hasAux?: false },
): (...args: Args) => Grads<Args, N>
export function grad<Args extends any[], Aux, const N extends number | readonly number[] = 0>(
  f: (...args: Args) => readonly [tf.Tensor, Aux],
  options: { readonly argnums?: N; readonly hasAux: true },
): (...args: Args) => [Grads<Args, N>, Aux]
export function grad(f: (...args: any[]) => any, options: GradOptions = {}): (...args: any[]) => unknown {
  const vg = named('grad', f, options)
  const hasAux = options.hasAux ?? false
  return (...args: unknown[]) => {
    const [v, g] = vg(...args) as [unknown, unknown]
    if (hasAux) {
      const [value, aux] = v as [tf.Tensor, unknown]
      value.dispose()
      return [g, aux]
    }
    ;(v as tf.Tensor).dispose()
    return g
  }
}
