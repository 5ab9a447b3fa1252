/**
 * A small XML well-formedness checker for the report tests: tags balance and nest, attribute
 * values are quoted, attribute names are unique per tag, `&` only starts a known or numeric
 * entity, and text holds no raw `<`. Returns the first problem, or `null`. Also counts the
 * elements by name. Enough for generated SVG (no DTD, CDATA or processing instructions
 * beyond the prolog).
 */
export function xmlProblem(doc: string): string | null {
  const stack: string[] = []
  let i = 0
  let roots = 0
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/
  const checkText = (text: string, at: number): string | null => {
    for (let j = 0; j < text.length; j++) {
      if (text[j] === '&' && !entity.test(text.slice(j))) return `bad entity at ${at + j}: ${text.slice(j, j + 12)}`
    }
    return null
  }
  doc = doc.replace(/^\s*<\?xml[^?]*\?>/, '')
  while (i < doc.length) {
    const lt = doc.indexOf('<', i)
    const text = doc.slice(i, lt < 0 ? doc.length : lt)
    const p = checkText(text, i)
    if (p) return p
    if (stack.length === 0 && text.trim() !== '') return `text outside the root at ${i}`
    if (lt < 0) break
    if (doc.startsWith('<!--', lt)) {
      const end = doc.indexOf('-->', lt)
      if (end < 0) return 'unclosed comment'
      i = end + 3
      continue
    }
    const gt = doc.indexOf('>', lt)
    if (gt < 0) return `unclosed tag at ${lt}`
    const tag = doc.slice(lt + 1, gt)
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim()
      const open = stack.pop()
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}> at ${lt}`
    } else {
      const selfClosing = tag.endsWith('/')
      const body = selfClosing ? tag.slice(0, -1) : tag
      const m = /^([A-Za-z_][\w:.-]*)/.exec(body)
      if (!m) return `bad tag name at ${lt}: <${tag.slice(0, 20)}`
      if (stack.length === 0 && ++roots > 1) return 'more than one root element'
      let rest = body.slice(m[1]!.length)
      const seen = new Set<string>()
      for (;;) {
        rest = rest.replace(/^\s+/, '')
        if (rest === '') break
        const a = /^([A-Za-z_][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest)
        if (!a) return `bad attribute in <${m[1]}> at ${lt}: ${rest.slice(0, 30)}`
        if (seen.has(a[1]!)) return `duplicate attribute ${a[1]} in <${m[1]}>`
        seen.add(a[1]!)
        const q = checkText(a[3] ?? a[4] ?? '', lt)
        if (q) return q
        rest = rest.slice(a[0].length)
      }
      if (!selfClosing) stack.push(m[1]!)
    }
    i = gt + 1
  }
  if (stack.length > 0) return `unclosed <${stack.join('> <')}>`
  return roots === 1 ? null : 'no root element'
}

/** The number of `<name ...>` elements in `doc`. */
export const countTags = (doc: string, name: string): number => (doc.match(new RegExp(`<${name}[\\s>/]`, 'g')) ?? []).length
