/**
 * The sampling checks of the browser test, run on every backend (and in Node on cpu, the
 * reference): the keyed samplers under `vmap` over keys, which on webgpu are WGSL programs
 * (`src/core/random/webgpu/`). Each check states a property that holds on every backend (the
 * range of the values, a Kolmogorov-Smirnov test against the law at level 0.001, one sampler
 * call per `vmap`, no leak) and hands its values to the runner, which compares them with Node's
 * cpu values: exactly for the uniforms in `[0, 1)` (the same Threefry words), and within the
 * stated float32 tolerance for the rest on webgpu (exactly on cpu and wasm, where the same
 * TypedArray code runs).
 *
 * Every value is read back with the asynchronous `data()`, and no sampler reads on the host on
 * webgpu, so these checks need no asynchronous step (`callAsync`) there.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { sumOfGammaCdf, sumOfGammaLaw } from '../../src/distributions/sum_of_gamma/index.js'
import { Mismatch, read } from './expect.js'

/** The public API of `imle`, as bundled. */
type Lib = typeof import('../../src/index.js')

/** A float tolerance: `|got - want| <= atol + rtol |want|`. */
export interface Tolerance {
  readonly atol: number
  readonly rtol: number
}

/** What the sampling checks need from `runChecks`. */
export interface SamplingContext {
  readonly lib: Lib
  /** Runs and records one check (see `runChecks`). */
  readonly check: (name: string, body: () => Promise<string>) => Promise<void>
  /** Records values that must equal Node cpu's exactly, produced by check `from`. */
  readonly exact: (key: string, values: readonly number[], from: string) => void
  /** Records values that must equal Node cpu's within `tol` on webgpu (exactly elsewhere). */
  readonly near: (key: string, values: readonly number[], tol: Tolerance, from: string) => void
}

/** The 0.999 quantile of the Kolmogorov distribution: `sqrt(n) D_n` exceeds it with probability 0.001. */
const KS_999 = 1.9495

/** The Kolmogorov-Smirnov statistic `D_n` of `xs` against the CDF `cdf`. */
function ksStatistic(xs: readonly number[], cdf: (x: number) => number): number {
  const sorted = Float64Array.from(xs).sort()
  const n = sorted.length
  let d = 0
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!)
    d = Math.max(d, f - i / n, (i + 1) / n - f)
  }
  return d
}

/** Throws unless `xs` passes the KS test against `cdf` at level 0.001; returns a summary. */
function expectKS(what: string, xs: readonly number[], cdf: (x: number) => number): string {
  const d = ksStatistic(xs, cdf)
  const crit = KS_999 / Math.sqrt(xs.length)
  if (!(d < crit)) throw new Mismatch(`${what}: KS D = ${d.toFixed(5)} >= ${crit.toFixed(5)} (level 0.001, n = ${xs.length})`)
  return `${what}: KS D = ${d.toFixed(5)} < ${crit.toFixed(5)} (n = ${xs.length})`
}

/** Throws unless every value lies in `[lo, hi]`. */
function expectRange(what: string, xs: readonly number[], lo: number, hi: number): void {
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i]! >= lo && xs[i]! <= hi)) throw new Mismatch(`${what}: value ${i} is ${xs[i]}, outside [${lo}, ${hi}]`)
  }
}

/** `erfc(x)` to a relative error below `1.2e-7` (Numerical Recipes' `erfcc`). */
function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  const r = t * Math.exp(p)
  return x >= 0 ? r : 2 - r
}
const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2)
const gumbelCdf = (x: number): number => Math.exp(-Math.exp(-x))

// Float32 tolerances of the WGSL transforms against the CPU's float64-then-rounded values
// (`src/core/random/webgpu/`): a few ulps of each step. Normal: r = sqrt(-2 log u) with u
// rounded to float32 (2^-24 relative, at most ~3 ulps of log u for u < 0.71; exact 1 - u above)
// and sin/cos by polynomials (~1e-7 absolute): 2e-6 absolute and relative (16 ulps). Gumbel:
// two logarithms of about one ulp each and an exact u: 1e-6 (8 ulps). Sum-of-Gamma: float32
// table coefficients and a float32 cell coordinate (t within ~3e-6 in the tails): 1e-5.
// Scaled uniforms: lo + u (hi - lo) rounded once in float32 against once in float64: 2e-6 for
// values in [-3, 5) (4 ulps of 4).
const TOL_NORMAL: Tolerance = { atol: 2e-6, rtol: 2e-6 }
const TOL_GUMBEL: Tolerance = { atol: 1e-6, rtol: 1e-6 }
const TOL_SOG: Tolerance = { atol: 1e-5, rtol: 1e-5 }
const TOL_SCALED: Tolerance = { atol: 2e-6, rtol: 0 }

/**
 * While `body` runs, the names (shader keys) of the programs the active webgpu backend runs,
 * by wrapping its `runWebGPUProgram`; `undefined` on other backends.
 */
async function programsRun(body: () => Promise<void>): Promise<string[] | undefined> {
  const b = tf.backend() as unknown as { runWebGPUProgram?: (program: { shaderKey: string }, ...rest: unknown[]) => unknown }
  const original = b.runWebGPUProgram
  if (tf.getBackend() !== 'webgpu' || typeof original !== 'function') {
    await body()
    return undefined
  }
  const names: string[] = []
  b.runWebGPUProgram = function (this: unknown, program, ...rest) {
    names.push(program.shaderKey)
    return original.call(this, program, ...rest)
  }
  try {
    await body()
  } finally {
    b.runWebGPUProgram = original
  }
  return names
}

/** Runs the sampling checks on the current backend. */
export async function samplingChecks({ lib, check, exact, near }: SamplingContext): Promise<void> {
  const { vmap, random, noise, solvers } = lib
  // random.split(random.key(seed), n), computed here: split is a host kernel, which on webgpu
  // needs an asynchronous step (callAsync); the samplers themselves read nothing on the host.
  const keys = (seed: number, n: number): tf.Tensor => {
    const words = new Uint32Array(2 * n)
    for (let i = 0; i < n; i++) random.threefry2x32(0, seed, 0, i, words, 2 * i)
    return tf.tensor2d(new Int32Array(words.buffer), [n, 2], 'int32') // [n, 2]
  }

  const U = 'random.uniform under vmap: multiples of 2^-23 in [0, 1), the CPU bits; scaled to [-3, 5)'
  await check(U, async () => {
    const [k11, k12] = [keys(11, 8), keys(12, 8)] // [8, 2] each
    const u = vmap((k: tf.Tensor) => random.uniform(k, [2501]))(k11) // [8, 2501]
    const key3 = random.key(3) // [2]
    const single = random.uniform(key3, [3, 5]) // [3, 5]: 15 values, an odd count
    const scaled = vmap((k: tf.Tensor) => random.uniform(k, [257], -3, 5))(k12) // [8, 257]
    const [uv, sv, cv] = [await read(u), await read(single), await read(scaled)]
    tf.dispose([k11, k12, u, key3, single, scaled])
    const bits = [...uv, ...sv].map((v) => v * 2 ** 23)
    expectRange('u', [...uv, ...sv], 0, 1 - 2 ** -23)
    if (!bits.every(Number.isInteger)) throw new Mismatch('u: a value is not a multiple of 2^-23')
    expectRange('scaled', cv, -3, Math.fround(5 - 2 ** -21))
    exact('random.uniform vmap [8, 2501] and [3, 5], times 2^23', bits, U)
    near('random.uniform(-3, 5) vmap [8, 257]', cv, TOL_SCALED, U)
    return `${bits.length} uniforms, all m 2^-23 with integer m in [0, 2^23); ${cv.length} scaled in [-3, 5)`
  })

  const N = 'random.normal under vmap: KS against N(0, 1), |z| <= 6.77, the CPU values'
  await check(N, async () => {
    const ks = keys(21, 8) // [8, 2]
    const z = vmap((k: tf.Tensor) => random.normal(k, [2501]))(ks) // [8, 2501]
    const zv = await read(z)
    tf.dispose([ks, z])
    expectRange('z', zv, -6.77, 6.77) // r <= sqrt(-2 log 2^-33)
    near('random.normal vmap [8, 2501]', zv, TOL_NORMAL, N)
    return expectKS('z', zv, normalCdf)
  })

  const G = 'random.gumbel under vmap: KS against Gumbel(0, 1), values in [-2.82, 16.64], the CPU values'
  await check(G, async () => {
    const ks = keys(31, 8) // [8, 2]
    const g = vmap((k: tf.Tensor) => random.gumbel(k, [2501]))(ks) // [8, 2501]
    const gv = await read(g)
    tf.dispose([ks, g])
    expectRange('g', gv, -2.82, 16.64) // u in [2^-24, 1 - 2^-24]
    near('random.gumbel vmap [8, 2501]', gv, TOL_GUMBEL, G)
    return expectKS('g', gv, gumbelCdf)
  })

  const S = "noise.sumOfGamma({ k: 5, nbIterations: 10 }) 'table' under vmap: KS against the exact CDF, the CPU values"
  await check(S, async () => {
    const n = noise.sumOfGamma({ k: 5, nbIterations: 10 })
    const ks = keys(41, 4) // [4, 2]
    const e = vmap((k: tf.Tensor) => n.sample(k, [2001]))(ks) // [4, 2001]
    const ev = await read(e)
    tf.dispose([ks, e])
    near('noise.sumOfGamma(5, 10) vmap [4, 2001]', ev, TOL_SOG, S)
    const law = sumOfGammaLaw(5, 10)
    return expectKS('eps', ev, (x) => sumOfGammaCdf(law, x))
  })

  await check('nested vmap over keys is one sampler call (on webgpu: one dispatch, no other program)', async () => {
    const parts: string[] = []
    const cases: readonly [string, string, (k: tf.Tensor) => tf.Tensor][] = [
      ['random.gumbel', 'imle_random_gumbel', (k) => random.gumbel(k, [3, 5])],
      ['random.normal', 'imle_random_normal', (k) => noise.normal().sample(k, [3, 5])],
      ['noise.sumOfGamma', 'imle_noise_sumOfGamma_table', (k) => noise.sumOfGamma({ k: 3 }).sample(k, [3, 5])],
    ]
    for (const [name, program, f] of cases) {
      const flat = keys(51, 12) // [12, 2]
      const ks = tf.reshape(flat, [4, 3, 2]) // [4, 3, 2]
      const before = solvers.kernelCalls[name]!
      let out: tf.Tensor | undefined
      const programs = await programsRun(async () => {
        out = vmap(vmap(f))(ks) // [4, 3, 3, 5]
      })
      const calls = solvers.kernelCalls[name]! - before
      const shape = out!.shape.join(', ')
      tf.dispose([out!, ks, flat])
      if (shape !== '4, 3, 3, 5') throw new Mismatch(`${name}: shape [${shape}], expected [4, 3, 3, 5]`)
      if (calls !== 1) throw new Mismatch(`${name}: ${calls} kernel calls under two vmaps, expected 1`)
      if (programs !== undefined && (programs.length !== 1 || !programs[0]!.startsWith(program))) {
        throw new Mismatch(`${name}: programs run [${programs.join(', ')}], expected one ${program}`)
      }
      parts.push(`${name}: 1 call${programs === undefined ? '' : `, programs [${programs.join(', ')}]`}`)
    }
    return parts.join('; ')
  })

  await check('Sum-of-Gamma table sampler: the table of (k, s) is uploaded once (webgpu), not per draw', async () => {
    const b = tf.backend() as unknown as { makeTensorInfo?: (shape: number[], dtype: string, ...rest: unknown[]) => unknown }
    const original = b.makeTensorInfo
    if (tf.getBackend() !== 'webgpu' || typeof original !== 'function') return 'not applicable: the table sampler runs on the host here'
    const uploads: number[] = []
    // Uploads of float32 values (a program's output is made without values; keys are int32).
    b.makeTensorInfo = function (this: unknown, shape, dtype, ...rest) {
      if (dtype === 'float32' && rest[0] != null) uploads.push(shape[0]!)
      return original.call(this, shape, dtype, ...rest)
    }
    const n = noise.sumOfGamma({ k: 7, nbIterations: 10 })
    const perDraw: number[] = []
    try {
      for (let i = 0; i < 3; i++) {
        const before = uploads.length
        const ks = keys(71 + i, 2) // [2, 2]
        const e = vmap((k: tf.Tensor) => n.sample(k, [5]))(ks) // [2, 5]
        await read(e)
        tf.dispose([ks, e])
        perDraw.push(uploads.length - before)
      }
    } finally {
      b.makeTensorInfo = original
    }
    if (perDraw.join() !== '1,0,0') throw new Mismatch(`float32 uploads per draw: [${perDraw.join(', ')}], expected [1, 0, 0]`)
    return `float32 uploads per draw [${perDraw.join(', ')}] (the table: ${uploads[0]} values)`
  })

  await check('no tensor or backend buffer leaks over 20 rounds of sampling', async () => {
    const sog = noise.sumOfGamma({ k: 5, nbIterations: 10 })
    const round = async (): Promise<void> => {
      const key = random.key(61) // [2]
      const ks = keys(61, 4) // [4, 2]
      const outs = [
        vmap((k: tf.Tensor) => random.uniform(k, [33]))(ks),
        vmap((k: tf.Tensor) => random.normal(k, [33]))(ks),
        vmap((k: tf.Tensor) => random.gumbel(k, [33]))(ks),
        vmap((k: tf.Tensor) => sog.sample(k, [33]))(ks),
        random.uniform(key, [7], -1, 1),
      ]
      await read(outs[3]!) // flushes the backend's queue (and its deferred disposals)
      tf.dispose([key, ks, ...outs])
    }
    const dataIds = () => tf.engine().backend.numDataIds()
    await round() // warm-up: uploads the Sum-of-Gamma table once
    const [t0, d0] = [tf.memory().numTensors, dataIds()]
    for (let i = 0; i < 20; i++) await round()
    await round()
    const [t1, d1] = [tf.memory().numTensors, dataIds()]
    if (t1 !== t0 || d1 !== d0) throw new Mismatch(`tensors ${t0} -> ${t1}, backend data ${d0} -> ${d1}`)
    return `tensors ${t0} -> ${t1}, backend data ${d0} -> ${d1}`
  })
}
