/**
 * Small SVG renderers for the examples: grids of cells coloured by value, with an optional
 * path overlay. No dependency; the output opens in any browser.
 */

/** A colour from white (0) to `hue` (1), for `v` clamped to [0, 1]. */
function shade(v: number, rgb: readonly [number, number, number]): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0))
  const c = rgb.map((x) => Math.round(255 + (x - 255) * t))
  return `rgb(${c[0]},${c[1]},${c[2]})`
}

/** One panel: an `h x w` grid of values (normalized to [0, 1] by the panel), optional path mask. */
export interface Panel {
  readonly title: string
  readonly values: ArrayLike<number>
  readonly path?: ArrayLike<number>
  readonly colour: readonly [number, number, number]
}

/** An SVG document with the panels side by side, each `cell` pixels per grid cell. */
export function gridPanelsSvg(h: number, w: number, panels: readonly Panel[], cell = 18): string {
  const pad = 16
  const titleH = 24
  const pw = w * cell
  const width = panels.length * (pw + pad) + pad
  const height = h * cell + titleH + 2 * pad
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ]
  panels.forEach((p, k) => {
    const x0 = pad + k * (pw + pad)
    const y0 = pad + titleH
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < p.values.length; i++) {
      lo = Math.min(lo, p.values[i]!)
      hi = Math.max(hi, p.values[i]!)
    }
    const span = hi > lo ? hi - lo : 1
    parts.push(`<text x="${x0}" y="${pad + 14}" font-size="13">${p.title}</text>`)
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = (p.values[i * w + j]! - lo) / span
        parts.push(`<rect x="${x0 + j * cell}" y="${y0 + i * cell}" width="${cell}" height="${cell}" fill="${shade(v, p.colour)}"/>`)
      }
    }
    if (p.path !== undefined) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          if (p.path[i * w + j]! > 0.5) {
            parts.push(`<circle cx="${x0 + (j + 0.5) * cell}" cy="${y0 + (i + 0.5) * cell}" r="${cell * 0.28}" fill="black"/>`)
          }
        }
      }
    }
    parts.push(`<rect x="${x0}" y="${y0}" width="${pw}" height="${h * cell}" fill="none" stroke="#444"/>`)
  })
  parts.push('</svg>')
  return parts.join('\n')
}

/** A text picture of a path mask over a map: `#` path, `.` free. */
export function pathAsText(h: number, w: number, path: ArrayLike<number>): string {
  const rows: string[] = []
  for (let i = 0; i < h; i++) {
    let r = ''
    for (let j = 0; j < w; j++) r += path[i * w + j]! > 0.5 ? '#' : '.'
    rows.push(r)
  }
  return rows.join('\n')
}

/** A one-line sparkline of a series, for loss curves in the terminal. */
export function sparkline(xs: readonly number[]): string {
  const ticks = '▁▂▃▄▅▆▇█'
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  return xs.map((x) => ticks[hi > lo ? Math.round(((x - lo) / (hi - lo)) * 7) : 0]).join('')
}
