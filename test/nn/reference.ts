/**
 * Float64 references of the `nn` layers on row-major arrays (tiny inputs, plain loops), and
 * the float64 central-difference gradient check that the layers' `grad` is held against.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as assert from 'uvu/assert'

/** A row-major float64 array. */
export interface Arr {
  readonly shape: readonly number[]
  readonly data: Float64Array
}

export const arr = (shape: readonly number[], data: ArrayLike<number>): Arr => ({ shape: [...shape], data: Float64Array.from(data) })
export const fromTensor = (x: tf.Tensor): Arr => arr(x.shape, x.dataSync())
export const toTensor = (a: Arr): tf.Tensor => tf.tensor(Float32Array.from(a.data), [...a.shape])
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)

/** `[B, in] x [in, out] + [out]`. */
export function dense(x: Arr, w: Arr, b: Arr | null): Arr {
  const [B, n] = x.shape as [number, number]
  const m = w.shape[1]!
  const out = new Float64Array(B * m)
  for (let i = 0; i < B; i++)
    for (let j = 0; j < m; j++) {
      let s = b === null ? 0 : b.data[j]!
      for (let k = 0; k < n; k++) s += x.data[i * n + k]! * w.data[k * m + j]!
      out[i * m + j] = s
    }
  return arr([B, m], out)
}

/** tf's output size and leading pad of a window `k` with stride `s` over `n`. */
function geometry(n: number, k: number, s: number, padding: 'same' | 'valid'): [number, number] {
  if (padding === 'valid') return [Math.ceil((n - k + 1) / s), 0]
  const o = Math.ceil(n / s)
  return [o, Math.floor(Math.max((o - 1) * s + k - n, 0) / 2)]
}

/** NHWC convolution `[B, H, W, C] * [kh, kw, C, O] + [O]` with strides and padding. */
export function conv2d(x: Arr, f: Arr, b: Arr | null, [sh, sw]: [number, number], padding: 'same' | 'valid'): Arr {
  const [B, H, W, C] = x.shape as [number, number, number, number]
  const [kh, kw, , O] = f.shape as [number, number, number, number]
  const [Ho, ph] = geometry(H, kh, sh, padding)
  const [Wo, pw] = geometry(W, kw, sw, padding)
  const out = new Float64Array(B * Ho * Wo * O)
  for (let n = 0; n < B; n++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++)
        for (let o = 0; o < O; o++) {
          let s = b === null ? 0 : b.data[o]!
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++) {
              const [r, c] = [i * sh + di - ph, j * sw + dj - pw]
              if (r < 0 || r >= H || c < 0 || c >= W) continue
              for (let ch = 0; ch < C; ch++) s += x.data[((n * H + r) * W + c) * C + ch]! * f.data[((di * kw + dj) * C + ch) * O + o]!
            }
          out[((n * Ho + i) * Wo + j) * O + o] = s
        }
  return arr([B, Ho, Wo, O], out)
}

/** NHWC max or average pooling (padded entries ignored, as tf). */
export function pool(kind: 'max' | 'avg', x: Arr, [kh, kw]: [number, number], [sh, sw]: [number, number], padding: 'same' | 'valid'): Arr {
  const [B, H, W, C] = x.shape as [number, number, number, number]
  const [Ho, ph] = geometry(H, kh, sh, padding)
  const [Wo, pw] = geometry(W, kw, sw, padding)
  const out = new Float64Array(B * Ho * Wo * C)
  for (let n = 0; n < B; n++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++)
        for (let ch = 0; ch < C; ch++) {
          let acc = kind === 'max' ? -Infinity : 0
          let count = 0
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++) {
              const [r, c] = [i * sh + di - ph, j * sw + dj - pw]
              if (r < 0 || r >= H || c < 0 || c >= W) continue
              const v = x.data[((n * H + r) * W + c) * C + ch]!
              acc = kind === 'max' ? Math.max(acc, v) : acc + v
              count++
            }
          out[((n * Ho + i) * Wo + j) * C + ch] = kind === 'max' ? acc : acc / count
        }
  return arr([B, Ho, Wo, C], out)
}

/** Elementwise `f`. */
export const map = (x: Arr, f: (v: number) => number): Arr => arr(x.shape, x.data.map(f))

/** `[B, ...s] -> [B, prod(s)]`. */
export const flatten = (x: Arr): Arr => arr([x.shape[0]!, size(x.shape.slice(1))], x.data)

/** Batch normalisation over the last axis with batch statistics (biased variance): `[y, mean, variance]`. */
export function batchNorm(x: Arr, gamma: Arr, beta: Arr, eps: number): [Arr, Float64Array, Float64Array] {
  const C = x.shape[x.shape.length - 1]!
  const rows = x.data.length / C
  const mean = new Float64Array(C)
  const v = new Float64Array(C)
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) mean[c]! += x.data[r * C + c]! / rows
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) v[c]! += (x.data[r * C + c]! - mean[c]!) ** 2 / rows
  const out = new Float64Array(x.data.length)
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++) out[r * C + c] = (gamma.data[c]! * (x.data[r * C + c]! - mean[c]!)) / Math.sqrt(v[c]! + eps) + beta.data[c]!
  return [arr(x.shape, out), mean, v]
}

/** `table[idx]` for int indices `[...s]`: `[...s, dim]`. */
export function embedding(table: Arr, idx: readonly number[], idxShape: readonly number[]): Arr {
  const d = table.shape[1]!
  const out = new Float64Array(idx.length * d)
  idx.forEach((k, i) => out.set(table.data.subarray(k * d, (k + 1) * d), i * d))
  return arr([...idxShape, d], out)
}

/** `sum(y * c)` with fixed weights `c` (so that every output entry gets its own cotangent). */
export const weightedSum = (y: Arr, c: Float64Array): number => y.data.reduce((s, v, i) => s + v * c[i]!, 0)

/** Fixed cotangent weights for `n` entries: distinct, of both signs. */
export const weights = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + 0.4) + 0.1 * i)

/**
 * Asserts that `got` (the float32 gradients of `loss` with respect to each of `inputs`) equals
 * the float64 central differences of `ref` (the float64 loss of the same inputs), entry by
 * entry, within `atol + rtol |fd|`.
 */
export function checkGrads(what: string, ref: (xs: Arr[]) => number, inputs: readonly tf.Tensor[], got: readonly tf.Tensor[], atol = 2e-4, rtol = 2e-3, h = 1e-6): void {
  const xs = inputs.map(fromTensor)
  xs.forEach((x, k) => {
    const g = got[k]!.dataSync()
    assert.equal(got[k]!.shape, x.shape, `${what}: gradient ${k} shape`)
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i]!
      x.data[i] = v + h
      const up = ref(xs)
      x.data[i] = v - h
      const dn = ref(xs)
      x.data[i] = v
      const fd = (up - dn) / (2 * h)
      if (!(Math.abs(g[i]! - fd) <= atol + rtol * Math.abs(fd))) {
        assert.unreachable(`${what}: d/d input ${k} [flat ${i}]: grad ${g[i]} vs float64 central difference ${fd}`)
      }
    }
  })
}
