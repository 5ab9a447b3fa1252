/**
 * Noise distributions for perturb-and-MAP: the protocol (`noise.ts`) and the built-ins, one
 * file each (`gumbel`, `normal`, `sumOfGamma`, `none`, `custom`), with the JSON registry.
 *
 * @module
 */
export type { Noise, Sampler, Elementwise } from './noise.js'
export { gumbel, type GumbelNoise } from './gumbel.js'
export { normal, type NormalNoise } from './normal.js'
export { sumOfGamma, SumOfGammaConfig, type SumOfGammaNoise } from './sum_of_gamma.js'
export { none, type NoNoise } from './none.js'
export { custom, type CustomNoise, type CustomDensity } from './custom.js'
export { decode, names, type BuiltinNoise } from './registry.js'
