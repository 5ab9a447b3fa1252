/**
 * SVG to PNG with `@resvg/resvg-js` (imported on first use), system fonts loaded for text.
 *
 * @module
 */
import { ArgumentError } from '../../core/errors.js'
import { loadResvg } from './deps.js'

/**
 * Renders an SVG document to PNG bytes. `scale` multiplies the SVG's own size (default 2, for
 * sharp figures). Throws an `ArgumentError` when resvg cannot parse the SVG.
 *
 * @example
 * ```ts
 * const png = await report.svgToPng(report.mapFigure({ k: 2, cells: [1, 2, 3, 4] }))   // Uint8Array, starts 0x89 'PNG'
 * ```
 */
export async function svgToPng(svg: string, options: { readonly scale?: number } = {}): Promise<Uint8Array> {
  const { Resvg } = await loadResvg('report.svgToPng')
  const scale = options.scale ?? 2
  let r: InstanceType<typeof Resvg>
  try {
    r = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true }, background: 'white' })
  } catch (e) {
    throw new ArgumentError(`report.svgToPng(svg): resvg could not parse the SVG (${e instanceof Error ? e.message : String(e)}); got ${svg.slice(0, 60)}...`, { cause: e })
  }
  return new Uint8Array(r.render().asPng())
}
