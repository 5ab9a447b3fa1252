/**
 * Running a keyed sampler as one WGSL compute program on tfjs-backend-webgpu: the program
 * object tfjs-webgpu 4.22 compiles (`variableNames`, `getUserCode`, dispatch geometry), run
 * through the active backend's `runWebGPUProgram`. Every thread computes one Threefry block of
 * one key and writes two output values, so `keys [N, 2]` give `[N, ...shape]` in one dispatch.
 * The backend object is taken from `tf.backend()` at call time: nothing here imports the
 * webgpu package, so Node and the cpu and wasm paths never load it.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { BackendError } from '../../errors.js'
import { LOG_WGSL, SINCOS_WGSL, THREEFRY_WGSL, WORD_WGSL } from './wgsl.js'

/** A program-defined uniform value, as tfjs-webgpu's `runWebGPUProgram` takes it. */
export interface ProgramUniform {
  readonly type: 'int32' | 'uint32' | 'float32'
  readonly data: readonly number[]
}

/** What the samplers use of tfjs-backend-webgpu 4.22's `WebGPUBackend`. */
export interface WebGPUBackendLike {
  readonly runWebGPUProgram: (program: SamplerProgram, inputs: tf.TensorInfo[], outputDtype: 'float32', uniforms: ProgramUniform[]) => tf.TensorInfo
  readonly makeTensorInfo: (shape: number[], dtype: 'float32' | 'int32', values: Float32Array | Int32Array) => tf.TensorInfo
  readonly disposeData: (dataId: object, force?: boolean) => boolean
  readonly tensorMap: { readonly get: (dataId: object) => { readonly values?: unknown; readonly resource?: unknown } | undefined }
}

/**
 * The active tfjs backend as tfjs-backend-webgpu's backend; a `BackendError` naming `fn` when it
 * lacks what the samplers use (another version of the package).
 *
 * @example
 * ```ts
 * if (tf.getBackend() === 'webgpu') webgpuBackend('random.normal').runWebGPUProgram   // a function
 * ```
 */
export function webgpuBackend(fn: string): WebGPUBackendLike {
  const b = tf.backend() as unknown as Partial<WebGPUBackendLike>
  if (typeof b.runWebGPUProgram !== 'function' || typeof b.makeTensorInfo !== 'function' || typeof b.disposeData !== 'function' || typeof b.tensorMap?.get !== 'function') {
    throw new BackendError(
      `${fn}: the active tfjs backend '${tf.getBackend()}' lacks runWebGPUProgram, makeTensorInfo, disposeData or tensorMap ` +
        `of @tensorflow/tfjs-backend-webgpu 4.22; install @tensorflow/tfjs-backend-webgpu@4.22.0, or use the 'wasm' or 'cpu' backend`,
    )
  }
  return b as WebGPUBackendLike
}

/**
 * A sampler as WGSL: from one Threefry block `w: vec2<u32>` (counter `(0, j)` of one key), set
 * the `f32` variables `a` and `b` (in a block of its own, so its names are free), the values of elements `2j` and `2j + 1` (the layout of
 * `fillUniform`: element `i` comes from word `i % 2` of block `floor(i / 2)`; `b` is dropped
 * past an odd length). `imleThreefry`, `imleLog`, `imleNegLogOpen`, `imleSinCos`,
 * `imleUniformOf`, `imleUniformOpenOf` and `imleGumbelOf` (see `wgsl.ts`) are in scope.
 */
export interface PairSampler {
  /** The start of the shader key, unique per WGSL source (`'imle_random_normal'`). */
  readonly name: string
  /** WGSL statements setting `a` and `b` from `w`. */
  readonly body: string
  /** WGSL declarations (functions, constants) the body calls. */
  readonly decls?: string
  /** Extra uniform fields, WGSL struct syntax (`'lo : f32, hi : f32,'`), read as `uniforms.lo`. */
  readonly uniforms?: string
  /** Names of extra read-only `f32` storage arrays (`['table']`), given per call. */
  readonly inputs?: readonly string[]
}

const WORKGROUP = 64

/**
 * tfjs-webgpu's program object for a `PairSampler` over `count` keys and `size` values per key:
 * a flat dispatch of `count * ceil(size / 2)` threads in workgroups of 64. Make a fresh one per
 * run (`runWebGPUProgram` rewrites its `shaderKey` and `dispatch`).
 *
 * @example
 * ```ts
 * const program = new SamplerProgram({ name: 'u', body: 'a = imleUniformOf(w.x); b = imleUniformOf(w.y);' }, 8, 100)
 * program.outputShape   // [8, 100]
 * ```
 */
export class SamplerProgram {
  readonly variableNames: string[]
  readonly outputShape: number[]
  shaderKey: string
  readonly dispatchLayout: { readonly x: number[] } = { x: [0, 1] }
  dispatch: [number, number, number]
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1]
  readonly uniforms: string

  constructor(
    private readonly sampler: PairSampler,
    count: number,
    size: number,
  ) {
    this.variableNames = ['keys', ...(sampler.inputs ?? [])]
    this.outputShape = [count, size]
    this.shaderKey = sampler.name
    this.uniforms = `size : i32, pairs : i32, total : i32, ${sampler.uniforms ?? ''}`
    this.dispatch = [Math.ceil((count * Math.ceil(size / 2)) / WORKGROUP), 1, 1]
  }

  getUserCode(): string {
    return `
${THREEFRY_WGSL}
${LOG_WGSL}
${SINCOS_WGSL}
${WORD_WGSL}
${this.sampler.decls ?? ''}
fn main(index : i32) {
  if (index >= uniforms.total) {
    return;
  }
  let imleRow = index / uniforms.pairs;
  let imlePair = index - imleRow * uniforms.pairs;
  let w = imleThreefry(bitcast<u32>(keys[2 * imleRow]), bitcast<u32>(keys[2 * imleRow + 1]), 0u, u32(imlePair));
  var a : f32 = 0.0;
  var b : f32 = 0.0;
  {
    ${this.sampler.body}
  }
  let imleAt = imleRow * uniforms.size + 2 * imlePair;
  result[imleAt] = a;
  if (2 * imlePair + 1 < uniforms.size) {
    result[imleAt + 1] = b;
  }
}
`
  }
}

/**
 * The keys as a tensor record the program can bind without dropping the caller's copy on the
 * CPU: tfjs-webgpu frees a tensor's CPU values once it uploads it, which would make later host
 * reads of the same key (a host sampler, `split`) synchronous GPU read-backs. Keys held on the
 * CPU are uploaded as a temporary copy (`temporary: true`; dispose it after the run).
 */
function bindableKeys(b: WebGPUBackendLike, keys: tf.Tensor): { readonly info: tf.TensorInfo; readonly temporary: boolean } {
  const data = b.tensorMap.get(keys.dataId)
  if (data !== undefined && data.resource == null && data.values instanceof Int32Array) {
    return { info: b.makeTensorInfo([...keys.shape], 'int32', data.values.slice()), temporary: true }
  }
  return { info: keys, temporary: false }
}

/**
 * Runs `sampler` on the active webgpu backend: one dispatch for every key. `inputs` are the
 * extra storage arrays the sampler names, `uniforms` the values of its extra uniform fields,
 * in order.
 *
 * Shapes: `(keys: int32 [N, 2], shape) -> float32 [N, ...shape]`.
 *
 * @example
 * ```ts
 * const half: PairSampler = { name: 'half', body: 'a = 0.5 * imleUniformOf(w.x); b = 0.5 * imleUniformOf(w.y);' }
 * runPairSampler('half', half, random.split(random.key(0), 4), [3])   // float32 [4, 3] in [0, 1/2)
 * ```
 */
export function runPairSampler(
  fn: string,
  sampler: PairSampler,
  keys: tf.Tensor,
  shape: readonly number[],
  extra: { readonly inputs?: readonly tf.TensorInfo[]; readonly uniforms?: readonly ProgramUniform[] } = {},
): tf.Tensor {
  const b = webgpuBackend(fn)
  const count = keys.shape[0]!
  const size = shape.reduce((p, d) => p * d, 1)
  const pairs = Math.ceil(size / 2)
  const program = new SamplerProgram(sampler, count, size)
  const { info, temporary } = bindableKeys(b, keys)
  const uniforms: ProgramUniform[] = [
    { type: 'int32', data: [size] },
    { type: 'int32', data: [Math.max(pairs, 1)] },
    { type: 'int32', data: [count * pairs] },
    ...(extra.uniforms ?? []),
  ]
  try {
    const out = b.runWebGPUProgram(program, [info, ...(extra.inputs ?? [])], 'float32', uniforms) // [N, size]
    return tf.engine().makeTensorFromTensorInfo({ ...out, shape: [count, ...shape] }) // [N, ...shape]
  } finally {
    if (temporary) b.disposeData(info.dataId)
  }
}
