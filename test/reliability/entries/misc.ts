/** Bad inputs to `optim`, `losses`, `relax`, `kSubset`, `init`/`loadBackend` and `defineKernel`. */
import * as tf from '@tensorflow/tfjs-core'
import { defineKernel, init, kSubset, loadBackend, losses, noise, optim, relax, solvers } from '../../../src/index.js'
import { bad, fx, good, type Entry } from '../catalogue.js'

const any = (x: unknown) => x as any
const top2 = solvers.topK(2)

export const optimEntries: Entry[] = [
  bad('optim', 'adam: b1 = 1', () => optim.adam({ b1: 1 }), 'ConfigError', /optim\.adam\(options\.b1\)/, /got 1\b/, /\[0, 1\)/),
  bad('optim', 'adam: b2 = 1', () => optim.adam({ b2: 1 }), 'ConfigError', /optim\.adam\(options\.b2\)/, /\[0, 1\)/),
  bad('optim', 'adam: b1 = 1.5', () => optim.adam({ b1: 1.5 }), 'ConfigError', /options\.b1/, /1\.5/),
  bad('optim', 'adam: b1 negative', () => optim.adam({ b1: -0.1 }), 'ConfigError', /options\.b1/, /-0\.1/),
  bad('optim', 'adam: learningRate 0', () => optim.adam({ learningRate: 0 }), 'ConfigError', /options\.learningRate/, /0/),
  bad('optim', 'adam: learningRate NaN', () => optim.adam({ learningRate: NaN }), 'ConfigError', /options\.learningRate/, /NaN/),
  bad('optim', 'adam: eps 0', () => optim.adam({ eps: 0 }), 'ConfigError', /options\.eps/, /0/),
  bad('optim', 'adam: a misspelt option', () => optim.adam(any({ lr: 0.1 })), 'ConfigError', /unknown option 'lr'/),
  bad('optim', 'adam: null options', () => optim.adam(any(null)), 'ConfigError', /optim\.adam\(options\)/, /null/),
  bad('optim', 'adam.update: grads and state differ in structure', () => {
    const opt = optim.adam<{ w: tf.Tensor }>()
    const s = opt.init({ w: fx.ones([2]) })
    fx.tree(s)
    return opt.update(any({ v: fx.ones([2]) }), s)
  }, 'TreeMismatchError', /optim\.adam/),
  bad('optim', 'adam.update: grads of the wrong shape', () => {
    const opt = optim.adam<tf.Tensor>()
    const s = opt.init(fx.ones([2]))
    fx.tree(s)
    return opt.update(fx.ones([3]), s)
  }, 'ArgumentError', /optim\.adam/, /\[3\]/, /\[2\]/),
  bad('optim', 'adam.init: a number parameter', () => optim.adam().init(any(3)), 'ArgumentError', /optim\.adam/, /params/, /3|no tensor/),
  bad('optim', 'applyUpdates: structures differ', () => optim.applyUpdates({ w: fx.ones([2]) }, any({ b: fx.ones([2]) })), 'TreeMismatchError', /optim\.applyUpdates/),
  bad('optim', 'applyUpdates: shapes differ', () => optim.applyUpdates(fx.ones([2]), fx.ones([3])), 'ArgumentError', /optim\.applyUpdates/, /\[2\]/, /\[3\]/),
]

export const lossEntries: Entry[] = [
  bad('losses', 'fenchelYoung: map not a function', () => losses.fenchelYoung(any(1), noise.gumbel()), 'ArgumentError', /losses\.fenchelYoung\(map\)/, /number/),
  bad('losses', 'fenchelYoung: sigma 0', () => losses.fenchelYoung(top2, noise.gumbel(), { sigma: 0 }), 'ConfigError', /losses\.fenchelYoung\(options\.sigma\)/, /0/),
  bad('losses', 'fenchelYoung: sigma denormal', () => losses.fenchelYoung(top2, noise.gumbel(), { sigma: 1e-320 }), 'ConfigError', /options\.sigma/, /1e-320/),
  bad('losses', 'fenchelYoung: noise null', () => losses.fenchelYoung(top2, any(null)), 'ArgumentError', /losses\.fenchelYoung\(noise\)/, /null/),
  bad('losses', 'fenchelYoung: null options', () => losses.fenchelYoung(top2, noise.gumbel(), any(null)), 'ConfigError', /losses\.fenchelYoung\(options\)/, /null/),
  bad('losses', 'fenchelYoung: theta and yTrue differ', () => losses.fenchelYoung(top2, noise.gumbel())(fx.ones([4]), fx.ones([3]), fx.key()), 'ArgumentError', /losses\.fenchelYoung/, /\[4\]/, /\[3\]/),
  bad('losses', 'fenchelYoung: float key', () => losses.fenchelYoung(top2, noise.gumbel())(fx.ones([4]), fx.ones([4]), fx.ones([2])), 'ArgumentError', /key/, /float32/),
  bad('losses', 'spoPlus: map a string', () => losses.spoPlus(any('topK')), 'ArgumentError', /losses\.spoPlus\(map\)/),
  bad('losses', "spoPlus: sense 'up'", () => losses.spoPlus(top2, { sense: any('up') }), 'ConfigError', /losses\.spoPlus\(options\.sense\)/, /"up"/),
  bad('losses', 'spoPlus: shapes differ', () => losses.spoPlus(top2)(fx.ones([4]), fx.ones([4]), fx.ones([3])), 'ArgumentError', /losses\.spoPlus/, /\[3\]/),
  bad('losses', 'regret: shapes differ', () => losses.regret(top2)(fx.ones([4]), fx.ones([5])), 'ArgumentError', /losses\.regret/, /\[4\]/, /\[5\]/),
  bad('losses', 'regret: null options', () => losses.regret(top2, any(null)), 'ConfigError', /losses\.regret\(options\)/, /null/),
  bad('losses', 'hamming: shapes differ', () => losses.hamming(fx.ones([4]), fx.ones([3])), 'ArgumentError', /losses\.hamming/, /\[4\]/, /\[3\]/),
  bad('losses', 'hamming: a number', () => losses.hamming(any(1), fx.ones([3])), 'ArgumentError', /losses\.hamming/, /number|1/),
]

export const relaxEntries: Entry[] = [
  bad('relax', 'gumbelSoftmaxSubset: k 0', () => relax.gumbelSoftmaxSubset(0, 1), 'ArgumentError', /gumbelSoftmaxSubset\(k\)/, /0/),
  bad('relax', 'gumbelSoftmaxSubset: tau 0', () => relax.gumbelSoftmaxSubset(2, 0), 'ArgumentError', /gumbelSoftmaxSubset\(tau\)/, /0/),
  bad('relax', 'gumbelSoftmaxSubset: tau negative', () => relax.gumbelSoftmaxSubset(2, -1), 'ArgumentError', /gumbelSoftmaxSubset\(tau\)/, /-1/),
  bad('relax', 'gumbelSoftmaxSubset: tau NaN', () => relax.gumbelSoftmaxSubset(2, NaN), 'ArgumentError', /gumbelSoftmaxSubset\(tau\)/, /NaN/),
  bad('relax', 'gumbelSoftmaxSubset: tau Infinity', () => relax.gumbelSoftmaxSubset(2, Infinity), 'ArgumentError', /gumbelSoftmaxSubset\(tau\)/, /Infinity/),
  bad('relax', 'gumbelSoftmaxSubset: tau denormal', () => relax.gumbelSoftmaxSubset(2, 1e-320), 'ArgumentError', /gumbelSoftmaxSubset\(tau\)/, /1e-320/),
  bad('relax', 'gumbelSoftmaxSubset: k > n', () => relax.gumbelSoftmaxSubset(5, 1)(fx.ones([3]), fx.key()), 'ArgumentError', /gumbelSoftmaxSubset\(k\)/, /\[1, 3\]/, /5/),
  bad('relax', 'gumbelSoftmaxSubset: theta rank 2', () => relax.gumbelSoftmaxSubset(2, 1)(fx.ones([2, 3]), fx.key()), 'ArgumentError', /gumbelSoftmaxSubset\(theta\)/, /\[2, 3\]/),
  bad('relax', 'gumbelSoftmaxSubset: nbSamples 0', () => relax.gumbelSoftmaxSubset(2, 1, { nbSamples: 0 }), 'ConfigError', /gumbelSoftmaxSubset\(options\.nbSamples\)/, /0/),
  bad('relax', 'gumbelSoftmaxSubset: unknown option', () => relax.gumbelSoftmaxSubset(2, 1, any({ hard: true })), 'ConfigError', /unknown option 'hard'/),
  bad('relax', 'gumbelSoftmaxSubset: null options', () => relax.gumbelSoftmaxSubset(2, 1, any(null)), 'ConfigError', /gumbelSoftmaxSubset\(options\)/, /null/),
  bad('relax', 'gumbelSoftmaxSubset: float key', () => relax.gumbelSoftmaxSubset(2, 1)(fx.ones([3]), fx.ones([2])), 'ArgumentError', /key/, /float32/),
  bad('relax', 'softSub: k 1.5', () => relax.softSub(1.5, 1), 'ArgumentError', /softSub\(k\)/, /1\.5/),
  bad('relax', 'softSub: tau 0', () => relax.softSub(2, 0), 'ArgumentError', /softSub\(tau\)/, /0/),
  bad('relax', 'softSub: theta int32', () => relax.softSub(2, 1)(fx.ones([3], 'int32'), fx.key()), 'ArgumentError', /softSub\(theta\)/, /int32/),
  bad('relax', 'softSub: theta a number', () => relax.softSub(2, 1)(any(1), fx.key()), 'ArgumentError', /softSub\(theta\)/, /number/),
]

export const kSubsetEntries: Entry[] = [
  bad('kSubset', 'logPartition: k > n', () => kSubset.logPartition(fx.ones([3]), 4), 'ArgumentError', /kSubset\.logPartition\(k\)/, /\[0, 3\]/, /4/),
  bad('kSubset', 'logPartition: k negative', () => kSubset.logPartition(fx.ones([3]), -1), 'ArgumentError', /kSubset\.logPartition\(k\)/, /-1/),
  bad('kSubset', 'logPartition: theta with NaN', () => kSubset.logPartition(fx.t([1, NaN]), 1), 'ArgumentError', /kSubset\.logPartition\(theta\)/, /NaN/),
  bad('kSubset', 'logPartition: theta rank 2', () => kSubset.logPartition(fx.ones([2, 3]), 1), 'ArgumentError', /kSubset\.logPartition\(theta\)/, /\[2, 3\]/),
  bad('kSubset', 'marginals: k 1.5', () => kSubset.marginals(fx.ones([3]), 1.5), 'ArgumentError', /kSubset\.marginals\(k\)/, /1\.5/),
  bad('kSubset', 'marginals: theta Infinity', () => kSubset.marginals(fx.t([1, Infinity, 2]), 1), 'ArgumentError', /kSubset\.marginals\(theta\)/, /Infinity/),
  bad('kSubset', 'marginals: theta a string', () => kSubset.marginals(any('x'), 1), 'ArgumentError', /kSubset\.marginals\(theta\)/, /string/),
  bad('kSubset', 'layer: k -2', () => kSubset.layer(-2), 'ArgumentError', /kSubset\.layer\(k\)/, /-2/),
  bad('kSubset', 'layer: k > n at call', () => kSubset.layer(5)(fx.ones([3])), 'ArgumentError', /k/, /\[0, 3\]/, /5/),
  bad('kSubset', 'sample: nbSamples 0', () => kSubset.sample(fx.ones([3]), 1, fx.key(), { nbSamples: 0 }), 'ConfigError', /kSubset\.sample\(options\.nbSamples\)/, /0/),
  bad('kSubset', 'sample: float key', () => kSubset.sample(fx.ones([3]), 1, fx.ones([2])), 'ArgumentError', /kSubset\.sample/, /key/, /float32/),
  bad('kSubset', 'sample: null options', () => kSubset.sample(fx.ones([3]), 1, fx.key(), any(null)), 'ConfigError', /kSubset\.sample\(options\)/, /null/),
  bad('kSubset', 'logProb: z of the wrong shape', () => kSubset.logProb(fx.ones([3]), 1, fx.ones([4])), 'ArgumentError', /kSubset\.logProb\(z\)/, /\[4\]/, /\[3\]/),
  bad('kSubset', 'logProb: k > n', () => kSubset.logProb(fx.ones([3]), 4, fx.ones([3])), 'ArgumentError', /kSubset\.logProb\(k\)/, /4/),
]

const okKernel = { name: 'k1', operands: [{ name: 'x', rank: 1 }], outputs: () => [{ shape: [1], dtype: 'float32' as const }], host: () => {} }
export const backendEntries: Entry[] = [
  bad('backend', 'init(null)', () => init(any(null)), 'BackendError', /init\(options\)/, /null/),
  bad('backend', "init('cpu') (a string, not options)", () => init(any('cpu')), 'BackendError', /init\(options\)/, /"cpu"/, /\{ backend: 'cpu' \}/),
  bad('backend', "init({ backend: 'gpu' })", () => init({ backend: any('gpu') }), 'BackendError', /init\(backend\)/, /'gpu'/, /cpu/),
  bad('backend', 'init({ backend: 3 })', () => init({ backend: any(3) }), 'BackendError', /init\(backend\)/, /3/),
  bad('backend', 'init: an unknown option', () => init(any({ backnd: 'cpu' })), 'BackendError', /init\(options\)/, /unknown option 'backnd'/),
  bad('backend', "loadBackend('tpu')", async () => { const r = await loadBackend(any('tpu'))(); if (r._tag === 'Left') throw r.left; return r.right }, 'BackendError', /backend/, /'tpu'/),
  good('backend', 'init with the backend under test resolves to it (documented)', () => init({ backend: (process.env['IMLE_BACKEND'] ?? 'cpu') as 'cpu' }), (r) => {
    if (r !== (process.env['IMLE_BACKEND'] ?? 'cpu')) throw new Error(`got ${String(r)}`)
  }),
]

export const kernelEntries: Entry[] = [
  bad('defineKernel', 'spec null', () => defineKernel(any(null)), 'ArgumentError', /defineKernel\(spec\)/, /null/),
  bad('defineKernel', 'no name', () => defineKernel(any({ ...okKernel, name: undefined })), 'ArgumentError', /defineKernel\(spec\.name\)/, /undefined/),
  bad('defineKernel', 'host not a function', () => defineKernel(any({ ...okKernel, host: 1 })), 'ArgumentError', /defineKernel\(spec\.host\)/, /1|number/),
  bad('defineKernel', 'operands empty', () => defineKernel(any({ ...okKernel, operands: [] })), 'ArgumentError', /defineKernel\(spec\.operands\)/),
  bad('defineKernel', 'operand rank -1', () => defineKernel(any({ ...okKernel, operands: [{ name: 'x', rank: -1 }] })), 'ArgumentError', /defineKernel\(spec\.operands/, /-1/),
  bad('defineKernel', 'a call with the wrong number of operands', () => defineKernel(okKernel)([fx.ones([2]), fx.ones([2])], undefined), 'ArgumentError', /k1/, /1 operand/, /2/),
  bad('defineKernel', 'an operand of too low a rank', () => defineKernel(okKernel)([fx.t(1)], undefined), 'ArgumentError', /k1\(x\)/, /rank/),
  bad('defineKernel', 'a bool operand', () => defineKernel(okKernel)([fx.t([true], [1], 'bool')], undefined), 'ArgumentError', /k1\(x\)/, /bool/),
  bad('defineKernel', 'outputs returns a bad dtype', () => defineKernel(any({ ...okKernel, name: 'k2', outputs: () => [{ shape: [1], dtype: 'float64' }] }))([fx.ones([2])], undefined), 'ArgumentError', /k2/, /float64/),
  bad('defineKernel', 'outputs returns a negative size', () => defineKernel(any({ ...okKernel, name: 'k3', outputs: () => [{ shape: [-1], dtype: 'float32' }] }))([fx.ones([2])], undefined), 'ArgumentError', /k3/, /-1/),
  bad('defineKernel', 'the host throws a raw error', () => defineKernel({ ...okKernel, name: 'k4', host: () => { throw new TypeError('bad host') } })([fx.ones([2])], undefined), 'ArgumentError', /k4/, /bad host/),
  bad('defineKernel', 'leads do not broadcast', () => defineKernel({ ...okKernel, name: 'k5', operands: [{ name: 'a', rank: 1 }, { name: 'b', rank: 1 }] })([fx.ones([2, 3]), fx.ones([3, 3])], undefined), 'ArgumentError', /k5/, /\[2\]|\[3\]/),
]
