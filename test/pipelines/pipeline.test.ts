/**
 * Pipeline definitions: JSON decoding composes the library's decoders and names the path of a
 * bad field; `encode(decode(json))` is the resolved config and decodes to itself; typed
 * definitions refuse misspelt fields and wrong estimator options at compile time.
 */
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decode, define, encode, type PipelineDefinition } from '../../src/pipelines/definition/pipeline.js'
import { METHODS, plan, PRESETS } from '../../src/pipelines/definition/presets.js'

const base = {
  name: 'x',
  seed: 0,
  data: { type: 'warcraft', k: 6, sizes: { train: 8, val: 4, test: 4 } },
  model: { type: 'tileMlp' },
  solver: { type: 'gridShortestPath', neighbourhood: 8 },
  layer: { type: 'imle', noise: { type: 'sumOfGamma', k: 8 }, target: { type: 'standard', beta: 20 }, nbMarginalSamples: 5 },
  loss: { type: 'hamming' },
  optimizer: { type: 'adam', learningRate: 0.01 },
  training: { epochs: 2, batchSize: 4, evalEvery: 2 },
}

const message = (json: unknown): string => {
  const r = decode(json)
  assert.ok(E.isLeft(r), 'expected a decoding error')
  return E.isLeft(r) ? r.left.message : ''
}

test('decode fills defaults from the composed decoders', () => {
  const r = decode(base)
  assert.ok(E.isRight(r))
  if (!E.isRight(r)) return
  const c = r.right as any
  assert.is(c.layer.nbSamples, 1)
  assert.is(c.layer.nbMarginalSamples, 5)
  assert.is(c.layer.noise.nbIterations, 10)
  assert.is(c.layer.target.alpha, 1)
  assert.is(c.model.hidden, 16)
  assert.is(c.optimizer.b1, 0.9)
  assert.equal(c.metrics, ['optimalCost', 'perfectMatch', 'hamming'])
})

test('round trip: encode(decode(json)) is the resolved config, and decodes to itself', () => {
  for (const method of METHODS) {
    for (const preset of PRESETS) {
      const c = define(plan({ method, preset }))
      const again = decode(encode(c))
      assert.ok(E.isRight(again), `${method}/${preset}`)
      if (E.isRight(again)) assert.equal(encode(again.right), encode(c), `${method}/${preset}`)
      assert.equal(JSON.parse(JSON.stringify(encode(c))), encode(c))
    }
  }
})

test('errors name the path of the bad field', () => {
  assert.is(message({ ...base, layer: { ...base.layer, noise: { type: 'sumOfGamma', k: -1 } } }), 'pipeline(json.layer.noise.k): expected Positive but got -1')
  assert.match(message({ ...base, layer: { ...base.layer, nbSample: 3 } }), /^pipeline\(json\.layer\): unknown option 'nbSample'/)
  assert.match(message({ ...base, layer: { ...base.layer, type: 'imle2' } }), /^pipeline\(json\.layer\.type\): expected one of 'imle'/)
  assert.is(message({ ...base, solver: { type: 'gridShortestPath', neighbourhood: 5 } }), 'pipeline(json.solver.neighbourhood): expected 4 | 8 but got 5')
  assert.match(message({ ...base, optimizer: { type: 'adam', learningRate: -1 } }), /^pipeline\(json\.optimizer\.learningRate\): expected .* but got -1$/)
  assert.is(message({ ...base, training: { epochs: 0, batchSize: 4, evalEvery: 2 } }), 'pipeline(json.training.epochs): expected PositiveInt but got 0')
  assert.match(message({ ...base, data: { ...base.data, k: 1 } }), /^pipeline\(json\.data\.k\)/)
  assert.match(message({ ...base, trainig: {} }), /^pipeline\(json\): unknown option 'trainig'/)
  assert.match(message({ ...base, layer: undefined }), /^pipeline\(json\.layer\): the 'hamming' loss trains through a layer/)
  assert.match(message({ ...base, loss: { type: 'mse' } }), /^pipeline\(json\.layer\): the 'mse' loss takes no layer/)
  assert.is(message({ ...base, layer: undefined, loss: { type: 'fenchelYoung', noise: { type: 'normal' }, nbSamples: 0 } }), 'pipeline(json.loss.nbSamples): expected PositiveInt but got 0')
  assert.match(message({ ...base, layer: { type: 'blackbox', lambda: 0 } }), /^pipeline\(json\.layer\.lambda\)/)
  assert.is(message({ ...base, loss: { type: 'hamming', form: 'cubic' } }), 'pipeline(json.loss.form): expected "linear" | "squared" but got "cubic"')
  assert.match(message({ ...base, loss: { type: 'hamming', from: 'squared' } }), /^pipeline\(json\.loss\): unknown option 'from'/)
})

test("the Hamming loss's form: 'linear' by default, 'squared' kept", () => {
  const form = (loss: unknown): unknown => {
    const r = decode({ ...base, loss })
    return E.isRight(r) && r.right.loss.type === 'hamming' ? r.right.loss.form : r
  }
  assert.is(form({ type: 'hamming' }), 'linear')
  assert.is(form({ type: 'hamming', form: 'squared' }), 'squared')
})

test('define throws the ConfigError of a value the types cannot see', () => {
  assert.throws(() => define({ ...(base as PipelineDefinition), seed: 0.5 }), /pipeline\(json\.seed\): expected a safe integer/)
})

// Type-level checks (tsc -p tsconfig.json checks this file): never run.
export function typeChecks(): PipelineDefinition[] {
  const ok = base as PipelineDefinition
  return [
    // @ts-expect-error a misspelt top-level field
    { ...ok, trainig: { epochs: 1, batchSize: 1, evalEvery: 1 } },
    // @ts-expect-error a wrong estimator option (nbSample)
    { ...ok, layer: { type: 'imle', noise: { type: 'gumbel' }, target: { type: 'standard' }, nbSample: 3 } },
    // @ts-expect-error blackbox takes no noise
    { ...ok, layer: { type: 'blackbox', lambda: 20, noise: { type: 'gumbel' } } },
    // @ts-expect-error imle needs a target
    { ...ok, layer: { type: 'imle', noise: { type: 'gumbel' } } },
    // @ts-expect-error an unknown noise option
    { ...ok, layer: { type: 'ste', noise: { type: 'sumOfGamma', k: 3, kk: 1 } } },
    // @ts-expect-error the mse loss takes no layer
    { ...ok, loss: { type: 'mse' } },
    // @ts-expect-error an unknown form of the Hamming loss
    { ...ok, loss: { type: 'hamming', form: 'cubic' } },
    // @ts-expect-error a wrong neighbourhood
    { ...ok, solver: { type: 'gridShortestPath', neighbourhood: 5 } },
  ]
}

test.run()
