/**
 * The folded primitive: the one mechanism by which code that cannot be traced op by op (a
 * TypedArray kernel, a sampler, an opaque callback) runs under `vmap`. Its operands carry any
 * number of leading batch axes in front of their per-instance axes; its implementation
 * runs once over all of them; its batch rule moves the `vmap` level's batch axis to the front
 * of every batched operand (a size-1 axis for an unbatched one, which broadcasts without a
 * copy) and binds the same primitive again, so every level of a nested `vmap` ends in one call.
 *
 * Shapes, operand `i` of instance rank `r_i`: `[...lead_i, ...s_i]`, the `lead_i` broadcasting
 * (numpy rules, right-aligned) to one `lead`; output `j`: `[...lead, ...o_j]`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError } from './errors.js'
import { bind, type Batched, type Primitive } from './tracer.js'
// `ops` and the batch rules import each other; this module only calls them at run time.
import * as ops from './ops.js'
import { moveAxis } from './batch_rules.js'

/**
 * A folded implementation: receives the operands as they are (`[...lead_i, ...s_i]`) and the
 * common `lead`, returns every output as `[...lead, ...o_j]`.
 */
export type FoldedImpl<P> = (operands: readonly tf.Tensor[], lead: readonly number[], params: P) => tf.Tensor[]

/** What `foldedOp` needs: a name for errors, each operand's instance rank, the implementation. */
export interface FoldedSpec<P> {
  readonly name: string
  /** The instance rank of each operand (the trailing axes that belong to one instance). */
  readonly ranks: readonly number[]
  readonly impl: FoldedImpl<P>
}

/**
 * A folded op: `(operands, params) -> outputs`, operands `[...lead_i, ...s_i]`, outputs
 * `[...lead, ...o_j]`, one call of the implementation for every instance of every `vmap` level.
 */
export type FoldedOp<P> = (operands: readonly tf.Tensor[], params: P) => tf.Tensor[]

/** `[a, b]` written as a shape. */
export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`

/**
 * The broadcast of the leading shapes `leads` (right-aligned, numpy rules); `name` names the
 * op in the error for shapes that do not broadcast.
 */
export function broadcastLeads(name: string, leads: readonly (readonly number[])[]): number[] {
  let rank = 0
  for (const l of leads) rank = Math.max(rank, l.length)
  const out = new Array<number>(rank).fill(1)
  for (const l of leads) {
    const off = rank - l.length
    for (let i = 0; i < l.length; i++) {
      const d = l[i]!
      if (d === 1) continue
      if (out[off + i] !== 1 && out[off + i] !== d) {
        throw new ArgumentError(
          `${name}: the leading (batch) axes of the operands do not broadcast: ${leads.map(fmtShape).join(' and ')}`,
        )
      }
      out[off + i] = d
    }
  }
  return out
}

/** The product of the entries of `shape` (1 for `[]`). */
export const sizeOf = (shape: readonly number[]): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/**
 * Makes a folded op from `spec`. Outside `vmap` it is the implementation itself (after the
 * rank and broadcast checks); under `vmap` its rule folds each level into the lead axes.
 */
export function foldedOp<P>(spec: FoldedSpec<P>): FoldedOp<P> {
  const { name, ranks, impl } = spec
  const prim: Primitive<P> = {
    name,
    impl: (args, params) => {
      const xs = args as tf.Tensor[]
      const leads = xs.map((x, i) => x.shape.slice(0, x.rank - ranks[i]!))
      return impl(xs, broadcastLeads(name, leads), params)
    },
    rule: (args, params) => {
      // Per example, operand i has lead_i in front of its instance axes; pad every lead to the
      // longest with 1s so that the batch axis, put first, lines up across operands.
      const leadRank = (b: Batched, i: number): number => b.value.rank - (b.bdim === null ? 0 : 1) - ranks[i]!
      let longest = 0
      args.forEach((b, i) => (longest = Math.max(longest, leadRank(b, i))))
      const moved = args.map((b: Batched, i) => {
        const pad = new Array<number>(longest - leadRank(b, i)).fill(1)
        if (b.bdim === null) return ops.reshape(b.value, [1, ...pad, ...b.value.shape]) // [1, ...1s, ...lead_i, ...s_i]
        const front = moveAxis(b.value, b.bdim, 0) // [B, ...lead_i, ...s_i]
        return pad.length === 0 ? front : ops.reshape(front, [front.shape[0]!, ...pad, ...front.shape.slice(1)])
      })
      const outs = bind(prim, moved, params) as tf.Tensor[]
      return outs.map((value) => ({ value, bdim: 0 }))
    },
  }
  return (operands, params) => {
    if (operands.length !== ranks.length) {
      throw new ArgumentError(`${name}: expected ${ranks.length} operand(s) but got ${operands.length}`)
    }
    operands.forEach((x, i) => {
      if (!(x instanceof tf.Tensor) || x.rank < ranks[i]!) {
        throw new ArgumentError(
          `${name}: operand ${i} must be a tensor of rank >= ${ranks[i]} (its instance rank) but got ` +
            (x instanceof tf.Tensor ? `shape ${fmtShape(x.shape)}` : String(x)),
        )
      }
    })
    return bind(prim, operands, params) as tf.Tensor[]
  }
}

/**
 * Operand `x` (`[...lead_x, ...s]`, instance rank `rank`) as `[N, ...s]` for the common `lead`
 * (`N` its size), broadcast where `lead_x` differs: for tensor-level implementations that
 * want one batch axis (a callback, a per-backend kernel).
 */
export function foldLead(x: tf.Tensor, lead: readonly number[], rank: number): tf.Tensor {
  const inst = x.shape.slice(x.rank - rank) // s
  const own = x.shape.slice(0, x.rank - rank)
  const same = own.length === lead.length && own.every((d, i) => d === lead[i])
  const full = same ? x : tf.broadcastTo(tf.reshape(x, [...new Array<number>(lead.length - own.length).fill(1), ...x.shape]), [...lead, ...inst])
  return tf.reshape(full, [sizeOf(lead), ...inst]) // [N, ...s]
}
