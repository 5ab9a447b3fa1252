/**
 * The numeric checks of the browser test, run once per backend in the page and once in Node on
 * the cpu backend (the cross-backend reference). Each check compares against values known
 * independently of the code under test (closed-form derivatives, a hand-solved top-k, a JS
 * top-k of the same noise, a per-example loop, a published Threefry test vector) and can fail;
 * none is "it did not throw".
 *
 * Values are read back with the asynchronous `data()`. Host code (the solvers, `random.split`)
 * runs inside `callAsync`: on webgpu after `init()` (read mode `'async'`) it reads its operands
 * asynchronously and replays the step, so every check runs for real; on cpu and wasm it runs
 * once, synchronously. The page `?mode=webgpu-direct` selects webgpu without `init` (read mode
 * `'sync'`), where host reads of GPU tensors use tfjs-webgpu's synchronous read-back (a WebGPU
 * canvas drawn into a 2D canvas), which headless Chromium's SwiftShader adapter does not
 * support: it returns zeros and destroys the device. Checks whose solver reads a GPU-computed
 * tensor (a matMul, a reduction, the WGSL noise) are flagged `needsGpuReadSync` and run last,
 * so that a lost device cannot spoil the others; the runner excuses them there only. The
 * sampling checks (`sampling.ts`) need no host read at all.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { expectClose, expectShape, fmt, Mismatch, read } from './expect.js'
import { samplingChecks, type Tolerance } from './sampling.js'

/** The public API of `imle`, as bundled (`dist/index.js` or `src/index.ts`). */
export type Lib = typeof import('../../src/index.js')

/** One check: its name, whether it passed, what was compared, and how long it took. */
export interface CheckResult {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
  readonly ms: number
  /** On webgpu, a solver in this check reads a GPU-resident tensor synchronously. */
  readonly needsGpuReadSync: boolean
}

/** The results of every check on one backend, plus values for cross-backend comparison. */
export interface Report {
  readonly backend: string
  /** How host code reads tensor data on this backend (`readMode()`): `'async'` on webgpu after `init`. */
  readonly readMode: 'sync' | 'async'
  readonly checks: readonly CheckResult[]
  /** Values that must be equal on every backend (compared against Node's cpu by the runner). */
  readonly crossBackend: Readonly<Record<string, readonly number[]>>
  /** Values that must equal Node cpu's within a float tolerance on webgpu, exactly elsewhere. */
  readonly crossBackendNear: Readonly<Record<string, { readonly values: readonly number[] } & Tolerance>>
  /** The check that produced each value of `crossBackend` and `crossBackendNear`. */
  readonly crossBackendFrom: Readonly<Record<string, string>>
  /** Observations that do not fail the run (known tfjs backend issues), for the report. */
  readonly diagnostics: Readonly<Record<string, string>>
}


// Closed forms, in float64.
const softmax = (z: readonly number[]): number[] => {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}
/** d/dw logSumExp(w * x) = x * softmax(w * x). */
const dLseDw = (w: readonly number[], x: readonly number[]): number[] => {
  const p = softmax(w.map((wi, i) => wi * x[i]!))
  return x.map((xi, i) => xi * p[i]!)
}

/**
 * Runs every check on the current tfjs backend (select it first with `lib.init`).
 * Never throws: a failure is a `CheckResult` with `ok: false`. `only` keeps the checks whose
 * name contains it (for debugging one check).
 */
export async function runChecks(lib: Lib, options: { readonly only?: string } = {}): Promise<Report> {
  const { grad, valueAndGrad, vmap, ops, imle, noise, target, solvers, random, optim, callAsync } = lib
  const checks: CheckResult[] = []
  const crossBackend: Record<string, number[]> = {}
  const crossBackendNear: Record<string, { readonly values: readonly number[] } & Tolerance> = {}
  const crossBackendFrom: Record<string, string> = {}
  const diagnostics: Record<string, string> = {}
  const check = async (name: string, body: () => Promise<string>, needsGpuReadSync = false): Promise<void> => {
    if (options.only !== undefined && !name.includes(options.only)) return
    const t0 = performance.now()
    let ok = true
    let detail: string
    try {
      detail = await body()
    } catch (e) {
      ok = false
      detail = e instanceof Mismatch ? e.message : `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`
    }
    checks.push({ name, ok, detail, ms: Math.round(performance.now() - t0), needsGpuReadSync })
  }

  await check('gradients registered by init() or the first transformation (tfjs-core registry)', async () => {
    // In webgpu-direct mode init() never ran: making a transformation installs the engine.
    valueAndGrad((x: tf.Tensor) => ops.sum(x))
    const names = ['Tanh', 'Exp', 'Multiply', 'Sum', 'Max', 'Sub', 'Log', 'BroadcastTo', 'Transpose', 'Reshape']
    const missing = names.filter((n) => tf.getGradient(n) === undefined)
    if (missing.length > 0) throw new Mismatch(`no gradient registered for ${missing.join(', ')}`)
    return `${names.length} kernels have gradients`
  })

  // f(x) = sum(tanh(x) * exp(0.3 x)); f'(x) = (1 - tanh^2 x) e^{0.3x} + 0.3 tanh(x) e^{0.3x}.
  const xs = [-1, 0.5, 2]
  await check('valueAndGrad(sum(tanh(x) exp(0.3 x))) vs closed form', async () => {
    const f = (x: tf.Tensor) => ops.sum(ops.mul(ops.tanh(x), ops.exp(ops.mul(x, 0.3)))) // [3] -> []
    const [value, g] = valueAndGrad(f)(tf.tensor1d(xs))
    const want = xs.reduce((s, x) => s + Math.tanh(x) * Math.exp(0.3 * x), 0)
    const dwant = xs.map((x) => (1 - Math.tanh(x) ** 2) * Math.exp(0.3 * x) + 0.3 * Math.tanh(x) * Math.exp(0.3 * x))
    expectShape('grad', g, [3])
    return `${expectClose('f', await read(value), [want])}; ${expectClose('df/dx', await read(g), dwant)}`
  })

  // logSumExp(w * x) per row of X, w shared: d/dw = x * softmax(w * x).
  const w = [0.5, -1, 2, 0.1]
  const X = [
    [1, 2, -0.5, 0.3],
    [-1, 0.2, 0.7, 2],
    [0.4, -0.3, 1.5, -2],
  ]
  const lse = (wt: tf.Tensor, x: tf.Tensor) => ops.logSumExp(ops.mul(wt, x)) // ([4], [4]) -> []
  await check('vmap(x => sum(x * x)) vs row sums of squares', async () => {
    const out = vmap((x: tf.Tensor) => ops.sum(ops.mul(x, x)))(tf.tensor2d(X)) // [3, 4] -> [3]
    expectShape('out', out, [3])
    return expectClose('sum(x^2) by row', await read(out), X.map((r) => r.reduce((s, v) => s + v * v, 0)))
  })
  await check('vmap(grad(logSumExp(w * x)), inAxes [null, 0]) vs closed form; no leak', async () => {
    const before = tf.memory().numTensors
    const wt = tf.tensor1d(w)
    const xt = tf.tensor2d(X)
    const g = vmap(grad(lse), { inAxes: [null, 0] })(wt, xt) // [3, 4]: one gradient per row
    const leaked = tf.memory().numTensors - before - 3 // wt, xt and g are ours
    tf.dispose([wt, xt])
    expectShape('g', g, [3, 4])
    if (leaked !== 0) throw new Mismatch(`vmap(grad) leaked ${leaked} tensors`)
    return expectClose('per-row dw', await read(g), X.flatMap((x) => dLseDw(w, x)))
  })
  await check('grad(w => sum(vmap(x => logSumExp(w * x))(X))) vs closed form', async () => {
    const xt = tf.tensor2d(X)
    const g = grad((wt: tf.Tensor) => ops.sum(vmap((x: tf.Tensor) => lse(wt, x))(xt)))(tf.tensor1d(w)) // [4]
    const want = X.map((x) => dLseDw(w, x)).reduce((a, r) => a.map((v, i) => v + r[i]!))
    expectShape('g', g, [4])
    return expectClose('dw', await read(g), want)
  })

  // Threefry-2x32 (20 rounds) known answer: key (0, 0), counter (0, 0) -> (0x6b200159, 0x99ba4efe)
  // (Random123's kat_vectors); split(key(0))[0] is that block.
  await check('random.split(key(0), 2)[0] = Threefry-2x32 known answer (0x6b200159, 0x99ba4efe)', async () => {
    const keys = await callAsync(() => random.split(random.key(0), 2))() // int32 [2, 2]
    const bits = Array.from(new Uint32Array(Int32Array.from(await keys.data()).buffer))
    crossBackend['random.split(key(0), 2) as uint32'] = bits
    return expectClose('split[0]', bits.slice(0, 2), [0x6b200159, 0x99ba4efe], 0, 0)
  })

  // The samplers under vmap (WGSL programs on webgpu), read back asynchronously.
  await samplingChecks({
    lib,
    check: (name, body) => check(name, body),
    exact: (key, values, from) => {
      crossBackend[key] = [...values]
      crossBackendFrom[key] = from
    },
    near: (key, values, tol, from) => {
      crossBackendNear[key] = { values: [...values], ...tol }
      crossBackendFrom[key] = from
    },
  })

  // tfjs-webgpu 4.22 returns zeros for sum(oneHot(topk(x).indices)) (reported by the project).
  // imle's solvers do not use tf.topk, so this is recorded, not failed.
  try {
    const x = tf.tensor1d([3, 1, 2, 0])
    const got = await read(tf.sum(tf.oneHot(tf.topk(x, 2).indices, 4), 0))
    const ok = got.every((v, i) => v === [1, 0, 1, 0][i])
    diagnostics['tf.sum(tf.oneHot(tf.topk([3, 1, 2, 0], 2).indices, 4), 0)'] = `${fmt(got)}${ok ? ' (correct)' : ' (WRONG, expected [1, 0, 1, 0])'}`
  } catch (e) {
    diagnostics['tf.sum(tf.oneHot(tf.topk(...)))'] = `threw ${e instanceof Error ? e.message : String(e)}`
  }

  // --- Checks that, on webgpu, need a synchronous read-back of a GPU-resident tensor. --------
  // noise.none() builds its zeros from sum(key) (so that they follow the key's vmap batch), a
  // reduction that tfjs-webgpu runs on the GPU: the solver's input theta + 0 * eps is on the GPU.
  const NONE_NEEDS_GPU_READ = true

  await check('topK(2) of a matMul result (a solver input computed on the device) by hand', async () => {
    // [[1, 0], [0, 1], [1, 1], [1, -1]] @ [3, 1] = [3, 1, 4, 2]: top-2 {0, 2}.
    const theta = ops.reshape(ops.matMul(tf.tensor2d([[1, 0], [0, 1], [1, 1], [1, -1]]), tf.tensor2d([[3], [1]])), [4]) // [4]
    return expectClose('z', await read(await callAsync(solvers.topK(2))(theta)), [1, 0, 1, 0], 0, 0)
  }, true)

  // On webgpu the Gumbel noise is drawn by a WGSL program, so topK reads a GPU tensor.
  const GUMBEL_NOISE_ON_GPU = true

  // Gumbel noise under vmap: B = 3 instances, S = 4 samples each, top-2 of 6, L = <W, z>.
  // Reference, in JS: the layer's noise is eps_b = random.gumbel(key_b, [S, n]); then
  // z_bs = top2(theta_b + eps_bs), z'_bs = top2(theta_b - W + eps_bs) (the standard target
  // with beta = 1, dL/dz = W) and dL/dtheta_b = mean_s (z_bs - z'_bs). Also against a loop of
  // per-example calls (vmap's contract). On webgpu the noise comes from WGSL (within ~5e-7 of
  // the CPU's), so Z and G equal the cpu values as long as no perturbed score lies that close to
  // a tie, which holds for these fixed keys.
  const IMLE_GUMBEL = 'vmap(grad(imle(topK(2), gumbel, S = 4))) vs a JS top-2 of the same noise and a per-example loop'
  await check(IMLE_GUMBEL, async () => {
    const [B, S, n] = [3, 4, 6]
    const theta = [
      [0.1, 0.4, -0.2, 0.3, 0.0, -0.1],
      [1.0, -1.0, 0.5, 0.2, 0.8, -0.3],
      [-0.5, 0.3, 0.3, 0.9, -0.7, 0.1],
    ]
    const W = [1, -1, 0.5, 0, -0.5, 2]
    const Theta = tf.tensor2d(theta) // [B, n]
    const Wt = tf.tensor1d(W) // [n]
    const keys = await callAsync(() => random.split(random.key(7), B))() // [B, 2]
    const layer = imle(solvers.topK(2), noise.gumbel(), target.standard({ beta: 1 }), { nbSamples: S })
    const loss = (th: tf.Tensor, key: tf.Tensor) => ops.sum(ops.mul(layer(th, key), Wt)) // ([n], [2]) -> []
    const [Z, G] = await callAsync(() => [vmap(layer)(Theta, keys), vmap(grad(loss))(Theta, keys)] as const)() // [B, S, n], [B, n]
    expectShape('Z', Z, [B, S, n])
    expectShape('G', G, [B, n])
    const z = await read(Z)
    const g = await read(G)

    const top2 = (v: readonly number[]): number[] => {
      const order = v.map((_, i) => i).sort((i, j) => v[j]! - v[i]! || i - j)
      return v.map((_, i) => (i === order[0] || i === order[1] ? 1 : 0))
    }
    const ks = tf.unstack(keys)
    const rows = tf.unstack(Theta)
    const zRef: number[] = []
    const gRef: number[] = []
    const zLoop: number[] = []
    const gLoop: number[] = []
    for (let b = 0; b < B; b++) {
      const eps = await read(random.gumbel(ks[b]!, [S, n])) // [S, n]
      const gb = new Array<number>(n).fill(0)
      for (let s = 0; s < S; s++) {
        const e = eps.slice(s * n, (s + 1) * n)
        const zs = top2(theta[b]!.map((t, i) => t + e[i]!))
        const zp = top2(theta[b]!.map((t, i) => t - W[i]! + e[i]!))
        zRef.push(...zs)
        zs.forEach((v, i) => (gb[i]! += (v - zp[i]!) / S))
      }
      gRef.push(...gb)
      zLoop.push(...(await read(await callAsync(layer)(rows[b]!, ks[b]!))))
      gLoop.push(...(await read(await callAsync(grad(loss))(rows[b]!, ks[b]!))))
    }
    if (g.every((v) => v === 0)) throw new Mismatch('G is all zeros (the target never moved a top-2: the check would be vacuous)')
    crossBackend['imle gumbel Z [3, 4, 6]'] = z
    crossBackend['imle gumbel G [3, 6]'] = g
    crossBackendFrom['imle gumbel Z [3, 4, 6]'] = IMLE_GUMBEL
    crossBackendFrom['imle gumbel G [3, 6]'] = IMLE_GUMBEL
    return [
      expectClose('Z vs JS top-2', z, zRef, 0, 0).replace(/ = \[.*\]/, ' equal (72 values)'),
      expectClose('G vs JS reference', g, gRef, 1e-6, 0),
      expectClose('Z vs loop', z, zLoop, 0, 0).replace(/ = \[.*\]/, ' equal'),
      expectClose('G vs loop', g, gLoop, 1e-6, 0).replace(/ = \[.*\]/, ' equal'),
    ].join('; ')
  }, GUMBEL_NOISE_ON_GPU)

  // 200 asynchronous training steps (reads: 'replay' everywhere, so that webgpu-direct pages read
  // asynchronously too): no tensor may leak, and the steps must move theta.
  await check('200 asynchronous I-MLE steps (valueAndGradAsync, Sum-of-Gamma, vmap over 4): no tensor leaks', async () => {
    const { valueAndGradAsync } = lib
    const [B, n] = [4, 20]
    const layer = vmap(imle(solvers.topK(3), noise.sumOfGamma({ k: 3 }), target.standard({ beta: 2 }), { nbSamples: 2 }))
    const w = tf.tensor2d(Array.from({ length: B * n }, (_, i) => Math.sin(i)), [B, n]) // [B, n]
    const w2 = tf.stack([w, w], 1) // [B, 2, n]
    const base = random.key(11)
    const step = valueAndGradAsync((th: tf.Tensor, i: number) => ops.sum(ops.mul(layer(th, random.split(random.foldIn(base, i), B)), w2)), { reads: 'replay' })
    let theta = tf.zeros([B, n]) // [B, n]
    const first = await step(theta, 0)
    tf.dispose(first)
    const before = tf.memory().numTensors
    let moved = 0
    for (let i = 1; i <= 200; i++) {
      const [value, g] = await step(theta, i)
      const next = tf.tidy(() => tf.sub(theta, tf.mul(g, 0.1)))
      if (i === 200) {
        const size = tf.tidy(() => tf.sum(tf.abs(next)))
        moved = (await read(size))[0]!
        size.dispose()
      }
      tf.dispose([value, g, theta])
      theta = next
    }
    const leaked = tf.memory().numTensors - before
    tf.dispose([w, w2, base, theta])
    if (leaked !== 0) throw new Mismatch(`${leaked} tensors leaked over 200 steps`)
    if (!(moved > 0)) throw new Mismatch('theta did not move (the gradients were zero)')
    return `200 steps, 0 tensors leaked, |theta| ${moved.toFixed(2)}`
  }, GUMBEL_NOISE_ON_GPU)

  // Hand-solved I-MLE step (as test/imle.test.ts): theta = [3, 1, 2, 0], top-2 is {0, 2};
  // L = <w, z> with w = [1, -1, 0, 0]; the target theta' = theta - 2 w = [1, 3, 2, 0] has
  // top-2 {1, 2}, so dL/dtheta = z - z' = [1, -1, 0, 0] for every sample.
  const theta0 = [3, 1, 2, 0]
  const wl = [1, -1, 0, 0]
  await check('imle(topK(2), none) forward and gradient, S = 1 and S = 3, by hand', async () => {
    const parts: string[] = []
    for (const S of [1, 3]) {
      const layer = imle(solvers.topK(2), noise.none(), target.standard({ alpha: 1, beta: 2 }), { nbSamples: S })
      const loss = (th: tf.Tensor) => ops.sum(ops.mul(layer(th, random.key(0)), tf.tensor1d(wl))) // [4] -> []
      const z = await callAsync(layer)(tf.tensor1d(theta0), random.key(0))
      expectShape(`z (S=${S})`, z, S === 1 ? [4] : [S, 4])
      parts.push(expectClose(`z (S=${S})`, await read(z), Array.from({ length: S }, () => [1, 0, 1, 0]).flat(), 0, 0))
      parts.push(expectClose(`dL/dtheta (S=${S})`, await read(await callAsync(grad(loss))(tf.tensor1d(theta0))), [1, -1, 0, 0], 1e-6, 0))
    }
    return parts.join('; ')
  }, NONE_NEEDS_GPU_READ)
  await check('imle training step: adam(lr 1.5) on theta moves the top-2 and lowers L from 1 to -1', async () => {
    const layer = imle(solvers.topK(2), noise.none(), target.standard({ alpha: 1, beta: 2 }))
    const loss = (th: tf.Tensor) => ops.sum(ops.mul(layer(th, random.key(0)), tf.tensor1d(wl))) // [4] -> []
    const opt = optim.adam<tf.Tensor>({ learningRate: 1.5 })
    const theta = tf.tensor1d(theta0)
    const [l0, g] = await callAsync(valueAndGrad(loss))(theta)
    const [updates] = opt.update(g, opt.init(theta))
    // First Adam step: the update is -lr * g / (|g| + eps) = -1.5 sign(g).
    const theta1 = optim.applyUpdates(theta, updates)
    const l1 = await callAsync(loss)(theta1)
    return [
      expectClose('L(theta0)', await read(l0), [1], 0, 0),
      expectClose('theta1', await read(theta1), [1.5, 2.5, 2, 0], 1e-5, 0),
      expectClose('L(theta1)', await read(l1), [-1], 0, 0),
    ].join('; ')
  }, NONE_NEEDS_GPU_READ)

  return { backend: tf.getBackend(), readMode: lib.readMode(), checks, crossBackend, crossBackendNear, crossBackendFrom, diagnostics }
}
