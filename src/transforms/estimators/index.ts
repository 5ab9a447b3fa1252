/**
 * Estimators: the protocol (`estimator.ts`), the shared perturb-and-MAP path
 * (`perturb_and_map.ts`) and one file per estimator (`imle.ts`, `ste.ts`, `blackbox.ts`,
 * `perturbed.ts`).
 *
 * @module
 */
export type { Estimator, BackwardContext, BackwardResult, Adaptation, MapFn } from './estimator.js'
export { perturbAndMap, PerturbConfig, type PerturbOptions, type Layer } from './perturb_and_map.js'
export { imleEstimator, type ImleEstimator } from './imle.js'
export { AimleConfig, type AimleOptions } from './aimle.js'
export { steEstimator, type SteEstimator, type SteOptions } from './ste.js'
export { BlackboxConfig, type BlackboxLayer } from './blackbox.js'
export { perturbedEstimator, PerturbedConfig, type PerturbedEstimator, type PerturbedOptions } from './perturbed.js'
export { decode, names, type JsonLayer } from './registry.js'
