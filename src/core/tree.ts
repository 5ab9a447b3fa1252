/**
 * Pytrees: readonly arrays and plain objects whose leaves are tensors. Anything else (numbers,
 * strings, `null`, `undefined`, functions, class instances other than tensors) is a *static*
 * leaf: it is kept in the structure, not flattened. As in JAX, tree operations are
 * flatten, operate, unflatten.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { TreeMismatchError } from './errors.js'

/** A pytree with tensor leaves `L`: `L`, readonly arrays of trees, or plain objects of trees. */
export type Tree<L = tf.Tensor> = L | readonly Tree<L>[] | { readonly [key: string]: Tree<L> } | Static

/** Static (non-tensor) leaves that trees may hold; they are structure, not data. */
export type Static = number | string | boolean | null | undefined | bigint | symbol

/** The structure of a pytree, without its tensor leaves. Compare two with `firstMismatch` or `assertSameStructure`. */
export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'static'; readonly value: unknown }
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] }

/**
 * Whether `x` is a tensor leaf (a tfjs tensor or a vmap tracer).
 *
 * @example
 * ```ts
 * tree.isTensor(tf.ones([2]))   // true
 * tree.isTensor(3)              // false: a static leaf
 * ```
 */
export const isTensor = (x: unknown): x is tf.Tensor => x instanceof tf.Tensor

const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (typeof x !== 'object' || x === null) return false
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/**
 * Flattens a pytree into its tensor leaves (depth first, object keys in insertion order) and
 * its structure.
 *
 * @example
 * ```ts
 * const [leaves, def] = tree.flatten({ w: tf.zeros([2]), b: [tf.ones([1]), 3] })
 * // leaves: [w, b[0]]; the number 3 is static and lives in `def`
 * ```
 */
export function flatten(t: unknown): [tf.Tensor[], TreeDef] {
  const leaves: tf.Tensor[] = []
  const go = (x: unknown): TreeDef => {
    if (isTensor(x)) {
      leaves.push(x)
      return LEAF
    }
    if (Array.isArray(x)) return { kind: 'array', children: x.map(go) }
    if (isPlainObject(x)) {
      const keys = Object.keys(x)
      return { kind: 'object', keys, children: keys.map((k) => go(x[k])) }
    }
    return { kind: 'static', value: x }
  }
  const def = go(t)
  return [leaves, def]
}

const LEAF: TreeDef = { kind: 'leaf' }

/**
 * Rebuilds a pytree of structure `def` from `leaves` (the inverse of `flatten`).
 *
 * @example
 * ```ts
 * const [leaves, def] = tree.flatten(params)
 * const doubled = tree.unflatten(def, leaves.map((l) => tf.mul(l, 2)))
 * ```
 */
export function unflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
  let i = 0
  const go = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        if (i >= leaves.length) {
          throw new TreeMismatchError(
            `tree.unflatten: the structure has more leaves than the ${leaves.length} given`,
          )
        }
        return leaves[i++]
      case 'static':
        return d.value
      case 'array':
        return d.children.map(go)
      case 'object': {
        const out: Record<string, unknown> = {}
        d.keys.forEach((k, j) => (out[k] = go(d.children[j]!)))
        return out
      }
    }
  }
  const out = go(def)
  if (i !== leaves.length) {
    throw new TreeMismatchError(
      `tree.unflatten: the structure has ${i} leaves but ${leaves.length} were given`,
    )
  }
  return out as T
}

/**
 * The tensor leaves of a pytree, in `flatten` order.
 *
 * @example
 * ```ts
 * tree.leaves({ a: x, b: [y, 'label'] })   // [x, y]
 * ```
 */
export const leaves = (t: unknown): tf.Tensor[] => flatten(t)[0]

/**
 * The structure of a pytree (its `TreeDef`).
 *
 * @example
 * ```ts
 * tree.structure({ a: x, b: [y] })   // { kind: 'object', keys: ['a', 'b'], ... }
 * ```
 */
export const structure = (t: unknown): TreeDef => flatten(t)[1]

/**
 * The number of tensor leaves in a structure.
 *
 * @example
 * ```ts
 * tree.numLeaves(tree.structure([x, { y }]))   // 2
 * ```
 */
export function numLeaves(def: TreeDef): number {
  switch (def.kind) {
    case 'leaf':
      return 1
    case 'static':
      return 0
    default:
      return def.children.reduce((s, c) => s + numLeaves(c), 0)
  }
}

/**
 * A readable one-line description of a structure, used in error messages.
 *
 * @example
 * ```ts
 * tree.showStructure(tree.structure({ a: x, b: [y, 1] }))   // '{a: *, b: [*, 1]}'
 * ```
 */
export function showStructure(def: TreeDef): string {
  switch (def.kind) {
    case 'leaf':
      return '*'
    case 'static':
      return JSON.stringify(def.value) ?? String(def.value)
    case 'array':
      return `[${def.children.map(showStructure).join(', ')}]`
    case 'object':
      return `{${def.keys.map((k, j) => `${k}: ${showStructure(def.children[j]!)}`).join(', ')}}`
  }
}

const pathString = (path: readonly (string | number)[]): string =>
  path.length === 0 ? '<root>' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')

/**
 * The key path of the first place where two structures differ, or `null` when they are equal
 * (static leaves compare with `Object.is`).
 *
 * @example
 * ```ts
 * tree.firstMismatch(tree.structure({ a: [x] }), tree.structure({ a: [x, y] }))   // '.a'
 * ```
 */
export function firstMismatch(a: TreeDef, b: TreeDef, path: (string | number)[] = []): string | null {
  if (a.kind !== b.kind) return pathString(path)
  switch (a.kind) {
    case 'leaf':
      return null
    case 'static':
      return Object.is(a.value, (b as typeof a).value) ? null : pathString(path)
    case 'array': {
      const bb = b as typeof a
      if (a.children.length !== bb.children.length) return pathString(path)
      for (let j = 0; j < a.children.length; j++) {
        const m = firstMismatch(a.children[j]!, bb.children[j]!, [...path, j])
        if (m !== null) return m
      }
      return null
    }
    case 'object': {
      const bb = b as typeof a
      if (a.keys.length !== bb.keys.length || a.keys.some((k, j) => bb.keys[j] !== k)) {
        return pathString(path)
      }
      for (let j = 0; j < a.children.length; j++) {
        const m = firstMismatch(a.children[j]!, bb.children[j]!, [...path, a.keys[j]!])
        if (m !== null) return m
      }
      return null
    }
  }
}

/**
 * Throws a `TreeMismatchError` naming the key path unless `a` and `b` are equal.
 *
 * @example
 * ```ts
 * tree.assertSameStructure('myFn', tree.structure(params), tree.structure(grads))
 * ```
 */
export function assertSameStructure(fn: string, a: TreeDef, b: TreeDef): void {
  const m = firstMismatch(a, b)
  if (m !== null) {
    throw new TreeMismatchError(
      `${fn}: tree structures differ at ${m}: ${showStructure(a)} vs ${showStructure(b)}`,
    )
  }
}

/**
 * Maps `fn` over the tensor leaves of one or more pytrees of the same structure.
 * A structure mismatch throws a `TreeMismatchError` naming the key path.
 *
 * @example
 * ```ts
 * const sum = tree.map((a, b) => tf.add(a, b), params, grads)   // { w: w + gw, b: b + gb }
 * ```
 */
export function map<R>(fn: (...xs: tf.Tensor[]) => R, t: unknown, ...rest: unknown[]): unknown {
  const [ls, def] = flatten(t)
  const others = rest.map((r) => {
    const [l, d] = flatten(r)
    assertSameStructure('tree.map', def, d)
    return l
  })
  return unflatten(
    def,
    ls.map((x, i) => fn(x, ...others.map((o) => o[i]!))),
  )
}

/**
 * Visits a *prefix* tree `prefix` against a full tree `full`: every leaf of `prefix` (a
 * non-array, non-object value, such as a number or `null`) applies to the whole subtree of
 * `full` at its position. Returns one value per tensor leaf of `full`. Used for `inAxes` and
 * `outAxes`.
 *
 * @example
 * ```ts
 * const isAxis = (a: unknown): a is number | null => a === null || typeof a === 'number'
 * tree.broadcastPrefix('vmap(inAxes)', [0, null], tree.structure([x, { y, z }]), isAxis)   // [0, null, null]
 * ```
 */
export function broadcastPrefix<P>(
  fn: string,
  prefix: unknown,
  full: TreeDef,
  isPrefixLeaf: (x: unknown) => x is P,
  path: (string | number)[] = [],
): P[] {
  if (isPrefixLeaf(prefix)) return Array(numLeaves(full)).fill(prefix) as P[]
  if (Array.isArray(prefix)) {
    if (full.kind !== 'array' || full.children.length !== prefix.length) {
      throw new TreeMismatchError(
        `${fn}: the axis spec at ${pathString(path)} is an array of ${prefix.length} but the ` +
          `value there is ${showStructure(full)}`,
      )
    }
    return full.children.flatMap((c, j) => broadcastPrefix(fn, prefix[j], c, isPrefixLeaf, [...path, j]))
  }
  if (isPlainObject(prefix)) {
    if (full.kind !== 'object') {
      throw new TreeMismatchError(
        `${fn}: the axis spec at ${pathString(path)} is an object but the value there is ${showStructure(full)}`,
      )
    }
    const keys = Object.keys(prefix)
    if (keys.length !== full.keys.length || keys.some((k) => !full.keys.includes(k))) {
      throw new TreeMismatchError(
        `${fn}: the axis spec at ${pathString(path)} has keys {${keys.join(', ')}} but the value ` +
          `there is ${showStructure(full)}`,
      )
    }
    return full.children.flatMap((c, j) => {
      const k = full.keys[j]!
      return broadcastPrefix(fn, prefix[k], c, isPrefixLeaf, [...path, k])
    })
  }
  throw new TreeMismatchError(
    `${fn}: the axis spec at ${pathString(path)} is ${String(prefix)}; expected an integer, null, ` +
      `or an array/object prefix of the value's structure`,
  )
}
