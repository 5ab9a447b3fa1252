/**
 * Properties of `vmap` over random programs, each input batched along a random axis or shared:
 * `vmap` against the float64 reference per example (20% of `NUM_RUNS`), `vmap(grad)` (15%)
 * and `grad(vmap)` (15%) against float64 finite differences, and `vmap(vmap)`, half of them of
 * `grad` (15%).
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import { setup } from '../support/helpers.js'
import { gradVmapProperty, vmapGradProperty, vmapProperty, vmapVmapProperty } from './properties.js'
import { params } from './support.js'

const t = suite('property: vmap of random programs')
t.before(setup)

t('vmap matches the per-example float64 reference', () => {
  fc.assert(fc.property(fc.gen(), vmapProperty), params(0.2))
})

t('vmap(grad) gives per-example gradients (finite differences)', () => {
  fc.assert(fc.property(fc.gen(), vmapGradProperty), params(0.15))
})

t('grad(vmap) with shared and batched arguments (finite differences)', () => {
  fc.assert(fc.property(fc.gen(), gradVmapProperty), params(0.15))
})

t('vmap(vmap) and vmap(vmap(grad)) match the reference for every pair of examples', () => {
  fc.assert(fc.property(fc.gen(), vmapVmapProperty), params(0.15))
})

t.run()
