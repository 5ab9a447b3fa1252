/**
 * The Threefry-2x32 block cipher with 20 rounds (Salmon et al., "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011; the generator of `jax.random`): the one source of random bits.
 *
 * @module
 */

/** Threefry's key-schedule parity constant (Skein's C240 for 32-bit words). */
const PARITY = 0x1bd11bda

/**
 * One Threefry-2x32 block with 20 rounds (as Random123's `threefry2x32_20` and JAX's
 * `threefry_2x32`): encrypts the counter `(x0, x1)` under the key `(k0, k1)` and writes the two
 * output words to `out[outOffset]` and `out[outOffset + 1]`. All arguments are uint32 values
 * (numbers in `[0, 2^32)`; other integers are taken modulo `2^32`).
 *
 * Shapes: `(k0, k1, x0, x1) -> out[outOffset .. outOffset + 2)`.
 *
 * @example
 * ```ts
 * const out = new Uint32Array(2)
 * random.threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, out, 0)
 * // out = [0xc4923a9c, 0x483df7a0] (Random123's known-answer vector)
 * ```
 */
export function threefry2x32(k0: number, k1: number, x0: number, x1: number, out: Uint32Array, outOffset = 0): void {
  k0 >>>= 0
  k1 >>>= 0
  const k2 = (k0 ^ k1 ^ PARITY) >>> 0
  // Additions are taken modulo 2^32 with `>>> 0`; rotations are `(x << r) | (x >>> (32 - r))`.
  // Words may be held as signed int32 between steps: the bits are the same.
  x0 = (x0 + k0) >>> 0
  x1 = (x1 + k1) >>> 0
  // Rounds 1-4, rotations 13, 15, 26, 6; then key injection 1.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k1) >>> 0
  x1 = (x1 + k2 + 1) >>> 0
  // Rounds 5-8, rotations 17, 29, 16, 24; then key injection 2.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0
  x0 = (x0 + k2) >>> 0
  x1 = (x1 + k0 + 2) >>> 0
  // Rounds 9-12; key injection 3.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k0) >>> 0
  x1 = (x1 + k1 + 3) >>> 0
  // Rounds 13-16; key injection 4.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0
  x0 = (x0 + k1) >>> 0
  x1 = (x1 + k2 + 4) >>> 0
  // Rounds 17-20; key injection 5.
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  out[outOffset] = x0 + k2
  out[outOffset + 1] = x1 + k0 + 5
}
