/**
 * What imle installs into tfjs, once, when `init()` runs or a transformation is first called,
 * and never at import: tfjs-core's gradients, the kernels gradients need that the wasm backend
 * lacks (`wasm_kernels.ts`), and a guard on the engine's `runKernel` that
 * makes every tfjs kernel refuse batched values with a `RawTfOpError` pointing to `ops` and
 * `callback`, instead of failing deep inside a backend. The guard is one loop over a kernel's
 * inputs. Tensor methods (`x.add(y)`, tfjs's chained ops) called on a batched value throw the
 * same error, naming the `ops` function to use, whether or not the chained ops are registered.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { RawTfOpError } from './errors.js'
import { primitives } from './ops/def.js'
import { registerGradients } from './gradients.js'
import { BatchTracer } from './tracer.js'
import { registerWasmKernels } from './wasm_kernels.js'

let installed = false

/** Whether `installEngine` has run. */
export const engineInstalled = (): boolean => installed

/** Installs the gradients and the engine guard (idempotent; cheap after the first call). */
export function installEngine(): void {
  if (installed) return
  installed = true
  registerGradients()
  registerWasmKernels()
  const engine = tf.engine() as unknown as {
    runKernel: (name: string, inputs: Record<string, unknown>, attrs?: unknown) => unknown
  }
  const runKernel = engine.runKernel
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    for (const k in inputs) if (inputs[k] instanceof BatchTracer) throw new RawTfOpError(name)
    return runKernel.call(this, name, inputs, attrs)
  }
  for (const method of CHAINED_OPS) {
    Object.defineProperty(BatchTracer.prototype, method, { value: tensorMethodOnTracer(method), configurable: true, writable: true })
  }
}

/** tfjs's chained ops: the tensor methods (`x.add(y)`) that `@tensorflow/tfjs` registers on `Tensor`. */
const CHAINED_OPS: readonly string[] = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'as1D', 'as2D', 'as3D', 'as4D',
  'as5D', 'asScalar', 'asType', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'avgPool', 'batchNorm',
  'batchToSpaceND', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'concat', 'conv1d', 'conv2d',
  'conv2dTranspose', 'cos', 'cosh', 'cumprod', 'cumsum', 'depthToSpace', 'depthwiseConv2d',
  'dilation2d', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp',
  'expandDims', 'expm1', 'fft', 'flatten', 'floor', 'floorDiv', 'gather', 'greater',
  'greaterEqual', 'ifft', 'irfft', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual',
  'localResponseNormalization', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp',
  'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool', 'maximum',
  'mean', 'min', 'minimum', 'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot',
  'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape',
  'reshapeAs', 'resizeBilinear', 'resizeNearestNeighbor', 'reverse', 'rfft', 'round', 'rsqrt',
  'selu', 'separableConv2d', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus',
  'spaceToBatchND', 'split', 'sqrt', 'square', 'squaredDifference', 'squeeze', 'stack', 'step',
  'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile', 'toBool', 'toFloat', 'toInt', 'topk',
  'transpose', 'unique', 'unsortedSegmentSum', 'unstack', 'where', 'zerosLike',
]

/** A tensor method for `BatchTracer`: throws a `RawTfOpError` naming the `ops` function to use instead. */
function tensorMethodOnTracer(method: string): () => never {
  return function (this: BatchTracer): never {
    const instead = primitives.has(method)
      ? `write ops.${method}(x, ...) instead (imle's ops are batched op by op)`
      : `there is no ops.${method}: compute it with imle's ops`
    throw new RawTfOpError(
      `x.${method}`,
      `vmap: the tensor method x.${method}() was called on a batched value (a vmap tracer of per-example shape ` +
        `[${this.shape.join(', ')}]). Tensor methods run raw tfjs kernels, which do not see the batch axis: ${instead}, ` +
        `or wrap opaque code in callback(fn, { vmapMethod: 'sequential' | 'vectorized' }).`,
    )
  }
}
