import { execFileSync } from 'node:child_process'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import {
  fillGumbel,
  fillNormal,
  fillUniform,
  fillUniformOpen,
  gumbelOfWord,
  hostSamplers,
  NATIVE_MIN,
  nativeNoise,
  type FloatArray,
} from '../../src/core/random/fill.js'
import { loadNativeNoise, type NativeNoise } from '../../src/core/random/native/load.js'
import { fillSumOfGammaTable, sampleSumOfGammaTable, sampleSumOfGammaTableHost, sumOfGammaTable } from '../../src/distributions/sum_of_gamma/table.js'

// The WebAssembly SIMD noise kernels (src/core/random/native/) against the JavaScript loops they
// replace: the same bits for every key, length and output type. Host-side only, so the same on
// both tfjs backends.

const t = suite('random (native kernels)')

/** The kernels; `npm run prepare` builds them, and these tests need them. */
function kernels(): NativeNoise {
  const k = nativeNoise()
  if (k === undefined) {
    assert.unreachable('the native noise kernels did not load: build src/core/random/native/noise.wasm with `npm run prepare`')
  }
  return k!
}

/** The words of a float array (float64 as pairs of words), for exact comparison (NaN and -0 included). */
const wordsOf = (x: FloatArray): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.byteLength / 4)

function sameBits(a: FloatArray, b: FloatArray, msg: string): void {
  assert.is(a.length, b.length, `${msg}: length`)
  const x = wordsOf(a)
  const y = wordsOf(b)
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      const e = a instanceof Float64Array ? i >>> 1 : i
      assert.unreachable(`${msg}: element ${e} differs: ${a[e]} vs ${b[e]}`)
    }
  }
}

const KEYS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 42],
  [0xffffffff, 0xffffffff],
  [0x13198a2e, 0x03707344],
  [0x80000000, 1],
  [123456789, 987654321],
]
/** Lengths around the SIMD widths (4 words, 8 blocks) and the native threshold. */
const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 255, 256, 257, 1001, 4099, 65537]
const TYPES = [Float32Array, Float64Array] as const

t('the kernels load here (Node >= 20.16 with noise.wasm built)', () => {
  assert.is(kernels()._tag, 'NativeNoise')
})

t('uniform, open uniform, normal, Gumbel: the kernels give the JavaScript loops\' bits (keys x lengths x float32/64)', () => {
  const k = kernels()
  const cases = [
    ['uniform', hostSamplers.uniform, (a: number, b: number, o: FloatArray) => k.uniform(a, b, o, false), fillUniform],
    ['uniformOpen', hostSamplers.uniformOpen, (a: number, b: number, o: FloatArray) => k.uniform(a, b, o, true), fillUniformOpen],
    ['normal', hostSamplers.normal, k.normal, fillNormal],
    ['gumbel', hostSamplers.gumbel, k.gumbel, fillGumbel],
  ] as const
  for (const [name, host, native, fill] of cases) {
    for (const C of TYPES) {
      for (const [k0, k1] of KEYS) {
        for (const n of LENGTHS) {
          const a = new C(n)
          const b = new C(n).fill(NaN)
          const c = new C(n).fill(NaN)
          host(k0, k1, a)
          native(k0, k1, b)
          fill(k0, k1, c)
          const msg = `${name} ${C.name} key (${k0}, ${k1}) n=${n}`
          sameBits(a, b, `${msg}, kernel`)
          sameBits(a, c, `${msg}, public fill`)
        }
      }
    }
  }
})

t('a kernel fills exactly out, in place, and its results do not depend on the previous call', () => {
  const k = kernels()
  // A long call first leaves other values in the kernels' memory; a short one after it must not see them.
  const big = new Float32Array(100_003)
  k.gumbel(1, 2, big)
  const buf = new Float32Array(40).fill(7)
  const view = buf.subarray(5, 30) // 25 values in the middle of a larger buffer
  k.gumbel(3, 4, view)
  const ref = new Float32Array(25)
  hostSamplers.gumbel(3, 4, ref)
  sameBits(view, ref, 'gumbel into a subarray')
  for (let i = 0; i < 5; i++) assert.is(buf[i], 7, `before the view: ${i}`)
  for (let i = 30; i < 40; i++) assert.is(buf[i], 7, `after the view: ${i}`)
})

t('fills longer than one kernel call (2^20 values) run in pieces with the same bits', () => {
  const n = 2 ** 20 + 2 ** 19 + 17
  const table = sumOfGammaTable(10, 100)
  const cases: readonly [string, (o: Float32Array | Float64Array) => void, (o: Float32Array | Float64Array) => void, typeof Float32Array | typeof Float64Array][] = [
    ['gumbel', (o) => hostSamplers.gumbel(8, 9, o), (o) => fillGumbel(8, 9, o), Float32Array],
    ['gumbel', (o) => hostSamplers.gumbel(8, 9, o), (o) => fillGumbel(8, 9, o), Float64Array],
    ['uniform', (o) => hostSamplers.uniform(8, 9, o), (o) => fillUniform(8, 9, o), Float32Array],
    ['normal', (o) => hostSamplers.normal(8, 9, o), (o) => fillNormal(8, 9, o), Float32Array],
    ['sumOfGamma fused', (o) => sampleSumOfGammaTableHost(table, (hostSamplers.uniformOpen(8, 9, o), o), o), (o) => fillSumOfGammaTable(8, 9, table, o), Float32Array],
    ['sumOfGamma two calls', (o) => sampleSumOfGammaTableHost(table, (hostSamplers.uniformOpen(8, 9, o), o), o), (o) => sampleSumOfGammaTable(table, (fillUniformOpen(8, 9, o), o), o), Float32Array],
  ]
  for (const [name, host, fill, C] of cases) {
    const a = new C(n)
    const b = new C(n).fill(NaN)
    host(a)
    fill(b)
    sameBits(a, b, `${name} ${C.name} n=${n}`)
  }
  // A bad uniform in the second piece: the same error as the JavaScript loop.
  const u = new Float32Array(n).fill(0.5)
  u[2 ** 20 + 5] = 0
  assert.throws(() => sampleSumOfGammaTable(table, u, u), (e: Error) => e.message.endsWith(`uniforms[${2 ** 20 + 5}] is 0`))
})

t('Gumbel kernel: exactly Math.fround(-Math.log(-Math.log(u))) in float32, and gumbelOfWord in float64, for all 2^23 uniforms', () => {
  const k = kernels()
  const n = 2 ** 23
  const words = new Uint32Array(n)
  for (let m = 0; m < n; m++) words[m] = (m << 9) | (m & 0x1ff) // the low 9 bits do not matter
  const g32 = new Float32Array(n)
  k.gumbelOfWords(words, g32)
  for (let m = 0; m < n; m++) {
    const u = (m + 0.5) * 2 ** -23
    const want = Math.fround(-Math.log(-Math.log(u)))
    if (g32[m] !== want) assert.unreachable(`u = (${m} + 1/2) 2^-23: kernel ${g32[m]} vs Math.fround(-log(-log u)) ${want}`)
  }
  const g64 = new Float64Array(n)
  k.gumbelOfWords(words, g64)
  for (let m = 0; m < n; m++) {
    const want = gumbelOfWord(words[m]!)
    if (!Object.is(g64[m], want)) assert.unreachable(`word 0x${words[m]!.toString(16)}: kernel ${g64[m]} vs gumbelOfWord ${want}`)
  }
})

/** Uniforms in (0, 1) over the bulk, both tails, beyond the last tail knots, and the region edges. */
function sogUniforms(n: number, C: typeof Float32Array | typeof Float64Array): FloatArray {
  const u = new C(n)
  hostSamplers.uniformOpen(9, n, u)
  const special = [
    2 ** -10, 1 - 2 ** -10, 2 ** -10 * (1 - 2 ** -20), 1 - 2 ** -10 * (1 - 2 ** -20), 2 ** -24, 1 - 2 ** -24, 0.5,
    1e-30, 2 ** -64, 2 ** -65, 1e-6, 1 - 1e-6, 1 - 2 ** -53, 1 - 2 ** -40, Number.MIN_VALUE, 2 ** -149,
  ]
  for (let i = 0; i < special.length && i < n; i++) u[(i * 37) % n] = special[i]!
  // More tail values: every 5th value cubed (left) or reflected (right).
  for (let i = 0; i < n; i += 5) u[i] = i % 10 === 0 ? u[i]! ** 3 : 1 - u[i]! ** 3 || 0.5
  for (let i = 0; i < n; i++) if (!(u[i]! > 0 && u[i]! < 1)) u[i] = 0.25
  return u
}

t('Sum-of-Gamma table: the kernel gives the JavaScript loop\'s bits (tables x lengths x input and output types)', () => {
  for (const [kk, s] of [[10, 100], [15.6, 100], [1, 10], [39, 100]] as const) {
    const table = sumOfGammaTable(kk, s)
    for (const n of [0, 1, 7, 255, 256, 257, 1001, 20011]) {
      for (const CI of TYPES) {
        const u = sogUniforms(n, CI)
        for (const CO of TYPES) {
          const a = sampleSumOfGammaTableHost(table, u, new CO(n))
          const b = new CO(n).fill(NaN)
          const result = kernels().sumOfGamma(table, { uLo: 2 ** -10, uHi: 1 - 2 ** -10, invBulkDu: 4096 / (1 - 2 ** -9), log2e: 1 / Math.LN2 }, u, b)
          const c = sampleSumOfGammaTable(table, u, new CO(n))
          const msg = `(k, s) = (${kk}, ${s}) n=${n} ${CI.name} -> ${CO.name}`
          if (n > 0) {
            assert.is(result, -1, `${msg}: the kernel ran`)
            sameBits(a, b, `${msg}, kernel`)
          }
          sameBits(a, c, `${msg}, public sampler`)
        }
      }
    }
  }
})

t('Sum-of-Gamma table: in place (out = uniforms) after a native fillUniformOpen, as noise.sumOfGamma calls it', () => {
  const table = sumOfGammaTable(10, 100)
  for (const n of [NATIVE_MIN, 4099, 100_000]) {
    const a = new Float32Array(n)
    hostSamplers.uniformOpen(5, 6, a)
    sampleSumOfGammaTableHost(table, a, a)
    const b = new Float32Array(n)
    fillUniformOpen(5, 6, b)
    sampleSumOfGammaTable(table, b, b)
    sameBits(a, b, `n=${n}`)
  }
})

t('fillSumOfGammaTable (one fused kernel pass from the key) gives the bits of fillUniformOpen + sampleSumOfGammaTable', () => {
  for (const [kk, s] of [[10, 100], [1, 10]] as const) {
    const table = sumOfGammaTable(kk, s)
    for (const [k0, k1] of KEYS) {
      for (const n of [0, 1, 17, 255, 256, 257, 4095, 4096, 4097, 8193, 100_003]) {
        for (const C of TYPES) {
          const a = new C(n)
          hostSamplers.uniformOpen(k0, k1, a)
          sampleSumOfGammaTableHost(table, a, a)
          const b = fillSumOfGammaTable(k0, k1, table, new C(n).fill(NaN))
          sameBits(a, b, `(k, s) = (${kk}, ${s}) key (${k0}, ${k1}) n=${n} ${C.name}`)
        }
      }
    }
  }
})

t('Sum-of-Gamma table: a uniform outside (0, 1) is the same ArgumentError on the native path', () => {
  const table = sumOfGammaTable(10, 100)
  for (const bad of [0, 1, NaN, -0.5]) {
    const u = new Float64Array(1000).fill(0.5)
    u[700] = bad
    const error = (f: () => void): string => {
      try {
        f()
      } catch (e) {
        assert.is((e as { _tag?: string })._tag, 'ArgumentError')
        return (e as Error).message
      }
      return 'no error'
    }
    const host = error(() => sampleSumOfGammaTableHost(table, u, new Float32Array(1000)))
    const fast = error(() => sampleSumOfGammaTable(table, u, new Float32Array(1000)))
    assert.match(host, /uniforms\[700\]/)
    assert.is(fast, host, `u = ${bad}`)
  }
})

t('loadNativeNoise: a missing file is Left(BackendError) naming the file and the fix', () => {
  const empty = new Float64Array(256)
  const r = loadNativeNoise({ logInv: empty, logInv31: empty, logC: empty, pow2Neg: new Float64Array(64) }, new URL('./no-such-noise.wasm', import.meta.url))
  assert.ok(E.isLeft(r))
  if (E.isLeft(r)) {
    assert.is(r.left._tag, 'BackendError')
    assert.match(r.left.message, /no-such-noise\.wasm/)
    assert.match(r.left.message, /npm run prepare/)
  }
})

t('without noise.wasm (reading it fails) the samplers fall back to JavaScript with the same bits', () => {
  const n = 4099
  const run = (g: (o: Float32Array) => void): number[] => {
    const o = new Float32Array(n)
    g(o)
    return Array.from(wordsOf(o))
  }
  const want = {
    uniform: run((o) => fillUniform(1, 2, o)),
    normal: run((o) => fillNormal(1, 2, o)),
    gumbel: run((o) => fillGumbel(1, 2, o)),
    sog: run((o) => sampleSumOfGammaTable(sumOfGammaTable(10, 100), (fillUniformOpen(1, 2, o), o), o)),
  }
  const fill = new URL('../../src/core/random/fill.ts', import.meta.url).href
  const table = new URL('../../src/distributions/sum_of_gamma/table.ts', import.meta.url).href
  const script = `
    const fs = process.getBuiltinModule('node:fs')
    const read = fs.readFileSync
    fs.readFileSync = (p, ...rest) => {
      if (String(p).endsWith('noise.wasm')) throw Object.assign(new Error('ENOENT (simulated)'), { code: 'ENOENT' })
      return read(p, ...rest)
    }
    const f = await import(${JSON.stringify(fill)})
    const t = await import(${JSON.stringify(table)})
    const words = (x) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length))
    const run = (g) => { const o = new Float32Array(${n}); g(o); return words(o) }
    console.log(JSON.stringify({
      loaded: f.nativeNoise() !== undefined,
      uniform: run((o) => f.fillUniform(1, 2, o)),
      normal: run((o) => f.fillNormal(1, 2, o)),
      gumbel: run((o) => f.fillGumbel(1, 2, o)),
      sog: run((o) => { f.fillUniformOpen(1, 2, o); t.sampleSumOfGammaTable(t.sumOfGammaTable(10, 100), o, o) }),
    }))
  `
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const got = JSON.parse(out.trim().split('\n').pop()!) as { loaded: boolean } & typeof want
  assert.is(got.loaded, false, 'the simulated missing file stops the kernels from loading')
  assert.ok(nativeNoise() !== undefined, 'this process used the kernels for the expected bits')
  for (const name of ['uniform', 'normal', 'gumbel', 'sog'] as const) {
    assert.is(got[name].length, n, name)
    for (let i = 0; i < n; i++) if (got[name][i] !== want[name][i]) assert.unreachable(`${name}: element ${i} differs`)
  }
})

t.run()
