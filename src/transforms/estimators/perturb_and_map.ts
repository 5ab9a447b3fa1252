/**
 * The one perturb-and-MAP path every estimator shares. Forward: the noise for all `S * M`
 * perturbations is drawn from the key in one vectorized call, and all of them (under `vmap`,
 * all `B * S * M`) are solved in one batched solver call. Backward: the estimator's rule
 * receives the residuals (`theta`, the very same noise, the MAP states), the cotangent and a
 * `perturbed` function that solves new parameters under the saved noise in one more call. This
 * module owns the single `customVjp`; the sample axis is always kept internally.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import * as t from 'io-ts'
import { toCanonical } from '../../core/batching.js'
import { decodeOptionsOrThrow, NonNegative, PositiveInt, show, type OptionsOf } from '../../core/config.js'
import { ArgumentError } from '../../core/errors.js'
import { fmtShape } from '../../core/folded.js'
import * as ops from '../../core/ops.js'
import { checkKey } from '../../core/random/keyed.js'
import { readHost, setCell, stateCell } from '../../core/reads.js'
import { activeFrames, decompose } from '../../core/tracer.js'
import { checkNoise, checkSample, type Noise } from '../../distributions/noise/noise.js'
import { isSolver } from '../../solvers/solver.js'
import { customVjp } from '../custom_vjp.js'
import { vmap } from '../vmap.js'
import type { BackwardContext, Estimator, MapFn } from './estimator.js'

/**
 * The codec of the options every perturbation estimator shares (after defaults):
 * - `nbSamples` `S` (default 1): perturb-and-MAP samples per instance;
 * - `nbMarginalSamples` `M` (default 1): marginal samples (μ–μ, torch-adaptive-imle's): the
 *   layer draws `S * M` perturbations and returns all of them, and an estimator's backward rule
 *   may average each sample's `M` MAP states before differencing (`ctx.marginal`);
 * - `inputNoiseTemperature` `tau` (default 1): the scale of the forward noise;
 * - `sense` (default `'max'`): `'min'` makes the layer minimise `<theta, z>` with the same
 *   (maximising) solver: the path runs on `-theta` with the noise negated, so that every
 *   estimator's formula flips its sign (torch-adaptive-imle's `_is_minimization`);
 * - `reduce` (default `'none'`): `'none'` returns the samples `[S * M, ...s]` (`[...s]` for one
 *   sample, as torch-imle), `'mean'` their mean `[...s]`, the marginal estimate.
 *
 * @example
 * ```ts
 * estimators.PerturbConfig.is({ nbSamples: 5, nbMarginalSamples: 1, inputNoiseTemperature: 1, sense: 'max', reduce: 'none' })   // true
 * ```
 */
export const PerturbConfig = t.type({
  nbSamples: PositiveInt,
  nbMarginalSamples: PositiveInt,
  inputNoiseTemperature: NonNegative,
  sense: t.union([t.literal('max'), t.literal('min')]),
  reduce: t.union([t.literal('none'), t.literal('mean')]),
})
/** The decoded shared options. */
export type PerturbConfig = t.TypeOf<typeof PerturbConfig>
/** The shared options a caller passes: every field optional. */
export type PerturbOptions = OptionsOf<typeof PerturbConfig>

/** The defaults of the shared options. */
export const perturbDefaults: Readonly<PerturbConfig> = {
  nbSamples: 1 as PositiveInt,
  nbMarginalSamples: 1 as PositiveInt,
  inputNoiseTemperature: 1 as NonNegative,
  sense: 'max',
  reduce: 'none',
}

/**
 * A perturb-and-MAP layer: `(theta [...s], key int32 [2]) -> output`, with
 * - `map(theta)`: the unperturbed MAP state for evaluation (no key, no gradient; `[...s]`);
 * - the estimator's state (`undefined` unless it adapts): `state()` reads it, `setState(s)`
 *   replaces it (to reset, or to restore a saved run).
 */
export interface Layer<State = undefined> {
  (theta: tf.Tensor, key: tf.Tensor): tf.Tensor
  readonly map: (theta: tf.Tensor) => tf.Tensor
  readonly state: () => State
  readonly setState: (state: State) => void
}

/**
 * The mean over the leading (row) axis, `[R, ...s] -> [...s]`; one row is squeezed, not
 * averaged (a `Mean` kernel over a size-1 axis costs tens of microseconds on wasm).
 */
export const meanRows = (x: tf.Tensor): tf.Tensor => (x.shape[0] === 1 ? ops.squeeze(x, [0]) : ops.mean(x, 0))

/** `eps * tau`, without an op when `tau = 1`. */
export const scaled = (eps: tf.Tensor, tau: number): tf.Tensor => (tau === 1 ? eps : ops.mul(eps, tau))

/** The solver over a leading sample axis, `[S, ...s] -> [S, ...s]`: a solver record's own batched call, or `vmap`. */
export const solveSamples = (map: MapFn): ((theta: tf.Tensor) => tf.Tensor) => (isSolver(map) ? map.batched : vmap(map))

/**
 * `solveSamples` with the solver's output checked, `fn` naming the layer: a float32 tensor of
 * the input's shape `[N, ...s]` (metadata only, every call). With `values`, a map that is not a
 * solver record (a plain function) also has its 0/1 values checked, which reads the output:
 * a record made by `solvers.define` writes a float32 output of its declared shape itself and
 * is trusted, so the built-in solvers pay nothing.
 */
function checkedSolve(fn: string, map: MapFn): (theta: tf.Tensor, values?: boolean) => tf.Tensor {
  const record = isSolver(map)
  const solve = record
    ? map.batched
    : vmap((theta: tf.Tensor): tf.Tensor => {
        const z = map(theta)
        if (!(z instanceof tf.Tensor)) {
          throw new ArgumentError(`${fn}(map): the solver must return a float32 tensor of the shape of theta, ${fmtShape(theta.shape)}, but returned ${typeof z} ${show(z)}`)
        }
        return z
      })
  return (theta, values = false) => {
    const z = solve(theta) // [N, ...s]
    checkSolution(fn, z, theta)
    if (values && !record) checkBinary(fn, z)
    return z
  }
}

/** Throws unless the solver's output `z` is a float32 tensor of the shape of its input `theta`, `[N, ...s]`. */
function checkSolution(fn: string, z: tf.Tensor, theta: tf.Tensor): void {
  if (z.dtype !== 'float32') {
    throw new ArgumentError(`${fn}(map): the solver must return a float32 tensor (0/1 states) but returned dtype ${z.dtype}; cast it with ops.cast(z, 'float32')`)
  }
  if (z.rank !== theta.rank || z.shape.some((d, i) => d !== theta.shape[i])) {
    // One instance's shapes: the leading axis is the layer's rows.
    throw new ArgumentError(
      `${fn}(map): the solver must return a state of the shape of its input, ${fmtShape(theta.shape.slice(1))}, but returned shape ${fmtShape(z.shape.slice(1))}`,
    )
  }
}

/** Throws unless every entry of `z` (under `vmap`, of the whole batch) is 0 or 1. Reads `z`. */
function checkBinary(fn: string, z: tf.Tensor): void {
  const [v] = readHost(`${fn}(map)`, [decompose(z).base])
  if (v === undefined) return
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!
    if (x !== 0 && x !== 1) {
      throw new ArgumentError(`${fn}(map): the solver must return 0/1 states (0 or 1 in every entry) but returned ${x} (flat index ${i} of the batch)`)
    }
  }
}

/** The noise of `-eps` for `eps ~ noise` (for `sense: 'min'`), with its density. */
function negated(noise: Noise): Noise {
  const { logProb, gradLogProb } = noise
  return {
    _tag: `-${noise._tag}`,
    config: noise.config,
    sample: (key, shape) => ops.neg(noise.sample(key, shape)),
    ...(logProb === undefined ? {} : { logProb: (x: tf.Tensor) => logProb(ops.neg(x)) }),
    ...(gradLogProb === undefined ? {} : { gradLogProb: (x: tf.Tensor) => ops.neg(gradLogProb(ops.neg(x))) }),
  }
}

/**
 * Makes a layer from a MAP solver, a noise distribution and an estimator's rules.
 *
 * Forward, `layer(theta, key)`: `eps ~ noise` of shape `[S * M, ...s]` drawn once from `key`,
 * `z = map(perturb(theta, tau eps))` (default `theta + tau eps`) for all of them in one batched
 * call, output `estimator.output(z)` (default: `z`, `[S * M, ...s]`, or `[...s]` when there
 * is one row) or, with `reduce: 'mean'`, the mean over the rows `[...s]`. Backward: `estimator.backward` with the same `eps`.
 *
 * Checked on every call, from metadata only: the noise's sample is a float32 `[S * M, ...s]`,
 * and every solver output a float32 tensor of the shape of its input. A `map` that is a plain
 * function (not a `solvers.define` record) also has its forward outputs checked to be 0/1
 * states, which reads them; records, the built-in solvers included, are not read. Each failure
 * is an `ArgumentError` naming the layer (`imle(map): ...`, `imle(noise): ...`).
 *
 * @example
 * ```ts
 * import { estimators, noise, ops, random, solvers } from 'imle'
 * const ste: estimators.Estimator = { _tag: 'ste', config: {}, backward: ({ dz }) => ops.mean(dz, 0) }
 * const layer = estimators.perturbAndMap(solvers.topK(2), noise.gumbel(), ste, { nbSamples: 4 })
 * layer(tf.randomNormal([6]), random.key(0))   // [4, 6]
 * layer.map(tf.randomNormal([6]))              // [6], the unperturbed top-2
 * ```
 */
export function perturbAndMap<State = undefined>(
  map: MapFn,
  noise: Noise,
  estimator: Estimator<string, unknown, State>,
  options: PerturbOptions = {},
): Layer<State> {
  return layerOf('perturbAndMap', map, noise, estimator, decodeOptionsOrThrow('perturbAndMap', PerturbConfig, perturbDefaults, options))
}

/** The layer of `perturbAndMap`, for decoded options; `fn` names the public factory in errors. */
export function layerOf<State>(fn: string, map: MapFn, noise: Noise, estimator: Estimator<string, unknown, State>, config: PerturbConfig): Layer<State> {
  checkRecords(fn, map, noise, estimator)
  const { nbSamples: S, nbMarginalSamples: M, inputNoiseTemperature: tau, sense, reduce } = config
  const law = sense === 'min' ? negated(noise) : noise
  const solve = checkedSolve(fn, map) // [S, ...s] -> [S, ...s]
  const R = S * M // the rows: every sample's M marginal perturbations
  // [S * M, ...s] -> [S, ...s]: the mean over each sample's M marginal perturbations.
  const marginal = (x: tf.Tensor): tf.Tensor => (M === 1 ? x : ops.mean(ops.reshape(x, [S, M, ...x.shape.slice(1)]), 1))
  // New parameters (theta' [...s] or [S * M, ...s]) under the saved noise, in one batched call.
  const perturbed = (eps: tf.Tensor) => (thetaPrime: tf.Tensor, temperature: number): tf.Tensor =>
    solve(perturb(thetaPrime, scaled(eps, temperature))) // [S * M, ...s]
  const { adapt } = estimator
  const perturb = estimator.perturb ?? ((theta: tf.Tensor, noise: tf.Tensor) => ops.add(theta, noise))
  const state = stateCell(adapt?.initial as State) // changed with setCell: read sessions replay steps
  const decodeState = adapt?.decode
  type Residuals = { readonly theta: tf.Tensor; readonly eps: tf.Tensor; readonly z: tf.Tensor }
  const present = estimator.output
  // The layer's own presentation of the rows, applied inside the custom gradient (no tape node
  // of its own): the mean over the rows, one row squeezed, or the rows as they are; `rows`
  // takes the cotangent of that output back to the rows. An estimator's `output` rule is
  // applied outside, with ops, and gets the rows.
  const own = present === undefined
  const toOutput = (z: tf.Tensor): tf.Tensor => (!own ? z : reduce === 'mean' ? meanRows(z) : R === 1 ? ops.squeeze(z, [0]) : z)
  const rows = (dy: tf.Tensor): tf.Tensor => {
    if (!own || (reduce === 'none' && R > 1)) return dy // [R, ...s]
    const one = ops.expandDims(reduce === 'mean' && R > 1 ? ops.div(dy, R) : dy, 0) // [1, ...s]
    return R === 1 ? one : ops.broadcastTo(one, [R, ...dy.shape]) // [R, ...s]
  }
  const core = customVjp(
    (theta: tf.Tensor, key: tf.Tensor): readonly [tf.Tensor, Residuals] => {
      const eps = law.sample(key, [R, ...theta.shape]) // [S * M, ...s]
      checkSample(`${fn}(noise)`, eps, [R, ...theta.shape])
      const z = solve(perturb(theta, scaled(eps, tau)), true) // [S * M, ...s]
      return [toOutput(z), { theta, eps, z }]
    },
    ({ theta, eps, z }: Residuals, dy: tf.Tensor) => {
      const ctx: BackwardContext<State> = {
        theta, eps, z, dz: rows(dy), state: state.value, noise: law,
        solve, perturbed: perturbed(eps), marginal, nbSamples: S, nbMarginalSamples: M, inputNoiseTemperature: tau,
      }
      const result = estimator.backward(ctx)
      const grad = result instanceof tf.Tensor ? result : result.grad // [...s]
      if (!(result instanceof tf.Tensor) && adapt !== undefined) {
        // The statistics of the whole batch, on the host: [B_1, ..., B_n, ...o].
        const stats = toCanonical(ops.cast(result.stats, 'float32'), activeFrames())
        const [values] = readHost(`${fn}(adapt)`, [stats])
        setCell(state, adapt.update(state.value, values as Float32Array, stats.shape))
      }
      return [grad, null] as const
    },
  )
  const rank = isSolver(map) ? map.instanceRank : undefined
  const layer = (theta: tf.Tensor, key: tf.Tensor): tf.Tensor => {
    checkTheta(fn, theta, rank)
    checkKey(fn, key)
    const out = core(sense === 'min' ? ops.neg(theta) : theta, key) // [...s] or [R, ...s]
    return own ? out : present(out, R)
  }
  const mapOnly = (theta: tf.Tensor): tf.Tensor => {
    checkTheta(`${fn}.map`, theta, rank)
    return map(sense === 'min' ? ops.neg(theta) : theta) // [...s]
  }
  return Object.assign(layer, {
    map: mapOnly,
    state: () => state.value,
    setState: (next: State) => {
      setCell(state, decodeState === undefined ? next : decodeState(`${fn}.setState`, next))
    },
  })
}

function checkRecords<State>(fn: string, map: MapFn, noise: Noise, estimator: Estimator<string, unknown, State>): void {
  if (typeof map !== 'function') throw new ArgumentError(`${fn}(map): map must be a function (a MAP solver) but got ${typeof map}`)
  checkNoise(fn, noise)
  if (typeof estimator !== 'object' || estimator === null || typeof estimator.backward !== 'function') {
    throw new ArgumentError(`${fn}(estimator): estimator must be a record with a backward(ctx) function but got ${estimator === null ? 'null' : typeof estimator}`)
  }
}

/** Throws unless `theta` is one float32 instance of the solver (rank `rank` when known, >= 1). */
export function checkTheta(fn: string, theta: unknown, rank: number | undefined): asserts theta is tf.Tensor {
  if (!(theta instanceof tf.Tensor)) throw new ArgumentError(`${fn}(theta): theta must be a tf.Tensor but got ${typeof theta}`)
  if (theta.rank < 1) {
    throw new ArgumentError(`${fn}(theta): theta must have rank >= 1 (one instance of the solver's input) but got a scalar`)
  }
  if (rank !== undefined && theta.rank !== rank) {
    throw new ArgumentError(
      `${fn}(theta): theta must be one instance of the solver, of rank ${rank}, but got shape [${theta.shape.join(', ')}]` +
        (theta.rank === rank + 1 ? '; for a batch of instances use vmap(layer) with one key per instance' : ''),
    )
  }
  if (theta.dtype !== 'float32') throw new ArgumentError(`${fn}(theta): theta must be float32 but got ${theta.dtype}`)
}
