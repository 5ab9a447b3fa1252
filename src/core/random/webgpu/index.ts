/**
 * The WebGPU implementations of the keyed samplers (`random.uniform`, `random.normal`,
 * `random.gumbel`; Sum-of-Gamma's table sampler builds on `runPairSampler` in
 * `distributions/noise/`): WGSL compute programs run through tfjs-backend-webgpu, one
 * dispatch for every key of every `vmap` level. `keyedOp` uses them while the webgpu backend
 * is active (`KeyedOpSpec.backends`), so user code does not change.
 *
 * Against the CPU path (`fill.ts`), for the same keys: uniform draws in `[0, 1)` are identical
 * (the same Threefry words, the same exact float32 values); uniforms with other bounds, normal
 * and Gumbel draws are computed in float32 and agree to a few float32 ulps (the CPU rounds
 * float64 results once). The layout is the CPU's: element `i` of a key comes from word `i % 2`
 * of the Threefry block of counter `(0, floor(i / 2))`.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import { runPairSampler, type PairSampler } from './program.js'
import { f32 } from './wgsl.js'

export { runPairSampler, webgpuBackend, SamplerProgram, type PairSampler, type ProgramUniform, type WebGPUBackendLike } from './program.js'
export { f32, THREEFRY_WGSL, LOG_WGSL, SINCOS_WGSL, WORD_WGSL, TWO_M23 } from './wgsl.js'

const UNIFORM: PairSampler = {
  name: 'imle_random_uniform',
  body: 'a = imleUniformOf(w.x); b = imleUniformOf(w.y);',
}

// lo + u (hi - lo) in float32, kept in [lo, hi) as the CPU path does.
const UNIFORM_SCALED: PairSampler = {
  name: 'imle_random_uniform_scaled',
  uniforms: 'lo : f32, width : f32, hi : f32, below : f32,',
  decls: `
fn imleScaled(u: f32) -> f32 {
  let x = uniforms.lo + u * uniforms.width;
  if (x >= uniforms.hi) {
    return uniforms.below;
  }
  return max(x, uniforms.lo);
}
`,
  body: 'a = imleScaled(imleUniformOf(w.x)); b = imleScaled(imleUniformOf(w.y));',
}

/**
 * `random.uniform` on webgpu: `fillUniform`'s values (bit-identical) for `[0, 1)`; for other
 * bounds `lo + u (hi - lo)` in float32, never `hi` (`below`, the largest float32 below `hi`,
 * replaces it).
 *
 * Shapes: `(keys: int32 [N, 2], shape) -> float32 [N, ...shape]`.
 *
 * @example
 * ```ts
 * // With the webgpu backend active:
 * uniformWebGPU(random.split(random.key(0), 8), [100], 0, 1, 1 - 2 ** -24)   // float32 [8, 100]
 * ```
 */
export function uniformWebGPU(keys: tf.Tensor, shape: readonly number[], lo: number, hi: number, below: number): tf.Tensor {
  if (lo === 0 && hi === 1) return runPairSampler('random.uniform', UNIFORM, keys, shape) // [N, ...shape]
  const uniforms = [{ type: 'float32', data: [lo, Math.fround(hi - lo), hi, below] }] as const
  return runPairSampler('random.uniform', UNIFORM_SCALED, keys, shape, { uniforms }) // [N, ...shape]
}

// Box-Muller as fillNormal: r = sqrt(-2 log((w0 + 1/2) 2^-32)), t = 2 pi w1 2^-32.
const NORMAL: PairSampler = {
  name: 'imle_random_normal',
  body: `
  let r = sqrt(2.0 * imleNegLogOpen((f32(w.x) + 0.5) * ${f32(2 ** -32)}, (f32(~w.x) + 0.5) * ${f32(2 ** -32)}));
  let sc = imleSinCos(w.y);
  a = r * sc.y;
  b = r * sc.x;`,
}

/**
 * `random.normal` on webgpu: `fillNormal`'s Box-Muller transform of the same words, in
 * float32 (`-log u` near `u = 1` from `1 - u`, computed exactly; sine and cosine with an exact
 * quadrant reduction), so each value is within a few float32 ulps of the CPU's.
 *
 * Shapes: `(keys: int32 [N, 2], shape) -> float32 [N, ...shape]`.
 *
 * @example
 * ```ts
 * normalWebGPU(random.split(random.key(0), 8), [100])   // float32 [8, 100]
 * ```
 */
export function normalWebGPU(keys: tf.Tensor, shape: readonly number[]): tf.Tensor {
  return runPairSampler('random.normal', NORMAL, keys, shape) // [N, ...shape]
}

const GUMBEL: PairSampler = {
  name: 'imle_random_gumbel',
  body: 'a = imleGumbelOf(w.x); b = imleGumbelOf(w.y);',
}

/**
 * `random.gumbel` on webgpu: `-log(-log(u))` of `fillUniformOpen`'s `u` (the same exact
 * float32 `u` as the CPU), in float32: within a few float32 ulps of `fillGumbel`'s values.
 *
 * Shapes: `(keys: int32 [N, 2], shape) -> float32 [N, ...shape]`.
 *
 * @example
 * ```ts
 * gumbelWebGPU(random.split(random.key(0), 8), [100])   // float32 [8, 100]
 * ```
 */
export function gumbelWebGPU(keys: tf.Tensor, shape: readonly number[]): tf.Tensor {
  return runPairSampler('random.gumbel', GUMBEL, keys, shape) // [N, ...shape]
}
