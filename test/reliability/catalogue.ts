/**
 * The catalogue's machinery: what an entry is, the fixtures an entry builds its inputs from
 * (tracked, so that the runner can tell the library's leaks from the entry's own inputs), and
 * `check`, which runs one entry and returns what is wrong with it (empty when it passes):
 * the error class and `_tag`, the message, the time taken, no leaked tensor, no open tape,
 * scope or vmap frame, and a working `grad(vmap(...))` afterwards.
 */
import * as tf from '@tensorflow/tfjs-core'
import { grad, ImleError, ops, random, tree, vmap, type ImleErrorTag } from '../../src/index.js'
import { activeFrames } from '../../src/core/tracer.js'

/** The areas of the public API the catalogue covers (one per facade export group). */
export type Area =
  | 'vmap' | 'grad' | 'customVjp' | 'callback' | 'ops' | 'random' | 'tree' | 'noise' | 'target' | 'solvers'
  | 'imle' | 'aimle' | 'ste' | 'blackbox' | 'perturbed' | 'scoreFunction' | 'kSubset' | 'relax' | 'losses'
  | 'estimators.decode' | 'optim' | 'backend' | 'defineKernel' | 'nn'

/** One bad input: the call, and the typed error (or the documented result) it must give. */
export interface Entry {
  readonly area: Area
  readonly name: string
  readonly run: () => unknown
  /** The expected error's `_tag`; absent when `result` checks a documented result instead. */
  readonly tag?: ImleErrorTag
  /** Every pattern must match the message: the function, the argument, the value / what was expected. */
  readonly message?: readonly RegExp[]
  /** For a documented result: throws (an `Error` with a reason) when the result is wrong. */
  readonly result?: (r: unknown) => void
  /** Hang-prone: run in a child process under a timeout. */
  readonly isolate?: boolean
  /** The time the call may take in process, in ms (default 2000). */
  readonly limitMs?: number
}

/** `bad(area, name, run, tag, ...message)`: an entry that must throw `tag` matching every pattern. */
export const bad = (area: Area, name: string, run: () => unknown, tag: ImleErrorTag, ...message: RegExp[]): Entry => ({ area, name, run, tag, message })

/** The same, run in a child process under a timeout (hang-prone). */
export const isolated = (area: Area, name: string, run: () => unknown, tag: ImleErrorTag, ...message: RegExp[]): Entry => ({ area, name, run, tag, message, isolate: true })

/** An entry whose documented result `result` checks (it throws an `Error` when wrong). */
export const good = (area: Area, name: string, run: () => unknown, result: (r: unknown) => void): Entry => ({ area, name, run, result })

// Fixtures: every tensor an entry builds its inputs from is recorded and disposed by the runner.
const made: tf.Tensor[] = []
const keep = <T extends tf.Tensor>(t: T): T => {
  made.push(t)
  return t
}
/** Tracked fixtures. */
export const fx = {
  t: (values: tf.TensorLike, shape?: number[], dtype?: 'float32' | 'int32' | 'bool') => keep(tf.tensor(values, shape, dtype)),
  zeros: (shape: number[], dtype: 'float32' | 'int32' = 'float32') => keep(tf.zeros(shape, dtype)),
  ones: (shape: number[], dtype: 'float32' | 'int32' = 'float32') => keep(tf.ones(shape, dtype)),
  range: (shape: number[]) => keep(tf.tidy(() => tf.reshape(tf.range(0, shape.reduce((a, b) => a * b, 1)), shape))),
  key: (seed = 0) => keep(random.key(seed)),
  keys: (n: number, seed = 0) => {
    const k = random.key(seed)
    const ks = keep(random.split(k, n))
    k.dispose()
    return ks
  },
  /** Every tensor leaf of `t` (a state the entry made), tracked. */
  tree: <T>(t: T): T => {
    for (const l of tree.leaves(t)) keep(l)
    return t
  },
  /** A value made by `f` from fixtures, itself tracked. */
  of: <T extends tf.Tensor>(f: () => T): T => keep(f()),
}
const disposeFixtures = (): void => {
  for (const t of made.splice(0)) if (t !== undefined && !t.isDisposed) t.dispose()
}

const describe = (e: unknown): string =>
  e instanceof Error ? `${e.constructor.name}${(e as { _tag?: string })._tag ? ` (${(e as { _tag?: string })._tag})` : ''}: ${e.message}` : `a thrown ${typeof e}: ${String(e)}`

interface EngineState {
  activeTape: unknown
  gradientDepth: number
  kernelDepth: number
  scopeStack: unknown[]
}
const engineState = (): EngineState => (tf.engine() as unknown as { state: EngineState }).state

/** The health probe: `grad(xs => sum(vmap(x => x * x)(xs)))` at ones [2, 3] is 2 everywhere. */
function healthy(): string | null {
  const xs = tf.ones([2, 3])
  try {
    const g = grad((x: tf.Tensor) => ops.sum(vmap((r: tf.Tensor) => ops.mul(r, r))(x)))(xs) as tf.Tensor
    const v = g.dataSync()
    g.dispose()
    return v.length === 6 && v.every((d) => d === 2) ? null : `grad(vmap(x * x)) gave [${Array.from(v)}] instead of 2s`
  } catch (e) {
    return `grad(vmap(x * x)) threw ${describe(e)}`
  } finally {
    xs.dispose()
  }
}

/**
 * Runs `entry` in this process and returns what is wrong (empty when it passes). `elapsedMs`
 * is reported through `timing`.
 */
export async function check(entry: Entry, timing?: (ms: number) => void): Promise<string[]> {
  const problems: string[] = []
  const state = engineState()
  const before = { tensors: tf.memory().numTensors, tape: state.activeTape, depth: state.gradientDepth, scopes: state.scopeStack.length }
  const t0 = performance.now()
  let thrown: unknown = undefined
  let threw = false
  let result: unknown
  try {
    result = entry.run()
    if (result instanceof Promise) result = await result
  } catch (e) {
    threw = true
    thrown = e
  }
  const ms = performance.now() - t0
  timing?.(ms)
  const limit = entry.limitMs ?? 2000
  if (ms > limit) problems.push(`took ${ms.toFixed(0)} ms (limit ${limit} ms)`)
  if (entry.result !== undefined) {
    if (threw) problems.push(`threw ${describe(thrown)} where a documented result was expected`)
    else {
      try {
        entry.result(result)
      } catch (e) {
        problems.push(`wrong result: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
  } else if (!threw) {
    problems.push(`no error (a silent result: ${describeResult(result)}); expected ${entry.tag}`)
  } else if (!(thrown instanceof ImleError)) {
    problems.push(`untyped error: ${describe(thrown)}`)
  } else {
    if (thrown._tag !== entry.tag) problems.push(`expected ${entry.tag} but got ${describe(thrown)}`)
    for (const p of entry.message ?? []) if (!p.test(thrown.message)) problems.push(`message does not match ${p}: ${thrown.message}`)
  }
  // What the call returned is the entry's (a documented result), not a leak.
  if (!threw) for (const l of safeLeaves(result)) if (!l.isDisposed) l.dispose()
  disposeFixtures()
  const after = engineState()
  const leaked = tf.memory().numTensors - before.tensors
  if (leaked !== 0) problems.push(`leaked ${leaked} tensor(s)`)
  if (after.activeTape !== before.tape) problems.push('left a tape open')
  if (after.gradientDepth !== before.depth) problems.push(`left gradientDepth at ${after.gradientDepth}`)
  if (after.scopeStack.length !== before.scopes) problems.push(`left ${after.scopeStack.length - before.scopes} tidy scope(s) open`)
  if (activeFrames().length !== 0) problems.push(`left ${activeFrames().length} vmap frame(s) open`)
  const sick = healthy()
  if (sick !== null) problems.push(`engine unhealthy afterwards: ${sick}`)
  if (tf.memory().numTensors !== before.tensors + (leaked > 0 ? leaked : 0) && sick === null) problems.push('the health probe leaked')
  return problems
}

function safeLeaves(r: unknown): tf.Tensor[] {
  try {
    return tree.leaves(r)
  } catch {
    return []
  }
}

function describeResult(r: unknown): string {
  if (r instanceof tf.Tensor) return `a ${r.dtype} tensor of shape [${r.shape.join(', ')}]`
  if (typeof r === 'function') return 'a function'
  try {
    return JSON.stringify(r)?.slice(0, 120) ?? String(r)
  } catch {
    return String(r)
  }
}
