/**
 * The report of a learning-to-explain comparison: the results table in the I-MLE paper's
 * layout (rows: methods; columns: each metric's mean ± std over seeds), bar charts of the
 * means, the training-loss curves, and for spam the selected words of sample test messages
 * highlighted (an SVG figure per method in `report.html`, and the same as HTML `<mark>`s in
 * `explanations.html`); `results.json` holds everything.
 *
 * @module
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { barChart } from '../report/charts.js'
import { escapeXml } from '../report/svg.js'
import { write, type Figure, type MetricRow } from '../report/write.js'
import type { Table } from '../runner/summary.js'
import { METHOD_LABELS, type ExplainMethod } from './methods.js'
import type { ExplainedMessage, ExplainResult } from './runner.js'

/**
 * The metrics shown, per kind of data set, with their column titles.
 *
 * @example
 * ```ts
 * METRIC_COLUMNS.spam.map(([name]) => name)   // ['accuracy', 'fidelity', 'posthocAccuracy']
 * ```
 */
export const METRIC_COLUMNS = {
  synthetic: [
    ['medianRank', 'median rank'],
    ['precision', 'subset precision'],
    ['posthocAccuracy', 'post-hoc accuracy'],
  ],
  spam: [
    ['accuracy', 'accuracy (selected tokens)'],
    ['fidelity', 'fidelity (vs whole-message model)'],
    ['posthocAccuracy', 'post-hoc accuracy (L2X)'],
  ],
} as const

const kind = (r: ExplainResult): 'synthetic' | 'spam' => (r.config.dataset === 'spam' ? 'spam' : 'synthetic')

/** `mean ± std` with `digits` decimals (percentages for rates). */
const cell = (m: { mean: number; std: number } | undefined, percent: boolean): string => {
  if (m === undefined) return '-'
  const f = percent ? 100 : 1
  const d = percent ? 1 : 2
  return `${(m.mean * f).toFixed(d)} ± ${(m.std * f).toFixed(d)}`
}

/**
 * The results table in the paper's layout: one row per method (its label), the number of
 * seeds, each metric as `mean ± std` over seeds (rates in percent, the median rank as is), and
 * the mean time of a run in seconds.
 *
 * @example
 * ```ts
 * formatTable(resultsTable(await explain(preset('xor', 'quick'))))
 * ```
 */
export function resultsTable(result: ExplainResult): Table {
  const cols = METRIC_COLUMNS[kind(result)]
  const ideal = kind(result) === 'synthetic' ? ` (ideal ${((result.data.k + 1) / 2).toFixed(1)})` : ''
  const columns = ['method', 'seeds', ...cols.map(([name, title]) => (name === 'medianRank' ? `${title}${ideal}` : `${title} %`)), 'time (s)']
  const rows = result.summary.map((s) => [
    METHOD_LABELS[s.method],
    Object.values(s.metrics)[0]?.n ?? 0,
    ...cols.map(([name]) => cell(s.metrics[name], name !== 'medianRank')),
    (s.elapsedMs / 1000).toFixed(1),
  ])
  return { columns, rows }
}

/** Words per line of the highlighted text figures (monospace). */
const CHARS = 100
const CHAR_W = 7.6
const LINE_H = 17

/**
 * An SVG figure of messages with their selected words highlighted (yellow, bold): per message a
 * heading (true label, the predictor's class on the selected words, the whole-message
 * classifier's class) and its tokens up to a few past the last selected one.
 *
 * @example
 * ```ts
 * highlightSvg([{ index: 0, label: 1, predicted: 1, classifier: 1, tokens: ['win', 'cash', 'now'], selected: [1] }], 'imle')
 * ```
 */
export function highlightSvg(messages: readonly ExplainedMessage[], title: string): string {
  const name = (c: number): string => (c === 1 ? 'spam' : 'ham')
  const parts: string[] = []
  let y = 24
  parts.push(`<text x="8" y="${y}" font-weight="bold" font-size="14">${escapeXml(title)}</text>`)
  y += 10
  for (const m of messages) {
    y += LINE_H + 4
    parts.push(`<text x="8" y="${y}" font-size="12" fill="#555">test message ${m.index}: ${name(m.label)}; predictor on the selected words: ${name(m.predicted)}; whole-message model: ${name(m.classifier)}</text>`)
    const selected = new Set(m.selected)
    const last = Math.min(m.tokens.length, (m.selected.length === 0 ? 0 : Math.max(...m.selected)) + 6, 400)
    let col = 0
    y += LINE_H
    const line: string[] = []
    const flush = (): void => {
      parts.push(...line)
      line.length = 0
    }
    for (let j = 0; j < last; j++) {
      const w = m.tokens[j]!.slice(0, 30)
      if (col + w.length > CHARS && col > 0) {
        flush()
        y += LINE_H
        col = 0
      }
      const x = 8 + col * CHAR_W
      if (selected.has(j)) {
        line.push(`<rect x="${x - 1}" y="${y - 12}" width="${w.length * CHAR_W + 2}" height="15" fill="#ffe066"/>`)
        line.push(`<text x="${x}" y="${y}" font-weight="bold">${escapeXml(w)}</text>`)
      } else line.push(`<text x="${x}" y="${y}" fill="#333">${escapeXml(w)}</text>`)
      col += w.length + 1
    }
    if (last < m.tokens.length) line.push(`<text x="${8 + col * CHAR_W}" y="${y}" fill="#999">…</text>`)
    flush()
    y += 6
  }
  const width = Math.ceil(16 + CHARS * CHAR_W)
  const height = y + 16
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, monospace" font-size="12">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`
  )
}

/**
 * The same explanations as an HTML page: each message's tokens with the selected ones in
 * `<mark>`, a section per method.
 *
 * @example
 * ```ts
 * highlightHtml([{ method: 'imle-sog', messages: [] }], 'spam')   // '<!DOCTYPE html>...'
 * ```
 */
export function highlightHtml(examples: readonly { readonly method: ExplainMethod; readonly messages: readonly ExplainedMessage[] }[], title: string): string {
  const name = (c: number): string => (c === 1 ? 'spam' : 'ham')
  const body = examples.map(({ method, messages }) => {
    const items = messages.map((m) => {
      const sel = new Set(m.selected)
      const words = m.tokens.map((w, j) => (sel.has(j) ? `<mark>${escapeXml(w)}</mark>` : escapeXml(w))).join(' ')
      return `<li><p class="meta">message ${m.index}: ${name(m.label)}; predictor on the selected words: ${name(m.predicted)}; whole-message model: ${name(m.classifier)}</p><p>${words}</p></li>`
    })
    return `<h2>${escapeXml(METHOD_LABELS[method])}</h2><ol>${items.join('')}</ol>`
  })
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    '<style>body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1000px;margin:24px auto;padding:0 16px}mark{background:#ffe066;font-weight:bold}.meta{color:#555;font-size:13px}li{margin-bottom:14px}</style>',
    `</head><body><h1>${escapeXml(title)}</h1>${body.join('')}</body></html>`,
  ].join('\n')
}

const atomic = (path: string, text: string): void => {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

/**
 * Writes a comparison's folder: `results.json`, `report.html` (with `figures/`) and, for spam,
 * `explanations.html`. Returns the path of `report.html`.
 *
 * @example
 * ```ts
 * const result = await explain(preset('orange', 'quick'))
 * await writeExplainReport('out/explain-orange', result)   // 'out/explain-orange/report.html'
 * ```
 */
export async function writeExplainReport(runDir: string, result: ExplainResult): Promise<string> {
  mkdirSync(runDir, { recursive: true })
  atomic(join(runDir, 'results.json'), JSON.stringify(result, null, 2))
  const k = kind(result)
  const first = result.config.seed
  const metrics: MetricRow[] = result.runs
    .filter((r) => r.seed === first)
    .flatMap((r) => r.losses.map((value, i) => ({ step: (i + 1) * r.lossEvery, metric: 'training loss per example', value, series: r.method })))
  const figures: Figure[] = []
  for (const [name, title] of METRIC_COLUMNS[k]) {
    const rows = result.summary.filter((s) => s.metrics[name] !== undefined).map((s) => ({ method: s.method, [title]: s.metrics[name]!.mean }))
    if (rows.length > 0) figures.push({ name: `bar-${name}`, svg: await barChart(rows, { x: 'method', y: title, title: `${title} (mean over seeds)`, width: 520 }), png: false })
  }
  for (const ex of result.examples ?? []) {
    if (ex.messages.length === 0) continue
    figures.push({ name: `explanations-${ex.method}`, svg: highlightSvg(ex.messages, `${METHOD_LABELS[ex.method]}: the ${result.data.k} selected words`), caption: `Test messages, the words ${METHOD_LABELS[ex.method]} selects highlighted (seed ${first}).`, png: false })
  }
  const table = resultsTable(result)
  const classifier = result.classifier === undefined ? '' : ` Whole-message classifier test accuracy: ${result.classifier.map((c) => `${(c.accuracy * 100).toFixed(1)}% (seed ${c.seed})`).join(', ')}.`
  const notes =
    k === 'synthetic'
      ? `L2X's synthetic '${result.config.dataset}' set: ${result.data.features} features, k = ${result.data.k}, ${result.data.train} training and ${result.data.test} test examples. Median rank as L2X defines it (ranks of the true features in the test-time k-hot explanation, ties in random order; ideal (k + 1) / 2 = ${((result.data.k + 1) / 2).toFixed(1)}); subset precision: the fraction of selected features that are relevant; post-hoc accuracy: agreement of the predictor on the selected features with the Bayes decision P(y = 1 | x) >= 0.5. Mean ± std over ${result.config.seeds} seed(s). Status: ${result.status}.`
      : `SpamAssassin e-mails (${result.data.train} training, ${result.data.test} test), ${result.data.features} tokens per message, k = ${result.data.k} selected tokens. Accuracy: the predictor on the selected tokens against the true labels; fidelity: its agreement with the whole-message classifier; post-hoc accuracy (L2X): the whole-message classifier on the selected tokens only, against itself on the whole message. Mean ± std over ${result.config.seeds} seed(s).${classifier} The highlighted words are also in explanations.html. Status: ${result.status}.`
  if (result.examples !== undefined && result.examples.length > 0) {
    atomic(join(runDir, 'explanations.html'), highlightHtml(result.examples, `Learning to explain spam: selected words (seed ${first})`))
  }
  const files = await write(runDir, {
    title: `Learning to explain: ${result.config.dataset}`,
    config: result.config,
    ...(metrics.length > 0 ? { metrics } : {}),
    results: { columns: table.columns, rows: table.rows },
    figures,
    notes,
  })
  return files.html
}
