/**
 * Host kernels: the open primitive for code that runs on TypedArrays (a solver, a sampler) and
 * must batch like any op. A kernel has several operands, each with its own instance rank; one
 * call solves every instance of every `vmap` level (the folded primitive of `folded.ts`). It
 * may carry per-backend tensor implementations (a WebGPU kernel) used when that backend is
 * active, and an asynchronous load step (a WebAssembly module) that must resolve before it runs.
 * Every run is counted per name in `kernelCalls`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError, describe, describeThrown, ImleError } from './errors.js'
import { fmtShape, foldedOp, foldLead, sizeOf } from './folded.js'
import { hostKernelRead, type ReadValues } from './reads.js'

/** The dtypes a host kernel reads and writes. */
export type KernelDtype = 'float32' | 'int32'

/** The host buffer of a dtype. */
export type HostArray<D extends KernelDtype = KernelDtype> = D extends 'int32' ? Int32Array : Float32Array

/** One operand of a kernel: its name (for errors), its instance rank and the dtype it reads. */
export interface KernelOperand {
  readonly name: string
  /** The number of trailing axes that make one instance (`[n]`: 1; `[h, w]`: 2; a key `[2]`: 1). */
  readonly rank: number
  /** The dtype the kernel reads; inputs of the other dtype are converted. Default float32. */
  readonly dtype?: KernelDtype
}

/** The per-instance shape and dtype of one output. */
export interface KernelOutput {
  readonly shape: readonly number[]
  readonly dtype: KernelDtype
}

/**
 * What a host kernel receives: `inputs[i]` holds `count` instances of operand `i`, each of
 * shape `shapes[i]`, row-major (operands shared across the batch are expanded to `count`
 * rows); it writes `count` instances of each output into `outputs[j]` (zeroed, row-major).
 */
export interface HostCall<P> {
  readonly inputs: readonly HostArray[]
  readonly shapes: readonly (readonly number[])[]
  readonly count: number
  readonly params: P
  readonly outputs: readonly HostArray[]
}

/**
 * The definition of a kernel. `outputs` gives each output's per-instance shape and dtype from
 * the operands' per-instance shapes; `host` is the TypedArray implementation (every backend);
 * `backends` optionally maps a tfjs backend name to a tensor implementation
 * (`[N, ...s_i] -> [N, ...o_j]`) used while that backend is active; `load` is an optional
 * asynchronous set-up step that `kernel.load()` runs once.
 */
export interface KernelSpec<P> {
  readonly name: string
  readonly operands: readonly KernelOperand[]
  readonly outputs: (shapes: readonly (readonly number[])[], params: P) => readonly KernelOutput[]
  readonly host: (call: HostCall<P>) => void
  readonly backends?: Readonly<Record<string, (inputs: readonly tf.Tensor[], params: P) => tf.Tensor[]>>
  readonly load?: () => Promise<void>
}

/**
 * A kernel: `kernel(operands, params)` with operand `i` of shape `[...lead_i, ...s_i]` (the
 * leads broadcast to one `lead`) returns every output as `[...lead, ...o_j]`, in one host call
 * whatever the number of instances and `vmap` levels.
 */
export interface Kernel<P> {
  (operands: readonly tf.Tensor[], params: P): tf.Tensor[]
  readonly name: string
  readonly operands: readonly KernelOperand[]
  /** Runs the load step (once; later calls return the same promise). */
  readonly load: () => Promise<void>
  /** Whether the kernel can run: it has no load step, or its load step has resolved. */
  readonly loaded: () => boolean
  /** How many times kernels of this name have run (see `kernelCalls`). */
  readonly calls: () => number
}

const counts = new Map<string, number>()

/**
 * How many times each kernel has run, by name, since the module loaded (0 for a name never
 * run): one per call outside `vmap`, one per call under `vmap` whatever the nesting. Solvers
 * count under their names (`kernelCalls.topK`), samplers under theirs (`kernelCalls['random.normal']`).
 * For tests and benchmarks: read it, take differences. Public as `solvers.kernelCalls` and,
 * per kernel, as `kernel.calls()`.
 */
export const kernelCalls: Readonly<Record<string, number>> = new Proxy(Object.create(null) as Record<string, number>, {
  get: (_t, name) => (typeof name === 'string' ? (counts.get(name) ?? 0) : undefined),
  has: (_t, name) => typeof name === 'string' && counts.has(name),
  ownKeys: () => [...counts.keys()],
  getOwnPropertyDescriptor: (_t, name) =>
    typeof name === 'string' && counts.has(name)
      ? { value: counts.get(name), enumerable: true, configurable: true, writable: false }
      : undefined,
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
})

const count = (name: string): void => {
  counts.set(name, (counts.get(name) ?? 0) + 1)
}

const hostArray = (dtype: KernelDtype, n: number): HostArray => (dtype === 'int32' ? new Int32Array(n) : new Float32Array(n))

/**
 * Reads `x` (`[...lead_x, ...s]`) into a host buffer of `dtype` with `sizeOf(lead)` rows, each
 * of `sizeOf(s)` values, expanding the axes where `lead_x` broadcasts.
 */
function readRows(x: tf.Tensor, rank: number, lead: readonly number[], dtype: KernelDtype): HostArray {
  return rowsOf(x.dataSync() as ReadValues, x.shape, rank, lead, dtype)
}

/** `readRows` of values already read from a tensor of shape `shape`. */
function rowsOf(raw: ReadValues, shape: readonly number[], rank: number, lead: readonly number[], dtype: KernelDtype): HostArray {
  const data = dtype === 'int32' ? (raw instanceof Int32Array ? raw : Int32Array.from(raw)) : raw instanceof Float32Array ? raw : Float32Array.from(raw)
  const own = shape.slice(0, shape.length - rank)
  const row = sizeOf(shape.slice(shape.length - rank))
  if (own.length === lead.length && own.every((d, i) => d === lead[i])) return data
  // Strides over `lead` in rows of `x` (0 where x broadcasts).
  const off = lead.length - own.length
  const strides = new Array<number>(lead.length).fill(0)
  let s = 1
  for (let i = lead.length - 1; i >= off; i--) {
    const d = own[i - off]!
    strides[i] = d === 1 ? 0 : s
    s *= d
  }
  const n = sizeOf(lead)
  const out = hostArray(dtype, n * row)
  const idx = new Array<number>(lead.length).fill(0)
  for (let r = 0; r < n; r++) {
    let src = 0
    for (let i = 0; i < lead.length; i++) src += idx[i]! * strides[i]!
    out.set(data.subarray(src * row, (src + 1) * row), r * row)
    for (let i = lead.length - 1; i >= 0; i--) {
      if (++idx[i]! < lead[i]!) break
      idx[i] = 0
    }
  }
  return out
}

/** What `onWasmHeap` uses of tfjs-backend-wasm's backend (4.22): its heap and tensor records. */
interface WasmHeap {
  readonly wasm: { readonly HEAPU8: Uint8Array }
  readonly makeOutput: (shape: number[], dtype: KernelDtype) => tf.TensorInfo
  readonly typedArrayFromHeap: (info: tf.TensorInfo) => Float32Array | Int32Array
  readonly disposeData: (dataId: object, force?: boolean) => boolean
  readonly dataIdMap: { readonly has: (dataId: object) => boolean }
}

/** The active backend when it is tfjs-backend-wasm with the internals `onWasmHeap` needs. */
function wasmHeap(): WasmHeap | undefined {
  if (tf.getBackend() !== 'wasm') return undefined
  const b = tf.backend() as unknown as Partial<WasmHeap>
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' && b.wasm?.HEAPU8 instanceof Uint8Array && typeof b.dataIdMap?.has === 'function'
    ? (b as WasmHeap)
    : undefined
}

/**
 * On the wasm backend, runs a host kernel in place: the outputs are allocated in the wasm heap
 * first (an allocation may grow the heap, which detaches earlier views), the kernel reads the
 * operands through views of the heap (no copy) where they need no conversion nor broadcast
 * (others are read as usual), and writes the outputs through views too (zeroed first). This
 * saves the fresh host buffers and the copies of every call, which on this kind of machine cost
 * more than the kernels (a 160 KB allocation takes hundreds of microseconds). If the kernel
 * grew the heap itself (it called tfjs), the views are detached: the outputs are freed and
 * `undefined` is returned, so that the caller runs the kernel again on host buffers.
 */
function onWasmHeap(
  xs: readonly tf.Tensor[],
  ranks: readonly number[],
  lead: readonly number[],
  operands: readonly KernelOperand[],
  outSpecs: readonly KernelOutput[],
  run: (inputs: readonly HostArray[], outputs: readonly HostArray[]) => void,
): tf.Tensor[] | undefined {
  const heap = wasmHeap()
  if (heap === undefined) return undefined
  const infos = outSpecs.map((o) => heap.makeOutput([...lead, ...o.shape], o.dtype)) // [...lead, ...o_j]
  const outputs = infos.map((info) => heap.typedArrayFromHeap(info).fill(0))
  const inputs = xs.map((x, i) => {
    const own = x.shape.slice(0, x.rank - ranks[i]!)
    const same = own.length === lead.length && own.every((d, k) => d === lead[k])
    return same && x.dtype === (operands[i]!.dtype ?? 'float32') && heap.dataIdMap.has(x.dataId) ? heap.typedArrayFromHeap(x) : readRows(x, ranks[i]!, lead, operands[i]!.dtype ?? 'float32')
  })
  try {
    run(inputs, outputs)
  } catch (e) {
    for (const info of infos) heap.disposeData(info.dataId, true)
    throw e
  }
  if (outputs.some((o) => o.buffer !== heap.wasm.HEAPU8.buffer)) {
    for (const info of infos) heap.disposeData(info.dataId, true)
    return undefined
  }
  return infos.map((info) => tf.engine().makeTensorFromTensorInfo(info))
}

/**
 * Defines a host kernel (see `KernelSpec`), checking the spec (an `ArgumentError` names the bad
 * field). The returned function checks each operand's rank and dtype and what `outputs` returns,
 * reports an error the host function throws as an `ArgumentError` naming the kernel (the
 * original as its `cause`), dispatches to the active backend's tensor implementation when the spec has one and to the
 * TypedArray kernel otherwise, and batches under `vmap` into a single call.
 *
 * Shapes: `([...lead_i, ...s_i] for each operand i) -> [...lead, ...o_j] for each output j`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { defineKernel, vmap } from 'imle'
 * // Row-wise cumulative sum of [n] vectors, in JavaScript.
 * const cumsum = defineKernel<void>({
 *   name: 'cumsum',
 *   operands: [{ name: 'x', rank: 1 }],
 *   outputs: (shapes) => [{ shape: shapes[0]!, dtype: 'float32' }],
 *   host: ({ inputs: [x], shapes, count, outputs: [out] }) => {
 *     const n = shapes[0]![0]!
 *     for (let r = 0; r < count; r++) {
 *       let acc = 0
 *       for (let i = 0; i < n; i++) out![r * n + i] = acc += x![r * n + i]!
 *     }
 *   },
 * })
 * cumsum([tf.tensor1d([1, 2, 3])], undefined)                              // [[1, 3, 6]]
 * vmap((x: tf.Tensor) => cumsum([x], undefined)[0]!)(tf.ones([4, 3]))      // [4, 3], one host call
 * cumsum.calls()                                                           // 2
 * ```
 */
export function defineKernel<P>(spec: KernelSpec<P>): Kernel<P> {
  checkSpec(spec)
  const { name, operands, outputs, host, backends, load } = spec
  const ranks = operands.map((o) => o.rank)
  let loading: Promise<void> | undefined
  let ready = load === undefined
  const op = foldedOp<P>({
    name,
    ranks,
    impl: (xs, lead, params) => {
      if (!ready) {
        throw new ArgumentError(`${name}: this kernel has an asynchronous load step; await its load() (or init()) before calling it`)
      }
      const shapes = xs.map((x, i) => x.shape.slice(x.rank - ranks[i]!))
      const outSpecs = outputs(shapes, params)
      checkOutputs(name, outSpecs, shapes)
      count(name)
      const viaBackend = backends?.[tf.getBackend()]
      if (viaBackend !== undefined) {
        // In a scope, so that the folded operands and the unshaped outputs are freed.
        return tf.tidy(() => viaBackend(xs.map((x, i) => foldLead(x, lead, ranks[i]!)), params).map((o, j) => tf.reshape(o, [...lead, ...outSpecs[j]!.shape]))) // [...lead, ...o_j]
      }
      const n = sizeOf(lead)
      const run = (inputs: readonly HostArray[], outputs: readonly HostArray[]): void => {
        try {
          host({ inputs, shapes, count: n, params, outputs })
        } catch (e) {
          if (e instanceof ImleError) throw e
          throw new ArgumentError(`${name}: the host kernel threw ${describeThrown(e)}`, { cause: e })
        }
      }
      const toTensors = (bufs: readonly ReadValues[]): tf.Tensor[] => bufs.map((b, j) => tf.tensor(b, [...lead, ...outSpecs[j]!.shape], outSpecs[j]!.dtype)) // [...lead, ...o_j]
      // In a read session (an asynchronous step), the operands' values and the outputs come from the session.
      const session = hostKernelRead(name, xs)
      if (session !== undefined) {
        if ('outputs' in session) return toTensors(session.outputs)
        const inputs = xs.map((x, i) => rowsOf(session.values[i]!, x.shape, ranks[i]!, lead, operands[i]!.dtype ?? 'float32'))
        const bufs = outSpecs.map((o) => hostArray(o.dtype, n * sizeOf(o.shape)))
        run(inputs, bufs)
        session.record(bufs)
        return toTensors(bufs)
      }
      const inPlace = onWasmHeap(xs, ranks, lead, operands, outSpecs, run)
      if (inPlace !== undefined) return inPlace // [...lead, ...o_j]
      const inputs = xs.map((x, i) => readRows(x, ranks[i]!, lead, operands[i]!.dtype ?? 'float32'))
      const bufs = outSpecs.map((o) => hostArray(o.dtype, n * sizeOf(o.shape)))
      run(inputs, bufs)
      return toTensors(bufs)
    },
  })
  const kernel = (xs: readonly tf.Tensor[], params: P): tf.Tensor[] => {
    if (Array.isArray(xs) && xs.length === operands.length) {
      xs.forEach((x, i) => {
        const want = operands[i]!
        if (!(x instanceof tf.Tensor) || x.rank < want.rank) {
          throw new ArgumentError(
            `${name}(${want.name}): operand ${i} must be a tensor of rank >= ${want.rank} (its instance rank) but got ` +
              (x instanceof tf.Tensor ? `shape ${fmtShape(x.shape)}` : describe(x)),
          )
        }
        if (x.dtype !== 'float32' && x.dtype !== 'int32') {
          throw new ArgumentError(
            `${name}(${want.name}): expected a float32 or int32 tensor but got dtype ${x.dtype} and shape ${fmtShape(x.shape)}; ` +
              `cast it (ops.cast(x, '${want.dtype ?? 'float32'}'))`,
          )
        }
      })
    }
    return op(xs, params)
  }
  Object.defineProperty(kernel, 'name', { value: name })
  return Object.freeze(
    Object.assign(kernel, {
      operands,
      load: (): Promise<void> =>
        (loading ??= (load ?? (() => Promise.resolve()))().then(() => {
          ready = true
        })),
      loaded: () => ready,
      calls: () => counts.get(name) ?? 0,
    }),
  ) as unknown as Kernel<P>
}

const DTYPES: readonly string[] = ['float32', 'int32']

/** Throws an `ArgumentError` naming the field unless `spec` is a well-formed `KernelSpec`. */
function checkSpec(spec: unknown): void {
  const bad = (field: string, expected: string, got: unknown): ArgumentError =>
    new ArgumentError(`defineKernel(${field}): expected ${expected} but got ${describe(got)}`)
  if (typeof spec !== 'object' || spec === null) throw bad('spec', 'a kernel spec { name, operands, outputs, host }', spec)
  const { name, operands, outputs, host, backends, load } = spec as Record<string, unknown>
  if (typeof name !== 'string' || name.length === 0) throw bad('spec.name', 'a non-empty string', name)
  if (!Array.isArray(operands) || operands.length === 0) throw bad('spec.operands', 'a non-empty array of { name, rank, dtype? }', operands)
  operands.forEach((o: unknown, i) => {
    if (typeof o !== 'object' || o === null) throw bad(`spec.operands[${i}]`, 'an object { name, rank, dtype? }', o)
    const { name: n, rank, dtype } = o as Record<string, unknown>
    if (typeof n !== 'string') throw bad(`spec.operands[${i}].name`, 'a string', n)
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0) throw bad(`spec.operands[${i}].rank`, 'a non-negative integer (the instance rank)', rank)
    if (dtype !== undefined && !DTYPES.includes(dtype as string)) throw bad(`spec.operands[${i}].dtype`, "'float32', 'int32' or undefined", dtype)
  })
  if (typeof outputs !== 'function') throw bad('spec.outputs', 'a function (shapes, params) => [{ shape, dtype }, ...]', outputs)
  if (typeof host !== 'function') throw bad('spec.host', 'a function ({ inputs, shapes, count, params, outputs }) => void', host)
  if (backends !== undefined) {
    if (typeof backends !== 'object' || backends === null) throw bad('spec.backends', 'an object of tensor implementations by backend name', backends)
    for (const [b, f] of Object.entries(backends)) if (typeof f !== 'function') throw bad(`spec.backends.${b}`, 'a function (inputs, params) => tensors', f)
  }
  if (load !== undefined && typeof load !== 'function') throw bad('spec.load', 'a function () => Promise<void> or undefined', load)
}

/** Throws an `ArgumentError` naming the kernel unless `outs` (what `spec.outputs` returned) are well-formed. */
function checkOutputs(name: string, outs: unknown, shapes: readonly (readonly number[])[]): void {
  const where = `${name}: spec.outputs(${shapes.map(fmtShape).join(', ')})`
  if (!Array.isArray(outs)) throw new ArgumentError(`${where} must return an array of { shape, dtype } but returned ${describe(outs)}`)
  outs.forEach((o: unknown, j) => {
    const { shape, dtype } = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ArgumentError(`${where} returned ${Array.isArray(shape) ? `shape ${fmtShape(shape)}` : describe(o)} for output ${j}; a shape is an array of non-negative integers`)
    }
    if (!DTYPES.includes(dtype as string)) {
      throw new ArgumentError(`${where} returned dtype ${describe(dtype)} for output ${j}; expected 'float32' or 'int32'`)
    }
  })
}
