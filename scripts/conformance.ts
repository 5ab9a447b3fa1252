/**
 * The exact-gradient conformance table of the estimator family (`npm run conformance`): every
 * estimator configuration of `test/conformance/exact.ts` on every problem and loss, its
 * key-averaged gradient against the exact one. Prints the table (markdown), writes
 * `out/conformance.json` and the chart `out/conformance.svg` (cosine similarity per estimator
 * and problem, one panel per loss), and copies the chart to `docs/images/conformance.svg`.
 *
 * Options (environment): `IMLE_BACKEND` (default: what `init()` picks, wasm in Node),
 * `CONFORMANCE_GROUPS` (default 32) and `CONFORMANCE_PER_GROUP` (keys per group, default 2048).
 */
import * as tf from '@tensorflow/tfjs-core'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, platform } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { init, type BackendName } from '../src/index.js'
import { ESTIMATORS, PROBLEMS, measure, solverSuboptimality, type Measurement } from '../test/conformance/exact.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const groups = Number(process.env['CONFORMANCE_GROUPS'] ?? 32)
const perGroup = Number(process.env['CONFORMANCE_PER_GROUP'] ?? 2048)
const requested = process.env['IMLE_BACKEND'] as BackendName | undefined
const backend = await init(requested === undefined ? {} : { backend: requested })

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${platform()}, Node ${process.version}, tfjs backend ${backend}`
const date = new Date().toISOString().slice(0, 10)
console.log(`# Exact-gradient conformance (${date}; ${machine})`)
console.log(`# ${groups} groups x ${perGroup} keys per random estimator (one vmapped grad call per group); tau = 1\n`)

const started = performance.now()
const measurements: Measurement[] = []
const suboptimality: Record<string, number> = {}
for (const problem of PROBLEMS) {
  if (problem.kind === 'path') suboptimality[problem.id] = solverSuboptimality(problem, 20000, 5)
  for (const loss of problem.losses) {
    for (const [e, spec] of ESTIMATORS.entries()) {
      if (!spec.applies(problem)) continue
      measurements.push(measure(problem, loss, spec, { groups, perGroup, seed: 1000 + e }))
    }
  }
}
const seconds = (performance.now() - started) / 1000

// ---------------------------------------------------------------------------------------------
// The table

const f = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : x > 0 ? '∞' : 'NaN')
const pm = (m: { mean: number; se: number }): string => `${f(m.mean)} ± ${f(m.se)}`
const header =
  '| estimator | cosine | rel. error | cosine per group (mean ± SE) | rel. error per group (mean ± SE) | max dev. (SE) | solver calls / step | MAP solves / instance | samples / key |'
const rule = '|---|---|---|---|---|---|---|---|---|'
for (const problem of PROBLEMS) {
  console.log(`## ${problem.name} (${problem.states.length} states)`)
  if (problem.id in suboptimality) {
    console.log(`The grid solver's path is not the best simple path for ${f(100 * suboptimality[problem.id]!, 1)}% of Gumbel-perturbed instances.`)
  }
  for (const loss of problem.losses) {
    const rows = measurements.filter((m) => m.problem === problem.name && m.loss === loss.name)
    console.log(`\n### ${problem.name}, loss ${loss.name}; ||g*|| = ${f(Math.hypot(...rows[0]!.exact))}\n`)
    console.log(header)
    console.log(rule)
    for (const m of rows) {
      const z = m.maxZ === null ? '—' : f(m.maxZ, 1)
      const g = m.groups > 1 ? [pm(m.groupCosine), pm(m.groupRelativeError)] : ['(deterministic)', '(deterministic)']
      console.log(`| ${m.estimator} | ${f(m.cosine)} | ${f(m.relativeError)} | ${g[0]} | ${g[1]} | ${z} | ${f(m.solverCalls, 0)} | ${m.solves} | ${m.rowsPerKey} |`)
    }
  }
  console.log('')
}
console.log('## Summary: cosine / relative error of the key-averaged gradient ± its sampling error ||SE|| / ||g*||\n')
for (const loss of PROBLEMS[0]!.losses.map((l) => l.name)) {
  console.log(`### loss ${loss}\n`)
  console.log(`| estimator | ${PROBLEMS.map((p) => p.name).join(' | ')} |`)
  console.log(`|---|${PROBLEMS.map(() => '---').join('|')}|`)
  for (const e of ESTIMATORS) {
    const cells = PROBLEMS.map((p) => {
      const m = measurements.find((r) => r.problem === p.name && r.loss === loss && r.estimator === e.name)
      if (m === undefined) return 'n/a'
      if (m.gradient.every((g) => g === 0)) return 'zero gradient'
      const noise = m.groups > 1 ? ` ± ${f(Math.hypot(...m.se) / Math.hypot(...m.exact), 2)}` : ''
      return `${f(m.cosine)} / ${f(m.relativeError, 2)}${noise}`
    })
    console.log(`| ${e.name} | ${cells.join(' | ')} |`)
  }
  console.log('')
}
console.log('## What each estimator estimates\n')
for (const e of ESTIMATORS) console.log(`- **${e.name}**: ${e.estimates}`)
console.log(`\n${measurements.length} measurements in ${seconds.toFixed(1)} s`)

// ---------------------------------------------------------------------------------------------
// JSON and the chart

const outDir = join(root, 'out')
mkdirSync(outDir, { recursive: true })
const json = {
  date,
  machine,
  backend,
  groups,
  perGroup,
  seconds,
  tau: 1,
  problems: PROBLEMS.map((p) => ({ id: p.id, name: p.name, shape: p.shape, states: p.states.length, theta: Array.from(p.theta) })),
  solverSuboptimality: suboptimality,
  estimators: ESTIMATORS.map((e) => ({ name: e.name, estimates: e.estimates, solves: e.solves, rowsPerKey: e.rowsPerKey })),
  measurements,
}
// JSON has no Infinity: a deviation with no spread (a deterministic gradient) is written "Infinity".
writeFileSync(join(outDir, 'conformance.json'), JSON.stringify(json, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2))

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b']
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Horizontal bars of the pooled cosine similarity, one row per estimator, one bar per problem,
 * one panel per loss; the axis runs from -1 to 1, a configuration that does not apply reads
 * "n/a" and one that returned no gradient at all "zero gradient".
 */
function chart(): string {
  const losses = PROBLEMS[0]!.losses.map((l) => l.name)
  const bar = 6
  const rowH = PROBLEMS.length * bar + 8
  const labelW = 330
  const panelW = 230
  const gap = 24
  const top = 70
  const width = labelW + losses.length * (panelW + gap)
  const height = top + ESTIMATORS.length * rowH + 40
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">Cosine similarity of the key-averaged gradient with the exact gradient of E_p[L]</text>`,
    `<text x="8" y="34" fill="#555">${esc(`${groups * perGroup} keys per random estimator; ${date}; ${machine}`)}</text>`,
  ]
  PROBLEMS.forEach((p, i) => {
    const x = 8 + i * 150
    parts.push(`<rect x="${x}" y="44" width="10" height="10" fill="${COLOURS[i]}"/><text x="${x + 14}" y="53">${esc(p.name)}</text>`)
  })
  losses.forEach((loss, li) => {
    const x0 = labelW + li * (panelW + gap)
    const xOf = (c: number): number => x0 + ((c + 1) / 2) * panelW
    parts.push(`<text x="${x0 + panelW / 2}" y="${top - 4}" text-anchor="middle" font-weight="bold">loss: ${esc(loss)}</text>`)
    for (const c of [-1, -0.5, 0, 0.5, 1]) {
      const x = xOf(c)
      parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + ESTIMATORS.length * rowH}" stroke="${c === 0 ? '#333' : '#ddd'}"/>`)
      parts.push(`<text x="${x}" y="${top + ESTIMATORS.length * rowH + 14}" text-anchor="middle" fill="#555">${c}</text>`)
    }
    ESTIMATORS.forEach((e, ei) => {
      const y0 = top + ei * rowH + 4
      PROBLEMS.forEach((p, pi) => {
        const m = measurements.find((r) => r.problem === p.name && r.loss === loss && r.estimator === e.name)
        const y = y0 + pi * bar
        if (m === undefined) {
          parts.push(`<text x="${xOf(0) + 3}" y="${y + bar - 1}" font-size="6" fill="#999">n/a</text>`)
          return
        }
        if (m.gradient.every((g) => g === 0)) {
          parts.push(`<text x="${xOf(0) + 3}" y="${y + bar - 1}" font-size="6" fill="#c00">zero gradient</text>`)
          return
        }
        const c = Math.max(-1, Math.min(1, m.cosine))
        const x = Math.min(xOf(0), xOf(c))
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.abs(xOf(c) - xOf(0)).toFixed(1)}" height="${bar - 1}" fill="${COLOURS[pi]}"><title>${esc(`${e.name}, ${p.name}, ${loss}: cosine ${f(m.cosine)}, relative error ${f(m.relativeError)}`)}</title></rect>`,
        )
      })
    })
  })
  ESTIMATORS.forEach((e, ei) => {
    const y = top + ei * rowH + rowH / 2 + 4
    parts.push(`<text x="${labelW - 8}" y="${y}" text-anchor="end">${esc(e.name)}</text>`)
    if (ei > 0) parts.push(`<line x1="8" y1="${top + ei * rowH}" x2="${width - 8}" y2="${top + ei * rowH}" stroke="#f0f0f0"/>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

const svgPath = join(outDir, 'conformance.svg')
writeFileSync(svgPath, chart())
mkdirSync(join(root, 'docs', 'images'), { recursive: true })
copyFileSync(svgPath, join(root, 'docs', 'images', 'conformance.svg'))
console.log(`wrote out/conformance.json, out/conformance.svg and docs/images/conformance.svg (${tf.memory().numTensors} tensors alive)`)
