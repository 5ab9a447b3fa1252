#!/usr/bin/env node
// The `imle` command. In a checkout (with the dev dependency tsx) it runs the TypeScript
// source; in an installed package, the built `dist/cli/main.js`.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli/main.ts', import.meta.url)
const built = new URL('../dist/cli/main.js', import.meta.url)
let main
if (existsSync(source)) {
  let register
  try {
    ;({ register } = await import('tsx/esm/api'))
  } catch {
    register = undefined
  }
  if (register !== undefined) {
    register()
    ;({ main } = await import(source.href))
  }
}
if (main === undefined) ({ main } = await import(built.href))
process.exitCode = await main()
