/**
 * `optim.schedules`: values against optax's formulas at hand-picked steps, and typed errors.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { optim } from '../../src/index.js'
import { configError } from '../support/helpers.js'

const t = suite('schedules')
const S = optim.schedules

const near = (got: number, want: number, msg: string): void => assert.ok(Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want)), `${msg}: ${got} vs ${want}`)

t('constant', () => {
  const c = S.constant(0.3)
  for (const s of [0, 1, 1000]) assert.is(c(s), 0.3)
})

t('exponentialDecay: smooth, staircase, transitionBegin, endValue (both directions)', () => {
  const e = S.exponentialDecay({ initValue: 0.1, transitionSteps: 100, decayRate: 0.5 })
  near(e(0), 0.1, 'e(0)')
  near(e(50), 0.1 * 0.5 ** 0.5, 'e(50)')
  near(e(200), 0.025, 'e(200)')
  const st = S.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.1, staircase: true, transitionBegin: 5 })
  near(st(5), 1, 'before the begin')
  near(st(14), 1, 'staircase floor')
  near(st(15), 0.1, 'staircase step')
  near(st(34), 0.01, 'staircase two steps')
  const clipped = S.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 0.5, endValue: 0.2 })
  near(clipped(2), 0.25, 'above endValue')
  near(clipped(3), 0.2, 'clipped from below')
  const grow = S.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 2, endValue: 5 })
  near(grow(2), 4, 'growing')
  near(grow(3), 5, 'clipped from above')
})

t('cosineDecay: end points, middle, alpha, exponent', () => {
  const c = S.cosineDecay({ initValue: 2, decaySteps: 100 })
  near(c(0), 2, 'start')
  near(c(50), 1, 'middle')
  near(c(25), 2 * 0.5 * (1 + Math.cos(Math.PI / 4)), 'quarter')
  near(c(100), 0, 'end')
  near(c(500), 0, 'after the end')
  const a = S.cosineDecay({ initValue: 2, decaySteps: 100, alpha: 0.1, exponent: 2 })
  near(a(50), 2 * (0.9 * 0.25 + 0.1), 'alpha and exponent')
  near(a(100), 0.2, 'alpha floor')
})

t('piecewiseConstant: scales multiply from each boundary on', () => {
  const p = S.piecewiseConstant({ initValue: 1, boundaries: [10, 20], scales: [0.1, 0.5] })
  near(p(0), 1, 'p(0)')
  near(p(9), 1, 'p(9)')
  near(p(10), 0.1, 'p(10)')
  near(p(19), 0.1, 'p(19)')
  near(p(20), 0.05, 'p(20)')
  near(p(1e6), 0.05, 'p(1e6)')
})

t('warmupCosine: linear warm-up, cosine to endValue, flat after', () => {
  const w = S.warmupCosine({ initValue: 0.1, peakValue: 1, warmupSteps: 10, decaySteps: 110, endValue: 0.2 })
  near(w(0), 0.1, 'start')
  near(w(5), 0.55, 'half warm-up')
  near(w(10), 1, 'peak')
  near(w(60), 0.2 + 0.8 * 0.5, 'half decay')
  near(w(110), 0.2, 'end')
  near(w(1000), 0.2, 'after')
})

t('typed errors name the schedule and the field', () => {
  const any = (x: unknown) => x as never
  assert.throws(() => S.constant(NaN), configError(/optim\.schedules\.constant\(value\)/, /NaN/))
  assert.throws(() => S.exponentialDecay(any({ initValue: 1, decayRate: 0.5 })), configError(/exponentialDecay\(options\.transitionSteps\)/))
  assert.throws(() => S.exponentialDecay({ initValue: 1, transitionSteps: 0, decayRate: 0.5 }), configError(/options\.transitionSteps/, /got 0/))
  assert.throws(() => S.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 0 }), configError(/options\.decayRate/, /got 0/))
  assert.throws(() => S.cosineDecay({ initValue: 1, decaySteps: 1.5 }), configError(/cosineDecay\(options\.decaySteps\)/, /1\.5/))
  assert.throws(() => S.piecewiseConstant({ initValue: 1, boundaries: [1, 2], scales: [0.5] }), configError(/options\.scales/, /one scale per boundary/))
  assert.throws(() => S.piecewiseConstant({ initValue: 1, boundaries: [5, 2], scales: [0.5, 0.5] }), configError(/options\.boundaries/, /increase strictly/))
  assert.throws(() => S.warmupCosine({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 10 }), configError(/options\.decaySteps/, /exceed warmupSteps/))
  assert.throws(() => S.warmupCosine(any({ initValue: 0, peakValue: 1, warmupSteps: -1, decaySteps: 10 })), configError(/options\.warmupSteps/, /-1/))
})

t.run()
