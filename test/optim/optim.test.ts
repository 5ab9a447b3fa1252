/**
 * `optim.sgd`, the clipping transformations, `chain` and schedules as learning rates (of `sgd`
 * and `adam`): hand-computed updates, a float64 plain-JS reference over several steps, optax's
 * formulas, no leaks, typed errors.
 */
import * as tf from '@tensorflow/tfjs-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { optim } from '../../src/index.js'
import { argumentError, assertClose, assertNoLeak, configError, setup } from '../support/helpers.js'

const t = suite('optim')
t.before(setup)

const vec = (xs: number[]): tf.Tensor => tf.tensor1d(xs)
const arr = (x: tf.Tensor): number[] => Array.from(x.dataSync())
const closeTo = (got: number[], want: number[], tol: number, msg: string): void => {
  assert.is(got.length, want.length, `${msg}: length`)
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${msg}[${i}]: ${g} vs ${want[i]}`))
}

/** Float64 SGD as optax's chain(add_decayed_weights, trace, scale_by_learning_rate). */
function sgdReference(o: { lr: (t: number) => number; m: number; nesterov: boolean; wd: number }, p0: number[], grad: (p: number[]) => number[], steps: number): number[][] {
  let p = p0.slice()
  let tr = p.map(() => 0)
  const out: number[][] = []
  for (let s = 0; s < steps; s++) {
    const g = grad(p).map((gi, i) => gi + o.wd * p[i]!)
    tr = g.map((gi, i) => gi + o.m * tr[i]!)
    const d = o.m === 0 ? g : o.nesterov ? g.map((gi, i) => gi + o.m * tr[i]!) : tr
    p = p.map((pi, i) => pi - o.lr(s) * d[i]!)
    out.push(p.slice())
  }
  return out
}

/** Runs `opt` for `steps` steps of the gradient `grad` from `p0`, returning the parameters after each. */
function run(opt: optim.Optimizer<any, tf.Tensor>, p0: number[], grad: (p: tf.Tensor) => tf.Tensor, steps: number, passParams = true): number[][] {
  let p = vec(p0)
  let state = opt.init(p)
  const out: number[][] = []
  for (let s = 0; s < steps; s++) {
    const g = grad(p)
    const [u, next] = opt.update(g, state, passParams ? p : undefined)
    const p2 = optim.applyUpdates(p, u)
    tf.dispose([g, u, p, ...tfLeaves(state).filter((x) => !tfLeaves(next).includes(x))])
    p = p2
    state = next
    out.push(arr(p))
  }
  tf.dispose([p, ...tfLeaves(state)])
  return out
}
const tfLeaves = (x: unknown): tf.Tensor[] =>
  x instanceof tf.Tensor ? [x] : Array.isArray(x) ? x.flatMap(tfLeaves) : typeof x === 'object' && x !== null ? Object.values(x).flatMap(tfLeaves) : []

t('sgd: hand-computed updates, plain, heavy-ball and Nesterov momentum, weight decay', () => {
  const ones = () => vec([1, -2])
  const updates = (opts: optim.SgdOptions, steps: number, p0 = [0, 0]) => {
    const opt = optim.sgd<tf.Tensor>(opts)
    let s = opt.init(vec(p0))
    const us: number[][] = []
    for (let i = 0; i < steps; i++) {
      const [u, next] = opt.update(ones(), s, vec(p0))
      us.push(arr(u))
      s = next
    }
    return us
  }
  closeTo(updates({ learningRate: 0.1 }, 2).flat(), [-0.1, 0.2, -0.1, 0.2], 1e-6, 'plain')
  // trace: 1, 1.9, 2.71 (times the gradient)
  closeTo(updates({ learningRate: 0.1, momentum: 0.9 }, 3).map((u) => u[0]!), [-0.1, -0.19, -0.271], 1e-6, 'momentum')
  // Nesterov: g + m trace_t = 1.9, 2.71, 3.439
  closeTo(updates({ learningRate: 0.1, momentum: 0.9, nesterov: true }, 3).map((u) => u[0]!), [-0.19, -0.271, -0.3439], 1e-6, 'nesterov')
  // weight decay 0.5 at p = [2, 4]: g' = [1 + 1, -2 + 2] = [2, 0]
  closeTo(updates({ learningRate: 0.1, weightDecay: 0.5 }, 1, [2, 4])[0]!, [-0.2, 0], 1e-6, 'weight decay')
})

t('sgd matches a float64 plain-JS reference over 20 steps on a quadratic (every option, a schedule)', () => {
  const A = [3, 0.5, -1] // gradient of sum(a_i p_i^2 / 2) + b . p: a_i p_i + b_i
  const b = [1, -2, 0.5]
  const gradJs = (p: number[]) => p.map((pi, i) => Math.abs(A[i]!) * pi + b[i]!)
  const gradTf = (p: tf.Tensor) => tf.tidy(() => tf.add(tf.mul(p, vec(A.map(Math.abs))), vec(b)))
  const sched = optim.schedules.exponentialDecay({ initValue: 0.1, transitionSteps: 5, decayRate: 0.5 })
  for (const [m, nesterov, wd, lr] of [
    [0, false, 0, 0.1],
    [0.9, false, 0, 0.05],
    [0.9, true, 0, 0.05],
    [0.5, false, 0.01, 0.1],
    [0.7, true, 0.1, sched],
  ] as const) {
    const name = `m ${m} nesterov ${nesterov} wd ${wd} lr ${typeof lr}`
    const got = run(optim.sgd({ learningRate: lr, momentum: m, nesterov, weightDecay: wd }), [1, 2, -1], gradTf, 20)
    const want = sgdReference({ lr: typeof lr === 'number' ? () => lr : lr, m, nesterov, wd }, [1, 2, -1], gradJs, 20)
    got.forEach((g, s) => closeTo(g, want[s]!, 1e-5, `${name} step ${s}`))
  }
})

t('sgd and adam take a schedule: learningRate(count) with count the updates done before', () => {
  const seen: number[] = []
  const lr = (s: number) => (seen.push(s), 0.1 * (s + 1))
  const opt = optim.sgd<tf.Tensor>({ learningRate: lr })
  let s = opt.init(vec([0]))
  const us: number[] = []
  for (let i = 0; i < 3; i++) {
    const [u, next] = opt.update(vec([1]), s)
    us.push(arr(u)[0]!)
    s = next
  }
  assert.equal(seen, [0, 1, 2])
  closeTo(us, [-0.1, -0.2, -0.3], 1e-6, 'sgd schedule')
  // adam's first update is -lr sign(g) (bias-corrected m / sqrt(v) = 1), so the schedule shows directly.
  const ad = optim.adam<tf.Tensor>({ learningRate: optim.schedules.piecewiseConstant({ initValue: 0.5, boundaries: [1], scales: [0.1] }) })
  let st = ad.init(vec([0, 0]))
  const [u1, s1] = ad.update(vec([2, -3]), st)
  closeTo(arr(u1), [-0.5, 0.5], 1e-6, 'adam step 0')
  const [u2] = ad.update(vec([2, -3]), s1)
  closeTo(arr(u2), [-0.05, 0.05], 1e-6, 'adam step 1 (constant gradient: m / sqrt(v) = 1)')
  st = s1
  assert.ok(optim.AdamConfig.is({ learningRate: lr, b1: 0.9, b2: 0.999, eps: 1e-8 }))
  assert.ok(optim.AdamConfig.is({ learningRate: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8 }))
})

t('clipByGlobalNorm scales to the max norm only above it; clipByValue clips entries', () => {
  const c = optim.clipByGlobalNorm<{ a: tf.Tensor; b: tf.Tensor }>(1)
  const big = { a: vec([3]), b: vec([0, 4]) } // global norm 5
  const [u] = c.update(big, c.init(big))
  closeTo([...arr(u.a), ...arr(u.b)], [0.6, 0, 0.8], 1e-6, 'scaled to norm 1')
  const small = { a: vec([0.3]), b: vec([0, 0.4]) }
  const [v] = c.update(small, {})
  closeTo([...arr(v.a), ...arr(v.b)], [0.3, 0, 0.4], 1e-6, 'unchanged below the max')
  closeTo(arr(optim.globalNorm(big)), [5], 1e-6, 'globalNorm')
  const [w] = optim.clipByValue<tf.Tensor>(0.5).update(vec([-2, 0.1, 0.7]), {})
  closeTo(arr(w), [-0.5, 0.1, 0.5], 1e-6, 'clipByValue')
})

t('chain(clipByGlobalNorm, sgd with momentum) equals clipping by hand then sgd', () => {
  const opt = optim.chain(optim.clipByGlobalNorm<tf.Tensor>(1), optim.sgd<tf.Tensor>({ learningRate: 0.1, momentum: 0.9 }))
  let s = opt.init(vec([0, 0]))
  assert.equal(s[0], {})
  assert.is(s[1].count, 0)
  const grads = [[3, 4], [0.3, 0.4], [6, 8]]
  // clipped: [0.6, 0.8], [0.3, 0.4], [0.6, 0.8]; trace: [0.6,0.8], [0.84,1.12], [1.356,1.808]
  const want = [[-0.06, -0.08], [-0.084, -0.112], [-0.1356, -0.1808]]
  grads.forEach((g, i) => {
    const [u, next] = opt.update(vec(g), s)
    closeTo(arr(u), want[i]!, 1e-5, `step ${i}`)
    s = next
  })
  assert.is(s[1].count, 3)
  const o2 = optim.chain(optim.clipByValue<tf.Tensor>(1), optim.adam<tf.Tensor>({ learningRate: 0.1 }))
  const [u2] = o2.update(vec([5, -0.5]), o2.init(vec([0, 0])))
  closeTo(arr(u2), [-0.1, 0.1], 1e-5, 'chain(clipByValue, adam)')
})

t('no leaks: update returns exactly the updates and the new state tensors', () => {
  const p = { w: vec([1, 2]), b: vec([3]) }
  const g = { w: vec([0.1, 0.2]), b: vec([-1]) }
  const cases: [string, optim.Optimizer<any, typeof p>, number][] = [
    ['sgd', optim.sgd({ learningRate: 0.1 }), 2],
    ['sgd momentum + wd', optim.sgd({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.1 }), 4],
    ['adam with schedule', optim.adam({ learningRate: optim.schedules.cosineDecay({ initValue: 0.1, decaySteps: 10 }) }), 6],
    ['chain(clip, clip, sgd momentum)', optim.chain(optim.clipByGlobalNorm(1), optim.clipByValue(0.5), optim.sgd<typeof p>({ learningRate: 0.1, momentum: 0.5 })), 4],
  ]
  for (const [name, opt, n] of cases) {
    const s = opt.init(p)
    const [u, next] = assertNoLeak(() => opt.update(g, s, p), n, name)
    tf.dispose([...tfLeaves(u), ...tfLeaves(next), ...tfLeaves(s)])
  }
})

t('typed errors for bad options and arguments', () => {
  const any = (x: unknown) => x as never
  assert.throws(() => optim.sgd(any({})), configError(/optim\.sgd\(options\.learningRate\)/, /undefined/))
  assert.throws(() => optim.sgd({ learningRate: -1 }), configError(/optim\.sgd\(options\.learningRate\)/, /positive number or a schedule/, /-1/))
  assert.throws(() => optim.sgd({ learningRate: 0.1, momentum: 1 }), configError(/options\.momentum/, /\[0, 1\)/, /got 1/))
  assert.throws(() => optim.sgd({ learningRate: 0.1, weightDecay: -0.1 }), configError(/options\.weightDecay/, /-0\.1/))
  assert.throws(() => optim.sgd({ learningRate: 0.1, nesterov: true }), configError(/options\.nesterov/, /momentum > 0/))
  assert.throws(() => optim.sgd(any({ learningRate: 0.1, lr: 1 })), configError(/unknown option 'lr'/))
  assert.throws(() => optim.adam({ learningRate: any('fast') }), configError(/optim\.adam\(options\.learningRate\)/, /"fast"/))
  assert.throws(() => optim.clipByGlobalNorm(0), configError(/optim\.clipByGlobalNorm\(maxNorm\)/, /got 0/))
  assert.throws(() => optim.clipByValue(NaN), configError(/optim\.clipByValue\(maxDelta\)/, /NaN/))
  const wd = optim.sgd<tf.Tensor>({ learningRate: 0.1, weightDecay: 0.1 })
  assert.throws(() => wd.update(vec([1]), wd.init(vec([1]))), argumentError(/optim\.sgd\.update\(params\)/, /weightDecay/))
  const mo = optim.sgd<tf.Tensor>({ learningRate: 0.1, momentum: 0.9 })
  assert.throws(() => mo.update(vec([1, 2]), mo.init(vec([1]))), argumentError(/optim\.sgd\.update\(grads\)/, /\[2\]/, /\[1\]/))
  assert.throws(() => optim.sgd({ learningRate: 0.1 }).init(any(3)), argumentError(/optim\.sgd\.init\(params\)/))
  const bad = optim.sgd<tf.Tensor>({ learningRate: () => NaN })
  assert.throws(() => bad.update(vec([1]), bad.init(vec([1]))), argumentError(/optim\.sgd\.update/, /schedule returned NaN at step 0/))
  const ch = optim.chain(optim.clipByValue<tf.Tensor>(1))
  assert.throws(() => ch.update(vec([1]), any({})), argumentError(/optim\.chain\.update\(state\)/))
  assert.throws(() => optim.chain(any(3)), argumentError(/optim\.chain\(transforms\[0\]\)/))
})

t.run()
