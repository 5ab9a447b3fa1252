// Run in a fresh process by milp.test.ts, in one of two modes:
// - `unloaded`: a milp record called before HiGHS is loaded (plain and under vmap), then
//   loaded through the record's own load();
// - `missing`: the package `highs` hidden by a resolve hook, so loadMilp fails as when it is
//   not installed (twice: a failed load is not cached).
import * as tf from '@tensorflow/tfjs-core'
import { register } from 'node:module'
import { init, vmap } from '../../src/index.js'
import { loadMilp, milp } from '../../src/solvers/milp/index.js'

const said = (f: () => unknown): string => {
  try {
    return JSON.stringify(f())
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`
  }
}
const saidAsync = async (f: () => Promise<unknown>): Promise<string> => {
  try {
    return JSON.stringify(await f())
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`
  }
}

await init({ backend: 'cpu' })
const out: Record<string, string> = {}
if (process.argv[2] === 'missing') {
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier === 'highs') throw Object.assign(new Error("Cannot find package 'highs' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' })
    return next(specifier, context)
  }`
  register(`data:text/javascript,${encodeURIComponent(hook)}`)
  out['missing'] = await saidAsync(() => loadMilp())
  out['missingAgain'] = await saidAsync(() => loadMilp())
} else {
  const knapsack = milp({ A: [[3, 4, 2]], b: [5] })
  out['beforeLoad'] = said(() => knapsack(tf.tensor1d([4, 5, 3])))
  out['vmapBeforeLoad'] = said(() => vmap(knapsack)(tf.ones([2, 3])))
  await milp({ A: [[1]], b: [1] }).load()
  out['afterRecordLoad'] = said(() => Array.from(knapsack(tf.tensor1d([4, 5, 3])).dataSync()))
}
console.log(JSON.stringify(out))
