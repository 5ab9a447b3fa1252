/**
 * Pytrees: readonly arrays and plain objects whose leaves are tensors. Anything else (numbers,
 * strings, `null`, `undefined`, functions, class instances other than tensors) is a *static*
 * leaf: it is kept in the structure, not flattened. As in JAX, tree operations are
 * flatten, operate, unflatten. `flatten` refuses a cyclic tree, and a class instance, `Map` or
 * `Set` that holds a tensor (which a transformation would otherwise silently treat as a constant).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core'
import { ArgumentError, describe, TreeMismatchError } from './errors.js'

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
 * its structure. Throws an `ArgumentError` for a cyclic tree, and for a class instance, `Map`
 * or `Set` that holds a tensor (its tensors would be hidden in a static leaf).
 *
 * @example
 * ```ts
 * const [leaves, def] = tree.flatten({ w: tf.zeros([2]), b: [tf.ones([1]), 3] })
 * // leaves: [w, b[0]]; the number 3 is static and lives in `def`
 * ```
 */
export function flatten(t: unknown): [tf.Tensor[], TreeDef] {
  const leaves: tf.Tensor[] = []
  // The arrays and objects being visited, to refuse a cycle (which would recurse forever).
  const open: object[] = []
  const path: (string | number)[] = []
  const go = (x: unknown): TreeDef => {
    if (isTensor(x)) {
      leaves.push(x)
      return LEAF
    }
    if (typeof x !== 'object' || x === null) return { kind: 'static', value: x }
    const array = Array.isArray(x)
    if (!array && !isPlainObject(x)) {
      const inside = tensorInside(x)
      if (inside !== null) {
        throw new ArgumentError(
          `tree.flatten: ${describe(x)} at ${pathString(path)} holds a tensor (at ${inside}) but is not a pytree node, ` +
            `so its tensors would be hidden from transformations; use a plain object or an array` +
            (x instanceof Map ? ' (Object.fromEntries(map))' : ''),
        )
      }
      return { kind: 'static', value: x }
    }
    if (open.includes(x)) {
      throw new ArgumentError(`tree.flatten: the tree is cyclic: the value at ${pathString(path)} contains itself; a pytree must be a finite tree of arrays and plain objects`)
    }
    open.push(x)
    let def: TreeDef
    if (array) {
      def = { kind: 'array', children: x.map((c, j) => (path.push(j), withPop(go(c)))) }
    } else {
      const o = x as Record<string, unknown>
      const keys = Object.keys(o)
      def = { kind: 'object', keys, children: keys.map((k) => (path.push(k), withPop(go(o[k])))) }
    }
    open.pop()
    return def
  }
  const withPop = (d: TreeDef): TreeDef => {
    path.pop()
    return d
  }
  const def = go(t)
  return [leaves, def]
}

/**
 * The key path of a tensor inside `x`, an object that is not a pytree node (a class instance,
 * a `Map`, a `Set`), or `null` when it holds none: such a tensor would be hidden in a static
 * leaf. A best-effort diagnostic with a budget of visited values, so that a large static value
 * (a typed array, a model object) costs next to nothing on every transformation call.
 */
function tensorInside(x: object): string | null {
  const seen = new Set<unknown>()
  let budget = 256
  const search = (v: unknown, at: string): string | null => {
    if (budget-- <= 0 || typeof v !== 'object' || v === null || seen.has(v)) return null
    if (isTensor(v)) return at
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return null
    seen.add(v)
    const entries: Iterable<[string, unknown]> =
      v instanceof Map ? [...v.entries()].map(([k, c]) => [`${at}.get(${JSON.stringify(k) ?? String(k)})`, c])
        : v instanceof Set ? [...v].map((c, j) => [`${at}<${j}>`, c])
          : Object.keys(v).slice(0, budget).map((k) => [Array.isArray(v) ? `${at}[${k}]` : `${at}.${k}`, (v as Record<string, unknown>)[k]])
    for (const [k, c] of entries) {
      const found = search(c, k)
      if (found !== null) return found
    }
    return null
  }
  return search(x, '')
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
            `tree.unflatten: the structure has ${numLeaves(def)} leaves but ${leaves.length} were given`,
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
      default:
        throw new ArgumentError(`tree.unflatten(def): expected a TreeDef (from tree.flatten or tree.structure) but got ${describe(d)}`)
    }
  }
  if (typeof def !== 'object' || def === null) {
    throw new ArgumentError(`tree.unflatten(def): expected a TreeDef (from tree.flatten or tree.structure) but got ${describe(def)}`)
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
 * The first static leaf of a structure other than `null` and `undefined` (a number, a string, a
 * function, ...) with its key path, or `null` when there is none: for values that must be
 * pytrees of tensors only (what a vmapped function returns, `customVjp` residuals).
 *
 * @example
 * ```ts
 * tree.firstStatic(tree.structure({ y: x, note: 'done' }))   // { value: 'done', path: '.note' }
 * tree.firstStatic(tree.structure([x, null]))                // null
 * ```
 */
export function firstStatic(def: TreeDef, path: (string | number)[] = []): { readonly value: unknown; readonly path: string } | null {
  switch (def.kind) {
    case 'leaf':
      return null
    case 'static':
      return def.value === null || def.value === undefined ? null : { value: def.value, path: pathString(path) }
    default:
      for (let j = 0; j < def.children.length; j++) {
        const found = firstStatic(def.children[j]!, [...path, def.kind === 'array' ? j : def.keys[j]!])
        if (found !== null) return found
      }
      return null
  }
}

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
      `${fn}: tree structures differ at ${m} (${differenceAt(a, b)}): ${showStructure(a)} vs ${showStructure(b)}`,
    )
  }
}

/** What differs at the first mismatch of `a` and `b`, in words: kinds, array lengths, keys or values. */
function differenceAt(a: TreeDef, b: TreeDef): string {
  const kind = (d: TreeDef): string =>
    d.kind === 'leaf' ? 'a tensor' : d.kind === 'static' ? describe(d.value) : d.kind === 'array' ? `an array of length ${d.children.length}` : `an object with keys {${d.keys.join(', ')}}`
  if (a.kind !== b.kind) return `${kind(a)} vs ${kind(b)}`
  switch (a.kind) {
    case 'leaf':
      return ''
    case 'static':
      return `${kind(a)} vs ${kind(b)}`
    case 'array': {
      const bb = b as typeof a
      if (a.children.length !== bb.children.length) return `arrays of length ${a.children.length} vs ${bb.children.length}`
      const j = a.children.findIndex((c, i) => firstMismatch(c, bb.children[i]!) !== null)
      return differenceAt(a.children[j]!, bb.children[j]!)
    }
    case 'object': {
      const bb = b as typeof a
      if (a.keys.length !== bb.keys.length || a.keys.some((k, j) => bb.keys[j] !== k)) return `keys {${a.keys.join(', ')}} vs {${bb.keys.join(', ')}}`
      const j = a.children.findIndex((c, i) => firstMismatch(c, bb.children[i]!) !== null)
      return differenceAt(a.children[j]!, bb.children[j]!)
    }
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
  if (typeof fn !== 'function') throw new ArgumentError(`tree.map(fn): fn must be a function but got ${describe(fn)}`)
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
    `${fn}: the axis spec at ${pathString(path)} is ${describe(prefix)}; expected an integer, null, ` +
      `or an array/object prefix of the value's structure`,
  )
}
