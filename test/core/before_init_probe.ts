// Run in a fresh process by engine.test.ts: computing before init() names init().
import { ops, random } from '../../src/index.js'

const messages: string[] = []
for (const f of [() => ops.add(1, 2), () => random.key(0)]) {
  try {
    f()
    messages.push('no error')
  } catch (e) {
    messages.push(`${(e as Error).name}: ${(e as Error).message}`)
  }
}
console.log(JSON.stringify(messages))
