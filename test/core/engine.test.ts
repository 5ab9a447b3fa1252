import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const t = suite('engine')

t('importing imle patches nothing in tfjs; init() installs the gradients and the guard', () => {
  const probe = fileURLToPath(new URL('./engine_probe.ts', import.meta.url))
  const out = execFileSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8' })
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    gradBefore: string | null
    onImport: { runKernel: boolean; gradients: boolean }
    afterInit: { runKernel: boolean; gradients: boolean }
  }
  assert.is(r.gradBefore, null, 'tfjs-core alone registers no gradients (the premise)')
  assert.equal(r.onImport, { runKernel: false, gradients: false }, 'import changed tfjs')
  assert.equal(r.afterInit, { runKernel: true, gradients: true }, 'init() installed both')
})

t('computing before init() is a BackendError that says to call init()', () => {
  const probe = fileURLToPath(new URL('./before_init_probe.ts', import.meta.url))
  const out = execFileSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8' })
  const messages = JSON.parse(out.trim().split('\n').pop()!) as string[]
  assert.is(messages.length, 2)
  for (const m of messages) assert.match(m, /^BackendError: .*no tfjs backend is ready; call `await init\(\)`/)
})

t.run()
