/** Bad inputs to the solvers and the estimator layers (imle, aimle, ste, blackbox, perturbed, scoreFunction, decode). */
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { aimle, blackbox, estimators, grad, imle, kSubsetScoreFunction, noise, ops, perturbed, random, scoreFunction, solvers, ste, target, vmap } from '../../../src/index.js'
import { bad, fx, good, isolated, type Entry } from '../catalogue.js'

const any = (x: unknown) => x as any
const orThrow = <A>(r: E.Either<Error, A>): A => {
  if (E.isLeft(r)) throw r.left
  return r.right
}
const top2 = solvers.topK(2)
const gum = noise.gumbel()
const std = target.standard({ beta: 1 })
/** The gradient of `sum(layer(theta, key) * w)` at theta [4]: runs the forward and backward passes. */
const step = (layer: (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor, n = 4) =>
  grad((th: tf.Tensor) => ops.sum(ops.mul(layer(th, fx.key(1)), fx.range([n]))))(fx.range([n]))
const vstep = (layer: (theta: tf.Tensor, key: tf.Tensor) => tf.Tensor, b = 3, n = 4) =>
  grad((th: tf.Tensor) => ops.sum(vmap(layer)(th, fx.keys(b))))(fx.range([b, n]))
const plain = (theta: tf.Tensor) => solvers.topK(2)(theta)

export const solverEntries: Entry[] = [
  bad('solvers', 'topK: k = 0', () => solvers.topK(0), 'ArgumentError', /topK\(k\)/, /0/),
  bad('solvers', 'topK: k = 2.5', () => solvers.topK(2.5), 'ArgumentError', /topK\(k\)/, /2\.5/),
  bad('solvers', 'topK: k NaN', () => solvers.topK(NaN), 'ArgumentError', /topK\(k\)/, /NaN/),
  bad('solvers', "topK: k '2'", () => solvers.topK(any('2')), 'ArgumentError', /topK\(k\)/, /string 2|"2"/),
  bad('solvers', 'topK: k larger than n', () => solvers.topK(5)(fx.ones([4])), 'ArgumentError', /topK\(theta\)|topK\(k\)/, /5/, /4/),
  bad('solvers', 'topK: theta rank 2', () => top2(fx.ones([2, 4])), 'ArgumentError', /topK\(theta\)/, /\[2, 4\]/, /vmap/),
  bad('solvers', 'topK: theta a scalar', () => top2(fx.t(1)), 'ArgumentError', /topK\(theta\)/, /rank 1/),
  bad('solvers', 'topK: theta an array', () => top2(any([1, 2, 3])), 'ArgumentError', /topK\(theta\)/, /array/),
  bad('solvers', 'topK: theta bool', () => top2(fx.t([true, false, true], [3], 'bool')), 'ArgumentError', /topK\(theta\)/, /bool/),
  bad('solvers', 'topK: theta with NaN', () => top2(fx.t([1, NaN, 2, 3])), 'ArgumentError', /topK/, /NaN/),
  bad('solvers', 'topK under vmap: theta with NaN names the instance', () => vmap(top2)(fx.t([[1, 2, 3, 4], [1, NaN, 2, 3]])), 'ArgumentError', /topK/, /NaN/, /instance 1/),
  bad('solvers', 'topK.batched: theta rank 1', () => top2.batched(fx.ones([4])), 'ArgumentError', /topK\.batched\(theta\)/, /\[4\]/),
  bad('solvers', 'topKMask: k 0', () => solvers.topKMask(new Float32Array(4), 1, 4, 0, new Float32Array(4)), 'ArgumentError', /topK/, /k/, /0/),
  bad('solvers', 'gridShortestPath: neighbourhood 6', () => solvers.gridShortestPath({ neighbourhood: any(6) }), 'ConfigError', /gridShortestPath\(options\.neighbourhood\)/, /4 \| 8/, /6/),
  bad('solvers', 'gridShortestPath: unknown option', () => solvers.gridShortestPath(any({ diagonal: true })), 'ConfigError', /unknown option 'diagonal'/),
  bad('solvers', 'gridShortestPath: null options', () => solvers.gridShortestPath(any(null)), 'ConfigError', /gridShortestPath\(options\)/, /null/),
  bad('solvers', 'gridShortestPath: theta rank 1', () => solvers.gridShortestPath()(fx.ones([4])), 'ArgumentError', /gridShortestPath\(theta\)/, /\[4\]/, /rank 2/),
  bad('solvers', 'gridShortestPath: an empty grid', () => solvers.gridShortestPath()(fx.ones([0, 3])), 'ArgumentError', /gridShortestPath/, /0x3/),
  // Positive scores (negative costs) are what perturbation noise gives: documented to return a
  // valid simple path (optimality is NP-hard there), never an error.
  good('solvers', 'gridShortestPath: negative costs give a valid path (documented)', () => solvers.gridShortestPath()(fx.t([[1, -1], [1, 1]])), (r) => {
    const z = Array.from((r as tf.Tensor).dataSync())
    if (z[0] !== 1 || z[3] !== 1 || z[1]! + z[2]! !== 1) throw new Error(`not a path from corner to corner: ${z}`)
  }),
  bad('solvers', 'gridShortestPath: Infinity costs', () => solvers.gridShortestPath()(fx.t([[1, Infinity], [1, 1]])), 'ArgumentError', /gridShortestPath/, /Infinity|finite/),
  bad('solvers', 'decode: unknown solver', () => orThrow(solvers.decode({ type: 'travellingSalesman' })), 'ConfigError', /solvers\.decode\(json\.type\)/, /"travellingSalesman"/),
  bad('solvers', 'decode: topK k missing', () => orThrow(solvers.decode({ type: 'topK' })), 'ConfigError', /solvers\.decode\(json\.k\)/, /undefined/),
  bad('solvers', 'decode: topK k float', () => orThrow(solvers.decode({ type: 'topK', k: 1.5 })), 'ConfigError', /solvers\.decode\(json\.k\)/, /1\.5/),
  bad('solvers', 'decode: unknown keys', () => orThrow(solvers.decode({ type: 'topK', k: 2, sorted: true })), 'ConfigError', /unknown option 'sorted'/),
  bad('solvers', 'decode: an array', () => orThrow(solvers.decode([1])), 'ConfigError', /solvers\.decode\(json\)/, /\[1\]/),
  bad('solvers', 'define: no name', () => solvers.define(any({ instanceRank: 1, kernel: () => {} })), 'ArgumentError', /solvers\.define\(definition\.name\)/, /undefined/),
  bad('solvers', 'define: instanceRank -1', () => solvers.define({ name: 'x', instanceRank: -1, kernel: () => {} }), 'ArgumentError', /solvers\.define\(definition\.instanceRank\)/, /-1/),
  bad('solvers', 'define: instanceRank 1.5', () => solvers.define({ name: 'x', instanceRank: 1.5, kernel: () => {} }), 'ArgumentError', /definition\.instanceRank/, /1\.5/),
  bad('solvers', 'define: kernel not a function', () => solvers.define(any({ name: 'x', instanceRank: 1, kernel: 3 })), 'ArgumentError', /solvers\.define\(definition\.kernel\)/, /3|number/),
  bad('solvers', 'define: definition null', () => solvers.define(any(null)), 'ArgumentError', /solvers\.define\(definition\)/, /null/),
  bad('solvers', 'define: axes of the wrong length', () => solvers.define({ name: 'x', instanceRank: 2, axes: ['n'], kernel: () => {} }), 'ArgumentError', /definition\.axes/, /1/, /2/),
  bad('solvers', 'define: check not a function', () => solvers.define(any({ name: 'x', instanceRank: 1, kernel: () => {}, check: 'no' })), 'ArgumentError', /definition\.check/),
  bad('solvers', 'define: the kernel throws a raw error', () => solvers.define({ name: 'boom', instanceRank: 1, kernel: () => { throw new TypeError('oops') } })(fx.ones([3])), 'ArgumentError', /boom/, /oops/),
  bad('solvers', 'define: outputShape returns a bad shape', () => solvers.define({ name: 'badOut', instanceRank: 1, outputShape: () => [-1], kernel: () => {} })(fx.ones([3])), 'ArgumentError', /badOut/, /-1/),
  bad('solvers', 'define: the user check refuses', () => solvers.define({ name: 'even', instanceRank: 1, check: ([n], fn) => { if (n! % 2) throw new (class extends Error {})(`${fn}: odd`) }, kernel: () => {} })(fx.ones([3])), 'ArgumentError', /even\(theta\)/, /odd/),
  good('solvers', 'define: a user solver under vmap is one call (documented)', () => {
    const s = solvers.define({ name: 'firstOne', instanceRank: 1, kernel: (_t, out, count, [n]) => { for (let r = 0; r < count; r++) out[r * n!] = 1 } })
    return vmap(s)(fx.ones([3, 2]))
  }, (r) => {
    if (Array.from((r as tf.Tensor).dataSync()).join() !== '1,0,1,0,1,0') throw new Error('wrong')
  }),
]

const wrongShape = (theta: tf.Tensor) => ops.concat([solvers.topK(2)(theta), fx.ones([1])]) // [n + 1]
const nonBinary = (theta: tf.Tensor) => ops.mul(solvers.topK(2)(theta), 0.5)
const intOut = (theta: tf.Tensor) => ops.cast(solvers.topK(2)(theta), 'int32')
// With a density, so that `perturbed` (which needs gradLogProb) takes it and the shape is what fails.
const wrongNoise = noise.custom((k) => random.normal(k, [7]), { gradLogProb: (x) => ops.neg(x) })

const layerEntries = (area: 'imle' | 'ste' | 'perturbed' | 'aimle', make: (map: any, nz: any, options?: any) => any): Entry[] => [
  bad(area, 'map not a function', () => make(any(3), gum), 'ArgumentError', new RegExp(`${area}\\(map\\)`), /number|3/),
  bad(area, 'noise null', () => make(top2, any(null)), 'ArgumentError', new RegExp(`${area}\\(noise\\)`), /null/),
  bad(area, 'noise a string', () => make(top2, any('gumbel')), 'ArgumentError', new RegExp(`${area}\\(noise\\)`), /"gumbel"|string/),
  bad(area, 'noise a factory, not a record', () => make(top2, any(noise.gumbel)), 'ArgumentError', new RegExp(`${area}\\(noise\\)`), /noise\.gumbel\(\)|function/),
  bad(area, 'options null', () => make(top2, gum, any(null)), 'ConfigError', new RegExp(`${area}\\(options\\)`), /null/),
  bad(area, 'options a number', () => make(top2, gum, any(5)), 'ConfigError', new RegExp(`${area}\\(options\\)`), /5/),
  bad(area, 'nbSamples 0', () => make(top2, gum, { nbSamples: 0 }), 'ConfigError', new RegExp(`${area}\\(options\\.nbSamples\\)`), /0/),
  bad(area, 'nbSamples NaN', () => make(top2, gum, { nbSamples: NaN }), 'ConfigError', /options\.nbSamples/, /NaN/),
  bad(area, 'a misspelt option', () => make(top2, gum, { nbSample: 2 }), 'ConfigError', /unknown option 'nbSample'/),
  bad(area, "sense 'maximize'", () => make(top2, gum, { sense: 'maximize' }), 'ConfigError', /options\.sense/, /"maximize"/),
  bad(area, "reduce 'sum'", () => make(top2, gum, { reduce: 'sum' }), 'ConfigError', /options\.reduce/, /"sum"/),
  bad(area, 'theta rank 2 for a rank-1 solver', () => make(top2, gum)(fx.ones([2, 4]), fx.key()), 'ArgumentError', new RegExp(`${area}\\(theta\\)`), /\[2, 4\]/, /vmap/),
  bad(area, 'theta int32', () => make(top2, gum)(fx.ones([4], 'int32'), fx.key()), 'ArgumentError', new RegExp(`${area}\\(theta\\)`), /int32/),
  bad(area, 'theta a number', () => make(top2, gum)(any(3), fx.key()), 'ArgumentError', new RegExp(`${area}\\(theta\\)`), /number/),
  bad(area, 'key float', () => make(top2, gum)(fx.ones([4]), fx.t([1, 2])), 'ArgumentError', new RegExp(area), /key/, /float32/),
  bad(area, 'key missing', () => make(top2, gum)(fx.ones([4])), 'ArgumentError', new RegExp(area), /key/, /undefined/),
  bad(area, 'keys [B, 2] without vmap', () => make(top2, gum)(fx.ones([4]), fx.keys(3)), 'ArgumentError', /key/, /\[3, 2\]/),
  bad(area, 'a solver returning the wrong shape', () => step(make(wrongShape, gum)), 'ArgumentError', new RegExp(area), /map|solver/, /\[5\]|\[1, 5\]/, /\[4\]|\[1, 4\]/),
  bad(area, 'a solver returning the wrong shape, under vmap', () => vstep(make(wrongShape, gum)), 'ArgumentError', new RegExp(area), /map|solver/, /\[5\]/, /\[4\]/),
  bad(area, 'a solver returning non-0/1 values', () => step(make(nonBinary, gum)), 'ArgumentError', new RegExp(area), /map|solver/, /0\.5/, /0 or 1|0\/1/),
  bad(area, 'a solver returning int32', () => step(make(intOut, gum)), 'ArgumentError', new RegExp(area), /map|solver/, /int32/, /float32/),
  bad(area, 'a custom noise returning the wrong shape', () => step(make(top2, wrongNoise)), 'ArgumentError', /noise|sample/, /\[7\]/, /\[1, 4\]|\[4\]/),
  bad(area, 'a map that returns a number', () => step(make(() => 1, gum)), 'ArgumentError', new RegExp(area), /map/, /1|number/),
]

const imleMake = (map: any, nz: any, options?: any) => imle(map, nz, std, options)
export const estimatorEntries: Entry[] = [
  ...layerEntries('imle', imleMake),
  bad('imle', 'target null', () => imle(top2, gum, any(null)), 'ArgumentError', /imle\(target\)/, /null/),
  bad('imle', 'target a number', () => imle(top2, gum, any(1)), 'ArgumentError', /imle\(target\)/, /number|1/),
  bad('imle', 'target a factory, not a record', () => imle(top2, gum, any(target.standard)), 'ArgumentError', /imle\(target\)/, /function|target\.standard\(\)/),
  bad('imle', 'targetNoiseTemperature negative', () => imle(top2, gum, std, { targetNoiseTemperature: -1 }), 'ConfigError', /imle\(options\.targetNoiseTemperature\)/, /-1/),
  bad('imle', 'targetNoiseTemperature NaN', () => imle(top2, gum, std, { targetNoiseTemperature: NaN }), 'ConfigError', /options\.targetNoiseTemperature/, /NaN/),
  bad('imle', 'inputNoiseTemperature Infinity', () => imle(top2, gum, std, { inputNoiseTemperature: Infinity }), 'ConfigError', /options\.inputNoiseTemperature/, /Infinity/),
  bad('imle', 'inputNoiseTemperature negative', () => imle(top2, gum, std, { inputNoiseTemperature: -0.5 }), 'ConfigError', /options\.inputNoiseTemperature/, /-0\.5/),
  bad('imle', 'inputNoiseTemperature denormal', () => imle(top2, gum, std, { inputNoiseTemperature: 1e-320 }), 'ConfigError', /options\.inputNoiseTemperature/, /1e-320/),
  bad('imle', "symmetric 'true'", () => imle(top2, gum, std, { symmetric: any('true') }), 'ConfigError', /options\.symmetric/, /"true"/),
  bad('imle', 'nbMarginalSamples 0', () => imle(top2, gum, std, { nbMarginalSamples: 0 }), 'ConfigError', /options\.nbMarginalSamples/, /0/),
  bad('imle', 'a target whose params returns the wrong shape', () => step(imle(top2, gum, { ...std, params: () => fx.ones([9]) } as any)), 'ArgumentError', /imle|target/, /\[9\]/),
  bad('imle', 'layer.map: theta rank 2', () => imle(top2, gum, std).map(fx.ones([2, 4])), 'ArgumentError', /imle\.map\(theta\)/, /\[2, 4\]/),
  ...layerEntries('ste', ste),
  ...layerEntries('aimle', aimle),
  bad('aimle', 'initialBeta negative', () => aimle(top2, gum, { initialBeta: -1 }), 'ConfigError', /aimle\(options\.initialBeta\)/, /-1/),
  bad('aimle', 'betaUpdateMomentum 1.5', () => aimle(top2, gum, { betaUpdateMomentum: 1.5 }), 'ConfigError', /options\.betaUpdateMomentum/, /1\.5/),
  bad('aimle', 'setState with a non-state', () => aimle(top2, gum).setState(any({ beta: -1 })), 'ConfigError', /aimle.*setState|state/, /beta|-1/),
  ...layerEntries('perturbed', perturbed),
  bad('perturbed', 'sigma 0', () => perturbed(top2, gum, { sigma: 0 }), 'ConfigError', /perturbed\(options\.sigma\)/, /0/),
  bad('perturbed', 'sigma negative', () => perturbed(top2, gum, { sigma: -1 }), 'ConfigError', /perturbed\(options\.sigma\)/, /-1/),
  bad('perturbed', 'sigma denormal', () => perturbed(top2, gum, { sigma: 1e-320 }), 'ConfigError', /perturbed\(options\.sigma\)/, /1e-320/),
  bad('perturbed', 'a noise without gradLogProb', () => perturbed(top2, noise.custom(random.normal)), 'ArgumentError', /perturbed\(noise\)/, /gradLogProb/),
  bad('blackbox', 'lambda missing', () => blackbox(top2, any({})), 'ConfigError', /blackbox\(options\.lambda\)/, /undefined/),
  bad('blackbox', 'no options', () => any(blackbox)(top2), 'ConfigError', /blackbox\(options\.lambda\)/, /undefined/),
  bad('blackbox', 'lambda 0', () => blackbox(top2, { lambda: 0 }), 'ConfigError', /blackbox\(options\.lambda\)/, /0/),
  bad('blackbox', 'lambda negative', () => blackbox(top2, { lambda: -3 }), 'ConfigError', /blackbox\(options\.lambda\)/, /-3/),
  bad('blackbox', 'lambda denormal', () => blackbox(top2, { lambda: 1e-310 }), 'ConfigError', /blackbox\(options\.lambda\)/, /1e-310/),
  bad('blackbox', 'lambda Infinity', () => blackbox(top2, { lambda: Infinity }), 'ConfigError', /blackbox\(options\.lambda\)/, /Infinity/),
  bad('blackbox', 'null options', () => blackbox(top2, any(null)), 'ConfigError', /blackbox\(options\)/, /null/),
  bad('blackbox', 'map not a function', () => blackbox(any({}), { lambda: 1 }), 'ArgumentError', /blackbox\(map\)/, /object/),
  bad('blackbox', 'a solver returning the wrong shape', () => step(blackbox(wrongShape, { lambda: 1 })), 'ArgumentError', /blackbox/, /\[5\]|\[1, 5\]/),
  bad('blackbox', 'theta rank 0', () => blackbox(top2, { lambda: 1 })(fx.t(1)), 'ArgumentError', /blackbox\(theta\)/, /scalar/),
  bad('scoreFunction', 'sampler not a function', () => scoreFunction(any(1), () => fx.t(0)), 'ArgumentError', /scoreFunction\(sampler\)/, /number|1/),
  bad('scoreFunction', 'logProb not a function', () => scoreFunction(() => fx.ones([1, 3]), any(null)), 'ArgumentError', /scoreFunction\(logProb\)/, /null/),
  bad('scoreFunction', 'nbSamples 0', () => scoreFunction(() => fx.ones([1, 3]), () => fx.t(0), { nbSamples: 0 }), 'ConfigError', /scoreFunction\(options\.nbSamples\)/, /0/),
  bad('scoreFunction', 'baseline NaN', () => scoreFunction(() => fx.ones([1, 3]), () => fx.t(0), { baseline: NaN }), 'ConfigError', /options\.baseline/, /NaN/),
  bad('scoreFunction', "baseline 'median'", () => scoreFunction(() => fx.ones([1, 3]), () => fx.t(0), { baseline: any('median') }), 'ConfigError', /options\.baseline/, /"median"/),
  bad('scoreFunction', "baseline 'mean' with one sample", () => scoreFunction(() => fx.ones([1, 3]), () => fx.t(0), { baseline: 'mean', nbSamples: 1 }), 'ConfigError', /scoreFunction\(options\.baseline\)/, /nbSamples|1/),
  bad('scoreFunction', 'null options', () => scoreFunction(() => fx.ones([1, 3]), () => fx.t(0), any(null)), 'ConfigError', /scoreFunction\(options\)/, /null/),
  bad('scoreFunction', 'map not a function', () => scoreFunction(() => fx.ones([1, 3]), () => fx.t(0), {}, any(2)), 'ArgumentError', /scoreFunction\(map\)/, /2|number/),
  bad('scoreFunction', 'sampler returns the wrong shape', () => scoreFunction(() => fx.ones([2, 3]), () => fx.zeros([1]), { nbSamples: 1 })(fx.ones([3]), fx.key()), 'ArgumentError', /scoreFunction\(sampler\)/, /\[2, 3\]/, /\[1, 3\]/),
  bad('scoreFunction', 'kSubset: k negative', () => kSubsetScoreFunction(-1), 'ArgumentError', /kSubsetScoreFunction\(k\)/, /-1/),
  bad('scoreFunction', 'kSubset: k 1.5', () => kSubsetScoreFunction(1.5), 'ArgumentError', /kSubsetScoreFunction\(k\)/, /1\.5/),
  bad('scoreFunction', 'kSubset: k larger than n', () => kSubsetScoreFunction(5)(fx.ones([3]), fx.key()), 'ArgumentError', /k/, /5/, /\[0, 3\]/),
  bad('scoreFunction', 'kSubset: theta rank 2', () => kSubsetScoreFunction(1)(fx.ones([2, 3]), fx.key()), 'ArgumentError', /theta/, /\[2, 3\]/),
  bad('scoreFunction', 'kSubset: float key', () => kSubsetScoreFunction(1)(fx.ones([3]), fx.ones([2])), 'ArgumentError', /key/, /float32/),
  bad('estimators.decode', 'an unknown estimator', () => orThrow(estimators.decode({ type: 'reinforce' })), 'ConfigError', /estimators\.decode\(json\.type\)/, /"reinforce"/),
  bad('estimators.decode', 'not an object', () => orThrow(estimators.decode(42)), 'ConfigError', /estimators\.decode\(json\)/, /42/),
  bad('estimators.decode', 'null', () => orThrow(estimators.decode(null)), 'ConfigError', /estimators\.decode\(json\)/, /null/),
  bad('estimators.decode', 'imle without a solver', () => orThrow(estimators.decode({ type: 'imle', noise: { type: 'gumbel' }, target: { type: 'standard' } })), 'ConfigError', /estimators\.decode\(json\.solver\)/, /undefined/),
  bad('estimators.decode', 'imle with an unknown solver', () => orThrow(estimators.decode({ type: 'imle', solver: { type: 'tsp' }, noise: { type: 'gumbel' }, target: { type: 'standard' } })), 'ConfigError', /estimators\.decode\(json\.solver\.type\)/, /"tsp"/),
  isolated('estimators.decode', 'imle with a noise k of 1e-300', () => orThrow(estimators.decode({ type: 'imle', solver: { type: 'topK', k: 2 }, noise: { type: 'sumOfGamma', k: 1e-300 }, target: { type: 'standard' } })), 'ConfigError', /estimators\.decode\(json\.noise\.k\)/, /1e-300/),
  bad('estimators.decode', 'imle with a negative beta', () => orThrow(estimators.decode({ type: 'imle', solver: { type: 'topK', k: 2 }, noise: { type: 'gumbel' }, target: { type: 'standard', beta: -1 } })), 'ConfigError', /estimators\.decode\(json\.target\.beta\)/, /-1/),
  bad('estimators.decode', 'imle with unknown keys', () => orThrow(estimators.decode({ type: 'imle', solver: { type: 'topK', k: 2 }, noise: { type: 'gumbel' }, target: { type: 'standard' }, lr: 1 })), 'ConfigError', /estimators\.decode\(json\)/, /unknown option 'lr'/),
  bad('estimators.decode', 'imle with unknown keys in the noise', () => orThrow(estimators.decode({ type: 'imle', solver: { type: 'topK', k: 2 }, noise: { type: 'gumbel', k: 3 }, target: { type: 'standard' } })), 'ConfigError', /estimators\.decode\(json\.noise\)/, /unknown option 'k'/),
  bad('estimators.decode', 'imle with nbSamples a string', () => orThrow(estimators.decode({ type: 'imle', solver: { type: 'topK', k: 2 }, noise: { type: 'gumbel' }, target: { type: 'standard' }, nbSamples: '5' })), 'ConfigError', /estimators\.decode\(json\.nbSamples\)/, /"5"/),
  bad('estimators.decode', 'blackbox with lambda 0', () => orThrow(estimators.decode({ type: 'blackbox', solver: { type: 'topK', k: 2 }, lambda: 0 })), 'ConfigError', /estimators\.decode\(json\.lambda\)/, /0/),
  bad('estimators.decode', 'blackbox with a noise (not taken)', () => orThrow(estimators.decode({ type: 'blackbox', solver: { type: 'topK', k: 2 }, lambda: 1, noise: { type: 'gumbel' } })), 'ConfigError', /unknown option 'noise'/),
  bad('estimators.decode', 'aimle with a target (not taken)', () => orThrow(estimators.decode({ type: 'aimle', solver: { type: 'topK', k: 2 }, noise: { type: 'gumbel' }, target: { type: 'standard' } })), 'ConfigError', /unknown option 'target'/),
  bad('estimators.decode', 'perturbed with sigma -1', () => orThrow(estimators.decode({ type: 'perturbed', solver: { type: 'topK', k: 2 }, noise: { type: 'normal' }, sigma: -1 })), 'ConfigError', /estimators\.decode\(json\.sigma\)/, /-1/),
  bad('estimators.decode', 'perturbed with a noise without density', () => orThrow(estimators.decode({ type: 'perturbed', solver: { type: 'topK', k: 2 }, noise: { type: 'none' } })), 'ConfigError', /estimators\.decode/, /gradLogProb/),
  bad('estimators.decode', 'kSubsetScoreFunction k 1.5', () => orThrow(estimators.decode({ type: 'kSubsetScoreFunction', k: 1.5 })), 'ConfigError', /estimators\.decode/, /k/, /1\.5/),
  bad('estimators.decode', 'kSubsetScoreFunction k missing', () => orThrow(estimators.decode({ type: 'kSubsetScoreFunction' })), 'ConfigError', /estimators\.decode\(json\.k\)/, /undefined/),
  bad('estimators.decode', 'ste with a float key at call time', () => orThrow(estimators.decode({ type: 'ste', solver: { type: 'topK', k: 2 }, noise: { type: 'gumbel' } }))(fx.ones([4]), fx.ones([2])), 'ArgumentError', /ste/, /key/, /float32/),
  bad('estimators.decode', 'gridShortestPath with neighbourhood 5', () => orThrow(estimators.decode({ type: 'ste', solver: { type: 'gridShortestPath', neighbourhood: 5 }, noise: { type: 'gumbel' } })), 'ConfigError', /estimators\.decode\(json\.solver\.neighbourhood\)/, /5/),
  bad('estimators.decode', 'perturbAndMap: estimator without backward', () => estimators.perturbAndMap(top2, gum, any({ _tag: 'x' })), 'ArgumentError', /perturbAndMap\(estimator\)/, /backward/),
  bad('estimators.decode', 'imleEstimator: target null', () => estimators.imleEstimator(any(null)), 'ArgumentError', /imle\(target\)|imleEstimator\(target\)/, /null/),
  bad('estimators.decode', 'perturbedEstimator: sigma 0 via perturbAndMap gives a typed error', () => estimators.perturbedEstimator(any({ sigma: 0, multiplicative: false })), 'ArgumentError', /perturbedEstimator/, /sigma/, /0/),
]
