/**
 * A float64 reference for the ops the property suite composes: row-major arrays and plain
 * loops, written from the numpy definitions (broadcasting, axes, batched products), never
 * from tfjs. Finite differences of programs run on these are the ground truth for `grad`.
 */

/** A row-major float64 array. */
export interface Arr {
  readonly shape: readonly number[]
  readonly data: Float64Array
}

export const sizeOf = (s: readonly number[]): number => s.reduce((p, q) => p * q, 1)

export const arr = (shape: readonly number[], data: ArrayLike<number>): Arr => ({ shape: [...shape], data: Float64Array.from(data) })

function stridesOf(s: readonly number[]): number[] {
  const st = new Array<number>(s.length)
  let k = 1
  for (let i = s.length - 1; i >= 0; i--) {
    st[i] = k
    k *= s[i]!
  }
  return st
}

/** Calls `f(index, flat)` for every multi-index of `shape`, in row-major order. */
function each(shape: readonly number[], f: (idx: number[], flat: number) => void): void {
  const n = sizeOf(shape)
  const idx = new Array<number>(shape.length).fill(0)
  for (let flat = 0; flat < n; flat++) {
    f(idx, flat)
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break
      idx[d] = 0
    }
  }
}

export const map = (a: Arr, f: (x: number) => number): Arr => ({ shape: a.shape, data: a.data.map(f) })

/** The numpy broadcast of two shapes, or `null`. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1
    const y = b[b.length - r + i] ?? 1
    if (x !== y && x !== 1 && y !== 1) return null
    out.push(Math.max(x, y) === 1 ? 1 : x === 1 ? y : x)
  }
  return out
}

/** `a` materialized at the broadcast shape `shape`. */
export function broadcastTo(a: Arr, shape: readonly number[]): Arr {
  const st = stridesOf(a.shape)
  const off = shape.length - a.shape.length
  const out = new Float64Array(sizeOf(shape))
  each(shape, (idx, flat) => {
    let k = 0
    for (let d = 0; d < a.shape.length; d++) k += (a.shape[d] === 1 ? 0 : idx[d + off]!) * st[d]!
    out[flat] = a.data[k]!
  })
  return { shape: [...shape], data: out }
}

/** Elementwise `f` of several arrays with numpy broadcasting. */
export function zip(xs: readonly Arr[], f: (...v: number[]) => number): Arr {
  let shape: number[] = []
  for (const x of xs) shape = broadcastShape(shape, x.shape)!
  const bs = xs.map((x) => broadcastTo(x, shape))
  const out = new Float64Array(sizeOf(shape))
  const v = new Array<number>(xs.length)
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < bs.length; j++) v[j] = bs[j]!.data[i]!
    out[i] = f(...v)
  }
  return { shape, data: out }
}

/** Reduces `axes` (normalized, distinct) of `a` with `f` over each group's values. */
export function reduce(a: Arr, axes: readonly number[], keepDims: boolean, f: (vs: number[]) => number): Arr {
  const outShape = a.shape.map((n, i) => (axes.includes(i) ? 1 : n))
  const ost = stridesOf(outShape)
  const groups: number[][] = Array.from({ length: sizeOf(outShape) }, () => [])
  each(a.shape, (idx, flat) => {
    let k = 0
    for (let d = 0; d < idx.length; d++) if (!axes.includes(d)) k += idx[d]! * ost[d]!
    groups[k]!.push(a.data[flat]!)
  })
  const data = Float64Array.from(groups.map(f))
  return { shape: keepDims ? outShape : a.shape.filter((_, i) => !axes.includes(i)), data }
}

export function transpose(a: Arr, perm: readonly number[]): Arr {
  const shape = perm.map((p) => a.shape[p]!)
  const st = stridesOf(a.shape)
  const out = new Float64Array(a.data.length)
  each(shape, (idx, flat) => {
    let k = 0
    for (let d = 0; d < idx.length; d++) k += idx[d]! * st[perm[d]!]!
    out[flat] = a.data[k]!
  })
  return { shape, data: out }
}

export const reshape = (a: Arr, shape: readonly number[]): Arr => ({ shape: [...shape], data: a.data })

/** The block at `begin` of extent `size` (both full length, sizes resolved). */
export function slice(a: Arr, begin: readonly number[], size: readonly number[]): Arr {
  const st = stridesOf(a.shape)
  const out = new Float64Array(sizeOf(size))
  each(size, (idx, flat) => {
    let k = 0
    for (let d = 0; d < idx.length; d++) k += (idx[d]! + begin[d]!) * st[d]!
    out[flat] = a.data[k]!
  })
  return { shape: [...size], data: out }
}

export function concat(xs: readonly Arr[], axis: number): Arr {
  const shape = [...xs[0]!.shape]
  shape[axis] = xs.reduce((p, x) => p + x.shape[axis]!, 0)
  const out = new Float64Array(sizeOf(shape))
  const ost = stridesOf(shape)
  let offset = 0
  for (const x of xs) {
    each(x.shape, (idx, flat) => {
      let k = 0
      for (let d = 0; d < idx.length; d++) k += (idx[d]! + (d === axis ? offset : 0)) * ost[d]!
      out[k] = x.data[flat]!
    })
    offset += x.shape[axis]!
  }
  return { shape, data: out }
}

export function pad(a: Arr, paddings: readonly (readonly [number, number])[], c: number): Arr {
  const shape = a.shape.map((n, i) => n + paddings[i]![0] + paddings[i]![1])
  const out = new Float64Array(sizeOf(shape)).fill(c)
  const ost = stridesOf(shape)
  each(a.shape, (idx, flat) => {
    let k = 0
    for (let d = 0; d < idx.length; d++) k += (idx[d]! + paddings[d]![0]) * ost[d]!
    out[k] = a.data[flat]!
  })
  return { shape, data: out }
}

export function reverse(a: Arr, axes: readonly number[]): Arr {
  const st = stridesOf(a.shape)
  const out = new Float64Array(a.data.length)
  each(a.shape, (idx, flat) => {
    let k = 0
    for (let d = 0; d < idx.length; d++) k += (axes.includes(d) ? a.shape[d]! - 1 - idx[d]! : idx[d]!) * st[d]!
    out[flat] = a.data[k]!
  })
  return { shape: a.shape, data: out }
}

export function tile(a: Arr, reps: readonly number[]): Arr {
  const shape = a.shape.map((n, i) => n * reps[i]!)
  const st = stridesOf(a.shape)
  const out = new Float64Array(sizeOf(shape))
  each(shape, (idx, flat) => {
    let k = 0
    for (let d = 0; d < idx.length; d++) k += (idx[d]! % a.shape[d]!) * st[d]!
    out[flat] = a.data[k]!
  })
  return { shape, data: out }
}

/** `a` `[...x0, n, ...x1]` gathered along `axis` at `indices` (`[...i]`): `[...x0, ...i, ...x1]`. */
export function gather(a: Arr, indices: readonly number[], indexShape: readonly number[], axis: number): Arr {
  const x0 = a.shape.slice(0, axis)
  const x1 = a.shape.slice(axis + 1)
  const shape = [...x0, ...indexShape, ...x1]
  const st = stridesOf(a.shape)
  const ist = stridesOf(indexShape)
  const out = new Float64Array(sizeOf(shape))
  each(shape, (idx, flat) => {
    let ii = 0
    for (let d = 0; d < indexShape.length; d++) ii += idx[x0.length + d]! * ist[d]!
    let k = indices[ii]! * st[axis]!
    for (let d = 0; d < x0.length; d++) k += idx[d]! * st[d]!
    for (let d = 0; d < x1.length; d++) k += idx[x0.length + indexShape.length + d]! * st[axis + 1 + d]!
    out[flat] = a.data[k]!
  })
  return { shape, data: out }
}

/** The batched product of the last two axes with numpy broadcasting of the batch axes. */
export function matMul(a: Arr, b: Arr, tA: boolean, tB: boolean): Arr {
  const swap = (x: Arr, t: boolean): Arr => {
    if (!t) return x
    const p = [...x.shape.keys()]
    ;[p[p.length - 2], p[p.length - 1]] = [p[p.length - 1]!, p[p.length - 2]!]
    return transpose(x, p)
  }
  const A = swap(a, tA)
  const B = swap(b, tB)
  const [m, k] = A.shape.slice(-2) as [number, number]
  const n = B.shape[B.shape.length - 1]!
  const outer = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2))!
  const Ab = broadcastTo(A, [...outer, m, k])
  const Bb = broadcastTo(B, [...outer, k, n])
  const nb = sizeOf(outer)
  const out = new Float64Array(nb * m * n)
  for (let q = 0; q < nb; q++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let l = 0; l < k; l++) s += Ab.data[q * m * k + i * k + l]! * Bb.data[q * k * n + l * n + j]!
        out[q * m * n + i * n + j] = s
      }
    }
  }
  return { shape: [...outer, m, n], data: out }
}

/** `tf.dot` of rank-1/2 arrays. */
export function dot(a: Arr, b: Arr): Arr {
  const A = a.shape.length === 1 ? reshape(a, [1, a.shape[0]!]) : a
  const B = b.shape.length === 1 ? reshape(b, [b.shape[0]!, 1]) : b
  const c = matMul(A, B, false, false)
  const shape = [...(a.shape.length === 2 ? [a.shape[0]!] : []), ...(b.shape.length === 2 ? [b.shape[1]!] : [])]
  return reshape(c, shape)
}

/** Stable `log(sum(exp(vs)))`. */
export const logSumExp = (vs: number[]): number => {
  const m = Math.max(...vs)
  return m + Math.log(vs.reduce((s, v) => s + Math.exp(v - m), 0))
}

/** Softmax (or log-softmax) along the last axis. */
export function softmax(a: Arr, log: boolean): Arr {
  const n = a.shape[a.shape.length - 1]!
  const out = new Float64Array(a.data.length)
  for (let r = 0; r < a.data.length / n; r++) {
    const vs = Array.from(a.data.subarray(r * n, (r + 1) * n))
    const lse = logSumExp(vs)
    for (let i = 0; i < n; i++) out[r * n + i] = log ? vs[i]! - lse : Math.exp(vs[i]! - lse)
  }
  return { shape: a.shape, data: out }
}
