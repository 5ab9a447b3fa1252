/** Bad inputs to what training loops use: the `nn` layers, `optim.sgd` and its transformations, and the discrete `random` samplers. */
import { nn, optim, random } from '../../../src/index.js'
import { bad, fx, type Entry } from '../catalogue.js'

const any = (x: unknown) => x as any
/** `layer.init` then `layer.apply` on `x`, with `options`. */
const applied = (layer: nn.Layer<any, any>, inShape: number[], x: () => unknown, options?: object) => {
  const [params] = layer.init(fx.key(0), inShape)
  fx.tree(params)
  return layer.apply(params, any(x()), any(options))
}

export const trainingEntries: Entry[] = [
  bad('nn', 'dense: units 0', () => nn.dense(0), 'ConfigError', /nn\.dense\(units\)/, /0/),
  bad('nn', 'dense: an input of the wrong width', () => applied(nn.dense(3), [4], () => fx.ones([2, 5])), 'ArgumentError', /nn\.dense\.apply\(x\)/, /\[2, 5\]/, /4/),
  bad('nn', 'conv2d: kernel size 0', () => nn.conv2d(4, 0), 'ConfigError', /nn\.conv2d\(kernelSize\)/, /0/),
  bad('nn', 'conv2d: an image without the batch axis', () => applied(nn.conv2d(2, 3), [8, 8, 1], () => fx.ones([8, 8, 1])), 'ArgumentError', /nn\.conv2d\.apply\(x\)/, /\[8, 8, 1\]/, /batch/),
  bad('nn', 'maxPool: window 0', () => nn.maxPool(0), 'ConfigError', /nn\.maxPool\(window\)/, /0/),
  bad('nn', 'dropout: rate 1', () => nn.dropout(1), 'ConfigError', /nn\.dropout\(rate\)/, /1/),
  bad('nn', 'dropout: training without a key', () => applied(nn.dropout(0.5), [4], () => fx.ones([2, 4]), { training: true }), 'ArgumentError', /nn\.dropout\.apply\(options\.key\)/, /undefined/, /random\.key/),
  bad('nn', 'batchNorm: evaluation without a state', () => applied(nn.batchNorm(), [4], () => fx.ones([2, 4])), 'ArgumentError', /nn\.batchNorm\.apply\(options\.state\)/, /undefined/, /initState/),
  bad('nn', 'embedding: vocabulary 0', () => nn.embedding(0, 3), 'ConfigError', /nn\.embedding\(vocab\)/, /0/),
  bad('nn', 'serial: a layer that is a number', () => nn.serial(any(3)), 'ArgumentError', /nn\.serial/, /layer 0/, /3/),
  bad('optim', 'sgd: learning rate -1', () => optim.sgd({ learningRate: -1 }), 'ConfigError', /optim\.sgd\(options\.learningRate\)/, /-1/),
  bad('optim', 'sgd: momentum 1', () => optim.sgd({ learningRate: 0.1, momentum: 1 }), 'ConfigError', /optim\.sgd\(options\.momentum\)/, /1/),
  bad('optim', 'sgd: nesterov without momentum', () => optim.sgd({ learningRate: 0.1, nesterov: true }), 'ConfigError', /optim\.sgd\(options\.nesterov\)/, /momentum/),
  bad('optim', 'sgd: weight decay without the parameters', () => {
    const o = optim.sgd({ learningRate: 0.1, weightDecay: 0.1 })
    const grads = fx.tree({ w: fx.ones([2]) })
    return fx.tree(o.update(grads, o.init(grads)))
  }, 'ArgumentError', /optim\.sgd\.update\(params\)/, /weightDecay/),
  bad('optim', 'clipByGlobalNorm: -1', () => optim.clipByGlobalNorm(-1), 'ConfigError', /optim\.clipByGlobalNorm\(maxNorm\)/, /-1/),
  bad('optim', 'cosineDecay: decaySteps 0', () => optim.schedules.cosineDecay({ initValue: 1, decaySteps: 0 }), 'ConfigError', /optim\.schedules\.cosineDecay\(options\.decaySteps\)/, /0/),
  bad('random', 'randint: an empty range', () => random.randint(fx.key(0), [3], 5, 5), 'ArgumentError', /random\.randint\(low, high\)/, /low 5, high 5/),
  bad('random', 'permutation: n -1', () => random.permutation(fx.key(0), -1), 'ArgumentError', /random\.permutation\(n\)/, /-1/),
  bad('random', 'bernoulli: p 2', () => random.bernoulli(fx.key(0), 2, [3]), 'ArgumentError', /random\.bernoulli\(p\)/, /2/),
  bad('random', 'categorical: NaN logits', () => random.categorical(fx.key(0), fx.t([0, NaN])), 'ArgumentError', /random\.categorical\(logits\)/, /NaN/, /index 1/),
]
