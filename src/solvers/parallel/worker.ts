/**
 * A worker thread of `solvers.parallel`: rebuilds the solver from its origin
 * (`import(module)[export](...args)`), runs its load step, reports ready, then solves each
 * chunk it is sent in place in shared memory and signals the blocked caller through the
 * control words. Loaded by URL, never imported by the library itself.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { definitionOf, type SolverDefinition } from '../solver.js'
import { EXITED, FAILED, OK, PENDING, STATUS, toWire, type Started, type Task, type WorkerInit } from './protocol.js'

const init = workerData as WorkerInit
const control = new Int32Array(init.control)
const port = parentPort!
let busy = false

/** Ends the current call for this worker with `status`, waking the caller when it is the last. */
function finish(status: number): void {
  busy = false
  Atomics.store(control, STATUS + init.index, status)
  if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING)
}

// A kernel that ends the thread (process.exit) must not leave the caller waiting.
process.on('exit', () => {
  if (busy) finish(EXITED)
})

async function rebuild(): Promise<SolverDefinition> {
  const { module, export: name, args } = init.origin
  const mod = (await import(module)) as Record<string, unknown>
  const factory = mod[name]
  if (typeof factory !== 'function') throw new TypeError(`the module ${module} has no function export '${name}'`)
  const definition = definitionOf(factory(...args))
  if (definition === undefined) throw new TypeError(`${name}(...args) from ${module} did not return a solver made by solvers.define`)
  if (definition.name !== init.name) throw new TypeError(`${name}(...args) from ${module} rebuilt '${definition.name}', not '${init.name}'`)
  await definition.load?.()
  return definition
}

rebuild().then(
  (definition) => {
    port.on('message', (task: Task) => {
      busy = true
      const size = task.shape.reduce((a, b) => a * b, 1)
      const theta = new Float32Array(task.theta, task.thetaOffset * 4, task.count * size)
      const out = new Float32Array(task.out, task.outOffset * 4, task.count * task.outSize)
      out.fill(0)
      try {
        definition.kernel(theta, out, task.count, task.shape)
      } catch (e) {
        init.results.postMessage(toWire(e))
        finish(FAILED)
        return
      }
      finish(OK)
    })
    port.postMessage({ type: 'ready' } satisfies Started)
  },
  (e: unknown) => port.postMessage({ type: 'failed', error: toWire(e) } satisfies Started),
)
