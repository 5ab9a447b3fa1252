/**
 * `docs/api.md` is up to date: regenerated in memory from the TSDoc of the public exports
 * (`scripts/api-docs.ts`), it equals the file on disk.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { apiDocsPath, command, renderApiDocs } from '../../scripts/api-docs.js'

const t = suite('api docs')

t('docs/api.md is what scripts/api-docs.ts generates from the TSDoc', () => {
  const expected = renderApiDocs()
  let actual = ''
  try {
    actual = readFileSync(apiDocsPath, 'utf8')
  } catch {
    assert.unreachable(`docs/api.md is missing: run \`${command}\``)
  }
  if (actual === expected) return
  const a = actual.split('\n')
  const e = expected.split('\n')
  let line = 0
  while (line < a.length && line < e.length && a[line] === e[line]) line++
  assert.unreachable(
    `docs/api.md is out of date: run \`${command}\` (first difference at line ${line + 1}:\n` +
      `  in the file:   ${JSON.stringify(a[line] ?? '<end of file>')}\n` +
      `  generated:     ${JSON.stringify(e[line] ?? '<end of file>')})`,
  )
})

t.run()
