/**
 * Property: for random programs over `ops`, the forward value matches the float64 reference
 * and `grad` with respect to every input matches float64 central differences (35% of
 * `NUM_RUNS`). No failure class is excluded: every op of the generator's catalogue
 * (`programs.ts`) is checked with every broadcast, axis and transpose it draws.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import { setup } from '../support/helpers.js'
import { gradProperty } from './properties.js'
import { params } from './support.js'

const t = suite('property: grad of random programs')
t.before(setup)

t('forward matches float64 and grad matches float64 central differences', () => {
  fc.assert(fc.property(fc.gen(), gradProperty), params(0.35))
})

t.run()
