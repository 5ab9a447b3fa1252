/**
 * The first main job: learn the per-cell costs of a 16x16 map so that the shortest path through
 * them matches a gold path, by backpropagating a Hamming loss through the grid shortest-path
 * solver with I-MLE, and Adam.
 *
 * Run: `npm start` (after `npm ci`). Prints progress, the loss curve and the learned path as
 * text, and writes out/grid_path.svg (map, paths, and per-cell marginals early and at the end).
 */
import * as tf from '@tensorflow/tfjs-core'
import { mkdirSync, writeFileSync } from 'node:fs'
import { imle, init, noise, ops, optim, random, solvers, target, valueAndGrad } from '../src/index.js'
import { gridPanelsSvg, pathAsText, sparkline } from './render.js'

const H = 16
const W = 16
const STEPS = Number(process.env['STEPS'] ?? 200)
const SAMPLES = 10

/**
 * A deterministic map: plains (cost 1), hills (up to ~7), and two walls (cost 101) with gaps on
 * opposite sides, so that the best path zigzags instead of following the diagonal.
 */
function makeMap(seed: number): Float32Array {
  let s = seed >>> 0
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
  const hills = Array.from({ length: 7 }, () => ({ i: rnd() * H, j: rnd() * W, r: 1.5 + rnd() * 2.5, a: 2 + rnd() * 4 }))
  const cost = new Float32Array(H * W)
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let c = 1
      for (const h of hills) c += h.a * Math.exp(-((i - h.i) ** 2 + (j - h.j) ** 2) / (2 * h.r ** 2))
      if ((i === 5 && j < W - 4) || (i === 10 && j >= 4)) c += 100
      cost[i * W + j] = c
    }
  }
  return cost
}

const backend = await init()
console.log(`imle grid-path demo: ${H}x${W} map, backend ${backend}, ${STEPS} Adam steps, ${SAMPLES} samples per step`)

const trueCost = makeMap(7)
const solve = solvers.gridShortestPath({ neighbourhood: 8 })
const gold = tf.tidy(() => solve(tf.neg(tf.tensor2d(trueCost, [H, W])))) // [H, W] 0/1
const goldCost = tf.sum(tf.mul(gold, tf.tensor2d(trueCost, [H, W]))).dataSync()[0]!

// theta = -cost, cost = softplus(w) > 0: the solver maximises <theta, z>, i.e. minimises cost.
const layer = imle(solve, noise.sumOfGamma({ k: 1.3 * H, nbIterations: 100 }), target.standard({ alpha: 1, beta: 10 }), {
  nbSamples: SAMPLES,
})
const thetaOf = (w: tf.Tensor): tf.Tensor => ops.neg(ops.log1p(ops.exp(w))) // [H, W]
const hamming = (z: tf.Tensor): tf.Tensor => ops.mean(ops.sum(ops.add(ops.mul(z, ops.sub(1, gold)), ops.mul(ops.sub(1, z), gold)), [1, 2])) // [S, H, W] -> []
const loss = (w: tf.Tensor, key: tf.Tensor): tf.Tensor => hamming(layer(thetaOf(w), key))

let params = tf.zeros([H, W])
const opt = optim.adam<tf.Tensor>({ learningRate: 0.1 })
let state = opt.init(params)
const lossValueAndGrad = valueAndGrad(loss)
const losses: number[] = []
// The per-cell marginals (fraction of 100 sampled paths through each cell) at a given theta.
const marginalLayer = imle(solve, noise.sumOfGamma({ k: 1.3 * H, nbIterations: 100 }), target.standard(), { nbSamples: 100 })
const marginalsAt = (theta: tf.Tensor, seed: number): Float32Array =>
  tf.tidy(() => ops.mean(marginalLayer(theta, random.key(seed)), 0).dataSync() as Float32Array) // [H, W]
const EARLY = 10
let earlyMarginals: Float32Array | undefined
let key = random.key(0)
const t0 = performance.now()
let tensorsAfterFirstStep = 0
for (let step = 1; step <= STEPS; step++) {
  const keys = random.split(key) // [2, 2]
  const [k1, k2] = tf.unstack(keys)
  tf.dispose([key, keys])
  key = k1!
  const [valueT, g] = lossValueAndGrad(params, k2!) // one forward pass for the value and the gradient
  const value = valueT.dataSync()[0]!
  tf.dispose([valueT, k2!])
  const [updates, next] = opt.update(g, state)
  const newParams = optim.applyUpdates(params, updates)
  tf.dispose([g, updates, params, state.mu, state.nu])
  params = newParams
  state = next
  losses.push(value)
  if (step === 1) tensorsAfterFirstStep = tf.memory().numTensors
  if (step === EARLY) earlyMarginals = tf.tidy(() => marginalsAt(thetaOf(params), 123))
  if (step % 10 === 0 || step === 1) {
    const recent = losses.slice(-10)
    const avg = recent.reduce((a, b) => a + b, 0) / recent.length
    process.stdout.write(`step ${String(step).padStart(4)}  Hamming loss (mean of last ${recent.length}) ${avg.toFixed(2)}  ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  }
}

// The training loop holds the same tensors after every step (the early marginals are a
// TypedArray): a leak would show here.
console.log(`tensors held: ${tensorsAfterFirstStep} after step 1, ${tf.memory().numTensors} after step ${STEPS}`)

// Evaluate: the noiseless MAP path of the learned costs, and the marginals of 100 samples.
const learnedTheta = tf.tidy(() => thetaOf(params))
const learnedPath = tf.tidy(() => solve(learnedTheta))
const marginals = marginalsAt(learnedTheta, 123)
const lp = learnedPath.dataSync()
const gp = gold.dataSync()
let mismatches = 0
let learnedTrueCost = 0
for (let i = 0; i < H * W; i++) {
  if (lp[i] !== gp[i]) mismatches++
  learnedTrueCost += lp[i]! * trueCost[i]!
}

console.log(`\nloss curve (${losses.length} steps, ${losses[0]!.toFixed(1)} -> ${losses[losses.length - 1]!.toFixed(1)}):`)
const chunk = Math.max(1, Math.floor(losses.length / 60))
const curve: number[] = []
for (let i = 0; i < losses.length; i += chunk) curve.push(losses.slice(i, i + chunk).reduce((a, b) => a + b, 0) / losses.slice(i, i + chunk).length)
console.log(sparkline(curve))
console.log('\ngold path:                learned path (noiseless MAP of the learned costs):')
const gt = pathAsText(H, W, gp).split('\n')
const lt = pathAsText(H, W, lp).split('\n')
gt.forEach((row, i) => console.log(`${row}          ${lt[i]}`))
console.log(`\nHamming distance learned vs gold: ${mismatches} cells; true cost of the learned path ${learnedTrueCost.toFixed(2)} vs gold ${goldCost.toFixed(2)} (ratio ${(learnedTrueCost / goldCost).toFixed(3)})`)

mkdirSync('out', { recursive: true })
const svg = gridPanelsSvg(H, W, [
  { title: 'true costs (log scale) + gold path', values: trueCost.map(Math.log), path: gp, colour: [150, 90, 40] },
  { title: `marginals after ${EARLY} steps`, values: earlyMarginals ?? new Float32Array(H * W), colour: [20, 130, 60] },
  { title: `marginals after ${STEPS} steps`, values: marginals, colour: [20, 130, 60] },
  { title: 'learned costs (log) + learned path', values: tf.tidy(() => tf.log(tf.neg(learnedTheta))).dataSync(), path: lp, colour: [40, 90, 150] },
])
writeFileSync('out/grid_path.svg', svg)
console.log(`wrote out/grid_path.svg; total ${((performance.now() - t0) / 1000).toFixed(1)} s`)
