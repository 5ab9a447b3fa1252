/**
 * The conformance suite every noise distribution runs through, built-in or user-defined:
 * shapes and dtype, determinism in the key, `vmap` over keys equal to the loop bit for bit,
 * moments within standard errors, and, where the record has a density, that it integrates to
 * one, that its mean is the samples' mean, and that `gradLogProb` is the derivative of
 * `logProb`. Uses the public API only.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { imle, noise, random, solvers, target, vmap } from '../../src/index.js'
import { assertClose, assertSameBits, loop, setup } from '../support/helpers.js'
import { meanVar } from '../support/stats.js'

/** One noise distribution under test, with its law's moments. */
export interface NoiseCase {
  readonly name: string
  readonly noise: noise.Noise
  readonly mean: number
  readonly variance: number
  /** The excess kurtosis (for the standard error of the variance). Default 6, a loose bound. */
  readonly excessKurtosis?: number
  /** Where the density is integrated: `[lo, hi]`. Default the mean plus or minus 30 standard deviations. */
  readonly support?: readonly [number, number]
}

const N = 40_000

/** Registers and runs the noise conformance suite for `c`. */
export function noiseConformance(c: NoiseCase): void {
  const { noise: law, mean, variance } = c
  const t = suite(`conformance: noise ${c.name}`)
  t.before(setup)

  t('the record, and float32 samples of the requested shape, finite', () => {
    assert.type(law._tag, 'string')
    assert.type(law.sample, 'function')
    for (const shape of [[], [5], [3, 4], [2, 0, 3]]) {
      const x = law.sample(random.key(1), shape)
      assert.is(x.dtype, 'float32')
      assert.equal(x.shape, shape)
      for (const v of x.dataSync()) assert.ok(Number.isFinite(v))
    }
  })

  t('a pure function of the key: same key same bits; other keys other values', () => {
    const a = law.sample(random.key(2), [64])
    assertSameBits(law.sample(random.key(2), [64]), a, 'same key')
    if (variance > 0) {
      const b = law.sample(random.key(3), [64])
      let same = 0
      const x = a.dataSync()
      const y = b.dataSync()
      for (let i = 0; i < x.length; i++) if (x[i] === y[i]) same++
      assert.ok(same < 8, `two keys gave ${same} equal values of 64`)
    }
  })

  t('vmap over keys equals the per-key loop, bit for bit; nested vmap too', () => {
    const keys = random.split(random.key(4), 6)
    const f = (k: tf.Tensor) => law.sample(k, [3, 2])
    assertSameBits(vmap(f)(keys), loop(keys, f), 'vmap')
    const nested = vmap(vmap(f))(tf.reshape(keys, [2, 3, 2]))
    assertSameBits(tf.reshape(nested, [6, 3, 2]), loop(keys, f), 'vmap(vmap)')
  })

  t(`moments: mean and variance within 5 standard errors (${N} draws)`, () => {
    const x = law.sample(random.key(5), [N]).dataSync()
    const got = meanVar(x)
    if (variance === 0) {
      assert.is(got.mean, mean)
      assert.is(got.variance, 0)
      return
    }
    const seMean = Math.sqrt(variance / N)
    const seVar = variance * Math.sqrt((2 + (c.excessKurtosis ?? 6)) / N)
    assert.ok(Math.abs(got.mean - mean) < 5 * seMean, `mean ${got.mean} vs ${mean} (se ${seMean})`)
    assert.ok(Math.abs(got.variance - variance) < 5 * seVar, `variance ${got.variance} vs ${variance} (se ${seVar})`)
  })

  t('the density, where there is one: integrates to 1, its mean is the samples', () => {
    if (law.logProb === undefined) return
    const sd = Math.sqrt(variance)
    const [lo, hi] = c.support ?? [mean - 30 * sd, mean + 30 * sd]
    const M = 60_001
    const grid = tf.linspace(lo, hi, M)
    const p = tf.exp(law.logProb(grid)).dataSync()
    const xs = grid.dataSync()
    const h = (hi - lo) / (M - 1)
    let mass = 0
    let first = 0
    for (let i = 0; i < M; i++) {
      const w = i === 0 || i === M - 1 ? h / 2 : h
      mass += w * p[i]!
      first += w * p[i]! * xs[i]!
    }
    assert.ok(Math.abs(mass - 1) < 2e-3, `the density integrates to ${mass}`)
    const sampleMean = meanVar(law.sample(random.key(6), [N]).dataSync()).mean
    assert.ok(Math.abs(first / mass - sampleMean) < 5 * Math.sqrt(variance / N) + 1e-3, `density mean ${first / mass} vs sample mean ${sampleMean}`)
  })

  t('gradLogProb, where there is one, is the derivative of logProb', () => {
    if (law.logProb === undefined || law.gradLogProb === undefined) return
    const x = law.sample(random.key(7), [200])
    const h = 1e-2
    const fd = tf.div(tf.sub(law.logProb(tf.add(x, h)), law.logProb(tf.sub(x, h))), 2 * h)
    assertClose(law.gradLogProb(x), fd, 2e-2, 2e-2, 'central differences')
  })

  t('inside imle under vmap: the forward pass equals the per-instance loop', () => {
    const layer = imle(solvers.topK(2), law, target.standard(), { nbSamples: 2 })
    const thetas = tf.randomNormal([3, 5], 0, 1, 'float32', 11)
    const keys = random.split(random.key(8), 3)
    const looped = tf.stack(tf.unstack(thetas).map((th, i) => layer(th, tf.unstack(keys)[i]!)))
    assertClose(vmap(layer)(thetas, keys), looped, 0, 0)
  })

  t.run()
}
