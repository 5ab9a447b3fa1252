/**
 * `customVjp`: a function with a user-defined backward pass, over pytrees, on `tf.customGrad`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { installEngine } from '../core/engine.js'
import { fromCanonical, toCanonical } from '../core/batching.js'
import { ArgumentError, describe, describeThrown, GradError, ImleError } from '../core/errors.js'
import { activeFrames, decompose, recompose, withFramesRestored } from '../core/tracer.js'
import * as tree from '../core/tree.js'

/** Cotangents of the arguments: one entry per argument, `null` for "zero" (or not differentiable). */
export type Cotangents<Args extends readonly unknown[]> = { readonly [K in keyof Args]: Args[K] | null }

/**
 * Defines a function by its forward pass and a custom backward pass (JAX's `custom_vjp`).
 *
 * - `fwd(...args)` returns `[out, residuals]`: the output pytree and anything (a pytree of
 *   tensors) the backward pass needs;
 * - `bwd(residuals, ct)` receives the cotangent `ct` of the output (same structure as `out`)
 *   and returns one cotangent per argument, each with that argument's structure, or `null`.
 *
 * Only float32 leaves of the arguments receive gradients; other leaves are constants. Output
 * leaves must be float32; residuals are tensors (`null` for none: other values reach `bwd` by
 * closure). Each cotangent is checked against its argument (float32, the argument's
 * per-example shape): a `GradError` names `customVjp(bwd)` and the cotangent, as it does for
 * an error `bwd` throws (the original as its `cause`). The result can be differentiated with `grad` and batched with
 * `vmap`: under `vmap`, `fwd` and `bwd` run once on the whole batch (written with `ops`, they
 * are batched op by op; use `callback` inside them for opaque code).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { customVjp, grad, ops } from 'imle'
 * // A straight-through clip: forward clips to [0, 1], backward passes the cotangent unchanged.
 * const clipSt = customVjp(
 *   (x: tf.Tensor) => [ops.clipByValue(x, 0, 1), null] as const,
 *   (_res, ct: tf.Tensor) => [ct] as const,
 * )
 * grad((x: tf.Tensor) => ops.sum(clipSt(x)))(tf.tensor1d([0.3, 1.7]))   // [1, 1]
 * ```
 */
export function customVjp<Args extends readonly unknown[], Out, Res>(
  fwd: (...args: Args) => readonly [Out, Res],
  bwd: (residuals: Res, ct: Out) => Cotangents<Args>,
): (...args: Args) => Out {
  if (typeof fwd !== 'function') throw new ArgumentError(`customVjp(fwd): fwd must be a function (...args) => [out, residuals] but got ${describe(fwd)}`)
  if (typeof bwd !== 'function') throw new ArgumentError(`customVjp(bwd): bwd must be a function (residuals, ct) => cotangents but got ${describe(bwd)}`)
  installEngine()
  // Temporaries (canonical inputs, split outputs) are freed by the tidy; tfjs's tape keeps
  // what the backward pass needs (`save`), and the backward pass never reads the inputs.
  return (...args: Args): Out => tf.tidy(() => call(args) as unknown as tf.TensorContainer) as unknown as Out
  /** `fwd(...args)`, checked to be `[out, residuals]`. */
  function forward(args: Args): readonly [Out, Res] {
    const r = fwd(...args) as unknown
    if (!Array.isArray(r) || r.length !== 2) {
      const got = Array.isArray(r) ? `an array of length ${r.length}` : describe(r)
      throw new ArgumentError(`customVjp(fwd): fwd must return [out, residuals] (an array of length 2) but returned ${got}`)
    }
    return r as unknown as readonly [Out, Res]
  }
  function call(args: Args): Out {
    const [inLeaves, inDef] = tree.flatten(args)
    // Every active frame, not only those of the arguments: `fwd` may close over batched values.
    const frames = activeFrames().slice()
    const diff = inLeaves.map((l) => l.dtype === 'float32')
    const inputs = inLeaves.filter((_, i) => diff[i]).map((l) => toCanonical(l, frames)) // [B..., ...s]
    let outDef: tree.TreeDef | undefined
    let outChains: ReturnType<typeof decompose>['chain'][] = []
    let outShapes: number[][] = []
    let resDef: tree.TreeDef | undefined
    let resChains: ReturnType<typeof decompose>['chain'][] = []
    const rebuildArgs = (xs: readonly tf.Tensor[]): Args => {
      let k = 0
      const leaves = inLeaves.map((l, i) => (diff[i] ? fromCanonical(xs[k++]!, frames) : l))
      return tree.unflatten<Args>(inDef, leaves)
    }
    const run = tf.customGrad((...xsAndSave: unknown[]) => {
      const save = xsAndSave.pop() as (ts: tf.Tensor[]) => void
      const xs = xsAndSave as tf.Tensor[]
      const [out, res] = forward(rebuildArgs(xs))
      const [outLeaves, od] = tree.flatten(out)
      outDef = od
      checkOutput(out, outLeaves, od)
      const outs = outLeaves.map(decompose)
      outChains = outs.map((o) => o.chain)
      outShapes = outs.map((o) => o.base.shape)
      const [resLeaves, rd] = tree.flatten(res)
      resDef = rd
      const badResidual = tree.firstStatic(rd)
      if (badResidual !== null) {
        throw new ArgumentError(
          `customVjp(fwd): the residuals must be a pytree of tensors (null for none) but hold ${describe(badResidual.value)} at ` +
            `${badResidual.path}; pass other values to bwd by closure`,
        )
      }
      const residuals = resLeaves.map(decompose)
      resChains = residuals.map((r) => r.chain)
      save(residuals.map((r) => r.base))
      // tf.customGrad has one output: several output leaves travel as one flat vector.
      const value =
        outs.length === 1 ? outs[0]!.base : tf.concat(outs.map((o) => tf.reshape(o.base, [-1]))) // [sum of sizes]
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          withFramesRestored(frames, () => {
            const dys =
              outShapes.length === 1
                ? [dy]
                : tf.split(dy, outShapes.map((s) => s.reduce((a, b) => a * b, 1))).map((d, i) => tf.reshape(d, outShapes[i]!))
            const ct = tree.unflatten<Out>(outDef!, dys.map((d, i) => recompose(d, outChains[i]!)))
            const residualsBack = tree.unflatten<Res>(resDef!, saved.map((s, i) => recompose(s, resChains[i]!)))
            let cts: Cotangents<Args>
            try {
              cts = bwd(residualsBack, ct)
            } catch (e) {
              if (e instanceof ImleError) throw e
              throw new GradError(`customVjp(bwd): bwd threw ${describeThrown(e)}`, { cause: e })
            }
            if (!Array.isArray(cts) || cts.length !== args.length) {
              throw new GradError(
                `customVjp: bwd must return an array with one cotangent per argument (${args.length}) but returned ` +
                  `${Array.isArray(cts) ? `${cts.length} entries` : typeof cts}`,
              )
            }
            const grads: tf.Tensor[] = []
            let leafIndex = 0
            args.forEach((arg, i) => {
              const [argLeaves, argDef] = tree.flatten(arg)
              const ctI = cts[i]
              const ctLeaves = ctI === null || ctI === undefined ? null : tree.flatten(ctI)
              if (ctLeaves !== null) {
                const bad = tree.firstStatic(ctLeaves[1])
                if (bad !== null && argDef.kind !== 'static') {
                  throw new GradError(
                    `customVjp(bwd): cotangent ${i} returned by bwd holds ${describe(bad.value)} at ${bad.path}; ` +
                      `cotangents must be float32 tensors with the structure of argument ${i} (or null for zero)`,
                  )
                }
                tree.assertSameStructure(`customVjp(bwd): cotangent ${i} returned by bwd`, argDef, ctLeaves[1])
              }
              argLeaves.forEach((leaf, j) => {
                const idx = leafIndex++
                if (!diff[idx]) return
                const g = ctLeaves === null ? null : ctLeaves[0][j]!
                if (g !== null) checkCotangent(i, argLeaves.length > 1 ? j : null, g, leaf)
                grads.push(g === null ? tf.zerosLike(inputs[grads.length]!) : toCanonical(g, frames))
              })
            })
            return grads
          }),
      }
    }) as unknown as (...xs: tf.Tensor[]) => tf.Tensor
    // No differentiable input: nothing to record, run the forward pass alone.
    if (inputs.length === 0) {
      const [out] = forward(args)
      const [outLeaves, od] = tree.flatten(out)
      checkOutput(out, outLeaves, od)
      return out
    }
    const packed = run(...inputs)
    const outs =
      outShapes.length === 1
        ? [packed]
        : tf.split(packed, outShapes.map((s) => s.reduce((a, b) => a * b, 1))).map((d, i) => tf.reshape(d, outShapes[i]!))
    return tree.unflatten<Out>(outDef!, outs.map((o, i) => recompose(o, outChains[i]!)))
  }
}

/** Throws unless the output of `fwd` is a non-empty pytree of float32 tensors. */
function checkOutput(out: unknown, leaves: readonly tf.Tensor[], def: tree.TreeDef): void {
  const bad = tree.firstStatic(def)
  if (leaves.length === 0 || bad !== null) {
    throw new ArgumentError(
      `customVjp(fwd): the output out of [out, residuals] must be a float32 tensor or a pytree of them but ` +
        (bad !== null ? `holds ${describe(bad.value)} at ${bad.path}` : `is ${describe(out)}`),
    )
  }
  for (const o of leaves) {
    if (o.dtype !== 'float32') throw new ArgumentError(`customVjp: fwd returned an output leaf of dtype ${o.dtype}; outputs must be float32`)
  }
}

/** Throws a `GradError` unless cotangent `g` (leaf `j` of cotangent `i`) is float32 with the (per-example) shape of its argument leaf. */
function checkCotangent(i: number, j: number | null, g: tf.Tensor, arg: tf.Tensor): void {
  const which = `cotangent ${i}${j === null ? '' : ` (leaf ${j})`}`
  if (!(g instanceof tf.Tensor)) throw new GradError(`customVjp(bwd): ${which} returned by bwd is ${describe(g)}, not a tensor`)
  if (g.dtype !== 'float32') {
    throw new GradError(`customVjp(bwd): ${which} returned by bwd has dtype ${g.dtype}; cotangents must be float32, like their argument`)
  }
  if (g.rank !== arg.rank || g.shape.some((d, k) => d !== arg.shape[k])) {
    const word = activeFrames().length > 0 ? 'per-example shape' : 'shape'
    throw new GradError(
      `customVjp(bwd): ${which} returned by bwd has ${word} [${g.shape.join(', ')}] but its argument has ${word} ` +
        `[${arg.shape.join(', ')}]; a cotangent has the shape of its argument`,
    )
  }
}
