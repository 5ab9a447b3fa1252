/**
 * Kernels that tfjs's wasm backend (`@tensorflow/tfjs-backend-wasm` 4.22) lacks and that
 * gradients need: `Conv2DBackpropFilter` (the filter gradient of `conv2d`, also the input
 * gradient of `conv2dTranspose`), `DepthwiseConv2dNativeBackpropFilter` and
 * `DepthwiseConv2dNativeBackpropInput` (both gradients of `depthwiseConv2d`) and
 * `UnsortedSegmentSum` (the gradient of `gather` in tfjs); and `MaxPoolGrad`, which the backend
 * has but computes wrongly at the edges of `'same'` padding. Without them a CNN or an embedding
 * cannot be trained on wasm. Also `Identity` and same-dtype `Cast`, which the backend makes by
 * copying the data into a new heap buffer: they share it, as the cpu backend's do and as the
 * wasm backend's own `Reshape` does (tensors are immutable, the data reference-counted). tfjs
 * clones every tensor it saves for a gradient and every input of `tf.grad`, and its gradients
 * cast to float32 what is float32 already, so this saves several copies of each step. And a
 * `Cast` to bool, which the backend makes by copying the numbers (2 stays 2), is `x != 0`.
 * Each is written in JavaScript over the operands' values (read from the wasm heap) and writes
 * a new heap tensor, in NHWC as the wasm backend's convolutions.
 * `registerWasmKernels` registers those the backend does not have, from `init()` (never at
 * import). The loops are the same sums as tfjs's cpu kernels, accumulated in float64, except
 * two that run on the backend's own fast kernels (XNNPACK) and accumulate in float32: the
 * filter gradient of `conv2d` (im2col times `dy`, one matrix product) and, with unit strides,
 * its input gradient (a `Conv2D` with the filter turned), which the backend has but computes by
 * a direct loop ten times slower. Two more replace slow or wrong paths of the backend's own:
 * `Sum` and `Mean` over leading axes (batch norm's statistics; the backend transposes first),
 * and `BatchMatMul`/`_FusedMatMul` with a right operand whose data were used before with
 * another shape (the backend reuses the first packing: wrong products, then a corrupted heap),
 * which get a copy. And block copies for `Tile`, `Slice`, `SplitV` and `GatherV2`, and tiled
 * operands for the binary kernels whose broadcasting the backend does element by element
 * (`SLOW_BROADCAST`): each was 10 to 100 ms on a text model's step.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError } from './errors.js'

/** What the kernels use of the wasm backend: reading a tensor's values, making an output, a view of a tensor in the heap. */
interface WasmBackend {
  readSync(dataId: tf.DataId): Float32Array | Int32Array | Uint8Array
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): tf.TensorInfo
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
  disposeData(dataId: tf.DataId, force?: boolean): boolean
}

type Attrs = Record<string, unknown>
type Inputs = Record<string, tf.TensorInfo>
type Kernel = (args: { inputs: Inputs; backend: unknown; attrs: Attrs }) => tf.TensorInfo

const read = (backend: WasmBackend, x: tf.TensorInfo): Float32Array | Int32Array | Uint8Array => backend.readSync(x.dataId)

/** Throws an `ArgumentError` naming the kernel unless the data format is NHWC. */
function checkNhwc(kernel: string, attrs: Attrs): void {
  const f = attrs['dataFormat']
  if (f !== undefined && f !== 'NHWC' && f !== 'channelsLast') {
    throw new ArgumentError(`${kernel} on wasm: only the NHWC data format is supported but got dataFormat '${String(f)}'; transpose to NHWC`)
  }
}

/** `Conv2DBackpropFilter`: `dW[r, c, i, o] = sum_{b, y, x} x[b, y sH + r dH - top, x sW + c dW - left, i] dy[b, y, x, o]`. */
function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo {
  checkNhwc('Conv2DBackpropFilter', attrs)
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
  const filterShape = attrs['filterShape'] as [number, number, number, number]
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
  )
  return filterGradMatMul(backend as WasmBackend, x, dy, info)
}

/** `DepthwiseConv2dNativeBackpropFilter`: as `conv2DBackpropFilter`, output channel `i m + k` reading input channel `i`. */
function depthwiseBackpropFilter({ inputs, backend, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo {
  checkNhwc('DepthwiseConv2dNativeBackpropFilter', attrs)
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs['filterShape'] as [number, number, number, number],
    attrs['strides'] as number | [number, number],
    (attrs['dilations'] ?? 1) as number | [number, number],
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
    true,
  )
  return depthwiseFilterGrad(backend as WasmBackend, x, dy, info)
}

/** The most values of one im2col block (32 MB of float32): larger inputs are done in row blocks. */
const IM2COL_BLOCK = 1 << 23

/**
 * The filter gradient of a (not depthwise) convolution as matrix products on the backend's own
 * kernels (XNNPACK): the im2col of the input, `cols [N, FH FW C]` over the `N = B OH OW`
 * output positions (each tap's `C` channels copied whole, zero where the tap reads padding),
 * and `dy` transposed to `[O, N]` give `dW^T = dy^T cols [O, FH FW C]`, transposed back to
 * `[FH, FW, C, O]`. In row blocks of at most `IM2COL_BLOCK` values, whose products are summed.
 * The sum of tfjs's cpu kernel, accumulated in float32 by the product (10 to 30 times faster).
 */
function filterGradMatMul(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: O } = info
  const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW, filterHeight: FH, filterWidth: FW } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  const K = FH * FW * C
  const N = B * OH * OW
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc as unknown as Kernel
  const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc as unknown as Kernel
  const dyT = transpose({ inputs: { x: { dataId: dy.dataId, shape: [N, O], dtype: 'float32' } }, backend, attrs: { perm: [1, 0] } }) // [O, N]
  const rowsPer = Math.max(1, Math.min(N, Math.floor(IM2COL_BLOCK / K)))
  const sum = new Float32Array(O * K) // [O, K]
  for (let n0 = 0; n0 < N; n0 += rowsPer) {
    const n = Math.min(rowsPer, N - n0)
    // The block is written in place in the heap, zero where a tap reads padding: per output
    // position and filter row, the taps inside the input are one contiguous run of the input
    // (the gradient's dilation is 1: tfjs refuses the gradient of a dilated conv2d), copied by
    // copyWithin on one view of the whole heap.
    const a = backend.makeOutput([1, n, K], 'float32')
    const av = backend.typedArrayFromHeap(a) as Float32Array // views taken after makeOutput, which may grow the heap
    const xv = backend.typedArrayFromHeap(x) as Float32Array
    const heap = new Float32Array(av.buffer)
    const aBase = av.byteOffset / 4
    const xBase = xv.byteOffset / 4
    av.fill(0)
    for (let j = 0; j < n; j++) {
      const p = n0 + j
      const b = Math.floor(p / (OH * OW))
      const y = Math.floor(p / OW) % OH
      const x0 = (p % OW) * sW - left // the input column of tap c = 0
      // The taps that read inside the row: c in [cLo, cHi).
      const cLo = x0 >= 0 ? 0 : Math.ceil(-x0 / dW)
      const cHi = Math.min(FW, Math.floor((W - 1 - x0) / dW) + 1)
      if (cLo >= cHi) continue
      for (let r = 0; r < FH; r++) {
        const xr = y * sH + r * dH - top
        if (xr < 0 || xr >= H) continue
        const from = xBase + ((b * H + xr) * W + x0) * C
        const to = aBase + j * K + r * FW * C
        heap.copyWithin(to + cLo * C, from + cLo * C, from + cHi * C) // taps cLo .. cHi: contiguous (unit dilation)
      }
    }
    // dy^T's columns n0 .. n0 + n: dy^T itself when one block covers it, else a copy of them.
    const d = n === N ? { dataId: dyT.dataId, shape: [1, O, N], dtype: 'float32' as const } : sliceColumns(backend, dyT, O, N, n0, n)
    const prod = matMul({ inputs: { a: d, b: a }, backend, attrs: { transposeA: false, transposeB: false } }) // [1, O, K]
    backend.disposeData(a.dataId)
    if (d.dataId !== dyT.dataId) backend.disposeData(d.dataId)
    const pv = backend.typedArrayFromHeap(prod)
    for (let i = 0; i < sum.length; i++) sum[i]! += pv[i]!
    backend.disposeData(prod.dataId)
  }
  backend.disposeData(dyT.dataId)
  const out = new Float32Array(K * O) // [K, O] = [FH, FW, C, O]
  for (let o = 0; o < O; o++) for (let q = 0; q < K; q++) out[q * O + o] = sum[o * K + q]!
  return backend.makeOutput([FH, FW, C, O], 'float32', undefined, out)
}

/** Columns `n0 .. n0 + n` of a `[rows, cols]` heap matrix, as a new `[1, rows, n]` one. */
function sliceColumns(backend: WasmBackend, m: tf.TensorInfo, rows: number, cols: number, n0: number, n: number): tf.TensorInfo {
  const out = new Float32Array(rows * n)
  const v = backend.typedArrayFromHeap(m)
  for (let r = 0; r < rows; r++) out.set(v.subarray(r * cols + n0, r * cols + n0 + n), r * n)
  return backend.makeOutput([1, rows, n], 'float32', undefined, out)
}

/** The row-major strides of a shape, the last axis's 1 included (`[2, 3, 4]` -> `[12, 4, 1]`). */
const strides = (shape: readonly number[]): number[] => [...tf.util.computeStrides([...shape]), 1]

/**
 * A new heap tensor of `shape` to copy `x`'s values into, and views of both (taken after the
 * output is made, which may grow the heap). A rank-0 `x` is copied already.
 */
function copyTarget(backend: WasmBackend, x: tf.TensorInfo, shape: readonly number[]): { out: tf.TensorInfo; xv: ReturnType<WasmBackend['typedArrayFromHeap']>; ov: ReturnType<WasmBackend['typedArrayFromHeap']> } {
  const out = backend.makeOutput([...shape], x.dtype)
  const xv = backend.typedArrayFromHeap(x)
  const ov = backend.typedArrayFromHeap(out)
  if (x.shape.length === 0 && ov.length > 0) ov[0] = xv[0]!
  return { out, xv, ov }
}

/**
 * `x` tiled `reps` times along each axis (`out[i] = x[i mod shape]`), written with block copies:
 * each axis's block is built once and then doubled by `copyWithin`.
 */
function tileOutput(backend: WasmBackend, x: tf.TensorInfo, reps: readonly number[]): tf.TensorInfo {
  const shape = x.shape
  const r = shape.length
  const outShape = shape.map((d, i) => d * reps[i]!)
  const { out, xv, ov } = copyTarget(backend, x, outShape)
  if (ov.length === 0 || r === 0) return out
  const inStride = strides(shape)
  const outStride = strides(outShape)
  const fill = (axis: number, from: number, to: number): void => {
    const n = shape[axis]!
    if (axis === r - 1) ov.set(xv.subarray(from, from + n), to)
    else for (let i = 0; i < n; i++) fill(axis + 1, from + i * inStride[axis]!, to + i * outStride[axis]!)
    const block = n * outStride[axis]!
    const total = block * reps[axis]!
    for (let done = block; done < total; done += Math.min(done, total - done)) ov.copyWithin(to + done, to, to + Math.min(done, total - done))
  }
  fill(0, 0, 0)
  return out
}

/** The binary kernels whose broadcasting the backend does element by element (measured: 60 to 110 ms for 640,000 values, against 1 to 4 ms on equal shapes). */
const SLOW_BROADCAST = ['Maximum', 'Minimum', 'Pow', 'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'FloorDiv', 'Mod', 'Atan2'] as const

/** A binary kernel with each operand of more than one value tiled to the output's shape (those of one value the backend broadcasts fast). */
function withTiledOperands(args: { inputs: Inputs; backend: unknown; attrs: Attrs }, own: Kernel): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
  if (tf.util.arraysEqual(a.shape, b.shape) || a.dtype === 'string' || b.dtype === 'string') return own(args)
  const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape)
  const backend = args.backend as WasmBackend
  const made: tf.TensorInfo[] = []
  const tiled = (t: tf.TensorInfo): tf.TensorInfo => {
    if (tf.util.arraysEqual(t.shape, out) || tf.util.sizeFromShape(t.shape) === 1) return t
    const shape = [...new Array<number>(out.length - t.shape.length).fill(1), ...t.shape]
    const x = tileOutput(backend, { dataId: t.dataId, shape, dtype: t.dtype }, out.map((d, i) => d / shape[i]!))
    made.push(x)
    return x
  }
  const inputs = { ...args.inputs, a: tiled(a), b: tiled(b) }
  if (made.length === 0) return own(args)
  try {
    return own({ ...args, inputs })
  } finally {
    for (const m of made) backend.disposeData(m.dataId)
  }
}

/**
 * `GatherV2` without batch dimensions: for each index, the slice of `x` it names along `axis`
 * copied whole. `undefined` (the caller uses the backend's own, which throws the error) when an
 * index is out of range, for batch dimensions, or strings.
 */
function gatherRows({ inputs, backend: be, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo | undefined {
  const backend = be as WasmBackend
  const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo }
  if (x.dtype === 'string' || ((attrs['batchDims'] as number | undefined) ?? 0) !== 0) return undefined
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!
  const dim = x.shape[axis]!
  const n = tf.util.sizeFromShape(indices.shape)
  const outer = tf.util.sizeFromShape(x.shape.slice(0, axis))
  const inner = tf.util.sizeFromShape(x.shape.slice(axis + 1))
  const out = backend.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype)
  const iv = backend.typedArrayFromHeap(indices) // views taken after makeOutput, which may grow the heap
  for (let j = 0; j < n; j++) {
    if (!(iv[j]! >= 0 && iv[j]! < dim)) {
      backend.disposeData(out.dataId)
      return undefined
    }
  }
  const xv = backend.typedArrayFromHeap(x)
  const ov = backend.typedArrayFromHeap(out)
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const from = (o * dim + iv[j]!) * inner
      const to = (o * n + j) * inner
      if (inner === 1) ov[to] = xv[from]!
      else ov.set(xv.subarray(from, from + inner), to)
    }
  }
  return out
}

/**
 * The slice of `x` from `begin` of `size`, copied as contiguous runs: the axes after the last
 * one the slice cuts are taken whole, so each run is `size[q]` rows of that axis's stride.
 */
function sliceOf(backend: WasmBackend, x: tf.TensorInfo, begin: readonly number[], size: readonly number[]): tf.TensorInfo {
  const shape = x.shape
  const r = shape.length
  const { out, xv, ov } = copyTarget(backend, x, size)
  if (ov.length === 0 || r === 0) return out
  const stride = strides(shape)
  let q = r - 1 // the last axis the slice cuts (axes after it are whole)
  while (q > 0 && begin[q] === 0 && size[q] === shape[q]) q--
  const run = size[q]! * stride[q]!
  let at = 0
  const copy = (axis: number, from: number): void => {
    if (axis === q) {
      const start = from + begin[q]! * stride[q]!
      ov.set(xv.subarray(start, start + run), at)
      at += run
      return
    }
    for (let i = 0; i < size[axis]!; i++) copy(axis + 1, from + (begin[axis]! + i) * stride[axis]!)
  }
  copy(0, 0)
  return out
}

/** The shape each right operand of a matrix product was first used with, by its data. */
const rightShapes = new WeakMap<tf.DataId, string>()

/**
 * A matrix product whose right operand's data were used before with another shape gets a copy
 * of them (a new id). The backend (tfjs-backend-wasm 4.22) packs the right operand once per data
 * id and reuses the packing while the data live; a reshape shares the data, so
 * `matMul(a, x)` then `matMul(c, reshape(x, ...))` reused the first packing: a wrong product
 * (measured: `[66, 72]` for `[144, 156]`) and then a corrupted heap.
 */
function freshRightOperand(args: { inputs: Inputs; backend: unknown; attrs: Attrs }, own: Kernel): tf.TensorInfo {
  const b = args.inputs['b']!
  const key = b.shape.join(',')
  const seen = rightShapes.get(b.dataId)
  if (seen === undefined) rightShapes.set(b.dataId, key)
  if (seen === undefined || seen === key) return own(args)
  const backend = args.backend as WasmBackend
  const copy = backend.makeOutput([...b.shape], b.dtype)
  backend.typedArrayFromHeap(copy).set(backend.typedArrayFromHeap(b)) // views taken after makeOutput, which may grow the heap
  try {
    return own({ ...args, inputs: { ...args.inputs, b: copy } })
  } finally {
    backend.disposeData(copy.dataId)
  }
}

/**
 * `Sum` or `Mean` of a float32 tensor over its leading axes `0 .. m - 1` (`m` below the rank),
 * as the input's rows `[outer, inner]` added up in float64, one pass in memory order.
 * `undefined` (the caller uses the backend's own) for other axes or dtypes. The backend's own
 * transposes the reduced axes to the end first, a copy of the input (batch norm's statistics
 * over `[0, 1, 2]` took 250 ms for a `[70, 96, 96, 64]` batch).
 */
function leadingReduce({ inputs, backend: be, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }, mean: boolean): tf.TensorInfo | undefined {
  const backend = be as WasmBackend
  const x = inputs['x']!
  if (x.dtype !== 'float32' || x.shape.length < 2) return undefined
  const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b)
  const m = axes.length
  if (m === 0 || m >= x.shape.length || axes.some((a, i) => a !== i)) return undefined
  const outer = tf.util.sizeFromShape(x.shape.slice(0, m))
  const rest = x.shape.slice(m)
  const inner = tf.util.sizeFromShape(rest)
  const acc = new Float64Array(inner)
  const xv = backend.typedArrayFromHeap(x)
  for (let o = 0; o < outer; o++) {
    const base = o * inner
    for (let i = 0; i < inner; i++) acc[i]! += xv[base + i]!
  }
  if (mean && outer > 0) for (let i = 0; i < inner; i++) acc[i]! /= outer
  const shape = attrs['keepDims'] === true ? [...axes.map(() => 1), ...rest] : rest
  return backend.makeOutput(shape, 'float32', undefined, Float32Array.from(acc))
}

/**
 * `Conv2DBackpropInput` with unit strides as the backend's own `Conv2D` (XNNPACK): `dx` is the
 * correlation of `dy` with the filter turned by 180 degrees and its channels swapped,
 * `f'[r, c, o, i] = f[FH - 1 - r, FW - 1 - c, i, o]`, with the padding `FH - 1 - top` above and
 * `FH - 1 - bottom` below (`FW - 1 - left`, `FW - 1 - right` across). `undefined` (the caller
 * uses the backend's own) for other strides, data formats, or a padding wider than the filter.
 */
function inputGradByConv({ inputs, backend: be, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo | undefined {
  const f = attrs['dataFormat']
  if (f !== undefined && f !== 'NHWC' && f !== 'channelsLast') return undefined
  const backend = be as WasmBackend
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo }
  const inputShape = attrs['inputShape'] as [number, number, number, number]
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], attrs['strides'] as number | [number, number], 1, attrs['pad'] as 'same', attrs['dimRoundingMode'] as 'floor' | undefined)
  const { strideHeight, strideWidth, filterHeight: FH, filterWidth: FW, inChannels: C, outChannels: O } = info
  const { top, bottom, left, right } = info.padInfo
  if (strideHeight !== 1 || strideWidth !== 1 || top > FH - 1 || bottom > FH - 1 || left > FW - 1 || right > FW - 1) return undefined
  const fv = backend.typedArrayFromHeap(filter)
  const turned = new Float32Array(fv.length) // [FH, FW, O, C]
  for (let r = 0; r < FH; r++) {
    for (let c = 0; c < FW; c++) {
      const from = ((FH - 1 - r) * FW + (FW - 1 - c)) * C * O
      const to = (r * FW + c) * O * C
      for (let i = 0; i < C; i++) for (let o = 0; o < O; o++) turned[to + o * C + i] = fv[from + i * O + o]!
    }
  }
  const g = backend.makeOutput([FH, FW, O, C], 'float32', undefined, turned)
  const conv = tf.getKernel('Conv2D', 'wasm')!.kernelFunc as unknown as Kernel
  const pad = [[0, 0], [FH - 1 - top, FH - 1 - bottom], [FW - 1 - left, FW - 1 - right], [0, 0]]
  const dx = conv({ inputs: { x: dy, filter: g }, backend, attrs: { strides: 1, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined } })
  backend.disposeData(g.dataId)
  return dx
}

/** The filter gradient of a depthwise convolution: output channel `d2 = i m + k` reads input channel `i`, filter `[fh, fw, in, m]`. */
function depthwiseFilterGrad(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const xv = read(backend, x)
  const dv = read(backend, dy)
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: O } = info
  const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW, filterHeight: FH, filterWidth: FW } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  const m = O / C // output channels per input channel
  const out = new Float32Array(FH * FW * C * m) // [FH, FW, C, m]
  const acc = new Float64Array(m)
  for (let r = 0; r < FH; r++) {
    for (let c = 0; c < FW; c++) {
      for (let i = 0; i < C; i++) {
        acc.fill(0)
        const o0 = i * m // first output channel fed by input channel i
        for (let b = 0; b < B; b++) {
          for (let y = 0; y < OH; y++) {
            const xr = y * sH + r * dH - top
            if (xr < 0 || xr >= H) continue
            for (let xc0 = 0; xc0 < OW; xc0++) {
              const xc = xc0 * sW + c * dW - left
              if (xc < 0 || xc >= W) continue
              const xval = xv[((b * H + xr) * W + xc) * C + i]!
              if (xval === 0) continue
              const dOff = ((b * OH + y) * OW + xc0) * O + o0
              for (let k = 0; k < m; k++) acc[k]! += xval * dv[dOff + k]!
            }
          }
        }
        out.set(acc, ((r * FW + c) * C + i) * m)
      }
    }
  }
  return backend.makeOutput([FH, FW, C, m], 'float32', undefined, out)
}

/** `DepthwiseConv2dNativeBackpropInput`: `dx[b, h, w, i] = sum dy[b, y, x, i m + k] f[r, c, i, k]` over the taps that read `(h, w)`. */
function depthwiseBackpropInput({ inputs, backend: be, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo {
  checkNhwc('DepthwiseConv2dNativeBackpropInput', attrs)
  const backend = be as WasmBackend
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo }
  const info = tf.backend_util.computeConv2DInfo(
    attrs['inputShape'] as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs['strides'] as number | [number, number],
    (attrs['dilations'] ?? 1) as number | [number, number],
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
    true,
  )
  const dv = read(backend, dy)
  const fv = read(backend, filter)
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: O } = info
  const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW, filterHeight: FH, filterWidth: FW } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  const m = O / C
  const acc = new Float64Array(B * H * W * C) // [B, H, W, C]
  // Scatter: every (output position, tap) adds dy * f to the input position it read.
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let r = 0; r < FH; r++) {
        const xr = y * sH + r * dH - top
        if (xr < 0 || xr >= H) continue
        for (let x = 0; x < OW; x++) {
          const dOff = ((b * OH + y) * OW + x) * O
          for (let c = 0; c < FW; c++) {
            const xc = x * sW + c * dW - left
            if (xc < 0 || xc >= W) continue
            const aOff = ((b * H + xr) * W + xc) * C
            const fOff = (r * FW + c) * C * m
            for (let i = 0; i < C; i++) {
              let s = 0
              for (let k = 0; k < m; k++) s += dv[dOff + i * m + k]! * fv[fOff + i * m + k]!
              acc[aOff + i]! += s
            }
          }
        }
      }
    }
  }
  return backend.makeOutput([B, H, W, C], 'float32', undefined, Float32Array.from(acc))
}

/**
 * `UnsortedSegmentSum`: `out[s, ...] = sum over the rows j of x with segmentIds[j] = s`, where
 * the rows are `x` split after the rank of `segmentIds`; ids outside `[0, numSegments)` are
 * dropped (as TensorFlow drops negative ids).
 */
function unsortedSegmentSum({ inputs, backend: be, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo {
  const backend = be as WasmBackend
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
  const numSegments = attrs['numSegments'] as number
  const ids = read(backend, segmentIds)
  const xv = read(backend, x)
  const rowShape = x.shape.slice(segmentIds.shape.length)
  const row = rowShape.reduce((a, b) => a * b, 1)
  const acc = new Float64Array(numSegments * row) // [numSegments, ...row]
  for (let j = 0; j < ids.length; j++) {
    const s = ids[j]!
    if (s < 0 || s >= numSegments) continue
    const src = j * row
    const dst = s * row
    for (let e = 0; e < row; e++) acc[dst + e]! += xv[src + e]!
  }
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32'
  const out = backend.makeOutput([numSegments, ...rowShape], dtype)
  // makeOutput(values) writes float32 bits; an int32 result is written through its own view.
  const view = backend.typedArrayFromHeap(out)
  for (let i = 0; i < acc.length; i++) view[i] = acc[i]!
  return out
}

/**
 * `MaxPoolGrad`: each output's cotangent goes to the first maximum of its window (row-major),
 * as on the cpu backend. Replaces the wasm backend's own, which drops the windows that reach
 * into the bottom or right padding of `'same'` (a 5x5 input, 2x2 windows, stride 2: the last
 * row and column of windows get no gradient).
 */
function maxPoolGrad({ inputs, backend: be, attrs }: { inputs: Inputs; backend: unknown; attrs: Attrs }): tf.TensorInfo {
  const backend = be as WasmBackend
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs['filterSize'] as number | [number, number],
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
  )
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info
  const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW, filterHeight: FH, filterWidth: FW } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  // Windows that do not overlap send each input at most one dy: written straight into the
  // output. Overlapping ones may send several, summed in float64 as the cpu backend.
  const disjoint = sH >= (FH - 1) * dH + 1 && sW >= (FW - 1) * dW + 1
  const out = backend.makeOutput([B, H, W, C], 'float32')
  const acc = disjoint ? undefined : new Float64Array(B * H * W * C) // [B, H, W, C]
  const xv = backend.typedArrayFromHeap(input) // views taken after makeOutput, which may grow the heap
  const dv = backend.typedArrayFromHeap(dy)
  const ov = backend.typedArrayFromHeap(out)
  ov.fill(0)
  // Per window, the channels side by side: the best value and its input index per channel.
  const best = new Float32Array(C)
  const at = new Int32Array(C)
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let x = 0; x < OW; x++) {
        best.fill(-Infinity)
        at.fill(-1)
        for (let r = 0; r < FH; r++) {
          const xr = y * sH + r * dH - top
          if (xr < 0 || xr >= H) continue
          for (let c = 0; c < FW; c++) {
            const xc = x * sW + c * dW - left
            if (xc < 0 || xc >= W) continue
            const i0 = ((b * H + xr) * W + xc) * C
            for (let ch = 0; ch < C; ch++) {
              if (xv[i0 + ch]! > best[ch]!) {
                best[ch] = xv[i0 + ch]!
                at[ch] = i0 + ch
              }
            }
          }
        }
        const d0 = ((b * OH + y) * OW + x) * C
        for (let ch = 0; ch < C; ch++) {
          const i = at[ch]!
          if (i < 0) continue
          if (acc === undefined) ov[i] = dv[d0 + ch]!
          else acc[i]! += dv[d0 + ch]!
        }
      }
    }
  }
  if (acc !== undefined) ov.set(acc)
  return out
}

/** The kernels, by tfjs kernel name. */
export const WASM_KERNELS: Readonly<Record<string, Kernel>> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  UnsortedSegmentSum: unsortedSegmentSum,
}

/** The wasm backend's bookkeeping that sharing data needs: one more reference to a dataId. */
interface RefCounted {
  incRef(dataId: tf.DataId): void
}

/** The output that shares `x`'s data (one more reference), with `x`'s shape and dtype. */
function share(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  ;(backend as RefCounted).incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}

/**
 * Kernels that replace the wasm backend's own, which are wrong or copy what they could share
 * (each says how), made from the backend's own kernel.
 */
export const WASM_FIXES: Readonly<Record<string, (own: Kernel) => Kernel>> = {
  MaxPoolGrad: () => maxPoolGrad,
  // The backend's is a direct loop, 10 times slower than its Conv2D: with unit strides it is one.
  Conv2DBackpropInput: (own) => (args) => inputGradByConv(args) ?? own(args),
  // The backend's computes every output index from the input's: block copies instead.
  Tile: (own) => (args) => (args.inputs['x']!.dtype === 'string' ? own(args) : tileOutput(args.backend as WasmBackend, args.inputs['x']!, args.attrs['reps'] as number[])),
  // Broadcasting (not of one value) takes the backend's per-element index path for these, 30
  // times slower than the same op on equal shapes: the operands are tiled to the output first.
  ...Object.fromEntries(SLOW_BROADCAST.map((name) => [name, (own: Kernel): Kernel => (args) => withTiledOperands(args, own)])),
  // Contiguous runs copied whole (the backend's took 10 to 35 ms for 320,000 to 640,000 values).
  Slice: (own) => (args) => {
    const x = args.inputs['x']!
    if (x.dtype === 'string') return own(args)
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, args.attrs['begin'] as number[], args.attrs['size'] as number[])
    return sliceOf(args.backend as WasmBackend, x, begin!, size!)
  },
  SplitV: (own) => (args) => {
    const x = args.inputs['x']!
    if (x.dtype === 'string') return own(args)
    const axis = tf.util.parseAxisParam(args.attrs['axis'] as number, x.shape)[0]!
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, args.attrs['numOrSizeSplits'] as number[] | number, axis)
    const begin = x.shape.map(() => 0)
    return sizes.map((n) => {
      const size = [...x.shape]
      size[axis] = n
      const part = sliceOf(args.backend as WasmBackend, x, [...begin], size)
      begin[axis] = begin[axis]! + n
      return part
    }) as unknown as tf.TensorInfo
  },
  // Rows copied whole (an embedding's lookup was 15 to 25 ms for 10,000 rows of 32).
  GatherV2: (own) => (args) => gatherRows(args) ?? own(args),
  // The backend keeps the packed right operand by its data: see `freshRightOperand`.
  BatchMatMul: (own) => (args) => freshRightOperand(args, own),
  _FusedMatMul: (own) => (args) => freshRightOperand(args, own),
  // Over leading axes (batch norm's [0, 1, 2]) the backend transposes the input first.
  Sum: (own) => (args) => leadingReduce(args, false) ?? own(args),
  Mean: (own) => (args) => leadingReduce(args, true) ?? own(args),
  // A copy of the data into a new heap buffer: share it instead (strings keep the backend's path).
  Identity: (own) => (args) => (args.inputs['x']!.dtype === 'string' ? own(args) : share(args.backend, args.inputs['x']!)),
  // A copy when the dtype does not change: share it instead. To bool, the backend copies the
  // numbers (2 stays 2): write `x != 0` as the cpu backend does. Other conversions are the backend's.
  Cast: (own) => (args) => {
    const x = args.inputs['x']!
    const dtype = args.attrs['dtype'] as tf.DataType
    if (x.dtype === 'string') return own(args)
    if (x.dtype === dtype) return share(args.backend, x)
    if (dtype !== 'bool') return own(args)
    const backend = args.backend as WasmBackend
    const out = backend.makeOutput([...x.shape], 'bool')
    const from = backend.typedArrayFromHeap(x)
    const to = backend.typedArrayFromHeap(out) // read after makeOutput, which may grow the heap
    for (let i = 0; i < from.length; i++) to[i] = from[i] !== 0 ? 1 : 0
    return out
  },
}

/** The kernel functions imle registered over the backend's, so that a second call does not wrap them again. */
const fixed = new WeakSet<tf.KernelFunc>()

/**
 * Registers, for the `wasm` backend, each kernel of `WASM_KERNELS` that no one has registered
 * for it (so a later tfjs that ships one keeps its own), and the kernels of `WASM_FIXES` over
 * the backend's. Called by `init()`; idempotent.
 *
 * @example
 * ```ts
 * registerWasmKernels()
 * tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined   // true
 * ```
 */
export function registerWasmKernels(): void {
  for (const [kernelName, fn] of Object.entries(WASM_KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc })
    }
  }
  for (const [kernelName, make] of Object.entries(WASM_FIXES)) {
    const current = tf.getKernel(kernelName, 'wasm')
    // Before the wasm package is loaded there is nothing to fix yet: its import registers its
    // own kernel (over ours, with a warning), and `init()` calls this again right after it.
    if (current === undefined || fixed.has(current.kernelFunc)) continue
    const kernelFunc = make(current.kernelFunc as unknown as Kernel) as unknown as tf.KernelFunc
    fixed.add(kernelFunc)
    tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(current.setupFunc === undefined ? {} : { setupFunc: current.setupFunc }), ...(current.disposeFunc === undefined ? {} : { disposeFunc: current.disposeFunc }) })
  }
}
