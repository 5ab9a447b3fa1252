/** Bad inputs to `ops`, outside `vmap` and under it (where messages speak of per-example shapes). */
import * as tf from '@tensorflow/tfjs-core'
import { ops, vmap } from '../../../src/index.js'
import { bad, fx, good, type Entry } from '../catalogue.js'

const any = (x: unknown) => x as any
const V = (f: (x: tf.Tensor) => unknown) => () => vmap(f as (x: tf.Tensor) => tf.Tensor)(fx.ones([2, 3]))
const V2 = (f: (x: tf.Tensor, y: tf.Tensor) => unknown, xs: number[], ys: number[], inAxes: (0 | null)[] = [0, 0]) => () =>
  vmap(f as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, { inAxes })(fx.ones(xs), fx.ones(ys))

// ops.<name>(...) with an operand of the wrong shape: an ArgumentError naming the op and the shapes.
const shapeErr = (name: string, run: () => unknown, ...message: RegExp[]): Entry => bad('ops', name, run, 'ArgumentError', ...message)

export const opsEntries: Entry[] = [
  // reshape
  shapeErr('reshape: element counts differ', () => ops.reshape(fx.ones([3]), [4]), /ops\.reshape/, /\[3\]/, /4/),
  shapeErr('reshape under vmap: per-example counts differ', V((x) => ops.reshape(x, [4])), /ops\.reshape/, /\[3\]/, /per-example/, /4/),
  shapeErr('reshape under vmap: the batch size is not in the message', V((x) => ops.reshape(x, [2, 2])), /ops\.reshape/, /\[3\]/, /per-example/),
  shapeErr('reshape: two -1', () => ops.reshape(fx.ones([4]), [-1, -1]), /ops\.reshape/, /-1/),
  shapeErr('reshape under vmap: two -1', V((x) => ops.reshape(x, [-1, -1])), /ops\.reshape/, /-1/),
  shapeErr('reshape: a negative size', () => ops.reshape(fx.ones([4]), [-2, -2]), /ops\.reshape/, /-2/),
  shapeErr('reshape: NaN size', () => ops.reshape(fx.ones([4]), [NaN]), /ops\.reshape/, /NaN/),
  // concat
  shapeErr('concat: other axes differ', () => ops.concat([fx.ones([2, 3]), fx.ones([2, 4])], 0), /ops\.concat/, /\[2, 3\]/, /\[2, 4\]/),
  shapeErr('concat under vmap: other axes differ per example', V2((x, y) => ops.concat([x, y], 0), [2, 3, 2], [2, 4, 3]), /ops\.concat/, /\[3, 2\]/, /\[4, 3\]/, /per-example/),
  shapeErr('concat: ranks differ', () => ops.concat([fx.ones([2, 3]), fx.ones([3])]), /ops\.concat/, /rank|\[3\]/),
  shapeErr('concat under vmap: ranks differ', V2((x, y) => ops.concat([x, y]), [2, 3], [2, 3, 1]), /ops\.concat/, /per-example/),
  bad('ops', 'concat: axis out of range', () => ops.concat([fx.ones([3]), fx.ones([3])], 1), 'ArgumentError', /ops\.concat/, /axis/, /1/),
  bad('ops', 'concat under vmap: axis out of range', V2((x, y) => ops.concat([x, y], 1), [2, 3], [2, 3]), 'VmapError', /ops\.concat/, /axis/, /1/),
  shapeErr('concat: empty list', () => ops.concat([]), /ops\.concat/, /empty|at least one/),
  // matMul / dot
  shapeErr('matMul: inner dimensions differ', () => ops.matMul(fx.ones([2, 3]), fx.ones([4, 2])), /ops\.matMul/, /\[2, 3\]/, /\[4, 2\]/),
  shapeErr('matMul under vmap: inner dimensions differ per example', V2((a, b) => ops.matMul(a, b), [5, 2, 3], [5, 4, 2]), /ops\.matMul/, /\[2, 3\]/, /\[4, 2\]/, /per-example/),
  shapeErr('matMul under vmap with an unbatched operand', V2((a, b) => ops.matMul(a, b), [5, 2, 3], [4, 2], [0, null]), /ops\.matMul/, /\[2, 3\]/, /\[4, 2\]/),
  shapeErr('matMul under vmap: transposeA inner dims differ', () => vmap((a: tf.Tensor, b: tf.Tensor) => ops.matMul(a, b, true))(fx.ones([5, 2, 3]), fx.ones([5, 3, 2])), /ops\.matMul/, /\[2, 3\]/, /\[3, 2\]/),
  bad('ops', 'matMul: rank 1 operand', () => ops.matMul(fx.ones([3]), fx.ones([3, 2])), 'ArgumentError', /ops\.matMul/, /rank/, /\[3\]|1/),
  bad('ops', 'matMul under vmap: rank 1 per example', V2((a, b) => ops.matMul(a, b), [2, 3], [2, 3, 2]), 'VmapError', /ops\.matMul/, /rank/, /1/),
  shapeErr('dot: lengths differ', () => ops.dot(fx.ones([3]), fx.ones([4])), /ops\.dot/, /3/, /4/),
  shapeErr('dot under vmap: lengths differ', V2((a, b) => ops.dot(a, b), [2, 3], [2, 4]), /ops\.dot/, /\[3\]/, /\[4\]/),
  bad('ops', 'dot under vmap: rank 3 per example', V2((a, b) => ops.dot(a, b), [2, 3, 3, 3], [2, 3]), 'VmapError', /ops\.dot/, /rank/, /3/),
  // gather
  shapeErr('gather: float indices', () => ops.gather(fx.ones([3]), fx.t([0.5])), /ops\.gather/, /indices/, /float32|int32/),
  shapeErr('gather under vmap: float indices', V2((x, i) => ops.gather(x, i), [2, 3], [2, 1]), /ops\.gather/, /indices/, /float32|int32/),
  shapeErr('gather: axis out of range', () => ops.gather(fx.ones([3]), fx.t([0], [1], 'int32'), 2), /ops\.gather/, /axis/, /2/),
  bad('ops', 'gather under vmap: axis out of range', () => vmap((x: tf.Tensor) => ops.gather(x, fx.t([0], [1], 'int32'), 2))(fx.ones([2, 3])), 'VmapError', /ops\.gather/, /axis/, /2/),
  shapeErr('gather: batchDims larger than the rank', () => ops.gather(fx.ones([3]), fx.t([0], [1], 'int32'), 0, 2), /ops\.gather/, /batchDims/),
  // slice
  shapeErr('slice: begin + size past the end', () => ops.slice(fx.ones([3]), [2], [2]), /ops\.slice/, /\[3\]/, /2/),
  shapeErr('slice under vmap: begin + size past the per-example end', V((x) => ops.slice(x, [2], [2])), /ops\.slice/, /\[3\]/, /per-example/),
  shapeErr('slice: begin has the wrong length', () => ops.slice(fx.ones([3, 3]), [0, 0, 0], [1, 1, 1]), /ops\.slice/, /begin|rank/),
  bad('ops', 'slice under vmap: begin has the wrong length', V((x) => ops.slice(x, [0, 0], [1, 1])), 'VmapError', /ops\.slice/, /begin/),
  shapeErr('slice: negative begin', () => ops.slice(fx.ones([3]), [-5], [1]), /ops\.slice/, /-5|begin/),
  // elementwise broadcasting
  shapeErr('add: shapes do not broadcast', () => ops.add(fx.ones([3]), fx.ones([4])), /ops\.add/, /\[3\]/, /\[4\]/),
  shapeErr('add under vmap: per-example shapes do not broadcast', V2((a, b) => ops.add(a, b), [2, 3], [2, 4]), /ops\.add/, /\[3\]/, /\[4\]/, /per-example/),
  shapeErr('mul under vmap: per-example shapes do not broadcast', V2((a, b) => ops.mul(a, b), [2, 3, 2], [2, 4]), /ops\.mul/, /\[3, 2\]/, /\[4\]/),
  shapeErr('sub under vmap, unbatched operand', V2((a, b) => ops.sub(a, b), [2, 3], [5], [0, null]), /ops\.sub/, /\[3\]/, /\[5\]/),
  shapeErr('div: shapes do not broadcast', () => ops.div(fx.ones([2, 3]), fx.ones([3, 2])), /ops\.div/, /\[2, 3\]/, /\[3, 2\]/),
  shapeErr('maximum under vmap: shapes do not broadcast', V2((a, b) => ops.maximum(a, b), [2, 3], [2, 2]), /ops\.maximum/, /\[3\]/, /\[2\]/),
  shapeErr('minimum: shapes do not broadcast', () => ops.minimum(fx.ones([3]), fx.ones([2])), /ops\.minimum/),
  shapeErr('pow: shapes do not broadcast', () => ops.pow(fx.ones([3]), fx.ones([2])), /ops\.pow/),
  shapeErr('squaredDifference under vmap: shapes do not broadcast', V2((a, b) => ops.squaredDifference(a, b), [2, 3], [2, 2]), /ops\.squaredDifference/),
  shapeErr('equal: shapes do not broadcast', () => ops.equal(fx.ones([3]), fx.ones([2])), /ops\.equal/),
  shapeErr('where: condition is not bool', () => ops.where(fx.ones([3]), fx.ones([3]), fx.ones([3])), /ops\.where/, /bool|float32/),
  shapeErr('where under vmap: shapes do not broadcast', () => vmap((c: tf.Tensor, a: tf.Tensor) => ops.where(c, a, fx.ones([4])))(fx.t([[true, false, true], [true, true, true]], [2, 3], 'bool'), fx.ones([2, 3])), /ops\.where/, /\[3\]/, /\[4\]/),
  shapeErr('logicalAnd: float operands', () => ops.logicalAnd(fx.ones([2]), fx.ones([2])), /ops\.logicalAnd/, /bool|float32/),
  shapeErr('add: a string operand', () => ops.add(fx.ones([2]), any('a')), /ops\.add/),
  // reductions
  bad('ops', 'sum: duplicate axes', () => ops.sum(fx.ones([2, 3]), [0, 0]), 'ArgumentError', /ops\.sum/, /axis/, /duplicate|more than once|twice/, /0/),
  bad('ops', 'sum under vmap: duplicate axes', V((x) => ops.sum(x, [0, 0])), 'ArgumentError', /ops\.sum/, /axis/, /duplicate|more than once|twice/),
  bad('ops', 'sum: duplicate axes given as -1 and last', () => ops.sum(fx.ones([2, 3]), [1, -1]), 'ArgumentError', /ops\.sum/, /duplicate|more than once|twice/),
  bad('ops', 'mean under vmap: duplicate axes', () => vmap((x: tf.Tensor) => ops.mean(x, [1, -1]))(fx.ones([2, 3, 3])), 'ArgumentError', /ops\.mean/, /duplicate|more than once|twice/),
  bad('ops', 'max: duplicate axes', () => ops.max(fx.ones([2, 3]), [0, 0]), 'ArgumentError', /ops\.max/, /duplicate|more than once|twice/),
  bad('ops', 'sum: axis out of range', () => ops.sum(fx.ones([2, 3]), 2), 'ArgumentError', /ops\.sum/, /axis/, /2/),
  bad('ops', 'sum under vmap: axis out of range', V((x) => ops.sum(x, 1)), 'VmapError', /ops\.sum/, /axis/, /1/, /per-example rank 1/),
  bad('ops', 'sum under vmap: axis NaN', V((x) => ops.sum(x, NaN)), 'VmapError', /ops\.sum/, /axis/, /NaN/),
  bad('ops', 'mean: axis 1.5', () => ops.mean(fx.ones([2, 3]), 1.5), 'ArgumentError', /ops\.mean/, /axis/, /1\.5/),
  bad('ops', 'argMax under vmap: axis out of range', V((x) => ops.argMax(x, 3)), 'VmapError', /ops\.argMax/, /axis/, /3/),
  bad('ops', 'logSumExp under vmap: axis out of range', V((x) => ops.logSumExp(x, -2)), 'VmapError', /ops\.logSumExp/, /-2/),
  shapeErr('any: float operand', () => ops.any(fx.ones([2])), /ops\.any/, /bool|float32/),
  // shape ops
  bad('ops', 'transpose: perm of the wrong length', () => ops.transpose(fx.ones([2, 3]), [0]), 'ArgumentError', /ops\.transpose/, /perm/),
  bad('ops', 'transpose under vmap: perm of the wrong length', () => vmap((x: tf.Tensor) => ops.transpose(x, [1, 0, 2]))(fx.ones([2, 3, 4])), 'VmapError', /ops\.transpose/, /perm/),
  bad('ops', 'transpose under vmap: perm repeats an axis', () => vmap((x: tf.Tensor) => ops.transpose(x, [0, 0]))(fx.ones([2, 3, 4])), 'VmapError', /ops\.transpose/, /perm/, /0, 0|repeat|duplicate/),
  bad('ops', 'expandDims under vmap: axis out of range', V((x) => ops.expandDims(x, 3)), 'VmapError', /ops\.expandDims/, /axis/, /3/),
  bad('ops', 'squeeze under vmap: axis of size 3', V((x) => ops.squeeze(x, [0])), 'VmapError', /ops\.squeeze/, /size 3/),
  bad('ops', 'squeeze: axis of size 3', () => ops.squeeze(fx.ones([3]), [0]), 'ArgumentError', /ops\.squeeze/, /3|size/),
  bad('ops', 'stack: shapes differ', () => ops.stack([fx.ones([3]), fx.ones([4])]), 'ArgumentError', /ops\.stack/, /\[3\]|\[4\]|shape/),
  bad('ops', 'stack under vmap: per-example shapes differ', V2((a, b) => ops.stack([a, b]), [2, 3], [2, 4]), 'ArgumentError', /ops\.stack/, /\[3\]/, /\[4\]/),
  bad('ops', 'stack: empty list', () => ops.stack([]), 'ArgumentError', /ops\.stack/, /empty|at least one/),
  bad('ops', 'unstack under vmap: axis out of range', V((x) => ops.unstack(x, 1)), 'VmapError', /ops\.unstack/, /axis/, /1/),
  bad('ops', 'tile: reps of the wrong length', () => ops.tile(fx.ones([2, 3]), [2]), 'ArgumentError', /ops\.tile/, /reps/),
  bad('ops', 'tile under vmap: reps of the wrong length', V((x) => ops.tile(x, [2, 2])), 'ArgumentError', /ops\.tile/, /reps/, /\[3\]|rank 1/),
  bad('ops', 'broadcastTo: incompatible shape', () => ops.broadcastTo(fx.ones([3]), [4]), 'ArgumentError', /ops\.broadcastTo/, /\[3\]/, /\[4\]/),
  bad('ops', 'broadcastTo under vmap: incompatible per-example shape', V((x) => ops.broadcastTo(x, [2, 4])), 'ArgumentError', /ops\.broadcastTo/, /\[3\]/, /\[2, 4\]/),
  bad('ops', 'broadcastTo under vmap: lower rank than the operand', () => vmap((x: tf.Tensor) => ops.broadcastTo(x, [3]))(fx.ones([2, 2, 3])), 'ArgumentError', /ops\.broadcastTo/, /\[2, 3\]/, /\[3\]/),
  bad('ops', 'pad: paddings of the wrong length', () => ops.pad(fx.ones([3]), [[1, 1], [1, 1]]), 'ArgumentError', /ops\.pad/, /paddings|rank/),
  bad('ops', 'pad under vmap: paddings of the wrong length', V((x) => ops.pad(x, [[1, 1], [1, 1]])), 'VmapError', /ops\.pad/, /paddings/),
  bad('ops', 'reverse under vmap: axis out of range', V((x) => ops.reverse(x, 2)), 'VmapError', /ops\.reverse/, /axis/, /2/),
  // nn
  bad('ops', 'oneHot: float indices', () => ops.oneHot(fx.t([0.5]), 3), 'ArgumentError', /ops\.oneHot/, /int32|float32/),
  bad('ops', 'oneHot: depth 0', () => ops.oneHot(fx.t([0], [1], 'int32'), 0), 'ArgumentError', /ops\.oneHot/, /depth/, /0/),
  bad('ops', 'softmax under vmap: not the last axis', () => vmap((x: tf.Tensor) => ops.softmax(x, 0))(fx.ones([2, 3, 3])), 'VmapError', /ops\.softmax/, /last axis/),
  bad('ops', 'topk: k larger than the last axis', () => ops.topk(fx.ones([3]), 4), 'ArgumentError', /ops\.topk/, /k/, /4/),
  bad('ops', 'topk under vmap: k larger than the per-example last axis', V((x) => ops.topk(x, 4)), 'ArgumentError', /ops\.topk/, /k/, /4/, /3/),
  bad('ops', 'topk: k negative', () => ops.topk(fx.ones([3]), -1), 'ArgumentError', /ops\.topk/, /-1/),
  bad('ops', 'conv2d under vmap: x of rank 2 per example', () => vmap((x: tf.Tensor) => ops.conv2d(x, fx.ones([1, 1, 1, 1]), 1, 'valid'))(fx.ones([2, 3, 3])), 'VmapError', /ops\.conv2d\(x\)/, /rank 2/),
  bad('ops', 'conv2d: channels differ', () => ops.conv2d(fx.ones([1, 3, 3, 2]), fx.ones([1, 1, 3, 1]), 1, 'valid'), 'ArgumentError', /ops\.conv2d/, /channel|depth|2|3/),
  bad('ops', 'conv1d under vmap: filter rank 2', () => vmap((x: tf.Tensor) => ops.conv1d(x, fx.ones([1, 1]), 1, 'valid'))(fx.ones([2, 3, 1])), 'VmapError', /ops\.conv1d\(filter\)/, /rank/),
  bad('ops', 'maxPool under vmap: rank 1 per example', V((x) => ops.maxPool(x, 1, 1, 'valid')), 'VmapError', /ops\.maxPool/, /rank/),
  bad('ops', 'avgPool: filter larger than the input', () => ops.avgPool(fx.ones([1, 2, 2, 1]), 3, 1, 'valid'), 'ArgumentError', /ops\.avgPool/),
  // unary / misc
  bad('ops', 'cast to an unknown dtype', () => ops.cast(fx.ones([2]), any('float64')), 'ArgumentError', /ops\.cast/, /float64/),
  bad('ops', 'clipByValue: min > max', () => ops.clipByValue(fx.ones([2]), 2, 1), 'ArgumentError', /ops\.clipByValue/, /2/, /1/),
  bad('ops', 'clipByValue under vmap: min > max', V((x) => ops.clipByValue(x, 2, 1)), 'ArgumentError', /ops\.clipByValue/),
  bad('ops', 'exp of a string', () => ops.exp(any('x')), 'ArgumentError', /ops\.exp/),
  bad('ops', 'exp of null', () => ops.exp(any(null)), 'ArgumentError', /ops\.exp/, /null/),
  bad('ops', 'neg of undefined', () => ops.neg(any(undefined)), 'ArgumentError', /ops\.neg/, /undefined/),
  bad('ops', 'leakyRelu under vmap: alpha a string', V((x) => ops.leakyRelu(x, any('a'))), 'ArgumentError', /ops\.leakyRelu/),
  good('ops', 'sum with axes [0, 1] under vmap and without agree (documented)', () => {
    const xs = fx.range([2, 3, 4])
    const a = vmap((x: tf.Tensor) => ops.sum(x, [0, 1]))(xs)
    // The per-example reference (its temporaries freed: they are the entry's, not the library's).
    fx.of(() => tf.tidy(() => tf.stack([ops.sum(tf.squeeze(tf.slice(xs, [0, 0, 0], [1, 3, 4]), [0]), [0, 1]), ops.sum(tf.squeeze(tf.slice(xs, [1, 0, 0], [1, 3, 4]), [0]), [0, 1])])))
    return a
  }, (r) => {
    const t = r as tf.Tensor
    if (t.shape.join() !== '2' || Array.from(t.dataSync()).join() !== '66,210') throw new Error(`got [${t.shape}] ${t.dataSync()}`)
  }),
]
