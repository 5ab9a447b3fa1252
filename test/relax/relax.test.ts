/**
 * The k-subset relaxations: their real properties (ranges and sums, checked over many keys),
 * the temperature limits against `solvers.topK` on the same Gumbel draws, `grad` against
 * float64 central differences of a plain-JS forward, `vmap` against the per-instance loop,
 * determinism, memory, and the typed errors.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grad, ops, random, solvers, vmap } from '../../src/index.js'
import { gumbelSoftmaxSubset, softSub, type SubsetRelaxation } from '../../src/relax/index.js'
import { argumentError, assertClose, assertNoLeak, assertSameBits, configError, onCpuAndWasm, setup } from '../support/helpers.js'

const t = suite('relax')
t.before(setup)

type Factory = (k: number, tau: number, options?: { nbSamples?: number }) => SubsetRelaxation
const FACTORIES: readonly (readonly [string, Factory])[] = [
  ['gumbelSoftmaxSubset', gumbelSoftmaxSubset],
  ['softSub', softSub],
]

/** The noise shape each relaxation draws, as documented: `[S, k, n]` and `[S, n]`. */
const noiseShape = (name: string, S: number, k: number, n: number): number[] => (name === 'softSub' ? [S, n] : [S, k, n])

const THETA = [0.3, -1.2, 0.8, 0.1, -0.4, 1.5] // n = 6
const W = [0.7, -0.3, 1.1, -0.9, 0.4, 0.2] // loss weights

// ---- float64 forwards in plain JS, for a fixed draw `g` (row-major) ----

/** softmax(x / tau) in float64. */
function softmax64(x: readonly number[], tau: number): number[] {
  const m = Math.max(...x.map((v) => v / tau))
  const e = x.map((v) => Math.exp(v / tau - m))
  const z = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / z)
}

/** gumbelSoftmaxSubset on theta [n] and g [S, k, n]: [S * n]. */
function l2x64(theta: readonly number[], g: ArrayLike<number>, S: number, k: number, tau: number): number[] {
  const n = theta.length
  const out: number[] = []
  for (let s = 0; s < S; s++) {
    const best = new Array<number>(n).fill(-Infinity)
    for (let j = 0; j < k; j++) {
      const c = softmax64(theta.map((v, i) => v + g[(s * k + j) * n + i]!), tau)
      for (let i = 0; i < n; i++) best[i] = Math.max(best[i]!, c[i]!)
    }
    out.push(...best)
  }
  return out
}

/** softSub on theta [n] and g [S, n]: [S * n], the clamp as in the implementation. */
function softSub64(theta: readonly number[], g: ArrayLike<number>, S: number, k: number, tau: number): number[] {
  const n = theta.length
  const out: number[] = []
  for (let s = 0; s < S; s++) {
    let keys = theta.map((v, i) => v + g[s * n + i]!)
    let a = softmax64(keys, tau)
    const total = [...a]
    for (let j = 1; j < k; j++) {
      keys = keys.map((v, i) => v + Math.log(Math.max(1 - a[i]!, 2 ** -126)))
      a = softmax64(keys, tau)
      for (let i = 0; i < n; i++) total[i]! += a[i]!
    }
    out.push(...total)
  }
  return out
}

const FORWARD64: Readonly<Record<string, typeof l2x64>> = { gumbelSoftmaxSubset: l2x64, softSub: softSub64 }

/** The test loss `sum(w * out^2)` (over the samples too), as a tensor and in float64. */
const lossOf = (f: SubsetRelaxation, w: tf.Tensor) => (theta: tf.Tensor, key: tf.Tensor) => ops.sum(ops.mul(w, ops.square(f(theta, key)))) // []
const loss64 = (out: readonly number[], w: readonly number[]) => out.reduce((acc, v, i) => acc + w[i % w.length]! * v * v, 0)

// ---- properties ----

t('gumbelSoftmaxSubset: entries in [0, 1], the sum in [1, k] (a max of k distributions), over 200 keys', () => {
  const theta = tf.tensor1d(THETA)
  const keys = random.split(random.key(11), 200)
  for (const k of [1, 2, 4, 6]) {
    for (const tau of [0.05, 0.3, 1, 5]) {
      const out = vmap(gumbelSoftmaxSubset(k, tau), { inAxes: [null, 0] })(theta, keys) // [200, 6]
      const d = out.dataSync()
      for (const v of d) assert.ok(v >= 0 && v <= 1, `k=${k} tau=${tau}: entry ${v} outside [0, 1]`)
      const sums = tf.sum(out, 1).dataSync()
      for (const s of sums) assert.ok(s >= 1 - 1e-5 && s <= k + 1e-5, `k=${k} tau=${tau}: sum ${s} outside [1, ${k}]`)
      if (k === 1) assertClose(tf.sum(out, 1), tf.onesLike(tf.sum(out, 1)), 1e-5, 0, 'k = 1 is one Gumbel-softmax sample')
    }
  }
})

t('softSub: entries >= 0 and each row sums to k (each round is a softmax), over 200 keys', () => {
  const theta = tf.tensor1d(THETA)
  const keys = random.split(random.key(12), 200)
  for (const k of [1, 2, 4, 6]) {
    for (const tau of [0.05, 0.3, 1, 5]) {
      const out = vmap(softSub(k, tau), { inAxes: [null, 0] })(theta, keys) // [200, 6]
      for (const v of out.dataSync()) assert.ok(v >= 0 && v <= k, `k=${k} tau=${tau}: entry ${v} outside [0, k]`)
      const sums = tf.sum(out, 1)
      assertClose(sums, tf.fill([200], k), 1e-5 * k, 0, `k=${k} tau=${tau}: sums`)
    }
  }
})

t('softSub: entries are not bounded by 1 away from tau -> 0 (n = k = 2, tau = 1: [1/2 + p, 3/2 - p])', () => {
  // a_1 = [p, 1 - p]; keys_2 = keys + log(1 - a_1) makes both logits log(e^x0 e^x1 / Z): a_2 = [1/2, 1/2].
  const theta = tf.tensor1d([2, -1])
  const key = random.key(13)
  const x = tf.add(theta, random.gumbel(key, [1, 2])).dataSync()
  const p = 1 / (1 + Math.exp(x[1]! - x[0]!))
  const out = softSub(2, 1)(theta, key)
  assertClose(out, tf.tensor1d([0.5 + p, 1.5 - p]), 1e-5, 0) // float32: 1 - a_1 cancels
  assert.ok(Math.max(...out.dataSync()) > 1, 'an entry exceeds 1 here')
})

// ---- temperature limits ----

/** The smallest gap between consecutive sorted values among the top `m` of `row`. */
const minTopGap = (row: ArrayLike<number>, m: number): number => {
  const s = Array.from(row).sort((a, b) => b - a)
  return Math.min(...s.slice(0, m - 1).map((v, i) => v - s[i + 1]!))
}

/**
 * The first key from `seed` on whose draws `theta + g` (rows of `n`) has, in every row, gaps
 * above `minGap` among its top `m`: where the small-`tau` limit is reached in float32. The
 * perturbed values are returned as the implementation computes them (`ops.add` in float32).
 */
function keyWithGaps(seed: number, theta: tf.Tensor, shape: number[], m: number, minGap: number): [tf.Tensor, tf.Tensor] {
  const n = theta.shape[0]!
  for (let s = seed; s < seed + 50; s++) {
    const key = random.key(s)
    const perturbed = tf.add(theta, random.gumbel(key, shape)) // [...shape]
    const d = perturbed.dataSync()
    let ok = true
    for (let r = 0; r < d.length / n && ok; r++) ok = minTopGap(d.subarray(r * n, (r + 1) * n), m) > minGap
    if (ok) return [key, perturbed]
  }
  throw new Error(`no key in [${seed}, ${seed + 50}) gives gaps > ${minGap}`)
}

t('tau -> 0: softSub is the k-hot top-k of theta + the same Gumbel draws', () => {
  const tau = 1e-3
  const n = THETA.length
  const theta = tf.tensor1d(THETA)
  for (const k of [1, 2, 3, 5]) {
    for (const S of [1, 4]) {
      // perturbed [S, n]: exactly the implementation's keys, with gaps > 20 tau in the top k + 1.
      const [key, perturbed] = keyWithGaps(100 * k + 10 * S, theta, [S, n], Math.min(k + 1, n), 20 * tau)
      const expected = solvers.topK(k).batched(perturbed) // [S, n]
      assertClose(softSub(k, tau, { nbSamples: S })(theta, key), expected, 1e-6, 0, `k=${k} S=${S}`)
    }
  }
})

t('tau -> 0, softSub\'s clamp: a selected entry stays out while the top keys span < 87.3, and can win again beyond', () => {
  const tau = 1e-3
  const key = random.key(21)
  // Spread ~60 between the largest and the 3rd largest key: log(2^-126) ~ -87.3 removes each pick.
  const near = tf.tensor1d([60, 30, 0, -30])
  const [nearKey, nearKeys] = keyWithGaps(21, near, [1, 4], 4, 20 * tau) // nearKeys [1, 4]
  const span = nearKeys.dataSync()
  assert.ok(span[0]! - span[2]! < 87.3, 'the largest and the 3rd largest keys are within the span')
  assertClose(softSub(3, tau)(near, nearKey), tf.squeeze(solvers.topK(3).batched(nearKeys), [0]), 1e-6, 0, 'within the span')
  // Spread ~100 > 87.3: after round 1 the largest key is still the largest, so it is picked twice.
  const far = tf.tensor1d([100, 0, -5, -10])
  const x = tf.add(far, random.gumbel(key, [1, 4])).dataSync()
  assert.ok(x[0]! - 87.34 > Math.max(x[1]!, x[2]!, x[3]!) + 20 * tau, 'the draw makes the removed entry win round 2')
  assertClose(softSub(2, tau)(far, key), tf.tensor1d([2, 0, 0, 0]), 1e-6, 0, 'beyond the span')
})

t('tau -> 0: gumbelSoftmaxSubset is the union of k Gumbel-max draws (with replacement), not a k-hot top-k', () => {
  const tau = 1e-3
  const n = THETA.length
  const theta = tf.tensor1d(THETA)
  let fewer = 0
  for (const k of [1, 2, 3, 5]) {
    for (const S of [1, 4]) {
      // perturbed [S, k, n]: one perturbation per draw, with a gap > 20 tau below each maximum.
      const [key, perturbed] = keyWithGaps(1000 + 100 * k + 10 * S, theta, [S, k, n], 2, 20 * tau)
      const draws = tf.reshape(solvers.topK(1).batched(tf.reshape(perturbed, [S * k, n])), [S, k, n]) // [S, k, n] one-hot
      const expected = tf.max(draws, 1) // [S, n]
      assertClose(gumbelSoftmaxSubset(k, tau, { nbSamples: S })(theta, key), expected, 1e-6, 0, `k=${k} S=${S}`)
      for (const s of tf.sum(expected, 1).dataSync()) if (s < k) fewer++
    }
  }
  assert.ok(fewer > 0, 'some union has fewer than k ones (draws with replacement), so the limit is not the top-k')
})

t('tau -> infinity: softSub tends to k / n, gumbelSoftmaxSubset to 1 / n', () => {
  const n = THETA.length
  const theta = tf.tensor1d(THETA)
  const key = random.key(14)
  for (const k of [1, 3]) {
    assertClose(softSub(k, 1e6)(theta, key), tf.fill([n], k / n), 1e-4, 0, `softSub k=${k}`)
    assertClose(gumbelSoftmaxSubset(k, 1e6)(theta, key), tf.fill([n], 1 / n), 1e-4, 0, `gumbelSoftmaxSubset k=${k}`)
  }
})

// ---- gradients ----

for (const [name, make] of FACTORIES) {
  t(`${name}: grad equals float64 central differences (tau = 1, n = 6)`, () => {
    const n = THETA.length
    const theta = tf.tensor1d(THETA)
    const w = tf.tensor1d(W)
    for (const k of [1, 2, 4]) {
      for (const S of [undefined, 3]) {
        const key = random.key(300 + k)
        const f = make(k, 1, S === undefined ? {} : { nbSamples: S })
        const g = random.gumbel(key, noiseShape(name, S ?? 1, k, n)).dataSync() // the draws, as the implementation makes them
        const forward64 = (th: readonly number[]) => loss64(FORWARD64[name]!(th, g, S ?? 1, k, 1), W)
        // The plain-JS forward is the implementation's (float32 vs float64 only).
        assertClose(f(theta, key), tf.tensor(FORWARD64[name]!(THETA, g, S ?? 1, k, 1), S === undefined ? [n] : [S, n]), 1e-6, 1e-5, `forward k=${k}`)
        const h = 1e-5
        const fd = THETA.map((_, i) => {
          const up = THETA.map((v, j) => (j === i ? v + h : v))
          const down = THETA.map((v, j) => (j === i ? v - h : v))
          return (forward64(up) - forward64(down)) / (2 * h)
        })
        const dtheta = grad(lossOf(f, w))(theta, key)
        assertClose(dtheta, tf.tensor1d(fd), 2e-5, 1e-4, `k=${k} S=${S}`)
        assert.ok(Math.max(...fd.map(Math.abs)) > 1e-3, 'the gradient is not trivially zero')
      }
    }
  })
}

// ---- vmap ----

for (const [name, make] of FACTORIES) {
  t(`${name}: vmap over thetas and keys equals the per-instance loop (forward and gradient)`, () => {
    const B = 5
    const n = THETA.length
    const thetas = tf.mul(random.normal(random.key(15), [B, n]), 1.5) // [B, n]
    const keys = random.split(random.key(16), B) // [B, 2]
    const w = tf.tensor1d(W)
    const rows = (x: tf.Tensor) => tf.unstack(x)
    for (const S of [undefined, 3]) {
      const f = make(3, 0.5, S === undefined ? {} : { nbSamples: S })
      const loopOut = tf.stack(rows(thetas).map((th, b) => f(th, rows(keys)[b]!)))
      assertClose(vmap(f)(thetas, keys), loopOut, 1e-6, 1e-6, `forward S=${S}`)
      // Shared theta, batched keys.
      const shared = tf.stack(rows(keys).map((kb) => f(rows(thetas)[0]!, kb)))
      assertClose(vmap(f, { inAxes: [null, 0] })(rows(thetas)[0]!, keys), shared, 1e-6, 1e-6, `shared theta S=${S}`)
      // Per-example gradients and the gradient of the summed loss.
      const loss = lossOf(f, w)
      const loopGrad = tf.stack(rows(thetas).map((th, b) => grad(loss)(th, rows(keys)[b]!)))
      assertClose(vmap(grad(loss))(thetas, keys), loopGrad, 1e-6, 1e-5, `vmap(grad) S=${S}`)
      assertClose(grad((ths: tf.Tensor) => ops.sum(vmap(loss)(ths, keys)))(thetas), loopGrad, 1e-6, 1e-5, `grad(vmap) S=${S}`)
    }
  })

  t(`${name}: nested vmap equals the double loop`, () => {
    const n = THETA.length
    const thetas = random.normal(random.key(17), [2, 3, n]) // [2, 3, n]
    const keys = tf.reshape(random.split(random.key(18), 6), [2, 3, 2]) // [2, 3, 2]
    const f = make(2, 0.7)
    const expected = tf.stack(tf.unstack(thetas).map((tb, i) => tf.stack(tf.unstack(tb).map((th, j) => f(th, tf.unstack(tf.unstack(keys)[i]!)[j]!)))))
    assertClose(vmap(vmap(f))(thetas, keys), expected, 1e-6, 1e-6)
  })
}

// ---- determinism, presentation, memory ----

for (const [name, make] of FACTORIES) {
  t(`${name}: deterministic in the key; [n] is sample 0 of { nbSamples: 1 }; close across backends`, async () => {
    const theta = tf.tensor1d(THETA)
    const f = make(2, 0.5)
    assertSameBits(f(theta, random.key(5)), f(theta, random.key(5)), 'same key')
    const a = f(theta, random.key(5)).dataSync()
    const b = f(theta, random.key(6)).dataSync()
    assert.ok(a.some((v, i) => v !== b[i]), 'another key gives another sample')
    assertSameBits(f(theta, random.key(5)), tf.squeeze(make(2, 0.5, { nbSamples: 1 })(theta, random.key(5)), [0]), 'S = 1')
    const many = make(2, 0.5, { nbSamples: 4 })(theta, random.key(5))
    assert.equal(many.shape, [4, THETA.length])
    const rowsDiffer = tf.unstack(many).map((r) => r.dataSync())
    assert.ok(rowsDiffer[0]!.some((v, i) => v !== rowsDiffer[1]![i]), 'the S samples are independent draws')
    const [onCpu, onWasm] = await onCpuAndWasm(() => f(tf.tensor1d(THETA), random.key(5)))
    assertClose(onCpu, onWasm, 1e-6, 1e-5, 'cpu vs wasm')
  })

  t(`${name}: no tensor leaks (call, nbSamples, vmap, grad, vmap of grad)`, () => {
    const theta = tf.tensor1d(THETA)
    const thetas = tf.stack([theta, theta, theta])
    const key = random.key(7)
    const keys = random.split(key, 3)
    const w = tf.tensor1d(W)
    const f = make(3, 0.5)
    const fS = make(3, 0.5, { nbSamples: 2 })
    assertNoLeak(() => f(theta, key), 1, 'call')
    assertNoLeak(() => fS(theta, key), 1, 'nbSamples')
    assertNoLeak(() => vmap(f)(thetas, keys), 1, 'vmap')
    assertNoLeak(() => grad(lossOf(fS, w))(theta, key), 1, 'grad')
    assertNoLeak(() => vmap(grad(lossOf(f, w)))(thetas, keys), 1, 'vmap(grad)')
  })
}

// ---- errors ----

for (const [name, make] of FACTORIES) {
  t(`${name}: typed errors for bad k, tau, theta and options`, () => {
    const fn = `relax\\.${name}`
    for (const k of [0, -1, 1.5, NaN]) {
      assert.throws(() => make(k, 1), argumentError(new RegExp(`^${fn}\\(k\\): k must be an integer >= 1 but got ${k}$`)), `k=${k}`)
    }
    for (const tau of [0, -1, NaN, Infinity]) {
      assert.throws(() => make(2, tau), argumentError(new RegExp(`^${fn}\\(tau\\): tau must be a finite number > 0 but got ${tau}$`)), `tau=${tau}`)
    }
    const key = random.key(0)
    assert.throws(
      () => make(11, 1)(tf.zeros([10]), key),
      (e: unknown) => argumentError()(e) && (e as Error).message === `relax.${name}(k): k must be an integer in [1, 10] (the last dimension) but got 11`,
    )
    // Under vmap, k is checked against the per-example last axis.
    assert.throws(() => vmap(make(5, 1))(tf.zeros([3, 4]), random.split(key, 3)), argumentError(/k must be an integer in \[1, 4\] \(the last dimension\) but got 5/))
    assert.throws(() => make(2, 1)(tf.zeros([2, 3]), key), argumentError(new RegExp(`^${fn}\\(theta\\): theta must be of rank 1`), /\[2, 3\]/))
    assert.throws(() => make(2, 1)(tf.zeros([3], 'int32'), key), argumentError(/theta must be float32 but got int32/))
    assert.throws(
      () => make(2, 1, { nbSamples: 0 }),
      (e: unknown) => configError()(e) && (e as Error).message === `relax.${name}(options.nbSamples): expected PositiveInt but got 0`,
    )
    assert.throws(() => make(2, 1, { nbSample: 3 } as never), configError(/unknown option 'nbSample'; the options are 'nbSamples'/))
  })
}

t.run()
