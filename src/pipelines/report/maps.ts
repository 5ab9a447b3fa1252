/**
 * Pictures of grid maps as standalone SVG strings: one rect per cell coloured by its cost or
 * marginal, the gold and predicted paths on top (the cells marked, and a polyline through
 * their centres where the cells form a connected chain from corner to corner). Pure string
 * code, no dependency.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { escapeXml, fmt, ramp } from './svg.js'

/** The options of `mapFigure`. */
export interface MapFigureOptions {
  /** The grid side. */
  readonly k: number
  /** The value of each cell, `[k, k]` row-major: costs, or marginals in [0, 1]. */
  readonly cells: ArrayLike<number>
  /** The colour ramp: `costs` (light = cheap, dark brown = costly, default) or `marginals` (white 0 to dark blue 1). */
  readonly kind?: 'costs' | 'marginals'
  /** The gold path, a `[k, k]` 0/1 mask (drawn in gold). */
  readonly gold?: ArrayLike<number>
  /** A predicted path, a `[k, k]` mask (cells >= 0.5 are on; drawn in magenta, dashed). */
  readonly predicted?: ArrayLike<number>
  /** A caption above the map. */
  readonly title?: string
  /** The side of a cell in pixels. Default `max(8, round(360 / k))`. */
  readonly cellSize?: number
  /** The values at the ends of the ramp. Default: the cells' min and max for costs, [0, 1] for marginals. */
  readonly range?: readonly [number, number]
}

const COST_RAMP = [
  [247, 252, 240],
  [204, 235, 197],
  [254, 227, 145],
  [254, 153, 41],
  [204, 76, 2],
  [102, 37, 6],
] as const
const MARGINAL_RAMP = [
  [255, 255, 255],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
] as const

/**
 * The cells of a mask in path order: a shortest chain (by cell count, 8-neighbour moves
 * inside the mask) from (0, 0) to (k-1, k-1), or `null` when the mask does not connect them.
 */
export function chainOf(mask: ArrayLike<number>, k: number): number[] | null {
  const on = (i: number): boolean => mask[i]! >= 0.5
  const end = k * k - 1
  if (!on(0) || !on(end)) return null
  const prev = new Int32Array(k * k).fill(-2)
  prev[0] = -1
  const queue = [0]
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]!
    if (u === end) break
    const r = Math.floor(u / k)
    const c = u % k
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr
        const cc = c + dc
        if ((dr === 0 && dc === 0) || rr < 0 || rr >= k || cc < 0 || cc >= k) continue
        const v = rr * k + cc
        if (prev[v] !== -2 || !on(v)) continue
        prev[v] = u
        queue.push(v)
      }
    }
  }
  if (prev[end] === -2) return null
  const out: number[] = []
  for (let v = end; v !== -1; v = prev[v]!) out.push(v)
  return out.reverse()
}

function checkGrid(name: string, a: ArrayLike<number> | undefined, k: number): void {
  if (a === undefined) return
  if (a === null || typeof a.length !== 'number' || a.length !== k * k) {
    throw new ArgumentError(`report.mapFigure(options.${name}): expected ${k * k} values (a [${k}, ${k}] grid, row-major) but got ${a === null ? 'null' : `${a.length} values`}`)
  }
}

/**
 * A map as a standalone SVG document: cells as rects coloured by `cells` (costs or
 * marginals), the gold path (gold cell outlines and line) and a predicted path (magenta dots
 * and dashed line) on top, a colour bar and a legend below.
 *
 * Shapes: `cells [k, k]`, `gold [k, k]`, `predicted [k, k]` -> an SVG string with `k * k` cell rects.
 *
 * @example
 * ```ts
 * const s = data.test   // from warcraft.generate
 * const k = s.k
 * const svg = report.mapFigure({ k, cells: s.costs.subarray(0, k * k), gold: s.paths.subarray(0, k * k), title: 'test map 0' })
 * ```
 */
export function mapFigure(options: MapFigureOptions): string {
  const { k, cells } = options
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`report.mapFigure(options.k): expected a positive integer but got ${k}`)
  checkGrid('cells', cells, k)
  checkGrid('gold', options.gold, k)
  checkGrid('predicted', options.predicted, k)
  const kind = options.kind ?? 'costs'
  const cs = options.cellSize ?? Math.max(8, Math.round(360 / k))
  let [lo, hi] = options.range ?? (kind === 'marginals' ? [0, 1] : [Infinity, -Infinity])
  if (options.range === undefined && kind === 'costs') {
    for (let i = 0; i < k * k; i++) {
      lo = Math.min(lo, cells[i]!)
      hi = Math.max(hi, cells[i]!)
    }
  }
  const stops = kind === 'marginals' ? MARGINAL_RAMP : COST_RAMP
  const colour = (v: number): string => ramp(stops, hi > lo ? (v - lo) / (hi - lo) : 0.5)
  const pad = 10
  const top = options.title === undefined ? pad : pad + 22
  const side = k * cs
  const width = side + 2 * pad
  const height = top + side + 56
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" class="map-figure" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`)
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`)
  if (options.title !== undefined) parts.push(`<text x="${pad}" y="${pad + 14}" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`)
  parts.push(`<g class="cells" transform="translate(${pad},${top})" shape-rendering="crispEdges">`)
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = cells[r * k + c]!
      parts.push(`<rect class="cell" x="${c * cs}" y="${r * cs}" width="${cs}" height="${cs}" fill="${colour(v)}"><title>(${r}, ${c}): ${fmt(v)}</title></rect>`)
    }
  }
  parts.push(`<rect x="0" y="0" width="${side}" height="${side}" fill="none" stroke="#333" stroke-width="1"/>`)
  parts.push('</g>')
  const centre = (i: number): string => `${fmt((i % k) * cs + cs / 2)},${fmt(Math.floor(i / k) * cs + cs / 2)}`
  const drawPath = (cls: string, mask: ArrayLike<number>, stroke: string, dashed: boolean): void => {
    parts.push(`<g class="${cls}" transform="translate(${pad},${top})">`)
    for (let i = 0; i < k * k; i++) {
      if (!(mask[i]! >= 0.5)) continue
      if (dashed) parts.push(`<circle cx="${fmt((i % k) * cs + cs / 2)}" cy="${fmt(Math.floor(i / k) * cs + cs / 2)}" r="${fmt(cs * 0.18)}" fill="${stroke}"/>`)
      else parts.push(`<rect x="${fmt((i % k) * cs + 1.5)}" y="${fmt(Math.floor(i / k) * cs + 1.5)}" width="${fmt(cs - 3)}" height="${fmt(cs - 3)}" fill="none" stroke="${stroke}" stroke-width="2"/>`)
    }
    const chain = chainOf(mask, k)
    if (chain !== null && chain.length > 1) {
      parts.push(
        `<polyline points="${chain.map(centre).join(' ')}" fill="none" stroke="${stroke}" stroke-width="${fmt(Math.max(2, cs * 0.14))}" stroke-linejoin="round" stroke-linecap="round"${dashed ? ` stroke-dasharray="${fmt(cs * 0.3)},${fmt(cs * 0.2)}"` : ''}/>`,
      )
    }
    parts.push('</g>')
  }
  if (options.gold !== undefined) drawPath('gold-path', options.gold, '#d4a000', false)
  if (options.predicted !== undefined) drawPath('predicted-path', options.predicted, '#d6007a', true)
  // Colour bar and legend.
  const y0 = top + side + 12
  const barW = Math.min(160, side / 2)
  parts.push(`<g class="legend" transform="translate(${pad},${y0})">`)
  for (let j = 0; j < 20; j++) parts.push(`<rect x="${fmt((j * barW) / 20)}" y="0" width="${fmt(barW / 20 + 0.5)}" height="10" fill="${ramp(stops, j / 19)}"/>`)
  parts.push(`<rect x="0" y="0" width="${fmt(barW)}" height="10" fill="none" stroke="#333" stroke-width="0.5"/>`)
  parts.push(`<text x="0" y="24">${fmt(lo)}</text><text x="${fmt(barW)}" y="24" text-anchor="end">${fmt(hi)}</text>`)
  parts.push(`<text x="${fmt(barW / 2)}" y="38" text-anchor="middle">${kind === 'marginals' ? 'marginal' : 'cost'}</text>`)
  let lx = barW + 16
  if (options.gold !== undefined) {
    parts.push(`<line x1="${lx}" y1="5" x2="${lx + 18}" y2="5" stroke="#d4a000" stroke-width="3"/><text x="${lx + 22}" y="9">gold</text>`)
    lx += 62
  }
  if (options.predicted !== undefined) {
    parts.push(`<line x1="${lx}" y1="5" x2="${lx + 18}" y2="5" stroke="#d6007a" stroke-width="3" stroke-dasharray="5,3"/><text x="${lx + 22}" y="9">predicted</text>`)
  }
  parts.push('</g></svg>')
  return parts.join('')
}
