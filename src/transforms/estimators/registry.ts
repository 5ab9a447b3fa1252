/**
 * The estimators JSON configs can name, each with its solver, noise and target as nested JSON:
 * `{ "type": "imle", "solver": { "type": "topK", "k": 10 }, "noise": { "type": "sumOfGamma",
 * "k": 10 }, "target": { "type": "standard", "beta": 10 }, "nbSamples": 5 }`. What experiment
 * pipelines read.
 *
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { decodeWith, registry, show, type RegistryEntry } from '../../core/config.js'
import { ConfigError } from '../../core/errors.js'
import { decode as decodeNoise } from '../../distributions/noise/registry.js'
import type { Noise } from '../../distributions/noise/noise.js'
import { decode as decodeTarget } from '../../distributions/target/registry.js'
import type { Target } from '../../distributions/target/target.js'
import { decode as decodeSolver } from '../../solvers/registry.js'
import type { Solver } from '../../solvers/solver.js'
import { aimle, AimleConfig, aimleDefaults } from './aimle.js'
import { blackbox, BlackboxConfig } from './blackbox.js'
import { imle, ImleConfig, imleDefaults } from './imle.js'
import { perturbed, PerturbedConfig, perturbedDefaults } from './perturbed.js'
import { PerturbConfig, perturbDefaults } from './perturb_and_map.js'
import { kSubsetScoreFunction, ScoreFunctionConfig, scoreFunctionDefaults } from './score_function.js'
import { ste } from './ste.js'

/** A layer built from JSON: `(theta, key) -> z`, whichever estimator it is. */
export type JsonLayer = (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor

interface Parts {
  readonly solver: Solver
  readonly noise: Noise
  readonly target: Target<string, unknown, any>
}

type Part = keyof Parts

const decoders: { readonly [K in Part]: (json: unknown, where: string, at: string) => E.Either<ConfigError, Parts[K]> } = {
  solver: decodeSolver,
  noise: decodeNoise,
  target: decodeTarget,
}

/**
 * A registry entry for an estimator: the nested records `parts` are decoded by their own
 * registries at `json.<part>`, the remaining fields by `codec` (with `defaults`) at `json`,
 * then `build` makes the layer.
 */
function entry<C extends t.Any, P extends Part>(
  parts: readonly P[],
  codec: C,
  defaults: object,
  build: (parts: Pick<Parts, P>, options: t.TypeOf<C>) => JsonLayer,
): RegistryEntry<JsonLayer> {
  return {
    fromJson: (json, where = 'estimators.decode', at = 'json') => {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        return E.left(new ConfigError(`${where}(${at}): expected an object but got ${show(json)}`))
      }
      const record = json as Record<string, unknown>
      const rest: Record<string, unknown> = { ...record }
      const decoded: Partial<Record<Part, unknown>> = {}
      for (const p of parts) {
        delete rest[p]
        const r = decoders[p](record[p], where, `${at}.${p}`)
        if (E.isLeft(r)) return r
        decoded[p] = r.right
      }
      return pipe(
        decodeWith(where, codec as t.Type<t.TypeOf<C>, unknown, unknown>, { ...defaults, ...rest }, at),
        E.flatMap((options) =>
          E.tryCatch(
            () => build(decoded as Pick<Parts, P>, options),
            (e) => (e instanceof ConfigError ? e : new ConfigError(`${where}(${at}): ${e instanceof Error ? e.message : String(e)}`)),
          ),
        ),
      )
    },
  }
}

const estimators = registry<JsonLayer>('estimators.decode', {
  imle: entry(['solver', 'noise', 'target'], ImleConfig, imleDefaults, ({ solver, noise, target }, o) => imle(solver, noise, target, o)),
  aimle: entry(['solver', 'noise'], AimleConfig, aimleDefaults, ({ solver, noise }, o) => aimle(solver, noise, o)),
  ste: entry(['solver', 'noise'], PerturbConfig, perturbDefaults, ({ solver, noise }, o) => ste(solver, noise, o)),
  perturbed: entry(['solver', 'noise'], PerturbedConfig, perturbedDefaults, ({ solver, noise }, o) => perturbed(solver, noise, o)),
  blackbox: entry(['solver'], BlackboxConfig, {}, ({ solver }, o) => blackbox(solver, o)),
  kSubsetScoreFunction: entry([], t.intersection([t.type({ k: t.number }), ScoreFunctionConfig]), scoreFunctionDefaults, (_parts, { k, ...o }) =>
    kSubsetScoreFunction(k, o),
  ),
})

/**
 * The estimator names JSON configs may use (the `type` field).
 *
 * @example
 * ```ts
 * import { estimators } from 'imle'
 * estimators.names   // ['imle', 'aimle', 'ste', 'perturbed', 'blackbox', 'kSubsetScoreFunction']
 * ```
 */
export const names: readonly string[] = estimators.names

/**
 * Builds a layer from a JSON config: the estimator's `type`, its options, and its `solver`,
 * `noise` and `target` as nested configs. Failures name the path of the bad field,
 * `estimators.decode(json.noise.k): expected Positive but got -1`.
 *
 * @example
 * ```ts
 * import { estimators } from 'imle'
 * const r = estimators.decode({
 *   type: 'imle', solver: { type: 'topK', k: 10 }, noise: { type: 'sumOfGamma', k: 10 },
 *   target: { type: 'standard', beta: 10 }, nbSamples: 5,
 * })   // Right(layer)
 * ```
 */
export const decode: (json: unknown) => E.Either<ConfigError, JsonLayer> = (json) => estimators.decode(json)
