/**
 * Runs one catalogue entry, named by `process.argv[2]` (`area: name`), in its own process on
 * the backend `IMLE_BACKEND`, and prints its problems as one JSON line: the catalogue runs its
 * hang-prone entries this way, under a timeout, because a synchronous hang cannot be stopped
 * in process.
 */
import { init, type BackendName } from '../../src/index.js'
import { check } from './catalogue.js'
import { entries } from './entries/index.js'

async function main(id: string | undefined): Promise<void> {
  const entry = entries.find((e) => `${e.area}: ${e.name}` === id)
  await init({ backend: (process.env['IMLE_BACKEND'] ?? 'cpu') as BackendName })
  const problems = entry === undefined ? [`no entry named ${id}`] : await check({ ...entry, limitMs: entry.limitMs ?? 10_000 })
  process.stdout.write(`${JSON.stringify(problems)}\n`)
}

// Loaded by uvu with the rest of the folder: only a direct run (with an entry name) runs one.
if (process.argv[1]?.endsWith('child.ts') && process.argv[2] !== undefined) void main(process.argv[2])
