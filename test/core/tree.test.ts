import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ArgumentError, tree, TreeMismatchError } from '../../src/index.js'
import { assertClose, setup } from '../support/helpers.js'

const t = suite('tree')
t.before(setup)

t('flatten / unflatten round trip, static leaves kept in the structure', () => {
  const a = tf.ones([2])
  const b = tf.zeros([1])
  const c = tf.ones([3])
  const value = { w: a, layers: [b, { c, name: 'dense', n: 3 }], nothing: null }
  const [leaves, def] = tree.flatten(value)
  assert.is(leaves.length, 3)
  assert.ok(leaves[0] === a && leaves[1] === b && leaves[2] === c)
  const back = tree.unflatten<typeof value>(def, leaves)
  assert.equal(Object.keys(back), ['w', 'layers', 'nothing'])
  assert.is((back.layers[1] as { name: string }).name, 'dense')
  assert.ok(back.layers[0] === b)
  assert.equal(tree.leaves(value).length, 3)
  assert.equal(tree.structure(value), def)
})

t('map over several trees', () => {
  const x = { a: tf.tensor1d([1, 2]), b: [tf.scalar(3)] }
  const y = { a: tf.tensor1d([10, 20]), b: [tf.scalar(30)] }
  const s = tree.map((p, q) => tf.add(p, q), x, y) as typeof x
  assertClose(s.a, tf.tensor1d([11, 22]))
  assertClose(s.b[0]!, tf.scalar(33))
})

t('mismatches raise a TreeMismatchError naming the key path', () => {
  const x = { a: tf.ones([1]), b: [tf.ones([1]), tf.ones([1])] }
  const y = { a: tf.ones([1]), b: [tf.ones([1])] }
  assert.throws(() => tree.map((p) => p, x, y), (e: unknown) => e instanceof TreeMismatchError && /\.b/.test(e.message))
  const z = { a: tf.ones([1]), c: [tf.ones([1]), tf.ones([1])] }
  assert.throws(() => tree.map((p) => p, x, z), (e: unknown) => e instanceof TreeMismatchError && /<root>/.test(e.message) && /c:/.test(e.message))
  const w = { a: tf.ones([1]), b: [tf.ones([1]), 5] }
  assert.throws(() => tree.map((p) => p, x, w), (e: unknown) => e instanceof TreeMismatchError && /\.b\[1\]/.test(e.message))
  const [, def] = tree.flatten(x)
  assert.throws(() => tree.unflatten(def, [tf.ones([1])]), (e: unknown) => e instanceof TreeMismatchError)
})

t('firstStatic finds the first non-null static leaf and its path', () => {
  const x = tf.ones([1])
  assert.equal(tree.firstStatic(tree.structure({ y: x, note: 'done' })), { value: 'done', path: '.note' })
  assert.equal(tree.firstStatic(tree.structure([x, [null, 3]])), { value: 3, path: '[1][1]' })
  assert.is(tree.firstStatic(tree.structure([x, null, undefined, { a: x }])), null)
  x.dispose()
})

t('flatten: objects that are not pytree nodes stay static unless they hide a tensor; cycles are refused', () => {
  const x = tf.ones([1])
  class Config {
    constructor(readonly lr = 0.1) {}
  }
  const big = new Float32Array(1_000_000)
  const [leaves, def] = tree.flatten({ c: new Config(), m: new Map([['a', 1]]), big, x })
  assert.is(leaves.length, 1)
  assert.is(tree.firstStatic(def)?.path, '.c')
  class Box {
    constructor(readonly inner: { t: tf.Tensor }) {}
  }
  assert.throws(() => tree.flatten([new Box({ t: x })]), (e: unknown) => e instanceof ArgumentError && /Box at \[0\] holds a tensor \(at \.inner\.t\)/.test((e as Error).message))
  const cyclic: unknown[] = [x]
  cyclic.push({ back: cyclic })
  assert.throws(() => tree.flatten(cyclic), (e: unknown) => e instanceof ArgumentError && /cyclic.*\[1\]\.back/.test((e as Error).message))
  x.dispose()
})

t('structure mismatches say what differs', () => {
  const x = tf.ones([1])
  assert.throws(() => tree.map((a, b) => a, [x], [x, x]), (e: unknown) => e instanceof TreeMismatchError && /arrays of length 1 vs 2/.test((e as Error).message))
  assert.throws(() => tree.map((a, b) => a, { w: x }, { v: x }), (e: unknown) => e instanceof TreeMismatchError && /keys \{w\} vs \{v\}/.test((e as Error).message))
  x.dispose()
})

t.run()
