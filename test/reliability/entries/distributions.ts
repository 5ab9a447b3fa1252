/** Bad inputs to `random`, `tree`, `noise` and `target`. */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { noise, ops, random, target, tree, vmap } from '../../../src/index.js'
import { bad, fx, good, isolated, type Entry } from '../catalogue.js'

const any = (x: unknown) => x as any
/** Throws the `Left` of a decoder's result (so that an entry sees the `ConfigError`). */
const orThrow = <A>(r: E.Either<Error, A>): A => {
  if (E.isLeft(r)) throw r.left
  return r.right
}

export const randomEntries: Entry[] = [
  bad('random', 'key: seed NaN', () => random.key(NaN), 'ArgumentError', /random\.key\(seed\)/, /NaN/),
  bad('random', 'key: seed Infinity', () => random.key(Infinity), 'ArgumentError', /random\.key\(seed\)/, /Infinity/),
  bad('random', 'key: seed 1.5', () => random.key(1.5), 'ArgumentError', /random\.key\(seed\)/, /1\.5/),
  bad('random', "key: seed '1'", () => random.key(any('1')), 'ArgumentError', /random\.key\(seed\)/, /"1"/),
  bad('random', 'key: seed past 2^53', () => random.key(2 ** 60), 'ArgumentError', /random\.key\(seed\)/, /1152921504606847000|2\^53|safe/),
  bad('random', 'split: a float key', () => random.split(fx.t([0, 1])), 'ArgumentError', /random\.split\(key\)/, /float32/, /int32/),
  bad('random', 'split: a key of shape [3]', () => random.split(fx.t([0, 1, 2], [3], 'int32')), 'ArgumentError', /random\.split\(key\)/, /\[3\]/),
  bad('random', 'split: n = -1', () => random.split(fx.key(), -1), 'ArgumentError', /random\.split\(n\)/, /-1/),
  bad('random', 'split: n = 1.5', () => random.split(fx.key(), 1.5), 'ArgumentError', /random\.split\(n\)/, /1\.5/),
  bad('random', 'split: n = NaN', () => random.split(fx.key(), NaN), 'ArgumentError', /random\.split\(n\)/, /NaN/),
  bad('random', 'split: a huge n', () => random.split(fx.key(), 2 ** 40), 'ArgumentError', /random\.split\(n\)/, /1099511627776/),
  bad('random', 'split: a batch of keys [4, 2]', () => random.split(fx.keys(4)), 'ArgumentError', /random\.split\(key\)/, /\[4, 2\]/, /vmap/),
  bad('random', 'foldIn: data 1.5', () => random.foldIn(fx.key(), 1.5), 'ArgumentError', /random\.foldIn\(data\)/, /1\.5/),
  bad('random', 'foldIn: data NaN', () => random.foldIn(fx.key(), NaN), 'ArgumentError', /random\.foldIn\(data\)/, /NaN/),
  bad('random', 'foldIn: a string key', () => random.foldIn(any('k'), 1), 'ArgumentError', /random\.foldIn\(key\)/, /k/),
  bad('random', 'uniform: a float key', () => random.uniform(fx.t([0, 1]), [2]), 'ArgumentError', /random\.uniform\(key\)/, /float32/),
  bad('random', 'uniform: a null key', () => random.uniform(any(null), [2]), 'ArgumentError', /random\.uniform\(key\)/, /null/),
  bad('random', 'uniform: shape with a negative size', () => random.uniform(fx.key(), [-1]), 'ArgumentError', /random\.uniform\(shape\)/, /-1/),
  bad('random', 'uniform: shape with NaN', () => random.uniform(fx.key(), [NaN]), 'ArgumentError', /random\.uniform\(shape\)/, /NaN/),
  bad('random', 'uniform: shape a number', () => random.uniform(fx.key(), any(3)), 'ArgumentError', /random\.uniform\(shape\)/, /3/),
  bad('random', 'uniform: minval > maxval', () => random.uniform(fx.key(), [2], 1, 0), 'ArgumentError', /random\.uniform\(minval, maxval\)/, /1/, /0/),
  bad('random', 'uniform: minval NaN', () => random.uniform(fx.key(), [2], NaN, 1), 'ArgumentError', /random\.uniform/, /NaN/),
  bad('random', 'uniform: maxval Infinity', () => random.uniform(fx.key(), [2], 0, Infinity), 'ArgumentError', /random\.uniform/, /Infinity/),
  bad('random', 'uniform: a huge shape', () => random.uniform(fx.key(), [1e6, 1e6]), 'ArgumentError', /random\.uniform\(shape\)/, /1000000/, /too large|elements/),
  bad('random', 'normal: a key of shape [2, 2]', () => random.normal(fx.keys(2), [3]), 'ArgumentError', /random\.normal\(key\)/, /\[2, 2\]/),
  bad('random', 'normal: shape 2.5', () => random.normal(fx.key(), [2.5]), 'ArgumentError', /random\.normal\(shape\)/, /2\.5/),
  bad('random', 'gumbel: a bool key', () => random.gumbel(fx.t([true, false], [2], 'bool'), [3]), 'ArgumentError', /random\.gumbel\(key\)/, /bool/),
  bad('random', 'gamma: alpha 0', () => random.gamma(fx.key(), [3], 0), 'ArgumentError', /random\.gamma\(alpha\)/, /0/),
  bad('random', 'gamma: alpha -1', () => random.gamma(fx.key(), [3], -1), 'ArgumentError', /random\.gamma\(alpha\)/, /-1/),
  bad('random', 'gamma: alpha NaN', () => random.gamma(fx.key(), [3], NaN), 'ArgumentError', /random\.gamma\(alpha\)/, /NaN/),
  bad('random', 'gamma: alpha Infinity', () => random.gamma(fx.key(), [3], Infinity), 'ArgumentError', /random\.gamma\(alpha\)/, /Infinity/),
  bad('random', 'uniform under vmap: keys of per-example shape [3]', () => vmap((k: tf.Tensor) => random.uniform(k, [2]))(fx.t([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32')), 'ArgumentError', /random\.uniform\(key\)/, /\[3\]/),
  bad('random', 'normal under vmap: float keys', () => vmap((k: tf.Tensor) => random.normal(k, [2]))(fx.ones([2, 2])), 'ArgumentError', /random\.normal\(key\)/, /float32/),
  bad('random', 'keyedOp: spec without fill', () => random.keyedOp(any({ name: 'k', dtype: 'float32', shape: () => [1] })), 'ArgumentError', /random\.keyedOp/, /fill/),
  bad('random', 'keyedOp: dtype bool', () => random.keyedOp(any({ name: 'k', dtype: 'bool', shape: () => [1], fill: () => {} })), 'ArgumentError', /random\.keyedOp/, /dtype/, /bool/),
]

export const treeEntries: Entry[] = [
  bad('tree', 'map: structures differ', () => tree.map((a, b) => ops.add(a, b), { w: fx.ones([1]) }, { v: fx.ones([1]) }), 'TreeMismatchError', /tree\.map/, /w|v/),
  bad('tree', 'map: array lengths differ', () => tree.map((a, b) => ops.add(a, b), [fx.ones([1])], [fx.ones([1]), fx.ones([1])]), 'TreeMismatchError', /tree\.map/, /length|2/),
  bad('tree', 'map: fn is not a function', () => tree.map(any(1), [fx.ones([1])]), 'ArgumentError', /tree\.map\(fn\)/, /1/),
  bad('tree', 'map: a leaf against a subtree', () => tree.map((a, b) => ops.add(a, b), fx.ones([1]), [fx.ones([1])]), 'TreeMismatchError', /tree\.map/),
  bad('tree', 'flatten: a cyclic object', () => {
    const o: Record<string, unknown> = { a: fx.ones([1]) }
    o['self'] = o
    return tree.flatten(o)
  }, 'ArgumentError', /tree\.flatten/, /cycl|circular/, /self/),
  bad('tree', 'flatten: a Map', () => tree.flatten(new Map([['a', fx.ones([1])]])), 'ArgumentError', /tree\.flatten/, /Map/),
  bad('tree', 'flatten: a class instance', () => tree.flatten(new (class Box { x = fx.ones([1]) })()), 'ArgumentError', /tree\.flatten/, /Box/),
  bad('tree', 'unflatten: too few leaves', () => tree.unflatten(tree.structure([fx.ones([1]), fx.ones([1])]), [fx.ones([1])]), 'TreeMismatchError', /tree\.unflatten/, /2/, /1/),
  bad('tree', 'unflatten: too many leaves', () => tree.unflatten(tree.structure([fx.ones([1])]), [fx.ones([1]), fx.ones([1])]), 'TreeMismatchError', /tree\.unflatten/, /1/, /2/),
  bad('tree', 'unflatten: def is not a TreeDef', () => tree.unflatten(any({ kind: 'nope' }), []), 'ArgumentError', /tree\.unflatten\(def\)/),
  bad('tree', 'assertSameStructure: differ', () => tree.assertSameStructure('mine', tree.structure({ a: fx.ones([1]) }), tree.structure({ b: fx.ones([1]) })), 'TreeMismatchError', /mine/),
  bad('tree', 'broadcastPrefix: prefix longer than the tree', () => tree.broadcastPrefix('mine', [0, 0], tree.structure([fx.ones([1])]), (x): x is number => typeof x === 'number'), 'TreeMismatchError', /mine/),
  good('tree', 'leaves of a static-only tree are [] (documented)', () => tree.leaves({ a: 1, b: 'x', c: null }), (r) => {
    if (!Array.isArray(r) || r.length !== 0) throw new Error(`got ${String(r)}`)
  }),
]

const gumbelNoise = noise.gumbel()
export const noiseEntries: Entry[] = [
  bad('noise', 'gumbel: an option it does not take', () => noise.gumbel(any({ scale: 2 })), 'ConfigError', /noise\.gumbel\(options\)/, /unknown option 'scale'/),
  bad('noise', 'gumbel: options null', () => noise.gumbel(any(null)), 'ConfigError', /noise\.gumbel\(options\)/, /null/),
  bad('noise', 'normal: options a number', () => noise.normal(any(1)), 'ConfigError', /noise\.normal\(options\)/, /1/),
  bad('noise', 'none: options an array', () => noise.none(any([])), 'ConfigError', /noise\.none\(options\)/, /\[\]/),
  bad('noise', 'gumbel.sample: a float key', () => gumbelNoise.sample(fx.t([0, 1]), [3]), 'ArgumentError', /random\.gumbel\(key\)|noise\.gumbel/, /float32/),
  bad('noise', 'gumbel.sample: a bad shape', () => gumbelNoise.sample(fx.key(), [-3]), 'ArgumentError', /shape/, /-3/),
  bad('noise', 'normal.sample: a key of shape [4, 2]', () => noise.normal().sample(fx.keys(4), [3]), 'ArgumentError', /key/, /\[4, 2\]/),
  bad('noise', 'none.sample: a float key', () => noise.none().sample(fx.t([0.5, 1]), [3]), 'ArgumentError', /noise\.none\(key\)/, /float32/),
  bad('noise', 'none.sample: a null key', () => noise.none().sample(any(null), [3]), 'ArgumentError', /noise\.none\(key\)/, /null/),
  bad('noise', 'none.sample: a bad shape', () => noise.none().sample(fx.key(), any([1.5])), 'ArgumentError', /noise\.none\(shape\)/, /1\.5/),
  bad('noise', 'sumOfGamma: k missing', () => noise.sumOfGamma(any({})), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /Positive/, /undefined/),
  bad('noise', 'sumOfGamma: no options at all', () => any(noise.sumOfGamma)(), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /undefined/),
  bad('noise', 'sumOfGamma: k = -1', () => noise.sumOfGamma({ k: -1 }), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /expected Positive but got -1/),
  bad('noise', 'sumOfGamma: k = 0', () => noise.sumOfGamma({ k: 0 }), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /0/),
  bad('noise', 'sumOfGamma: k = NaN shown as NaN', () => noise.sumOfGamma({ k: NaN }), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /got NaN/),
  bad('noise', 'sumOfGamma: k = Infinity shown as Infinity', () => noise.sumOfGamma({ k: Infinity }), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /got Infinity/),
  bad('noise', "sumOfGamma: k = '10'", () => noise.sumOfGamma({ k: any('10') }), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /"10"/),
  isolated('noise', 'sumOfGamma: k = 1e-300 must not hang', () => noise.sumOfGamma({ k: 1e-300 }), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /1e-300/, /\[0\.01, 1e6\]/),
  isolated('noise', 'sumOfGamma: k = 1e-10 must not hang', () => noise.sumOfGamma({ k: 1e-10 }).sample(fx.key(), [2]), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /1e-10/),
  isolated('noise', 'sumOfGamma exact: k = 1e-300 must not hang', () => noise.sumOfGamma({ k: 1e-300, sampler: 'exact' }).sample(fx.key(), [2]), 'ConfigError', /options\.k/, /1e-300/),
  isolated('noise', 'sumOfGamma from JSON: k = 1e-300 must not hang', () => orThrow(noise.decode({ type: 'sumOfGamma', k: 1e-300 })), 'ConfigError', /noise\.decode\(json\.k\)/, /1e-300/),
  isolated('noise', 'sumOfGamma: a huge table (k = 1000, nbIterations = 10000) is refused quickly', () => noise.sumOfGamma({ k: 1000, nbIterations: 10000 }).sample(fx.key(), [2]), 'ConfigError', /noise\.sumOfGamma\(options\.nbIterations\)/, /10000/, /\[1, 1000\]/),
  isolated('noise', 'sumOfGamma: k = 1e12 is refused', () => noise.sumOfGamma({ k: 1e12 }).sample(fx.key(), [2]), 'ConfigError', /noise\.sumOfGamma\(options\.k\)/, /1000000000000/, /\[0\.01, 1e6\]/),
  isolated('noise', 'sumOfGamma exact: nbIterations = 1e9 is refused quickly', () => noise.sumOfGamma({ k: 10, nbIterations: 1e9, sampler: 'exact' }).sample(fx.key(), [2]), 'ConfigError', /options\.nbIterations/, /1000000000/),
  bad('noise', 'sumOfGamma: nbIterations 0', () => noise.sumOfGamma({ k: 10, nbIterations: 0 }), 'ConfigError', /noise\.sumOfGamma\(options\.nbIterations\)/, /PositiveInt/, /0/),
  bad('noise', 'sumOfGamma: nbIterations 2.5', () => noise.sumOfGamma({ k: 10, nbIterations: 2.5 }), 'ConfigError', /options\.nbIterations/, /2\.5/),
  bad('noise', "sumOfGamma: sampler 'fast'", () => noise.sumOfGamma({ k: 10, sampler: any('fast') }), 'ConfigError', /options\.sampler/, /'table' \| 'exact'/, /"fast"/),
  bad('noise', 'sumOfGamma: a misspelt option', () => noise.sumOfGamma(any({ k: 10, nbIteration: 5 })), 'ConfigError', /unknown option 'nbIteration'/),
  bad('noise', 'sumOfGamma.sample: a float key', () => noise.sumOfGamma({ k: 5 }).sample(fx.t([1, 2]), [3]), 'ArgumentError', /noise\.sumOfGamma/, /key/, /float32/),
  bad('noise', 'decode: an unknown type', () => orThrow(noise.decode({ type: 'cauchy' })), 'ConfigError', /noise\.decode\(json\.type\)/, /"cauchy"/, /'gumbel'/),
  bad('noise', 'decode: no type', () => orThrow(noise.decode({ k: 1 })), 'ConfigError', /noise\.decode\(json\.type\)/, /undefined/),
  bad('noise', 'decode: not an object', () => orThrow(noise.decode('gumbel')), 'ConfigError', /noise\.decode\(json\)/, /"gumbel"/),
  bad('noise', 'decode: null', () => orThrow(noise.decode(null)), 'ConfigError', /noise\.decode\(json\)/, /null/),
  bad('noise', 'decode: unknown keys on gumbel', () => orThrow(noise.decode({ type: 'gumbel', scale: 1 })), 'ConfigError', /noise\.decode\(json\)/, /unknown option 'scale'/),
  bad('noise', 'decode: unknown keys on sumOfGamma', () => orThrow(noise.decode({ type: 'sumOfGamma', k: 5, temperature: 1 })), 'ConfigError', /unknown option 'temperature'/),
  bad('noise', 'decode: sumOfGamma k negative', () => orThrow(noise.decode({ type: 'sumOfGamma', k: -5 })), 'ConfigError', /noise\.decode\(json\.k\)/, /-5/),
  bad('noise', 'decode: type a number', () => orThrow(noise.decode({ type: 3 })), 'ConfigError', /noise\.decode\(json\.type\)/, /3/),
  bad('noise', 'custom: sample not a function', () => noise.custom(any(null)), 'ArgumentError', /noise\.custom\(sample\)/, /null|object/),
  bad('noise', 'custom: logProb not a function', () => noise.custom(random.normal, any({ logProb: 3 })), 'ArgumentError', /noise\.custom\(density\.logProb\)/, /number/),
  bad('noise', 'custom: density null', () => noise.custom(random.normal, any(null)), 'ArgumentError', /noise\.custom\(density\)/, /null/),
  bad('noise', 'custom: an unknown density field', () => noise.custom(random.normal, any({ logPdf: () => 0 })), 'ArgumentError', /noise\.custom\(density\)/, /logPdf/),
  bad('noise', 'custom.sample returns the wrong shape', () => noise.custom((k, s) => random.normal(k, [4])).sample(fx.key(), [3]), 'ArgumentError', /noise\.custom\(sample\)/, /\[4\]/, /\[3\]/),
  bad('noise', 'custom.sample returns a number', () => noise.custom(() => any(0)).sample(fx.key(), [3]), 'ArgumentError', /noise\.custom\(sample\)/, /0|number/),
  bad('noise', 'custom.sample returns int32', () => noise.custom((k, s) => ops.cast(random.normal(k, s), 'int32')).sample(fx.key(), [3]), 'ArgumentError', /noise\.custom\(sample\)/, /int32/, /float32/),
  bad('noise', 'custom under vmap: a sampler that ignores its key', () => vmap((k: tf.Tensor) => noise.custom((_k, s) => tf.randomNormal([...s], 0, 1, 'float32', 7)).sample(k, [3]))(fx.keys(2)), 'ArgumentError', /noise\.custom\(sample\)/, /key/, /same/),
]

export const targetEntries: Entry[] = [
  bad('target', 'standard: beta negative', () => target.standard({ beta: -1 }), 'ConfigError', /target\.standard\(options\.beta\)/, /-1/),
  bad('target', 'standard: beta denormal (gradientScale Infinity)', () => target.standard({ beta: 1e-310, scaleGradient: true }), 'ConfigError', /target\.standard\(options\.beta\)/, /1e-310/),
  bad('target', 'standard: beta denormal without scaleGradient', () => target.standard({ beta: 5e-324 }), 'ConfigError', /target\.standard\(options\.beta\)/, /5e-324/),
  bad('target', 'standard: beta 0 with scaleGradient', () => target.standard({ beta: 0, scaleGradient: true }), 'ConfigError', /target\.standard/, /beta/, /0/),
  bad('target', 'standard: beta NaN', () => target.standard({ beta: NaN }), 'ConfigError', /options\.beta/, /NaN/),
  bad('target', 'standard: beta Infinity', () => target.standard({ beta: Infinity }), 'ConfigError', /options\.beta/, /Infinity/),
  bad('target', 'standard: alpha NaN', () => target.standard({ alpha: NaN }), 'ConfigError', /options\.alpha/, /NaN/),
  bad('target', "standard: alpha '1'", () => target.standard({ alpha: any('1') }), 'ConfigError', /options\.alpha/, /"1"/),
  bad('target', 'standard: null options', () => target.standard(any(null)), 'ConfigError', /target\.standard\(options\)/, /null/),
  bad('target', 'standard: options an array', () => target.standard(any([1])), 'ConfigError', /target\.standard\(options\)/, /\[1\]/),
  bad('target', 'standard: a misspelt option', () => target.standard(any({ betta: 1 })), 'ConfigError', /unknown option 'betta'/),
  bad('target', "standard: scaleGradient 'yes'", () => target.standard({ scaleGradient: any('yes') }), 'ConfigError', /options\.scaleGradient/, /"yes"/),
  bad('target', 'standard.params: theta and dy differ in shape', () => target.standard({ beta: 1 }).params(fx.ones([3]), fx.ones([4])), 'ArgumentError', /ops\.sub|target\.standard/, /\[3\]/, /\[4\]/),
  bad('target', 'adaptive: initialBeta negative', () => target.adaptive({ initialBeta: -1 }), 'ConfigError', /target\.adaptive\(options\.initialBeta\)/, /-1/),
  bad('target', 'adaptive: initialBeta denormal', () => target.adaptive({ initialBeta: 1e-320 }), 'ConfigError', /target\.adaptive\(options\.initialBeta\)/, /1e-320/),
  bad('target', 'adaptive: betaUpdateMomentum 2', () => target.adaptive({ betaUpdateMomentum: 2 }), 'ConfigError', /options\.betaUpdateMomentum/, /2/),
  bad('target', 'adaptive: gradNormDecayRate NaN', () => target.adaptive({ gradNormDecayRate: NaN }), 'ConfigError', /options\.gradNormDecayRate/, /NaN/),
  bad('target', 'adaptive: targetNorm Infinity', () => target.adaptive({ targetNorm: Infinity }), 'ConfigError', /options\.targetNorm/, /Infinity/),
  bad('target', 'adaptive: null options', () => target.adaptive(any(null)), 'ConfigError', /target\.adaptive\(options\)/, /null/),
  bad('target', 'adaptive: unknown option', () => target.adaptive(any({ beta: 1 })), 'ConfigError', /unknown option 'beta'/),
  bad('target', 'decodeState: beta negative', () => orThrow(target.decodeState({ beta: -1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: [] })), 'ConfigError', /target\.decodeState\(json\.beta\)/, /-1/),
  bad('target', 'decodeState: betaHistory with a string', () => orThrow(target.decodeState({ beta: 1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: ['x'] })), 'ConfigError', /json\.betaHistory/, /"x"/),
  bad('target', 'decodeState: betaHistory with NaN', () => orThrow(target.decodeState({ beta: 1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: [NaN] })), 'ConfigError', /json\.betaHistory/, /NaN/),
  bad('target', 'decodeState: unknown key', () => orThrow(target.decodeState({ beta: 1, gradNorm: 1, previousBetaUpdate: 0, betaHistory: [], lambda: 2 })), 'ConfigError', /unknown option 'lambda'/),
  bad('target', 'decode: unknown type', () => orThrow(target.decode({ type: 'fancy' })), 'ConfigError', /target\.decode\(json\.type\)/, /"fancy"/),
  bad('target', 'decode: unknown keys', () => orThrow(target.decode({ type: 'standard', beta: 1, gamma: 2 })), 'ConfigError', /target\.decode\(json\)/, /unknown option 'gamma'/),
  bad('target', 'decode: negative beta', () => orThrow(target.decode({ type: 'standard', beta: -2 })), 'ConfigError', /target\.decode\(json\.beta\)/, /-2/),
  bad('target', 'decode: not an object', () => orThrow(target.decode(7)), 'ConfigError', /target\.decode\(json\)/, /7/),
]
