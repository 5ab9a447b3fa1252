/**
 * The playground page: controls, four canvases (terrain with the gold and current paths, learned
 * costs, per-cell marginals, the loss curve) and the training loop. The backend is `init()`'s
 * choice (webgpu, then wasm, then cpu), or `?backend=` in the address. `window.__playground`
 * exposes the state and a few actions for the browser test.
 *
 * @module
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { init, readMode, type BackendName } from '../src/index.js'
import { TERRAINS } from '../src/pipelines/data/warcraft/terrain.js'
import { createTrainer, DEFAULTS, PRESET_MAPS, presetMap, type Settings, type StepReport, type TerrainMap, type Trainer } from './trainer.js'

/** What the page exposes to tests and the console. */
export interface PlaygroundApi {
  ready: boolean
  error?: string
  backend?: string
  readMode?: 'sync' | 'async'
  training: boolean
  last?: { readonly step: number; readonly loss: number; readonly matchesGold: boolean; readonly ms: number; readonly fractionalMarginals: number }
  settings: () => Settings
  set: (partial: Partial<Settings>) => void
  train: (on: boolean) => void
  step: () => Promise<void>
  selectMap: (i: number) => void
  paint: (cell: number, terrain: number) => void
}

declare global {
  interface Window {
    __playground: PlaygroundApi
  }
}

const COLOURS: readonly string[] = ['#6aa84f', '#a0794b', '#2f5e2a', '#3d78c4', '#8a8a8a'] // grass, earth, forest, water, mountain
const CELL = 24
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T

let map: TerrainMap = presetMap(0)
let trainer: Trainer
let settings: Settings = DEFAULTS
let training = false
let paintWith = 0
let losses: number[] = []
let last: StepReport | undefined
let busy: Promise<void> = Promise.resolve()

const api: PlaygroundApi = {
  ready: false,
  training: false,
  settings: () => trainer.settings,
  set: (partial) => applySettings({ ...settings, ...partial }),
  train: (on) => setTraining(on),
  step: () => stepOnce(),
  selectMap: (i) => selectMap(i),
  paint: (cell, terrain) => paintCell(cell, terrain),
}
window.__playground = api

/** A grey level for `v` in [0, 1]: 0 dark, 1 light. */
const grey = (v: number): string => {
  const g = Math.round(20 + 225 * Math.min(1, Math.max(0, v)))
  return `rgb(${g},${g},${g})`
}

function drawPath(ctx: CanvasRenderingContext2D, mask: Float32Array, colour: string, radius: number): void {
  const { k } = map
  ctx.fillStyle = colour
  for (let i = 0; i < k * k; i++) {
    if (mask[i]! < 0.5) continue
    const [r, c] = [Math.floor(i / k), i % k]
    ctx.beginPath()
    ctx.arc(c * CELL + CELL / 2, r * CELL + CELL / 2, radius, 0, 2 * Math.PI)
    ctx.fill()
  }
}

function drawTerrain(): void {
  const ctx = $<HTMLCanvasElement>('terrain').getContext('2d')!
  const { k, terrain } = map
  for (let i = 0; i < k * k; i++) {
    ctx.fillStyle = COLOURS[terrain[i]!]!
    ctx.fillRect((i % k) * CELL, Math.floor(i / k) * CELL, CELL, CELL)
  }
  drawPath(ctx, trainer.gold, '#ffffff', 7)
  if (last !== undefined) drawPath(ctx, last.path, '#e02020', 4)
}

function drawGrid(id: string, values: Float32Array | undefined, scale: (v: number) => number): void {
  const ctx = $<HTMLCanvasElement>(id).getContext('2d')!
  const { k } = map
  ctx.fillStyle = '#eee'
  ctx.fillRect(0, 0, k * CELL, k * CELL)
  if (values === undefined) return
  for (let i = 0; i < k * k; i++) {
    ctx.fillStyle = grey(scale(values[i]!))
    ctx.fillRect((i % k) * CELL, Math.floor(i / k) * CELL, CELL, CELL)
  }
}

function drawLoss(): void {
  const canvas = $<HTMLCanvasElement>('loss')
  const ctx = canvas.getContext('2d')!
  const [w, h] = [canvas.width, canvas.height]
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, w, h)
  ctx.strokeStyle = '#ccc'
  ctx.strokeRect(30.5, 10.5, w - 40, h - 40)
  if (losses.length === 0) return
  const top = Math.max(1, ...losses)
  ctx.fillStyle = '#666'
  ctx.font = '11px system-ui'
  ctx.fillText(top.toFixed(0), 4, 16)
  ctx.fillText('0', 18, h - 30)
  ctx.fillText(`step ${losses.length}`, w - 70, h - 14)
  ctx.strokeStyle = '#1f5fbf'
  ctx.lineWidth = 2
  ctx.beginPath()
  losses.forEach((l, i) => {
    const x = 30 + ((w - 40) * i) / Math.max(1, losses.length - 1)
    const y = h - 30 - ((h - 40) * l) / top
    if (i === 0) ctx.moveTo(x, y)
    else ctx.lineTo(x, y)
  })
  ctx.stroke()
}

function render(): void {
  drawTerrain()
  const costs = last?.costs
  const top = costs === undefined ? 1 : Math.max(...costs)
  drawGrid('costs', costs, (v) => v / top)
  drawGrid('marginals', last?.marginals, (v) => 1 - v)
  drawLoss()
  const status = $('status')
  status.innerHTML =
    last === undefined
      ? 'step 0'
      : `step ${last.step} · loss ${last.loss.toFixed(2)} · ${last.ms.toFixed(1)} ms/step · ` +
        (last.matchesGold ? '<span class="ok">path = gold</span>' : 'path differs from gold')
}

function stepOnce(): Promise<void> {
  busy = busy.then(async () => {
    const r = await trainer.step()
    last = r
    losses.push(r.loss)
    api.last = { step: r.step, loss: r.loss, matchesGold: r.matchesGold, ms: r.ms, fractionalMarginals: r.marginals.filter((m) => m > 0 && m < 1).length }
    render()
  })
  return busy
}

function loop(): void {
  if (!training) return
  stepOnce().then(
    () => setTimeout(loop, 0),
    (e: unknown) => fail(e),
  )
}

function setTraining(on: boolean): void {
  training = on
  api.training = on
  $('train').textContent = on ? 'Pause' : 'Train'
  if (on) loop()
}

function restart(): void {
  trainer?.dispose()
  trainer = createTrainer(map, settings)
  last = undefined
  losses = []
  render()
}

function applySettings(next: Settings): void {
  settings = next
  busy = busy.then(() => {
    trainer.settings = next
  })
  syncControls()
}

function selectMap(i: number): void {
  busy = busy.then(() => {
    map = presetMap(i)
    restart()
  })
  ;($<HTMLSelectElement>('map')).value = String(i)
}

function paintCell(cell: number, terrain: number): void {
  if (map.terrain[cell] === terrain) return
  busy = busy.then(() => {
    const next = map.terrain.slice()
    next[cell] = terrain
    map = { k: map.k, terrain: next }
    restart()
  })
}

const SLIDERS = ['inputTemperature', 'targetTemperature', 'beta', 'samples', 'learningRate'] as const

function syncControls(): void {
  for (const id of SLIDERS) {
    const input = $<HTMLInputElement>(id)
    input.value = String(settings[id])
    ;(input.nextElementSibling as HTMLOutputElement).value = String(settings[id])
  }
  $<HTMLSelectElement>('noise').value = settings.noise
  $<HTMLSelectElement>('estimator').value = settings.estimator
}

function buildControls(): void {
  const mapSelect = $<HTMLSelectElement>('map')
  PRESET_MAPS.forEach((name, i) => mapSelect.add(new Option(name, String(i))))
  mapSelect.onchange = () => selectMap(Number(mapSelect.value))
  const terrains = $('terrains')
  TERRAINS.forEach((name, i) => {
    const b = document.createElement('button')
    b.textContent = name
    b.style.background = COLOURS[i]!
    b.style.color = i === 0 || i === 1 ? '#111' : '#fff'
    b.setAttribute('aria-pressed', String(i === paintWith))
    b.onclick = () => {
      paintWith = i
      terrains.querySelectorAll('button').forEach((other) => other.setAttribute('aria-pressed', String(other === b)))
    }
    terrains.append(b)
  })
  for (const id of SLIDERS) {
    const input = $<HTMLInputElement>(id)
    input.oninput = () => applySettings({ ...settings, [id]: Number(input.value) })
  }
  $<HTMLSelectElement>('noise').onchange = (e) => applySettings({ ...settings, noise: (e.target as HTMLSelectElement).value as Settings['noise'] })
  $<HTMLSelectElement>('estimator').onchange = (e) => applySettings({ ...settings, estimator: (e.target as HTMLSelectElement).value as Settings['estimator'] })
  $('train').onclick = () => setTraining(!training)
  $('step').onclick = () => void stepOnce()
  $('reset').onclick = () => {
    busy = busy.then(() => restart())
  }
  const canvas = $<HTMLCanvasElement>('terrain')
  let down = false
  const paintAt = (e: PointerEvent): void => {
    const rect = canvas.getBoundingClientRect()
    const c = Math.floor(((e.clientX - rect.left) / rect.width) * map.k)
    const r = Math.floor(((e.clientY - rect.top) / rect.height) * map.k)
    if (r >= 0 && r < map.k && c >= 0 && c < map.k) paintCell(r * map.k + c, paintWith)
  }
  canvas.onpointerdown = (e) => {
    down = true
    paintAt(e)
  }
  canvas.onpointermove = (e) => {
    if (down) paintAt(e)
  }
  window.addEventListener('pointerup', () => {
    down = false
  })
  syncControls()
}

function fail(e: unknown): void {
  training = false
  api.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  $('status').textContent = `error: ${api.error}`
  console.error(e)
}

async function main(): Promise<void> {
  setWasmPaths(new URL('./wasm/', location.href).href)
  const wanted = new URLSearchParams(location.search).get('backend')
  const backend = await (wanted === null ? init() : init({ backend: wanted as BackendName }))
  api.backend = backend
  api.readMode = readMode()
  $('backend').textContent = `Backend: ${backend} (${api.readMode === 'sync' ? 'synchronous' : 'asynchronous'} read-back).`
  buildControls()
  restart()
  api.ready = true
}

main().catch(fail)
