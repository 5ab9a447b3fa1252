/**
 * `vmap`: the batching transformation.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { installEngine } from '../core/engine.js'
import { bdimTo, moveAxis } from '../core/batch_rules.js'
import { describe, TreeMismatchError, VmapError } from '../core/errors.js'
import { BatchTracer, withFrame } from '../core/tracer.js'
import * as tree from '../core/tree.js'

/** An axis spec for one leaf: a (possibly negative) axis, or `null` for "not batched". */
export type AxisSpec = number | null

/** A pytree prefix of axis specs: one spec for a whole subtree, or arrays/objects of specs. */
export type AxesTree = AxisSpec | readonly AxesTree[] | { readonly [key: string]: AxesTree }

/** Options of `vmap`. */
export interface VmapOptions {
  /**
   * The batch axis of each argument: one spec for all arguments, or an array with one entry per
   * argument, each a prefix tree of the argument. Default `0`.
   */
  readonly inAxes?: AxesTree
  /** Where the batch axis goes in each output leaf: a prefix tree of the output. Default `0`. */
  readonly outAxes?: AxesTree
}

const isAxisSpec = (x: unknown): x is AxisSpec => x === null || typeof x === 'number'

/**
 * Vectorizes `f` over a batch axis of its arguments: `vmap(f)(xs)` equals stacking `f(x)` over
 * the examples `x` of `xs`, computed by one call of `f` on the whole batch. Functions written
 * with `ops` are batched op by op by batch rules; opaque code is batched through `callback`.
 * A raw `tf.*` op that meets a batched value throws a `RawTfOpError`.
 *
 * Shapes, with `inAxes = 0`: `f: ([...a]) -> [...o]` becomes `([B, ...a]) -> [B, ...o]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { ops, vmap } from 'imle'
 * const dot = (a: tf.Tensor, b: tf.Tensor) => ops.sum(ops.mul(a, b))   // ([n], [n]) -> []
 * const batched = vmap(dot, { inAxes: [0, null] })                    // ([B, n], [n]) -> [B]
 * batched(tf.ones([4, 3]), tf.ones([3])).print()                      // [3, 3, 3, 3]
 * ```
 */
export function vmap<F extends (...args: any[]) => any>(f: F, options: VmapOptions = {}): F {
  installEngine()
  if (typeof f !== 'function') throw new VmapError(`vmap(f): f must be a function but got ${describe(f)}`)
  if (typeof options !== 'object' || options === null) throw new VmapError(`vmap(options): expected an object { inAxes?, outAxes? } but got ${describe(options)}`)
  const { inAxes = 0, outAxes = 0 } = options
  const batched = (...args: unknown[]): unknown => {
    const [leaves, def] = tree.flatten(args)
    const axes = leafAxes(args, def, inAxes)
    // The batch size, checked to agree over every batched leaf.
    let size = -1
    let sizeFrom = ''
    const resolved = leaves.map((leaf, i) => {
      const a = axes[i]!
      if (a === null) return null
      if (!Number.isInteger(a) || a < -leaf.rank || a >= leaf.rank) {
        throw new VmapError(
          leaf.rank === 0
            ? `vmap: inAxes gives axis ${a} for argument leaf ${i} of shape [], a scalar (rank 0), which has no axis to batch; ` +
                `give it inAxes null (shared by every example) or pass a tensor with a batch axis`
            : `vmap: inAxes gives axis ${a} for argument leaf ${i} of shape [${leaf.shape.join(', ')}]; ` +
                `it must be an integer in [${-leaf.rank}, ${leaf.rank - 1}] or null`,
        )
      }
      const ax = a < 0 ? a + leaf.rank : a
      const n = leaf.shape[ax]!
      if (size === -1) {
        size = n
        sizeFrom = `leaf ${i} (shape [${leaf.shape.join(', ')}], axis ${ax})`
      } else if (n !== size) {
        throw new VmapError(
          `vmap: batch sizes disagree: ${sizeFrom} has size ${size} but leaf ${i} ` +
            `(shape [${leaf.shape.join(', ')}], axis ${ax}) has size ${n}`,
        )
      }
      return ax
    })
    if (size === -1) {
      throw new VmapError('vmap: no argument is batched (every inAxes entry is null or there are no tensor arguments)')
    }
    // Temporaries of the batch rules are freed here; only the outputs survive the call.
    return tf.tidy(() => withFrame(size, (frame) => {
      const inTracers = leaves.map((leaf, i) => {
        const ax = resolved[i]
        return ax === null || ax === undefined ? leaf : new BatchTracer(frame.level, leaf, ax)
      })
      const out = f(...(tree.unflatten(def, inTracers) as unknown[]))
      const [outLeaves, outDef] = tree.flatten(out)
      if (outLeaves.length === 0 || tree.firstStatic(outDef) !== null) {
        throw new VmapError(`vmap(f): f must return a tensor or a pytree of tensors, but returned ${showOutput(out)}`)
      }
      const oAxes = asVmapError(() => tree.broadcastPrefix('vmap(outAxes)', outAxes, outDef, isAxisSpec))
      const results = outLeaves.map((leaf, i) => unbatchOutput(leaf, frame.level, frame.size, oAxes[i]!, i))
      return tree.unflatten<tf.TensorContainer>(outDef, results)
    }))
  }
  return batched as F
}

/** A vmapped function's output as a message shows it: tensors by shape, other values as JSON. */
function showOutput(out: unknown): string {
  if (out instanceof tf.Tensor) return `a tensor of per-example shape [${out.shape.join(', ')}]`
  if (out === undefined) return 'undefined'
  try {
    return JSON.stringify(out, (_k, v: unknown) => (v instanceof tf.Tensor ? `<tensor [${v.shape.join(', ')}]>` : v === undefined ? 'undefined' : v)) ?? String(out)
  } catch {
    return String(out)
  }
}

/** The axis spec of every tensor leaf of the argument list. */
function leafAxes(args: readonly unknown[], def: tree.TreeDef, inAxes: AxesTree): AxisSpec[] {
  if (isAxisSpec(inAxes)) return tree.broadcastPrefix('vmap(inAxes)', inAxes, def, isAxisSpec)
  if (!Array.isArray(inAxes)) {
    throw new VmapError(
      `vmap(inAxes): inAxes must be a number, null, or an array with one entry per argument, but got ${describe(inAxes)}` +
        (typeof inAxes === 'object' ? `; wrap it in an array for a single argument: inAxes: [{ ... }]` : ''),
    )
  }
  if (inAxes.length !== args.length) {
    throw new VmapError(
      `vmap: inAxes has ${inAxes.length} entries but the function was called with ${args.length} arguments`,
    )
  }
  if (def.kind === 'array') {
    inAxes.forEach((a, i) => {
      const arg = def.children[i]!
      if (typeof a === 'number' && arg.kind === 'static' && arg.value !== undefined && arg.value !== null) {
        throw new VmapError(
          `vmap(inAxes): inAxes[${i}] is ${a} but argument ${i} is ${describe(arg.value)}, not a tensor, so it has no ` +
            `batched axis; give null for arguments that are not batched`,
        )
      }
    })
  }
  return asVmapError(() => tree.broadcastPrefix('vmap(inAxes)', inAxes, def, isAxisSpec))
}

/** `body()`, with a `TreeMismatchError` (an axis spec that does not fit its tree) as a `VmapError`. */
function asVmapError<R>(body: () => R): R {
  try {
    return body()
  } catch (e) {
    if (e instanceof TreeMismatchError) throw new VmapError(e.message)
    throw e
  }
}

/** Takes an output leaf out of the frame at `level`, with its batch axis at `outAxis`. */
function unbatchOutput(leaf: tf.Tensor, level: number, size: number, outAxis: AxisSpec, i: number): tf.Tensor {
  const batched = leaf instanceof BatchTracer && leaf.level === level
  if (outAxis === null) {
    if (batched) {
      throw new VmapError(
        `vmap: outAxes is null for output leaf ${i}, but that output depends on the batched inputs`,
      )
    }
    return leaf
  }
  const rank = leaf.rank + 1
  if (!Number.isInteger(outAxis) || outAxis < -rank || outAxis >= rank) {
    throw new VmapError(
      `vmap: outAxes gives axis ${outAxis} for output leaf ${i} of per-example shape ` +
        `[${leaf.shape.join(', ')}]; it must be an integer in [${-rank}, ${rank - 1}] or null`,
    )
  }
  const to = outAxis < 0 ? outAxis + rank : outAxis
  // An output that does not depend on the batch is broadcast, as in JAX.
  return batched ? moveAxis(leaf.value, leaf.bdim, to) : bdimTo({ value: leaf, bdim: null }, to, size)
}
