/**
 * The assertions of the browser checks (`checks.ts`, `sampling.ts`): each throws a `Mismatch`
 * naming what differs, which the check reports as a failure.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'

/** Thrown by a check to report a wrong value. */
export class Mismatch extends Error {}

/** A short rendering of numbers for messages. */
export const fmt = (xs: ArrayLike<number>): string =>
  `[${Array.from(xs, (x) => (Number.isInteger(x) ? x : Number(x.toPrecision(6)))).join(', ')}]`

/** Asserts `got` equals `want` elementwise within `atol + rtol * |want|`; returns a summary. */
export function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): string {
  if (got.length !== want.length) throw new Mismatch(`${what}: length ${got.length}, expected ${want.length}`)
  let maxErr = 0
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(Number(got[i]) - Number(want[i]))
    if (!(d <= atol + rtol * Math.abs(Number(want[i])))) {
      throw new Mismatch(`${what}: index ${i}: got ${got[i]}, expected ${want[i]} (got ${fmt(got)}, expected ${fmt(want)})`)
    }
    maxErr = Math.max(maxErr, d)
  }
  return `${what} = ${fmt(got)} (max |err| ${maxErr.toExponential(1)})`
}

/** Asserts that `t` has shape `shape`. */
export function expectShape(what: string, t: tf.Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Mismatch(`${what}: shape [${t.shape}], expected [${shape}]`)
  }
}

/** A tensor's values, read back asynchronously (the only read-back that works on every WebGPU adapter). */
export const read = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data(), Number)
