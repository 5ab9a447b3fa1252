/** Bad inputs to the transformations: `vmap`, `grad`/`valueAndGrad`, `customVjp`, `callback`. */
import * as tf from '@tensorflow/tfjs-core'
import { callback, customVjp, grad, ops, valueAndGrad, vmap } from '../../../src/index.js'
import { bad, fx, good, type Entry } from '../catalogue.js'

const sq = (x: tf.Tensor) => ops.sum(ops.mul(x, x))
const any = (x: unknown) => x as any
const vm = (f: unknown) => vmap(f as (...a: any[]) => any)

export const vmapEntries: Entry[] = [
  bad('vmap', 'f is a number: vmap(42)', () => vmap(any(42)), 'VmapError', /vmap\(f\)/, /function/, /42/),
  bad('vmap', 'f is null', () => vmap(any(null)), 'VmapError', /vmap\(f\)/, /null/),
  bad('vmap', 'f is a string', () => vmap(any('ops.exp')), 'VmapError', /vmap\(f\)/, /"ops\.exp"/),
  bad('vmap', 'f is an object', () => vmap(any({})), 'VmapError', /vmap\(f\)/, /object/),
  bad('vmap', 'options is a number', () => vmap(sq, any(0)), 'VmapError', /vmap\(options\)/, /0/),
  bad('vmap', "inAxes: '0' (a string)", () => vmap(sq, { inAxes: any('0') })(fx.ones([2, 3])), 'VmapError', /inAxes/, /"0"/),
  bad('vmap', 'inAxes: NaN', () => vmap(sq, { inAxes: NaN })(fx.ones([2, 3])), 'VmapError', /inAxes/, /NaN/),
  bad('vmap', 'inAxes: Infinity', () => vmap(sq, { inAxes: Infinity })(fx.ones([2, 3])), 'VmapError', /inAxes/, /Infinity/),
  bad('vmap', 'inAxes: 1.5', () => vmap(sq, { inAxes: 1.5 })(fx.ones([2, 3])), 'VmapError', /inAxes/, /1\.5/, /\[-2, 1\]/),
  bad('vmap', 'inAxes: 2 for a rank-2 argument', () => vmap(sq, { inAxes: 2 })(fx.ones([2, 3])), 'VmapError', /inAxes/, /axis 2/, /\[-2, 1\]/),
  bad('vmap', 'inAxes: -3 for a rank-2 argument', () => vmap(sq, { inAxes: -3 })(fx.ones([2, 3])), 'VmapError', /inAxes/, /-3/),
  bad('vmap', 'inAxes 0 for a scalar argument (an impossible range)', () => vmap(sq)(fx.t(1)), 'VmapError', /inAxes/, /shape \[\]/, /scalar|rank 0|cannot be batched/),
  bad('vmap', 'inAxes has too many entries', () => vmap(sq, { inAxes: [0, 0] })(fx.ones([2, 3])), 'VmapError', /inAxes has 2 entries/, /1 argument/),
  bad('vmap', 'inAxes has too few entries', () => vmap(ops.add, { inAxes: [0] })(fx.ones([2]), fx.ones([2])), 'VmapError', /inAxes has 1 entr/, /2 argument/),
  bad('vmap', 'inAxes is an object for several arguments', () => vmap(ops.add, { inAxes: any({ a: 0 }) })(fx.ones([2]), fx.ones([2])), 'VmapError', /inAxes/, /object/),
  bad('vmap', 'inAxes tree does not match the argument', () => vmap((p: { a: tf.Tensor }) => p.a, { inAxes: [{ b: 0 }] })({ a: fx.ones([2]) }), 'VmapError', /inAxes/, /'?b'?|key/),
  bad('vmap', 'inAxes entry is a boolean', () => vmap(sq, { inAxes: [any(true)] })(fx.ones([2, 3])), 'VmapError', /inAxes/, /true/),
  bad('vmap', 'every inAxes entry is null', () => vmap(sq, { inAxes: null })(fx.ones([2, 3])), 'VmapError', /no argument is batched/),
  bad('vmap', 'no tensor argument', () => vmap(any(() => fx.ones([2])))(), 'VmapError', /no argument is batched/),
  bad('vmap', 'a number argument batched', () => vmap(any((x: number) => fx.ones([2])))(any(3)), 'VmapError', /no argument is batched/),
  bad('vmap', 'batch sizes disagree', () => vmap(ops.add)(fx.ones([3, 2]), fx.ones([4, 2])), 'VmapError', /batch sizes disagree/, /size 3/, /size 4/),
  bad('vmap', 'batch sizes disagree along other axes', () => vmap(ops.add, { inAxes: [1, 0] })(fx.ones([2, 3]), fx.ones([2, 3])), 'VmapError', /batch sizes disagree/),
  bad('vmap', 'outAxes out of range', () => vmap(sq, { outAxes: 3 })(fx.ones([2, 3])), 'VmapError', /outAxes/, /3/, /\[-1, 0\]/),
  bad('vmap', 'outAxes null for a batched output', () => vmap((x: tf.Tensor) => ops.exp(x), { outAxes: null })(fx.ones([2, 3])), 'VmapError', /outAxes is null/),
  bad('vmap', 'outAxes tree does not match the output', () => vmap((x: tf.Tensor) => [x, x], { outAxes: [0, 0, 0] })(fx.ones([2, 3])), 'VmapError', /outAxes/),
  bad('vmap', "outAxes: '1' (a string)", () => vmap((x: tf.Tensor) => ops.exp(x), { outAxes: any('1') })(fx.ones([2, 3])), 'VmapError', /outAxes/, /"1"/),
  bad('vmap', 'f returns a number', () => vm(() => 3)(fx.ones([2, 3])), 'VmapError', /vmap\(f\)/, /returned/, /3/, /tensor/),
  bad('vmap', 'f returns undefined', () => vm(() => undefined)(fx.ones([2, 3])), 'VmapError', /vmap\(f\)/, /returned/, /undefined/),
  bad('vmap', 'f returns a string leaf in a tree', () => vmap((x: tf.Tensor) => ({ y: ops.exp(x), note: 'done' }))(fx.ones([2, 3])), 'VmapError', /vmap\(f\)/, /note/, /"done"/),
  bad('vmap', 'f returns null', () => vm(() => null)(fx.ones([2, 3])), 'VmapError', /vmap\(f\)/, /null/),
  bad('vmap', 'a tensor method on a batched value (x.add)', () => vmap((x: tf.Tensor) => any(x).add(1))(fx.ones([2, 3])), 'RawTfOpError', /ops/, /x\.add|tensor method|tf\.add/),
  bad('vmap', 'a tensor method on a batched value (x.sum)', () => vmap((x: tf.Tensor) => any(x).sum())(fx.ones([2, 3])), 'RawTfOpError', /ops/),
  bad('vmap', 'a tensor method on a batched value (x.reshape)', () => vmap((x: tf.Tensor) => any(x).reshape([3]))(fx.ones([2, 3])), 'RawTfOpError', /ops/),
  bad('vmap', 'dataSync on a batched value', () => vmap((x: tf.Tensor) => fx.t(x.dataSync()[0]!))(fx.ones([2, 3])), 'VmapError', /dataSync|read/, /callback/),
  bad('vmap', 'arraySync on a batched value', () => vmap((x: tf.Tensor) => fx.t(x.arraySync() as number[]))(fx.ones([2, 3])), 'VmapError', /arraySync|read/, /callback/),
  bad('vmap', 'a raw tf op on a batched value', () => vmap((x: tf.Tensor) => tf.exp(x))(fx.ones([2, 3])), 'RawTfOpError', /Exp/, /ops\.exp|ops/),
  bad('vmap', 'a raw tf binary op with a batched value', () => vmap((x: tf.Tensor) => tf.add(x, fx.ones([3])))(fx.ones([2, 3])), 'RawTfOpError', /Add/),
  bad('vmap', 'a batched value used after its vmap returned', () => {
    let leak: tf.Tensor | undefined
    const out = vmap((x: tf.Tensor) => ((leak = x), ops.exp(x)))(fx.ones([2, 3]))
    fx.of(() => out)
    return ops.exp(leak!)
  }, 'VmapError', /already returned/),
  bad('vmap', 'the error thrown inside f is passed through', () => vmap((x: tf.Tensor) => ops.reshape(x, [4]))(fx.ones([2, 3])), 'ArgumentError', /ops\.reshape/, /\[3\]/, /\[4\]/),
  bad('vmap', 'nested: inner sizes disagree', () => vmap((x: tf.Tensor, y: tf.Tensor) => vmap(ops.add)(x, y))(fx.ones([2, 3, 4]), fx.ones([2, 2, 4])), 'VmapError', /batch sizes disagree/, /size 3/, /size 2/),
  bad('vmap', 'a nested tracer used after the inner vmap returned', () => {
    let leak: tf.Tensor | undefined
    return vmap((x: tf.Tensor) => {
      vmap((y: tf.Tensor) => ((leak = y), y))(x)
      return ops.add(x, ops.sum(leak!))
    })(fx.ones([2, 3]))
  }, 'VmapError', /already returned/),
  bad('vmap', 'a function argument among leaves is a static: tensor expected for batched axis', () => vmap(any((x: tf.Tensor, f: unknown) => x), { inAxes: [0, 0] })(fx.ones([2]), any('s')), 'VmapError', /inAxes|batched/, /"s"|string/),
]

export const gradEntries: Entry[] = [
  bad('grad', 'f is a number', () => grad(any(42)), 'GradError', /grad\(f\)/, /function/, /42/),
  bad('grad', 'f is undefined', () => grad(any(undefined)), 'GradError', /grad\(f\)/, /undefined/),
  bad('grad', 'valueAndGrad: f is a string', () => valueAndGrad(any('f')), 'GradError', /valueAndGrad\(f\)/, /"f"/),
  bad('grad', 'options is a string', () => grad(sq, any('argnums')), 'GradError', /grad\(options\)/, /"argnums"/),
  bad('grad', 'with respect to a number', () => grad((x: number) => fx.t(x * 2))(any(3)), 'GradError', /grad/, /argument 0/, /3|number/, /tensor/),
  bad('grad', 'with respect to a string', () => grad((x: string) => fx.t(1))(any('x')), 'GradError', /grad/, /argument 0/, /"x"|string/),
  bad('grad', 'with respect to an empty tree', () => grad((x: unknown) => fx.t(1))(any({})), 'GradError', /grad/, /argument 0/, /no tensor|tensor/),
  bad('grad', 'with respect to an int32 tensor', () => grad((x: tf.Tensor) => ops.sum(ops.cast(x, 'float32')))(fx.ones([3], 'int32')), 'GradError', /argument 0/, /int32/, /float32/),
  bad('grad', 'with respect to a bool tensor', () => grad((x: tf.Tensor) => fx.t(1))(fx.t([true, false], [2], 'bool')), 'GradError', /argument 0/, /bool/),
  bad('grad', 'duplicate argnums', () => grad((x: tf.Tensor, y: tf.Tensor) => ops.sum(ops.mul(x, y)), { argnums: [0, 0] })(fx.ones([2]), fx.ones([2])), 'GradError', /argnums/, /duplicate|twice|more than once/, /0/),
  bad('grad', 'argnums out of range', () => grad(sq, { argnums: 1 })(fx.ones([2])), 'GradError', /argnums contains 1/, /\[0, 0\]/),
  bad('grad', 'argnums negative', () => grad(sq, { argnums: -1 })(fx.ones([2])), 'GradError', /argnums contains -1/),
  bad('grad', 'argnums 0.5', () => grad(sq, { argnums: 0.5 })(fx.ones([2])), 'GradError', /argnums contains 0\.5/),
  bad('grad', 'argnums NaN', () => grad(sq, { argnums: NaN })(fx.ones([2])), 'GradError', /argnums contains NaN/),
  bad('grad', "argnums '0' (a string)", () => grad(sq, { argnums: any('0') })(fx.ones([2])), 'GradError', /argnums/, /"0"/),
  bad('grad', 'argnums empty', () => grad(sq, { argnums: [] })(fx.ones([2])), 'GradError', /argnums is empty/),
  bad('grad', 'no arguments', () => grad(() => fx.t(1))(), 'GradError', /argnums contains 0/, /0 argument/),
  bad('grad', 'f returns a vector', () => grad((x: tf.Tensor) => ops.mul(x, 2))(fx.ones([3])), 'GradError', /scalar/, /\[3\]/),
  bad('grad', 'f returns a number', () => grad(any((x: tf.Tensor) => 3))(fx.ones([3])), 'GradError', /grad/, /returned/, /3|number/),
  bad('grad', 'f returns undefined', () => grad(any((x: tf.Tensor) => undefined))(fx.ones([3])), 'GradError', /grad/, /returned/, /undefined/),
  bad('grad', 'f returns an int32 scalar', () => grad((x: tf.Tensor) => ops.cast(ops.sum(x), 'int32'))(fx.ones([3])), 'GradError', /int32/, /float32/),
  bad('grad', 'hasAux but f returns a tensor', () => grad(any(sq), { hasAux: true })(fx.ones([3])), 'GradError', /hasAux/, /\[output, aux\]/),
  bad('grad', 'hasAux but f returns a 3-array', () => grad(any((x: tf.Tensor) => [sq(x), 1, 2]), { hasAux: true })(fx.ones([3])), 'GradError', /hasAux/, /\[output, aux\]/),
  bad('grad', "hasAux: 'yes'", () => grad(sq, { hasAux: any('yes') })(fx.ones([3])), 'GradError', /hasAux/, /"yes"/),
  bad('grad', 'an error inside f passes through, no tape left', () => grad((x: tf.Tensor) => ops.sum(ops.reshape(x, [4])))(fx.ones([3])), 'ArgumentError', /ops\.reshape/),
  bad('grad', 'under vmap: f returns a per-example vector', () => vmap(grad((x: tf.Tensor) => ops.mul(x, 2)))(fx.ones([2, 3])), 'GradError', /scalar/, /\[3\]/),
  bad('grad', 'under vmap: with respect to an int32 argument', () => vmap(grad((x: tf.Tensor) => ops.sum(ops.cast(x, 'float32'))))(fx.ones([2, 3], 'int32')), 'GradError', /int32/),
  bad('grad', 'valueAndGrad: duplicate argnums', () => valueAndGrad((x: tf.Tensor) => sq(x), { argnums: [0, 0] })(fx.ones([2])), 'GradError', /valueAndGrad/, /argnums/, /duplicate|twice|more than once/),
  bad('grad', 'valueAndGrad: f returns a matrix', () => valueAndGrad((x: tf.Tensor) => x)(fx.ones([2, 2])), 'GradError', /valueAndGrad/, /scalar/, /\[2, 2\]/),
  bad('grad', 'grad(vmap(f)): batched loss is not a scalar', () => grad(vmap(sq))(fx.ones([2, 3])), 'GradError', /scalar/, /\[2\]/),
  bad('grad', 'a RawTfOpError inside grad(vmap) leaves no tape', () => grad((x: tf.Tensor) => ops.sum(vmap((r: tf.Tensor) => tf.exp(r))(x)))(fx.ones([2, 3])), 'RawTfOpError', /Exp/),
]

const idFwd = (x: tf.Tensor) => [ops.mul(x, 1), null] as const
export const customVjpEntries: Entry[] = [
  bad('customVjp', 'fwd is not a function', () => customVjp(any(1), (_r: unknown, ct: tf.Tensor) => [ct]), 'ArgumentError', /customVjp\(fwd\)/, /function/, /1|number/),
  bad('customVjp', 'bwd is not a function', () => customVjp(idFwd, any(null)), 'ArgumentError', /customVjp\(bwd\)/, /null/),
  bad('customVjp', 'fwd returns a tensor, not [out, residuals]', () => customVjp((x: tf.Tensor) => any(ops.exp(x)), (_r: unknown, ct: tf.Tensor) => [ct])(fx.ones([3])), 'ArgumentError', /customVjp\(fwd\)/, /\[out, residuals\]/, /tensor|shape \[3\]/),
  bad('customVjp', 'fwd returns a 1-array', () => customVjp((x: tf.Tensor) => any([ops.exp(x)]), (_r: unknown, ct: tf.Tensor) => [ct])(fx.ones([3])), 'ArgumentError', /customVjp\(fwd\)/, /\[out, residuals\]/, /1 entr|array of length 1/),
  bad('customVjp', 'fwd returns undefined', () => customVjp((x: tf.Tensor) => any(undefined), (_r: unknown, ct: tf.Tensor) => [ct])(fx.ones([3])), 'ArgumentError', /customVjp\(fwd\)/, /undefined/),
  bad('customVjp', 'fwd returns a number output', () => customVjp((x: tf.Tensor) => any([3, null]), (_r: unknown, ct: tf.Tensor) => [ct])(fx.ones([3])), 'ArgumentError', /customVjp\(fwd\)/, /output/, /3|tensor/),
  bad('customVjp', 'fwd output int32', () => customVjp((x: tf.Tensor) => [ops.cast(x, 'int32'), null] as const, (_r: unknown, ct: tf.Tensor) => [ct] as const)(fx.ones([3])), 'ArgumentError', /customVjp/, /int32/, /float32/),
  bad('customVjp', 'residuals with a number leaf', () => customVjp((x: tf.Tensor) => [ops.exp(x), { n: any('s') }] as const, (_r: unknown, ct: tf.Tensor) => [ct] as const)(fx.ones([3])), 'ArgumentError', /customVjp\(fwd\)/, /residual/, /"s"/),
  bad('customVjp', 'bwd returns a cotangent of the wrong shape', () =>
    grad((x: tf.Tensor) => ops.sum(customVjp(idFwd, (_r: null, ct: tf.Tensor) => [ops.sum(ct)] as const)(x)))(fx.ones([3])),
    'GradError', /customVjp\(bwd\)/, /cotangent 0/, /shape \[\]/, /\[3\]/),
  bad('customVjp', 'bwd returns a cotangent of the wrong dtype', () =>
    grad((x: tf.Tensor) => ops.sum(customVjp(idFwd, (_r: null, ct: tf.Tensor) => [ops.cast(ct, 'int32')] as const)(x)))(fx.ones([3])),
    'GradError', /customVjp\(bwd\)/, /cotangent 0/, /int32/, /float32/),
  bad('customVjp', 'bwd returns a number cotangent', () =>
    grad((x: tf.Tensor) => ops.sum(customVjp(idFwd, () => [any(1)] as const)(x)))(fx.ones([3])),
    'GradError', /customVjp\(bwd\)/, /cotangent 0/, /1|number/),
  bad('customVjp', 'bwd returns a tensor, not an array', () =>
    grad((x: tf.Tensor) => ops.sum(customVjp(idFwd, (_r: null, ct: tf.Tensor) => any(ct))(x)))(fx.ones([3])),
    'GradError', /bwd must return an array/, /1/),
  bad('customVjp', 'bwd returns too many cotangents', () =>
    grad((x: tf.Tensor) => ops.sum(customVjp(idFwd, (_r: null, ct: tf.Tensor) => any([ct, ct]))(x)))(fx.ones([3])),
    'GradError', /one cotangent per argument \(1\)/, /2 entries/),
  bad('customVjp', 'bwd cotangent of the wrong structure', () =>
    grad((p: { a: tf.Tensor }) => ops.sum(customVjp((q: { a: tf.Tensor }) => [ops.mul(q.a, 1), null] as const, any((_r: null, ct: tf.Tensor) => [{ b: ct }]))(p)))({ a: fx.ones([3]) }),
    'TreeMismatchError', /cotangent 0/),
  bad('customVjp', 'bwd throws: the error passes through, no leak', () =>
    grad((x: tf.Tensor) => ops.sum(customVjp(idFwd, () => { throw new (class extends Error {})('boom') })(x)))(fx.ones([3])),
    'GradError', /customVjp\(bwd\)/, /boom/),
  bad('customVjp', 'under vmap: bwd cotangent of the wrong per-example shape', () =>
    grad((x: tf.Tensor) => ops.sum(vmap(customVjp(idFwd, (_r: null, ct: tf.Tensor) => [ops.concat([ct, ct])] as const))(x)))(fx.ones([2, 3])),
    'GradError', /customVjp\(bwd\)/, /cotangent 0/, /\[6\]/, /\[3\]/),
  bad('customVjp', 'fwd returns a tensor under vmap', () => vmap(customVjp((x: tf.Tensor) => any(ops.exp(x)), (_r: unknown, ct: tf.Tensor) => [ct]))(fx.ones([2, 3])), 'ArgumentError', /customVjp\(fwd\)/, /\[out, residuals\]/),
]

const echo = (x: tf.Tensor) => tf.mul(x, 2)
export const callbackEntries: Entry[] = [
  bad('callback', 'without options', () => any(callback)(echo), 'ArgumentError', /callback\(options\)/, /vmapMethod/, /undefined/),
  bad('callback', 'options null', () => callback(echo, any(null)), 'ArgumentError', /callback\(options\)/, /null/),
  bad('callback', "vmapMethod 'parallel'", () => callback(echo, { vmapMethod: any('parallel') }), 'ArgumentError', /callback\(options\.vmapMethod\)/, /'sequential' or 'vectorized'/, /"parallel"/),
  bad('callback', 'fn is not a function', () => callback(any(3), { vmapMethod: 'sequential' }), 'ArgumentError', /callback\(fn\)/, /function/, /3/),
  bad('callback', 'unknown option', () => callback(echo, any({ vmapMethod: 'sequential', batch: true })), 'ArgumentError', /callback\(options\)/, /unknown option 'batch'/),
  bad('callback', 'sequential: examples disagree in shape', () =>
    vm(callback((x: tf.Tensor) => tf.ones([x.dataSync()[0]! > 0 ? 2 : 3]), { vmapMethod: 'sequential' }))(fx.t([1, -1])),
    'ArgumentError', /callback \(sequential\)/, /example 1/, /\[3\]/, /\[2\]/),
  bad('callback', 'sequential: examples disagree in dtype', () =>
    vm(callback((x: tf.Tensor) => tf.ones([2], x.dataSync()[0]! > 0 ? 'float32' : 'int32'), { vmapMethod: 'sequential' }))(fx.t([1, -1])),
    'ArgumentError', /callback \(sequential\)/, /example 1/, /int32/, /float32/),
  bad('callback', 'sequential: examples disagree in structure', () =>
    vm(callback((x: tf.Tensor) => (x.dataSync()[0]! > 0 ? [tf.ones([2])] : { a: tf.ones([2]) }), { vmapMethod: 'sequential' }))(fx.t([1, -1])),
    'TreeMismatchError', /callback \(sequential\)/),
  bad('callback', 'sequential: a batch of size 0', () => vm(callback(echo, { vmapMethod: 'sequential' }))(fx.zeros([0, 3])), 'ArgumentError', /callback \(sequential\)/, /empty/),
  bad('callback', 'sequential: fn returns a number', () => vm(callback(() => 3, { vmapMethod: 'sequential' }))(fx.ones([2])), 'ArgumentError', /callback/, /returned/, /3/),
  bad('callback', 'vectorized: fn forgot the batch axis', () => vm(callback((x: tf.Tensor) => tf.sum(x), { vmapMethod: 'vectorized' }))(fx.ones([2, 3])), 'ArgumentError', /callback \(vectorized\)/, /leading axis must be the batch of 2/, /shape \[\]/),
  bad('callback', 'vectorized: forgot the batch axis, sizes coincide', () =>
    vm(callback((x: tf.Tensor) => tf.sum(x, 0), { vmapMethod: 'vectorized' }))(fx.ones([3, 3])),
    'ArgumentError', /callback \(vectorized\)/, /\[3\]/, /per-example|batch/),
  bad('callback', 'vectorized: fn returns undefined', () => vm(callback(() => undefined, { vmapMethod: 'vectorized' }))(fx.ones([2])), 'ArgumentError', /callback/, /returned/, /undefined/),
  bad('callback', 'vectorized: fn returns a string', () => vm(callback(() => 'z', { vmapMethod: 'vectorized' }))(fx.ones([2])), 'ArgumentError', /callback/, /returned/, /"z"/),
  bad('callback', 'an error inside fn passes through', () => vm(callback(() => { throw new RangeError('inner') }, { vmapMethod: 'vectorized' }))(fx.ones([2])), 'ArgumentError', /callback/, /inner/),
  good('callback', 'outside vmap it is fn itself (documented)', () => callback((x: tf.Tensor) => tf.mul(x, 2), { vmapMethod: 'sequential' })(fx.t([1, 2])), (r) => {
    const v = Array.from((r as tf.Tensor).dataSync())
    if (v.join() !== '2,4') throw new Error(`got [${v}]`)
  }),
]
