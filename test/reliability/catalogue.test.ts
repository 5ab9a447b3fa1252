/**
 * The catalogue of bad inputs over the public API (`entries/`): every entry must throw an
 * `ImleError` with the expected `_tag` and a message naming the function, the argument and the
 * value or what was expected (or give its documented result), within its time limit, leaking
 * no tensor and leaving no tape, scope or vmap frame open. Hang-prone entries run in a child
 * process under a timeout (`child.ts`).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BACKEND, setup } from '../support/helpers.js'
import { check, type Entry } from './catalogue.js'
import { entries } from './entries/index.js'
import { open } from './open.js'

const CHILD_TIMEOUT_MS = 30_000
const idOf = (e: Entry): string => `${e.area}: ${e.name}`

/** Runs an isolated entry in a child process; a timeout is a hang. */
function inChild(e: Entry): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./child.ts', import.meta.url)), idOf(e)], {
      env: { ...process.env, IMLE_BACKEND: BACKEND },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') return resolve([`hung: no answer within ${CHILD_TIMEOUT_MS} ms`])
      const line = out.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(line) as string[])
      } catch {
        resolve([`the child process exited with ${code}: ${err.slice(-2000)}`])
      }
    })
  })
}

const ids = new Set<string>()
for (const e of entries) {
  assert.not.ok(ids.has(idOf(e)), `duplicate entry ${idOf(e)}`)
  ids.add(idOf(e))
}

let children: Map<Entry, Promise<string[]>>
const times: Record<string, number> = {}
test.before(async () => {
  await setup()
  // The isolated entries run concurrently with the in-process ones.
  children = new Map(entries.filter((e) => e.isolate).map((e) => [e, inChild(e)]))
})
test.after(() => {
  if (process.env['CATALOGUE_TIMES']) console.log(Object.entries(times).sort((a, b) => b[1] - a[1]).slice(0, 15))
})

test('the catalogue has at least 300 entries; every open case names an entry', () => {
  assert.ok(entries.length >= 300, `only ${entries.length} entries`)
  for (const id of open.keys()) assert.ok(ids.has(id), `open.ts names no entry: ${id}`)
  console.log(`catalogue: ${entries.length} entries, ${entries.length - open.size} kept, ${open.size} open`)
})

for (const e of entries) {
  test(idOf(e), async () => {
    const problems = e.isolate ? await children.get(e)! : await check(e, (ms) => (times[idOf(e)] = ms))
    if (open.has(idOf(e))) {
      // A known open case: it must still fail (a fix removes it from open.ts).
      if (problems.length === 0) assert.unreachable(`${idOf(e)} passes now: remove it from test/reliability/open.ts`)
      return
    }
    if (problems.length > 0) assert.unreachable(`${idOf(e)}:\n  ${problems.join('\n  ')}`)
  })
}

test.run()
