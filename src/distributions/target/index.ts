/**
 * Target distributions of I-MLE: the protocol (`target.ts`), the standard target, the adaptive
 * target of AIMLE, and the JSON registry.
 *
 * @module
 */
export type { Target, TargetAdaptation } from './target.js'
export { standard, StandardTargetConfig, type StandardTarget } from './standard.js'
export { adaptive, AdaptiveTargetConfig, AdaptiveState, decodeState, type AdaptiveTarget } from './adaptive.js'
export { decode, type BuiltinTarget } from './registry.js'
