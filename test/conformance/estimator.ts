/**
 * The conformance suite every estimator runs through, built-in or user-defined: the layer it
 * makes works under `vmap` (equal to the per-instance loop, forward and gradient), under
 * `grad(vmap(...))` and `vmap(grad(...))`, costs one solver call for the forward pass of a
 * whole batch and the declared number in the backward pass, is deterministic in the key,
 * gives finite gradients of `theta`'s shape, and leaks nothing over repeated steps. Uses the
 * public API only.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, noise, ops, random, solvers, vmap, type estimators } from '../../src/index.js'
import { assertClose, assertNoLeak, setup } from '../support/helpers.js'

/** One estimator under test. */
export interface EstimatorCase {
  readonly name: string
  /** Makes the layer from a solver and a noise. */
  readonly layer: (solver: solvers.Solver, law: noise.Noise) => estimators.Layer<any>
  /** Batched solver calls the backward pass makes (1 for I-MLE, 0 for straight-through). */
  readonly backwardCalls: number
}

/** Registers and runs the estimator conformance suite for `c`. */
export function estimatorConformance(c: EstimatorCase): void {
  const t = suite(`conformance: estimator ${c.name}`)
  t.before(setup)
  const solver = solvers.topK(2)
  const layer = c.layer(solver, noise.gumbel())
  const B = 4
  // Tensors are made once the backend is set up (suite.before).
  let thetas: tf.Tensor, keys: tf.Tensor, keyList: tf.Tensor[], w: tf.Tensor
  t.before(() => {
    thetas = tf.randomNormal([B, 6], 0, 1, 'float32', 21)
    keys = random.split(random.key(9), B)
    keyList = tf.unstack(keys)
    const out0 = layer(tf.unstack(thetas)[0]!, keyList[0]!)
    w = tf.randomNormal([B, ...out0.shape], 0, 1, 'float32', 22) // a linear loss per instance
  })
  // An adaptive estimator's state moves with every backward pass: gradients are compared from
  // the same starting state.
  const initial: unknown = layer.state()
  const fresh = (): void => layer.setState(initial)
  const lossOne = (th: tf.Tensor, k: tf.Tensor, wi: tf.Tensor) => ops.sum(ops.mul(layer(th, k), wi))

  t('vmap(layer) equals the per-instance loop', () => {
    const looped = tf.stack(tf.unstack(thetas).map((th, i) => layer(th, keyList[i]!)))
    assertClose(vmap(layer)(thetas, keys), looped, 0, 0)
  })

  t('grad(vmap) and vmap(grad) equal the loop of per-instance gradients; finite, theta-shaped', () => {
    const wl = tf.unstack(w)
    const looped = tf.stack(
      tf.unstack(thetas).map((th, i) => {
        fresh()
        return grad((x: tf.Tensor) => lossOne(x, keyList[i]!, wl[i]!))(th)
      }),
    )
    for (const v of looped.dataSync()) assert.ok(Number.isFinite(v))
    assert.equal(looped.shape, thetas.shape)
    fresh()
    const g1 = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), w)))(thetas)
    assertClose(g1, looped, 1e-6, 1e-5, 'grad(vmap)')
    fresh()
    const g2 = vmap((x: tf.Tensor, k: tf.Tensor, wi: tf.Tensor) => grad((y: tf.Tensor) => lossOne(y, k, wi))(x))(thetas, keys, w)
    assertClose(g2, looped, 1e-6, 1e-5, 'vmap(grad)')
  })

  t(`solver calls under vmap: 1 forward, ${c.backwardCalls} backward, for all B * S instances`, () => {
    const before = solvers.kernelCalls.topK
    vmap(layer)(thetas, keys)
    assert.is(solvers.kernelCalls.topK - before, 1, 'forward')
    const mid = solvers.kernelCalls.topK
    grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), w)))(thetas)
    assert.is(solvers.kernelCalls.topK - mid, 1 + c.backwardCalls, 'forward and backward')
  })

  t('deterministic in the key', () => {
    const f = (k: tf.Tensor) => {
      fresh()
      return grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, k), w)))(thetas)
    }
    assertClose(f(keys), f(keys), 0, 0)
  })

  t('no leak over 1000 gradient steps', () => {
    const step = grad((x: tf.Tensor) => ops.sum(ops.mul(vmap(layer)(x, keys), w)))
    step(thetas).dispose()
    assertNoLeak(() => {
      for (let i = 0; i < 1000; i++) step(thetas).dispose()
    }, 0)
  })

  t.run()
}
