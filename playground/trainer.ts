/**
 * The playground's model, free of the DOM: learn one cost per cell of a terrain map so that the
 * shortest path under the learned costs is the gold path (torch-imle's README animation). The
 * costs are `softplus(w)`; the solver is `solvers.gridShortestPath` (8-neighbourhood) on
 * `theta = -costs`; the loss is the Hamming loss of the layer's samples against the gold path,
 * averaged over the samples; Adam updates `w`. Each step runs through `valueAndGradAsync`, so it
 * works on every backend, webgpu without synchronous read-back included, and reads back only
 * the samples and the costs it shows.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { aimle, blackbox, imle, noise, ops, optim, random, solvers, ste, target, valueAndGradAsync } from '../src/index.js'
import { generate } from '../src/pipelines/data/warcraft/generate.js'
import { COSTS } from '../src/pipelines/data/warcraft/terrain.js'
import { gridShortestPathMask } from '../src/solvers/grid_shortest_path/kernel.js'

/** The noise of the perturbation. */
export type NoiseName = 'sumOfGamma' | 'gumbel' | 'none'
/** The estimator of the gradient through the solver. */
export type EstimatorName = 'imle' | 'aimle' | 'ste' | 'blackbox'

/** What the controls set. */
export interface Settings {
  readonly noise: NoiseName
  /** The temperature of the noise added to `theta` (`inputNoiseTemperature`). */
  readonly inputTemperature: number
  /** The temperature of the noise of the target distribution (`targetNoiseTemperature`; I-MLE, AIMLE). */
  readonly targetTemperature: number
  /** I-MLE's `beta` (the target's step), blackbox's `lambda`, AIMLE's initial `beta`. */
  readonly beta: number
  /** Samples per step. */
  readonly samples: number
  readonly estimator: EstimatorName
  readonly learningRate: number
}

/** The defaults: I-MLE with Sum-of-Gamma noise, as the paper's Warcraft runs. */
export const DEFAULTS: Settings = { noise: 'sumOfGamma', inputTemperature: 1, targetTemperature: 1, beta: 10, samples: 4, estimator: 'imle', learningRate: 0.1 }

/** A terrain map: `k x k` terrain indices (into the Warcraft stand-in's five terrains). */
export interface TerrainMap {
  readonly k: number
  readonly terrain: Uint8Array
}

/** The preset maps: generated Warcraft stand-in maps, `k = 12`. */
export const PRESET_MAPS = ['map 1', 'map 2', 'map 3'] as const

/** Preset map `i` (0, 1, 2). */
export function presetMap(i: number): TerrainMap {
  const data = generate({ k: 12, sizes: { train: 3, val: 1, test: 1 }, seed: 7 })
  const k = data.train.k
  return { k, terrain: data.train.terrain.slice(i * k * k, (i + 1) * k * k) }
}

/** The true costs of a map (`[k * k]`). */
export const trueCosts = (map: TerrainMap): Float32Array => Float32Array.from(map.terrain, (t) => COSTS[t]!)

/** The shortest path (0/1 mask, `[k * k]`) from the top-left to the bottom-right cell under `costs`. */
export function shortestPath(costs: Float32Array, k: number): Float32Array {
  const theta = Float32Array.from(costs, (c) => -c)
  const out = new Float32Array(k * k)
  gridShortestPathMask(theta, 1, k, k, 8, out)
  return out
}

/** What a step reports. */
export interface StepReport {
  readonly step: number
  /** The mean Hamming loss of the step's samples. */
  readonly loss: number
  /** The learned costs, `[k * k]`. */
  readonly costs: Float32Array
  /** The shortest path under the learned costs (no noise), `[k * k]`. */
  readonly path: Float32Array
  /** The mean of the step's samples: per-cell marginals, `[k * k]`. */
  readonly marginals: Float32Array
  /** Whether `path` is the gold path. */
  readonly matchesGold: boolean
  /** Wall time of the step, in ms. */
  readonly ms: number
}

/** The discrete layer of `settings`: `theta [k, k] -> z [S, k, k]`. */
function layerOf(s: Settings): (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor {
  const solver = solvers.gridShortestPath({ neighbourhood: 8 })
  const law = s.noise === 'none' ? noise.none() : s.noise === 'gumbel' ? noise.gumbel() : noise.sumOfGamma({ k: 16, nbIterations: 10 })
  const shared = { nbSamples: s.samples, inputNoiseTemperature: s.inputTemperature }
  switch (s.estimator) {
    case 'imle':
      return imle(solver, law, target.standard({ beta: s.beta }), { ...shared, targetNoiseTemperature: s.targetTemperature })
    case 'aimle':
      return aimle(solver, law, { ...shared, targetNoiseTemperature: s.targetTemperature, initialBeta: s.beta, targetNorm: 12 })
    case 'ste':
      return ste(solver, law, shared)
    case 'blackbox': {
      const layer = blackbox(solver, { lambda: s.beta })
      return (theta) => ops.expandDims(layer(theta), 0) // [1, k, k]
    }
  }
}

/** A trainer: `step()` runs one training step; `settings` can change between steps. */
export interface Trainer {
  readonly map: TerrainMap
  readonly gold: Float32Array
  settings: Settings
  step(): Promise<StepReport>
  /** Starts again from uniform costs (the map and settings stay). */
  reset(): void
  dispose(): void
}

/** A trainer on `map`, from uniform costs, with keys from `seed`. */
export function createTrainer(map: TerrainMap, settings: Settings = DEFAULTS, seed = 0): Trainer {
  const { k } = map
  const gold = shortestPath(trueCosts(map), k)
  const goldT = tf.keep(tf.tensor2d(gold, [k, k])) // [k, k]
  const baseKey = tf.keep(random.key(seed))
  const w0 = Math.log(Math.E - 1) // softplus(w0) = 1
  let params: { w: tf.Tensor } = { w: tf.keep(tf.fill([k, k], w0)) }
  let current = settings
  let layer = layerOf(settings)
  let opt = optim.adam<{ w: tf.Tensor }>({ learningRate: settings.learningRate })
  let state = opt.init(params)
  let count = 0
  // The step's key is derived inside the step: on a backend that reads only asynchronously, every
  // host kernel (random.foldIn included) must run inside valueAndGradAsync.
  const loss = (p: { w: tf.Tensor }, step: number): readonly [tf.Tensor, tf.Tensor] => {
    const key = random.foldIn(baseKey, step)
    const costs = tf.softplus(p.w) // [k, k]
    const z = layer(ops.neg(costs), key) // [S, k, k]
    const y = ops.expandDims(goldT, 0) // [1, k, k]
    const hamming = ops.sum(ops.sub(ops.add(z, y), ops.mul(ops.mul(z, y), 2)), [1, 2]) // [S]
    return [ops.mean(hamming), ops.mean(z, 0)] as const // [], [k, k]
  }
  const vg = valueAndGradAsync(loss, { hasAux: true })
  const trainer: Trainer = {
    map,
    gold,
    get settings() {
      return current
    },
    set settings(next: Settings) {
      const optimizerChanged = next.learningRate !== current.learningRate
      current = next
      layer = layerOf(next)
      if (optimizerChanged) {
        tf.dispose(state as unknown as tf.TensorContainer)
        opt = optim.adam<{ w: tf.Tensor }>({ learningRate: next.learningRate })
        state = opt.init(params)
      }
    },
    async step() {
      const t0 = performance.now()
      const [[value, marginalsT], grads] = await vg(params, count)
      const [updates, next] = opt.update(grads, state)
      const nextParams = optim.applyUpdates(params, updates)
      tf.dispose([grads.w, updates.w, params.w])
      tf.dispose(state as unknown as tf.TensorContainer)
      params = nextParams
      state = next
      const costsT = tf.softplus(params.w)
      const [lossValue, costs, marginals] = await Promise.all([value.data(), costsT.data(), marginalsT.data()])
      tf.dispose([value, marginalsT, costsT])
      count++
      const path = shortestPath(costs as Float32Array, k)
      return {
        step: count,
        loss: lossValue[0]!,
        costs: costs as Float32Array,
        path,
        marginals: marginals as Float32Array,
        matchesGold: path.every((v, i) => v === gold[i]),
        ms: performance.now() - t0,
      }
    },
    reset() {
      tf.dispose([params.w])
      tf.dispose(state as unknown as tf.TensorContainer)
      params = { w: tf.keep(tf.fill([k, k], w0)) }
      state = opt.init(params)
      count = 0
    },
    dispose() {
      tf.dispose([params.w, goldT, baseKey])
      tf.dispose(state as unknown as tf.TensorContainer)
    },
  }
  return trainer
}
