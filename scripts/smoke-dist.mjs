// Smoke test of the BUILT package under plain Node ESM (no tsx, no loader): run `npm run build`
// first, then `node scripts/smoke-dist.mjs`. It imports `../dist/index.js` (and `imle`, which
// the package's `exports` must map to the same file), calls `init()`, and checks grad, vmap,
// vmap(grad), grad(vmap) and imle training steps against values known independently of the
// code: closed-form derivatives, a top-k solved by hand, Adam's first step, a per-example loop,
// Random123's Threefry-2x32 known answer. It runs the checks on the backend `init()` picks
// (wasm in Node) and again on cpu, and requires the Gumbel I-MLE results to be equal on both.
// Exits 1 on the first failed check.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'

const t0 = performance.now()
const dist = new URL('../dist/index.js', import.meta.url)
if (!existsSync(fileURLToPath(dist))) {
  console.error('smoke-dist: dist/index.js not found; run `npm run build` first')
  process.exit(1)
}
const loaders = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].filter((a) => /tsx|--(import|loader|require)|^-r$/.test(a))
assert.deepEqual(loaders, [], `smoke-dist must run under plain node, without loaders; got ${loaders.join(' ')}`)

const lib = await import(dist.href)
const byName = await import('imle')
assert.equal(byName, lib, "package.json 'exports' must map 'imle' to dist/index.js")
const { init, grad, valueAndGrad, vmap, ops, imle, noise, target, solvers, random, optim, BackendError } = lib

const fmt = (xs) => `[${xs.map((x) => (Number.isInteger(x) ? x : Number(x.toPrecision(6)))).join(', ')}]`
const compared = []

/** Asserts `got` equals `want` elementwise within `atol + rtol * |want|`; logs the comparison. */
function close(what, got, want, atol = 1e-5, rtol = 1e-4) {
  const g = Array.from(got, Number)
  assert.equal(g.length, want.length, `${what}: length ${g.length}, expected ${want.length}`)
  let maxErr = 0
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(g[i] - want[i])
    assert.ok(d <= atol + rtol * Math.abs(want[i]), `${what}: index ${i}: got ${g[i]}, expected ${want[i]} (got [${g}], expected [${want}])`)
    maxErr = Math.max(maxErr, d)
  }
  compared.push(`${what} = ${g.length > 24 ? `(${g.length} values)` : fmt(g)}, max |err| ${maxErr.toExponential(1)}`)
}
const shape = (what, t, s) => assert.deepEqual(t.shape, s, `${what}: shape [${t.shape}], expected [${s}]`)

const softmax = (z) => {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}
const dLseDw = (w, x) => softmax(w.map((wi, i) => wi * x[i])).map((p, i) => x[i] * p) // d/dw logSumExp(w * x)

const checked = []
function check(name, body) {
  const t = performance.now()
  compared.length = 0
  try {
    body()
  } catch (e) {
    console.log(checked.join('\n'))
    console.error(`FAIL ${name}\n  ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  }
  checked.push(`ok  ${name} (${(performance.now() - t).toFixed(0)} ms)${compared.map((c) => `\n      ${c}`).join('')}`)
}

/** Runs every check on the current backend; returns the Gumbel I-MLE values for comparison. */
function runChecks(backend) {
  check(`[${backend}] valueAndGrad(sum(tanh(x) exp(0.3 x))) vs closed form`, () => {
    const xs = [-1, 0.5, 2]
    const [value, g] = valueAndGrad((x) => ops.sum(ops.mul(ops.tanh(x), ops.exp(ops.mul(x, 0.3)))))(tf.tensor1d(xs))
    close('f', value.dataSync(), [xs.reduce((s, x) => s + Math.tanh(x) * Math.exp(0.3 * x), 0)])
    close('df/dx', g.dataSync(), xs.map((x) => (1 - Math.tanh(x) ** 2 + 0.3 * Math.tanh(x)) * Math.exp(0.3 * x)))
  })

  const w = [0.5, -1, 2, 0.1]
  const X = [
    [1, 2, -0.5, 0.3],
    [-1, 0.2, 0.7, 2],
    [0.4, -0.3, 1.5, -2],
  ]
  const lse = (wt, x) => ops.logSumExp(ops.mul(wt, x)) // ([4], [4]) -> []
  check(`[${backend}] vmap(x => sum(x * x)) vs row sums of squares`, () => {
    const out = vmap((x) => ops.sum(ops.mul(x, x)))(tf.tensor2d(X)) // [3]
    shape('out', out, [3])
    close('sum(x^2)', out.dataSync(), X.map((r) => r.reduce((s, v) => s + v * v, 0)))
  })
  check(`[${backend}] vmap(grad(logSumExp(w * x)), inAxes [null, 0]) vs closed form; no leak`, () => {
    const wt = tf.tensor1d(w)
    const xt = tf.tensor2d(X)
    const before = tf.memory().numTensors
    const g = vmap(grad(lse), { inAxes: [null, 0] })(wt, xt) // [3, 4]
    assert.equal(tf.memory().numTensors - before, 1, 'vmap(grad) must leave only its output')
    shape('g', g, [3, 4])
    close('per-row dw', g.dataSync(), X.flatMap((x) => dLseDw(w, x)))
  })
  check(`[${backend}] grad(w => sum(vmap(x => logSumExp(w * x))(X))) vs closed form`, () => {
    const xt = tf.tensor2d(X)
    const g = grad((wt) => ops.sum(vmap((x) => lse(wt, x))(xt)))(tf.tensor1d(w)) // [4]
    close('dw', g.dataSync(), X.map((x) => dLseDw(w, x)).reduce((a, r) => a.map((v, i) => v + r[i])))
  })

  // theta = [3, 1, 2, 0]: top-2 {0, 2}; L = <w, z>, w = [1, -1, 0, 0]; the target
  // theta - 2w = [1, 3, 2, 0] has top-2 {1, 2}: dL/dtheta = [1, -1, 0, 0] for every sample.
  const theta0 = [3, 1, 2, 0]
  const wl = tf.tensor1d([1, -1, 0, 0])
  check(`[${backend}] imle(topK(2), none) forward and gradient by hand, S = 1 and S = 3`, () => {
    for (const S of [1, 3]) {
      const layer = imle(solvers.topK(2), noise.none(), target.standard({ alpha: 1, beta: 2 }), { nbSamples: S })
      const z = layer(tf.tensor1d(theta0), random.key(0))
      shape(`z (S=${S})`, z, S === 1 ? [4] : [S, 4])
      close(`z (S=${S})`, z.dataSync(), Array.from({ length: S }, () => [1, 0, 1, 0]).flat(), 0, 0)
      const g = grad((th) => ops.sum(ops.mul(layer(th, random.key(0)), wl)))(tf.tensor1d(theta0))
      close(`dL/dtheta (S=${S})`, g.dataSync(), [1, -1, 0, 0], 1e-6, 0)
    }
  })
  check(`[${backend}] imle training step: adam(lr 1.5) moves the top-2, L goes from 1 to -1`, () => {
    const layer = imle(solvers.topK(2), noise.none(), target.standard({ alpha: 1, beta: 2 }))
    const loss = (th) => ops.sum(ops.mul(layer(th, random.key(0)), wl))
    const opt = optim.adam({ learningRate: 1.5 })
    const theta = tf.tensor1d(theta0)
    const [l0, g] = valueAndGrad(loss)(theta)
    const [updates] = opt.update(g, opt.init(theta)) // first step: -lr * g / (|g| + eps)
    const theta1 = optim.applyUpdates(theta, updates)
    close('L(theta0)', l0.dataSync(), [1], 0, 0)
    close('theta1', theta1.dataSync(), [1.5, 2.5, 2, 0])
    close('L(theta1)', loss(theta1).dataSync(), [-1], 0, 0)
  })

  check(`[${backend}] random.split(key(0))[0] = Threefry-2x32 known answer (0x6b200159, 0x99ba4efe)`, () => {
    const bits = new Uint32Array(Int32Array.from(random.split(random.key(0), 2).dataSync()).buffer)
    close('split[0]', bits.slice(0, 2), [0x6b200159, 0x99ba4efe], 0, 0)
  })

  // Reference, in JS: the layer's noise is eps_b = random.gumbel(key_b, [S, n]);
  // z_bs = top2(theta_b + eps_bs), z'_bs = top2(theta_b - W + eps_bs) (standard target, beta 1,
  // dL/dz = W), dL/dtheta_b = mean_s (z_bs - z'_bs). Also against a per-example loop.
  let gumbel
  check(`[${backend}] vmap(grad(imle(topK(2), gumbel, S = 4))) vs a JS top-2 of the same noise and a per-example loop`, () => {
    const [B, S, n] = [3, 4, 6]
    const theta = [
      [0.1, 0.4, -0.2, 0.3, 0.0, -0.1],
      [1.0, -1.0, 0.5, 0.2, 0.8, -0.3],
      [-0.5, 0.3, 0.3, 0.9, -0.7, 0.1],
    ]
    const W = [1, -1, 0.5, 0, -0.5, 2]
    const Theta = tf.tensor2d(theta)
    const Wt = tf.tensor1d(W)
    const keys = random.split(random.key(7), B)
    const layer = imle(solvers.topK(2), noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: S })
    const loss = (th, key) => ops.sum(ops.mul(layer(th, key), Wt))
    const Z = vmap(layer)(Theta, keys) // [B, S, n]
    const G = vmap(grad(loss))(Theta, keys) // [B, n]
    shape('Z', Z, [B, S, n])
    shape('G', G, [B, n])
    const z = Array.from(Z.dataSync())
    const g = Array.from(G.dataSync())
    const top2 = (v) => {
      const order = v.map((_, i) => i).sort((i, j) => v[j] - v[i] || i - j)
      return v.map((_, i) => (i === order[0] || i === order[1] ? 1 : 0))
    }
    const ks = tf.unstack(keys)
    const zRef = []
    const gRef = []
    for (let b = 0; b < B; b++) {
      const eps = random.gumbel(ks[b], [S, n]).dataSync()
      const gb = new Array(n).fill(0)
      for (let s = 0; s < S; s++) {
        const e = eps.slice(s * n, (s + 1) * n)
        const zs = top2(theta[b].map((t, i) => t + e[i]))
        const zp = top2(theta[b].map((t, i) => t - W[i] + e[i]))
        zRef.push(...zs)
        zs.forEach((v, i) => (gb[i] += (v - zp[i]) / S))
      }
      gRef.push(...gb)
    }
    assert.ok(g.some((v) => v !== 0), 'G is all zeros: the check would be vacuous')
    close('Z vs JS top-2', z, zRef, 0, 0)
    close('G vs JS reference', g, gRef, 1e-6, 0)
    const rows = tf.unstack(Theta)
    close('Z vs loop', z, rows.flatMap((r, b) => Array.from(layer(r, ks[b]).dataSync())), 0, 0)
    close('G vs loop', g, rows.flatMap((r, b) => Array.from(grad(loss)(r, ks[b]).dataSync())), 1e-6, 0)
    gumbel = { z, g }
  })
  return gumbel
}

const auto = await init()
assert.equal(auto, 'wasm', `init() in Node must pick wasm, got ${auto}`)
assert.equal(tf.getBackend(), 'wasm')
const onWasm = runChecks('wasm')
assert.equal(await init({ backend: 'cpu' }), 'cpu')
const onCpu = runChecks('cpu')
check('Gumbel I-MLE samples and gradients equal on wasm and cpu', () => {
  close('Z wasm vs cpu', onWasm.z, onCpu.z, 0, 0)
  close('G wasm vs cpu', onWasm.g, onCpu.g, 0, 0)
})
await assert.rejects(init({ backend: 'webgpu' }), (e) => e instanceof BackendError && e._tag === 'BackendError')
checked.push("ok  init({ backend: 'webgpu' }) in Node rejects with a BackendError")

console.log(checked.join('\n'))
console.log(`smoke-dist: ${checked.length} checks passed in ${((performance.now() - t0) / 1000).toFixed(1)} s (node ${process.version}, plain ESM)`)
