/**
 * What imle installs into tfjs, once, when `init()` runs or a transformation is first called,
 * and never at import: tfjs-core's gradients, and a guard on the engine's `runKernel` that
 * makes every tfjs kernel refuse batched values with a `RawTfOpError` pointing to `ops` and
 * `callback`, instead of failing deep inside a backend. The guard is one loop over a kernel's
 * inputs.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { RawTfOpError } from './errors.js'
import { registerGradients } from './gradients.js'
import { BatchTracer } from './tracer.js'

let installed = false

/** Whether `installEngine` has run. */
export const engineInstalled = (): boolean => installed

/** Installs the gradients and the engine guard (idempotent; cheap after the first call). */
export function installEngine(): void {
  if (installed) return
  installed = true
  registerGradients()
  const engine = tf.engine() as unknown as {
    runKernel: (name: string, inputs: Record<string, unknown>, attrs?: unknown) => unknown
  }
  const runKernel = engine.runKernel
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    for (const k in inputs) if (inputs[k] instanceof BatchTracer) throw new RawTfOpError(name)
    return runKernel.call(this, name, inputs, attrs)
  }
}
