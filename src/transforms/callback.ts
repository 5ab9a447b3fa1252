/**
 * `callback`: batch an opaque function under `vmap`. Code that reads tensor data or calls a
 * black box cannot be traced op by op, so it is batched as a whole, in one of two ways (JAX's
 * `pure_callback` words), both on the folded primitive (`core/folded.ts`) that solvers and
 * samplers use:
 *
 * - `'sequential'`: called once per example, results stacked;
 * - `'vectorized'`: called once with every argument given one leading batch axis (unbatched
 *   arguments are broadcast to it); nested `vmap` levels are flattened into that one axis. The
 *   first time it sees a new input signature it is also called on the first example alone, to
 *   check that it keeps the batch axis (a function that reduces it away can return a shape that
 *   looks batched when the sizes coincide); `fn` must be pure, as JAX's `pure_callback`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError, describe, describeThrown, ImleError } from '../core/errors.js'
import { foldedOp, foldLead, sizeOf } from '../core/folded.js'
import { BatchTracer, withoutFrames } from '../core/tracer.js'
import * as tree from '../core/tree.js'

/** How `callback` batches an opaque function under `vmap`. */
export type VmapMethod = 'sequential' | 'vectorized'

/** Options of `callback`. */
export interface CallbackOptions {
  /**
   * `'sequential'`: under `vmap`, call `fn` once per example and stack the results.
   * `'vectorized'`: call `fn` once with a leading batch axis on every argument leaf (unbatched
   * leaves broadcast; nested `vmap` levels flattened into that axis) and expect the same
   * leading axis on every output leaf.
   */
  readonly vmapMethod: VmapMethod
}

/** `fn` on plain tensors `xs` (`[N, ...s_i]`), returning its output leaves `[N, ...o_j]` and structure. */
type Runner = (xs: readonly tf.Tensor[], n: number) => readonly [tf.Tensor[], tree.TreeDef]

/**
 * Marks `fn` as opaque (it may read tensor data, call a solver, use any tf op) so that it can
 * run under `vmap`. Outside `vmap` it is `fn` itself. Under `vmap`, what `fn` returns is checked
 * (a pytree of tensors; with `'sequential'`, the same shapes and dtypes for every example; with
 * `'vectorized'`, the batch as leading axis, checked once per input signature by one more call of
 * `fn` on the first example alone, so `fn` must be pure) and an error `fn` throws is reported as an
 * `ArgumentError` naming `callback (method)`, the original as its `cause`. Gradients do not flow through the data
 * `fn` reads; give it a `customVjp` when it needs one.
 *
 * Shapes, vectorized: `fn: ([N, ...s]) -> [N, ...o]` serves `([...s]) -> [...o]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { callback, vmap } from 'imle'
 * const argmaxJs = (x: tf.Tensor) => tf.scalar(x.dataSync().indexOf(Math.max(...x.dataSync())), 'int32')
 * const f = callback(argmaxJs, { vmapMethod: 'sequential' })   // [n] -> []
 * vmap(f)(tf.tensor2d([[1, 3, 2], [5, 0, 1]]))                  // [2]: [1, 0]
 * ```
 */
export function callback<F extends (...args: any[]) => any>(fn: F, options: CallbackOptions): F {
  if (typeof fn !== 'function') throw new ArgumentError(`callback(fn): fn must be a function but got ${describe(fn)}`)
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`callback(options): expected an object { vmapMethod: 'sequential' | 'vectorized' } but got ${describe(options)}`)
  }
  const unknown = Object.keys(options).find((k) => k !== 'vmapMethod')
  if (unknown !== undefined) throw new ArgumentError(`callback(options): unknown option '${unknown}' (the only option is vmapMethod)`)
  const method = options.vmapMethod
  if (method !== 'sequential' && method !== 'vectorized') {
    throw new ArgumentError(`callback(options.vmapMethod): expected 'sequential' or 'vectorized' but got ${describe(method)}`)
  }
  const name = `callback (${method})`
  // The input signatures (shapes and dtypes) whose vectorized outputs have been checked to keep
  // the batch axis (see `vectorized`): a memo of checks, not state that changes a result.
  const checked = new Set<string>()
  const wrapped = (...args: unknown[]): unknown => {
    const [leaves, def] = tree.flatten(args)
    if (!leaves.some((l) => l instanceof BatchTracer)) return fn(...args)
    // `fn` sees plain tensors: no enclosing vmap frame is active while it runs.
    const call = (xs: readonly tf.Tensor[]): readonly [tf.Tensor[], tree.TreeDef] => {
      let out: unknown
      try {
        out = withoutFrames(() => fn(...(tree.unflatten(def, xs) as unknown[])))
      } catch (e) {
        if (e instanceof ImleError) throw e
        throw new ArgumentError(`${name}: fn threw ${describeThrown(e)}`, { cause: e })
      }
      const flat = tree.flatten(out)
      if (flat[0].length === 0 || tree.firstStatic(flat[1]) !== null) {
        throw new ArgumentError(`${name}: fn must return a tensor or a pytree of tensors but returned ${describe(out)}`)
      }
      return flat
    }
    const run: Runner = method === 'vectorized' ? (xs, n) => vectorized(call, xs, n, checked) : (xs, n) => sequential(call, xs, n)
    let outDef: tree.TreeDef | undefined
    const op = foldedOp<void>({
      name: `callback (${method})`,
      ranks: leaves.map((l) => l.rank),
      impl: (xs, lead) => {
        const n = sizeOf(lead)
        const [outs, od] = run(xs.map((x, i) => foldLead(x, lead, leaves[i]!.rank)), n) // [N, ...s_i]
        outDef = od
        return outs.map((o) => {
          if (o.shape[0] !== n) {
            throw new ArgumentError(
              `${name}: fn returned a leaf of shape [${o.shape.join(', ')}]; its leading axis must be the batch of ${n}`,
            )
          }
          return tf.reshape(o, [...lead, ...o.shape.slice(1)]) // [...lead, ...o_j]
        })
      },
    })
    const outs = op(leaves, undefined)
    return tree.unflatten<tf.TensorContainer>(outDef!, outs)
  }
  return wrapped as F
}

/** Calls `call` once per row of `xs` (`[N, ...s_i]`) and stacks the output leaves (`[N, ...o_j]`). */
function sequential(call: (xs: readonly tf.Tensor[]) => readonly [tf.Tensor[], tree.TreeDef], xs: readonly tf.Tensor[], n: number): readonly [tf.Tensor[], tree.TreeDef] {
  if (n === 0) throw new ArgumentError('callback (sequential): the batch is empty (a vmap over 0 examples), so the output structure is unknown')
  const per: tf.Tensor[][] = []
  let def: tree.TreeDef | undefined
  for (let i = 0; i < n; i++) {
    const [ol, od] = call(xs.map((x) => tf.squeeze(tf.slice(x, i, 1), [0]))) // [...s_i] -> [...o_j]
    if (def === undefined) def = od
    else tree.assertSameStructure(`callback (sequential): the output of example ${i} and of example 0`, def, od)
    if (i > 0) {
      ol.forEach((o, j) => {
        const first = per[0]![j]!
        if (o.dtype !== first.dtype || o.rank !== first.rank || o.shape.some((d, k) => d !== first.shape[k])) {
          throw new ArgumentError(
            `callback (sequential): example ${i} returned leaf ${j} of shape [${o.shape.join(', ')}] and dtype ${o.dtype} but ` +
              `example 0 returned shape [${first.shape.join(', ')}] and dtype ${first.dtype}; every example must return the same shapes and dtypes`,
          )
        }
      })
    }
    per.push(ol)
  }
  return [per[0]!.map((_, j) => tf.stack(per.map((p) => p[j]!))), def!] // [N, ...o_j]
}


/**
 * Calls `call` on the whole batch `xs` (`[N, ...s_i]`). The first time an input signature is
 * seen (`checked` remembers it), `call` also runs on the first example alone (`[1, ...s_i]`),
 * and every output leaf must then be `[1, ...o_j]` for the batch's `[N, ...o_j]`: a function
 * that reduces the batch axis away (`sum(x, 0)` on `[3, 3]`) returns a shape that looks batched
 * when the sizes coincide, and only this comparison tells.
 */
function vectorized(
  call: (xs: readonly tf.Tensor[]) => readonly [tf.Tensor[], tree.TreeDef],
  xs: readonly tf.Tensor[],
  n: number,
  checked: Set<string>,
): readonly [tf.Tensor[], tree.TreeDef] {
  const result = call(xs)
  const signature = xs.map((x) => `${x.dtype}[${x.shape.join(',')}]`).join(' ')
  // (A leaf without the batch as its leading axis is refused by the caller with its own message.)
  if (n > 1 && !checked.has(signature) && result[0].every((o) => o.shape[0] === n)) {
    tf.tidy(() => {
      const [one] = call(xs.map((x) => tf.slice(x, 0, 1))) // [1, ...s_i] -> [1, ...o_j]
      one.forEach((o, j) => {
        const full = result[0][j]
        const per = full === undefined ? [] : full.shape.slice(1)
        if (o.shape[0] !== 1 || o.rank !== per.length + 1 || per.some((d, k) => d !== o.shape[k + 1])) {
          throw new ArgumentError(
            `callback (vectorized): fn does not keep the batch axis: for a batch of ${n} it returned leaf ${j} of shape ` +
              `[${full?.shape.join(', ')}] but for the first example alone (a batch of 1) shape [${o.shape.join(', ')}]; ` +
              `fn must return [N, ...per-example shape] for a batch of N (reduce over axes >= 1, not over the batch axis 0)`,
          )
        }
      })
    })
    checked.add(signature)
  }
  return result
}
