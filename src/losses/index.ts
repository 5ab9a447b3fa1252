/**
 * Losses for learning through solvers: the perturbed Fenchel–Young loss (its true value),
 * SPO+ (both conventions), the Hamming loss, and the regret metric.
 *
 * @module
 */
export { fenchelYoung, FenchelYoungConfig, type FenchelYoungOptions } from './fenchel_young.js'
export { spoPlus, regret, SenseConfig, type SenseOptions } from './spo_plus.js'
export { hamming } from './hamming.js'
