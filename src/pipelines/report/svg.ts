/**
 * Small helpers for the report's SVG and HTML text: escaping, number formatting, colour
 * ramps, and the form of an SVG that is inlined into HTML.
 *
 * @module
 */

/** `s` with `& < > " '` escaped, for XML and HTML text and attribute values. */
export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'))

/** A coordinate with at most 2 decimals. */
export const fmt = (x: number): string => String(Math.round(x * 100) / 100)

/** `#rrggbb` of the colour `t` in [0, 1] along the ramp `stops` (equally spaced `[r, g, b]`, 0..255). */
export function ramp(stops: readonly (readonly [number, number, number])[], t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1)
  const i = Math.min(stops.length - 2, Math.floor(x))
  const f = x - i
  const a = stops[i]!
  const b = stops[i + 1]!
  const hex = (j: number): string => Math.round(a[j]! + f * (b[j]! - a[j]!)).toString(16).padStart(2, '0')
  return `#${hex(0)}${hex(1)}${hex(2)}`
}

/**
 * An SVG document as inlined into HTML5: the XML prolog and the `xmlns`/`xmlns:xlink`
 * declarations (namespace URIs that HTML5 does not need) removed, so the page holds no URL.
 */
export const inlineSvg = (svg: string): string =>
  svg
    .replace(/^\s*<\?xml[^>]*\?>\s*/, '')
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
