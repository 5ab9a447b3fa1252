/**
 * The WebAssembly SIMD noise kernels (`noise.as`, compiled by `scripts/build-noise-wasm.mjs` into
 * `noise.wasm` beside this module): loading, memory layout, and one method per sampler that
 * copies its result out once. The kernels give the very bits of the JavaScript loops in
 * `fill.ts` and `sum_of_gamma/table.ts`; those loops stay the fallback wherever the kernels do
 * not load (in browsers, in Node before 20.16, or when `noise.wasm` was not built).
 *
 * Loading is synchronous (`new WebAssembly.Module` over the file's bytes) and reaches `node:fs`
 * through `process.getBuiltinModule`, never by a static import, so browser bundles of `imle`
 * stay free of Node modules.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { BackendError } from '../../errors.js'

/** A float output buffer of the samplers. */
type FloatArray = Float32Array | Float64Array

/** The logarithm tables of `gumbelOfWord` (`fill.ts`), copied into the kernels' memory. */
export interface LogTables {
  /** `[256]`: the inverse cell centres. */
  readonly logInv: Float64Array
  /** `[256]`: `logInv * 2^-31`. */
  readonly logInv31: Float64Array
  /** `[256]`: `-log(logInv)`. */
  readonly logC: Float64Array
  /** `[64]`: `2^-e` at `e + 32`. */
  readonly pow2Neg: Float64Array
}

/**
 * The arrays and constants of a Sum-of-Gamma quantile table that the kernel reads (the fields of
 * `SumOfGammaTable`, plus the sampler's constants, passed by `sum_of_gamma/table.ts` so that both
 * paths use the same doubles).
 */
export interface QuantileTableArrays {
  /** `[4096 * 4]` bulk cells. */
  readonly bulk: Float64Array
  /** `[216 * 4]` left tail cells. */
  readonly left: Float64Array
  /** `[184 * 4]` right tail cells. */
  readonly right: Float64Array
  readonly shift: number
  readonly leftSlope: number
  readonly rightSlope: number
}

/** The constants of `sampleSumOfGammaTable`, in the kernel's table header order. */
export interface QuantileTableConstants {
  readonly uLo: number
  readonly uHi: number
  readonly invBulkDu: number
  readonly log2e: number
}

/**
 * The loaded noise kernels. Each method fills `out` with exactly what the JavaScript sampler of
 * the same name writes for the same key. Not reentrant (JavaScript calls them one at a time).
 */
export interface NativeNoise {
  readonly _tag: 'NativeNoise'
  /** `fillUniform` (`open = false`) or `fillUniformOpen` (`open = true`). */
  readonly uniform: (k0: number, k1: number, out: FloatArray, open: boolean) => void
  /** `fillGumbel`. */
  readonly gumbel: (k0: number, k1: number, out: FloatArray) => void
  /** `gumbelOfWord` of each word of `words` into `out` (same length): the transform alone. */
  readonly gumbelOfWords: (words: Uint32Array, out: FloatArray) => void
  /** `fillNormal`. */
  readonly normal: (k0: number, k1: number, out: FloatArray) => void
  /**
   * `sampleSumOfGammaTable`'s loop (`uniforms` and `out` of one length, possibly the same
   * array): returns -1 when done; the index of the first uniform outside `(0, 1)` (then `out`
   * holds results before that index's piece of `2^20` values, and the uniforms from that piece
   * on are untouched); or -2, with nothing done, for a table whose cell counts differ from
   * those the kernel reads.
   */
  readonly sumOfGamma: (table: QuantileTableArrays, constants: QuantileTableConstants, uniforms: FloatArray, out: FloatArray) => number
  /**
   * `fillUniformOpen(k0, k1, out)` then `sampleSumOfGammaTable(table, out, out)` in one pass
   * over the kernels' memory, for float32 `out`; returns `false`, leaving `out` untouched, if
   * the table is not one this kernel reads (the caller then runs the two steps).
   */
  readonly sumOfGammaFromKey: (k0: number, k1: number, table: QuantileTableArrays, constants: QuantileTableConstants, out: Float32Array) => boolean
}

/** The kernels' exports (`noise.as`). */
interface Exports {
  readonly memory: WebAssembly.Memory
  heapBase(): number
  setTables(ptr: number): void
  threefryWords(k0: number, k1: number, hi: number, first: number, ptr: number, blocks: number): void
  gumbelKeyF32(k0: number, k1: number, first: number, ptr: number, n: number, scratch: number): void
  uniformF32(ptr: number, n: number): void
  uniformOpenF32(ptr: number, n: number): void
  uniformF64(words: number, out: number, n: number, open: number): void
  gumbelF32(ptr: number, n: number, scratch: number): void
  gumbelF64(words: number, out: number, n: number): void
  normalF32(words: number, out: number, n: number): void
  normalF64(words: number, out: number, n: number): void
  sumOfGamma(table: number, u: number, out: number, n: number, inF64: number, outF64: number): number
  sumOfGammaKeyF32(k0: number, k1: number, first: number, table: number, ptr: number, n: number): void
}

const PAGE = 65536
/**
 * Values per kernel call: longer fills run in pieces (element `i` depends only on the key and
 * `i`), so the work area stays under 13 MB however long the fill.
 */
const PIECE = 1 << 20
const LOG_TABLES_BYTES = 256 * 16
/** Header (12 doubles) + bulk + left + right cells of a quantile table. */
const SOG_TABLE_BYTES = 96 + (4096 + 216 + 184) * 32
/** The Gumbel kernel's scratch: 2048 doubles. */
const SCRATCH_BYTES = 2048 * 8

const align64 = (x: number): number => Math.ceil(x / 64) * 64

/**
 * The default location of the kernels: `noise.wasm` beside this module (in `src/` when run from
 * source, in `dist/` when built).
 */
function defaultUrl(): URL {
  return new URL('./noise.wasm', import.meta.url)
}

/** `node:fs`'s `readFileSync`, without a static import (undefined outside Node >= 20.16). */
function nodeReadFileSync(): ((path: URL) => Uint8Array<ArrayBuffer>) | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  if (typeof proc?.getBuiltinModule !== 'function') return undefined
  const fs = proc.getBuiltinModule('node:fs') as { readFileSync?: (path: URL) => Uint8Array<ArrayBuffer> } | undefined
  return typeof fs?.readFileSync === 'function' ? fs.readFileSync : undefined
}

/**
 * Loads the noise kernels from `url` (default: `noise.wasm` beside this module) and writes the
 * Gumbel transform's logarithm `tables` into their memory. `Left(BackendError)` when the host is
 * not Node (>= 20.16), the file is missing (the fix: `npm run prepare`, which builds it), or the
 * engine lacks WebAssembly SIMD; callers then use the JavaScript samplers.
 *
 * Shapes: `(tables, url?) -> Either<BackendError, NativeNoise>`.
 *
 * @example
 * ```ts
 * const kernels = loadNativeNoise(tables)
 * if (E.isRight(kernels)) kernels.right.gumbel(0, 42, new Float32Array(1 << 20))
 * ```
 */
export function loadNativeNoise(tables: LogTables, url?: URL): E.Either<BackendError, NativeNoise> {
  const read = nodeReadFileSync()
  if (read === undefined || typeof WebAssembly === 'undefined') {
    return E.left(new BackendError('loadNativeNoise(tables, url): the noise kernels load in Node >= 20.16 only; the JavaScript samplers run instead'))
  }
  const where = url ?? defaultUrl()
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = read(where)
  } catch (cause) {
    return E.left(
      new BackendError(
        `loadNativeNoise(tables, url): cannot read the noise kernels at ${where.href} (${String(cause)}); ` +
          'build them with `npm run prepare` (scripts/build-noise-wasm.mjs)',
        { cause },
      ),
    )
  }
  try {
    const module = new WebAssembly.Module(bytes)
    const instance = new WebAssembly.Instance(module, { env: { log: Math.log, exp: Math.exp, cos: Math.cos, sin: Math.sin } })
    return E.right(nativeNoiseOf(instance.exports as unknown as Exports, tables))
  } catch (cause) {
    return E.left(
      new BackendError(
        `loadNativeNoise(tables, url): the noise kernels at ${where.href} do not compile here (${String(cause)}); ` +
          'this engine may lack WebAssembly SIMD, or the file is stale: rebuild it with `npm run prepare`',
        { cause },
      ),
    )
  }
}

/** Lays out the kernels' memory and wraps each kernel with its copies in and out. */
function nativeNoiseOf(x: Exports, tables: LogTables): NativeNoise {
  const memory = x.memory
  const tablesAt = align64(x.heapBase())
  const sogAt = align64(tablesAt + LOG_TABLES_BYTES)
  const scratchAt = align64(sogAt + SOG_TABLE_BYTES)
  const workAt = align64(scratchAt + SCRATCH_BYTES)
  let u32 = new Uint32Array(memory.buffer)
  let f32 = new Float32Array(memory.buffer)
  let f64 = new Float64Array(memory.buffer)
  /** Grows the memory to hold `bytes` bytes of work space; refreshes the views. */
  const reserve = (bytes: number): void => {
    const need = workAt + bytes
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE))
    if (f32.buffer !== memory.buffer) {
      u32 = new Uint32Array(memory.buffer)
      f32 = new Float32Array(memory.buffer)
      f64 = new Float64Array(memory.buffer)
    }
  }
  reserve(0)
  for (let j = 0; j < 256; j++) {
    f64[tablesAt / 8 + 2 * j] = tables.logInv[j]!
    f64[tablesAt / 8 + 2 * j + 1] = tables.logC[j]!
  }
  x.setTables(tablesAt)
  let loadedTable: QuantileTableArrays | undefined
  /** Whether `table` has the cell counts the kernel reads. */
  const fits = (table: QuantileTableArrays): boolean =>
    table.bulk.length === 4096 * 4 && table.left.length === 216 * 4 && table.right.length === 184 * 4

  /**
   * Writes the Threefry words of elements `start + [0, m)` (`start` even) at `workAt`, in whole
   * groups of 16 blocks; returns the word count written (a multiple of 32), after reserving
   * room for them and for as many outputs of `bytesPerOut` bytes after them.
   */
  const words = (k0: number, k1: number, start: number, m: number, bytesPerOut: number): number => {
    const blocks = (m + 1) >>> 1
    const padded = Math.ceil(blocks / 16) * 32
    reserve(padded * 4 + padded * bytesPerOut)
    x.threefryWords(k0 | 0, k1 | 0, 0, start / 2, workAt, blocks)
    return padded
  }
  /** Copies `m` values at byte `at` of the memory to `out[start ..]`. */
  const copyOut = (out: FloatArray, at: number, start: number, m: number): void => {
    if (out instanceof Float32Array) out.set(f32.subarray(at / 4, at / 4 + m), start)
    else out.set(f64.subarray(at / 8, at / 8 + m), start)
  }
  /** Runs `f(start, m)` over `[0, n)` in pieces of at most `PIECE` values (`start` even). */
  const pieces = (n: number, f: (start: number, m: number) => void): void => {
    for (let start = 0; start < n; start += PIECE) f(start, Math.min(PIECE, n - start))
  }

  /** Copies `table` into the kernels' memory unless it is the one there. */
  const loadTable = (table: QuantileTableArrays, constants: QuantileTableConstants): void => {
    if (loadedTable !== table) {
      const h = sogAt / 8
      f64[h] = constants.uLo
      f64[h + 1] = constants.uHi
      f64[h + 2] = constants.invBulkDu
      f64[h + 3] = constants.log2e
      f64[h + 4] = table.shift
      f64[h + 5] = table.leftSlope
      f64[h + 6] = table.rightSlope
      const left = table.left
      const right = table.right
      const l = left.length
      const r = right.length
      // The sampler's leftEnd and rightEnd, summed in its order.
      f64[h + 7] = left[l - 4]! + left[l - 3]! + left[l - 2]! + left[l - 1]!
      f64[h + 8] = right[r - 4]! + right[r - 3]! + right[r - 2]! + right[r - 1]!
      f64.set(table.bulk, h + 12)
      f64.set(left, h + 12 + table.bulk.length)
      f64.set(right, h + 12 + table.bulk.length + l)
      loadedTable = table
    }
  }

  return {
    _tag: 'NativeNoise',
    uniform: (k0, k1, out, open) =>
      pieces(out.length, (start, m) => {
        if (out instanceof Float32Array) {
          const padded = words(k0, k1, start, m, 0)
          if (open) x.uniformOpenF32(workAt, padded)
          else x.uniformF32(workAt, padded)
          copyOut(out, workAt, start, m)
        } else {
          const padded = words(k0, k1, start, m, 8)
          const at = workAt + padded * 4
          x.uniformF64(workAt, at, padded, open ? 1 : 0)
          copyOut(out, at, start, m)
        }
      }),
    gumbel: (k0, k1, out) =>
      pieces(out.length, (start, m) => {
        if (out instanceof Float32Array) {
          reserve(Math.ceil(m / 32) * 128)
          x.gumbelKeyF32(k0 | 0, k1 | 0, start / 2, workAt, m, scratchAt)
          copyOut(out, workAt, start, m)
        } else {
          const padded = words(k0, k1, start, m, 8)
          const at = workAt + padded * 4
          x.gumbelF64(workAt, at, padded)
          copyOut(out, at, start, m)
        }
      }),
    gumbelOfWords: (w, out) =>
      pieces(w.length, (start, m) => {
        const padded = Math.ceil(m / 32) * 32
        reserve(padded * 4 + padded * 8)
        u32.set(w.subarray(start, start + m), workAt / 4)
        if (out instanceof Float32Array) x.gumbelF32(workAt, padded, scratchAt)
        else x.gumbelF64(workAt, workAt + padded * 4, padded)
        copyOut(out, out instanceof Float32Array ? workAt : workAt + padded * 4, start, m)
      }),
    normal: (k0, k1, out) =>
      pieces(out.length, (start, m) => {
        const padded = words(k0, k1, start, m, 8)
        const at = workAt + padded * 4
        if (out instanceof Float32Array) x.normalF32(workAt, at, m)
        else x.normalF64(workAt, at, m)
        copyOut(out, at, start, m)
      }),
    sumOfGamma: (table, constants, uniforms, out) => {
      if (!fits(table)) return -2
      loadTable(table, constants)
      const inF64 = uniforms instanceof Float64Array
      let bad = -1
      pieces(uniforms.length, (start, m) => {
        if (bad >= 0) return
        const inBytes = align64(m * uniforms.BYTES_PER_ELEMENT)
        reserve(inBytes + m * out.BYTES_PER_ELEMENT)
        if (inF64) f64.set(uniforms.subarray(start, start + m), workAt / 8)
        else f32.set(uniforms.subarray(start, start + m), workAt / 4)
        const at = workAt + inBytes
        const b = x.sumOfGamma(sogAt, workAt, at, m, inF64 ? 1 : 0, out instanceof Float64Array ? 1 : 0)
        if (b >= 0) bad = start + b
        else copyOut(out, at, start, m)
      })
      return bad
    },
    sumOfGammaFromKey: (k0, k1, table, constants, out) => {
      if (!fits(table)) return false
      loadTable(table, constants)
      pieces(out.length, (start, m) => {
        reserve(Math.ceil(m / 32) * 128)
        x.sumOfGammaKeyF32(k0 | 0, k1 | 0, start / 2, sogAt, workAt, m)
        copyOut(out, workAt, start, m)
      })
      return true
    },
  }
}
