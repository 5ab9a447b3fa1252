/**
 * Sum-of-Gamma noise's table sampler on webgpu: a WGSL program that draws `fillUniformOpen`'s
 * uniforms from the keys and maps them through the quantile table of `(k, s)`
 * (`SumOfGammaTable`, uploaded once per `(k, s)` and backend), as `sampleSumOfGammaTable` does
 * on the host: the bulk and both tails, cubic cells, the linear extrapolation past the tails.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import { f32, runPairSampler, webgpuBackend, type PairSampler, type WebGPUBackendLike } from '../../core/random/webgpu/index.js'
import type { SumOfGammaTable } from '../sum_of_gamma/index.js'

// The table's documented layout (`SumOfGammaTable`): the bulk covers u in [2^-10, 1 - 2^-10]
// with t = (u - 2^-10) * cells / (1 - 2^-9); the tails t = 4 (-log2(u) - 10) (left) and
// t = 4 (-log2(1 - u) - 10) (right). With u = (m + 1/2) 2^-23 the bulk is m in
// [8192, 2^23 - 8193], and a tail's t is 4 (13 - log2(n + 1/2)) for n = m (left) or
// 2^23 - 1 - m (right).
const TAIL_START = 10
const PER_OCTAVE = 4

/** The WGSL sampler for a table of `bulk`, `left` and `right` cells (constants baked in). */
function sampler(bulk: number, left: number, right: number): PairSampler {
  const leftOff = 4 * bulk
  const rightOff = leftOff + 4 * left
  const scalars = rightOff + 4 * right
  const mLo = 2 ** (23 - TAIL_START)
  return {
    name: `imle_noise_sumOfGamma_table_${bulk}_${left}_${right}`,
    inputs: ['table'],
    decls: `
fn imleSogCell(o: i32, tau: f32) -> f32 {
  return table[o] + tau * (table[o + 1] + tau * (table[o + 2] + tau * table[o + 3]));
}
fn imleSogTailT(n: u32) -> f32 {
  return ${f32(PER_OCTAVE)} * (${f32(23 - TAIL_START)} - imleLog(f32(n) + 0.5) * ${f32(Math.LOG2E)});
}
fn imleSog(w: u32) -> f32 {
  let m = w >> 9u;
  if (m < ${mLo}u) {
    let t = imleSogTailT(m);
    var lx : f32;
    if (t >= ${f32(left)}) {
      lx = table[${scalars + 3}] + (t - ${f32(left)}) * table[${scalars + 1}];
    } else {
      let j = i32(t);
      lx = imleSogCell(${leftOff} + 4 * j, t - f32(j));
    }
    return exp(lx) - table[${scalars}];
  }
  if (m > ${2 ** 23 - 1 - mLo}u) {
    let t = imleSogTailT(${2 ** 23 - 1}u - m);
    if (t >= ${f32(right)}) {
      return table[${scalars + 4}] + (t - ${f32(right)}) * table[${scalars + 2}];
    }
    let j = i32(t);
    return imleSogCell(${rightOff} + 4 * j, t - f32(j));
  }
  let a = (f32(m) + 0.5 - ${f32(mLo)}) * ${f32(bulk * 2 ** -23)};
  let b = a * ${f32(2 ** -(TAIL_START - 1) / (1 - 2 ** -(TAIL_START - 1)))};
  let j = clamp(i32(floor(a + b)), 0, ${bulk - 1});
  return imleSogCell(4 * j, (a - f32(j)) + b);
}
`,
    body: 'a = imleSog(w.x); b = imleSog(w.y);',
  }
}

/** The table as one float32 array: the bulk, left and right cells, then shift, leftSlope, rightSlope, leftEnd, rightEnd. */
function packTable(table: SumOfGammaTable): Float32Array {
  const { bulk, left, right } = table
  const end = (c: Float64Array): number => c[c.length - 4]! + c[c.length - 3]! + c[c.length - 2]! + c[c.length - 1]!
  const out = new Float32Array(bulk.length + left.length + right.length + 5)
  out.set(bulk, 0)
  out.set(left, bulk.length)
  out.set(right, bulk.length + left.length)
  out.set([table.shift, table.leftSlope, table.rightSlope, end(left), end(right)], bulk.length + left.length + right.length)
  return out
}

const TABLES_PER_BACKEND = 32
/**
 * Uploaded tables by backend, then by `k|s` (at most 32 per backend, oldest freed first): a
 * pure cache of a deterministic upload, held as backend data (not engine tensors, so not in
 * `tf.memory().numTensors`).
 */
const uploaded = new WeakMap<WebGPUBackendLike, Map<string, tf.TensorInfo>>()

function tableOnDevice(b: WebGPUBackendLike, table: SumOfGammaTable): tf.TensorInfo {
  let tables = uploaded.get(b)
  if (tables === undefined) uploaded.set(b, (tables = new Map()))
  const key = `${table.k}|${table.s}`
  const hit = tables.get(key)
  if (hit !== undefined) return hit
  if (tables.size >= TABLES_PER_BACKEND) {
    const [oldestKey, oldest] = tables.entries().next().value!
    tables.delete(oldestKey)
    b.disposeData(oldest.dataId)
  }
  const packed = packTable(table)
  const info = b.makeTensorInfo([packed.length], 'float32', packed)
  tables.set(key, info)
  return info
}

/**
 * Sum-of-Gamma draws by the table sampler on the active webgpu backend: one dispatch for
 * every key; the table of `(k, s)` is uploaded on first use and kept. Each value is the
 * table's quantile of the same uniform as on the host, computed in float32.
 *
 * Shapes: `(keys: int32 [N, 2], shape, table) -> float32 [N, ...shape]`.
 *
 * @example
 * ```ts
 * // With the webgpu backend active:
 * sumOfGammaTableWebGPU(random.split(random.key(0), 4), [400], sumOfGammaTable(10, 10))   // float32 [4, 400]
 * ```
 */
export function sumOfGammaTableWebGPU(keys: tf.Tensor, shape: readonly number[], table: SumOfGammaTable): tf.Tensor {
  const fn = 'noise.sumOfGamma'
  const b = webgpuBackend(fn)
  const program = sampler(table.bulk.length / 4, table.left.length / 4, table.right.length / 4)
  return runPairSampler(fn, program, keys, shape, { inputs: [tableOnDevice(b, table)] }) // [N, ...shape]
}
