/**
 * From raw e-mails to fixed-length token ids: header stripping, a light MIME and HTML clean-up,
 * lower-case word tokens, a vocabulary of the most frequent training words, and padding or
 * truncation to `length` tokens.
 *
 * @module
 */
import { permutation } from './synthetic.js'
import { foldIn, keyWords } from '../../data/warcraft/noise.js'
import type { SpamMessage } from './spam.js'

/**
 * The id of padding.
 *
 * @example
 * ```ts
 * encode([], buildVocabulary([], 2), 2)   // Int32Array [PAD, PAD]
 * ```
 */
export const PAD = 0
/**
 * The id of a word outside the vocabulary.
 *
 * @example
 * ```ts
 * encode(['zz'], buildVocabulary([], 2), 1)   // Int32Array [UNK]
 * ```
 */
export const UNK = 1

const MIME_HEADER = /^(content-[\w-]+|mime-version|x-[\w-]+)\s*:/i
const BASE64_LINE = /^[A-Za-z0-9+/=]{40,}$/
const WORD = /[a-z]+(?:'[a-z]+)?/g

/**
 * The words of one e-mail, in order:
 * - the header block (everything before the first empty line) is dropped, except the value of
 *   its `Subject:` line, which comes first (routing headers, addresses and dates would let a
 *   classifier spot the collection instead of the message);
 * - in the body, quoted-printable soft breaks (`=` at a line end) and `=XX` escapes are decoded;
 *   MIME boundary lines (`--...`), MIME part headers (`Content-*:`, `MIME-Version:`, `X-*:`) and
 *   base64-looking lines (40 or more characters of the base64 alphabet, no space) are dropped;
 *   HTML tags and entities are replaced by spaces;
 * - the rest is lower-cased and split into words `[a-z]+('[a-z]+)?` of at least 2 letters.
 *
 * @example
 * ```ts
 * tokenize('From: a@b\nSubject: Cheap Pills!\n\nBuy <b>now</b> &amp; SAVE')   // ['cheap', 'pills', 'buy', 'now', 'save']
 * ```
 */
export function tokenize(text: string): string[] {
  const normalised = text.replace(/\r\n/g, '\n')
  const cut = normalised.indexOf('\n\n')
  const header = cut < 0 ? normalised : normalised.slice(0, cut)
  const body = cut < 0 ? '' : normalised.slice(cut + 2)
  const subject = /^subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(header)?.[1] ?? ''
  const decoded = body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
  const kept = decoded
    .split('\n')
    .filter((line) => {
      const s = line.trim()
      return !(s.startsWith('--') || MIME_HEADER.test(s) || BASE64_LINE.test(s))
    })
    .join('\n')
  const plain = kept.replace(/<[^>]*>/g, ' ').replace(/&#?\w+;/g, ' ')
  const words = `${subject}\n${plain}`.toLowerCase().match(WORD) ?? []
  return words.filter((w) => w.length >= 2)
}

/** A vocabulary: the words by id (`words[0]` is the padding `'<pad>'`, `words[1]` `'<unk>'`) and the ids by word. */
export interface Vocabulary {
  readonly words: readonly string[]
  readonly ids: ReadonlyMap<string, number>
}

/**
 * The `size` most frequent words of `docs` (ties by first appearance), after the two reserved
 * ids: `'<pad>'` (0) and `'<unk>'` (1). `size` counts the reserved ids.
 *
 * @example
 * ```ts
 * buildVocabulary([['a', 'b', 'b']], 3).words   // ['<pad>', '<unk>', 'b']
 * ```
 */
export function buildVocabulary(docs: readonly (readonly string[])[], size: number): Vocabulary {
  const counts = new Map<string, number>()
  for (const doc of docs) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1)
  const order = [...counts.entries()].map(([w, c], i) => ({ w, c, i })).sort((a, b) => b.c - a.c || a.i - b.i)
  const words = ['<pad>', '<unk>', ...order.slice(0, Math.max(0, size - 2)).map((e) => e.w)]
  return { words, ids: new Map(words.map((w, i) => [w, i])) }
}

/**
 * The ids of a tokenised document truncated or padded to `length`: `[length]` int32, the first
 * `length` tokens (unknown words `UNK`), then `PAD`.
 *
 * @example
 * ```ts
 * encode(['b', 'zz'], buildVocabulary([['a', 'b', 'b']], 3), 4)   // Int32Array [2, 1, 0, 0]
 * ```
 */
export function encode(doc: readonly string[], vocab: Vocabulary, length: number): Int32Array {
  const out = new Int32Array(length)
  const m = Math.min(length, doc.length)
  for (let i = 0; i < m; i++) out[i] = vocab.ids.get(doc[i]!) ?? UNK
  return out
}

/** One split of the text set: `n` messages of `length` token ids, labels, and the tokens (for display). */
export interface TextSplit {
  readonly n: number
  readonly length: number
  /** int32 `[n, length]`. */
  readonly ids: Int32Array
  /** int32 `[n]`: 1 spam, 0 ham. */
  readonly labels: Int32Array
  /** The first `length` words of each message, as tokenised (before the vocabulary). */
  readonly tokens: readonly (readonly string[])[]
}

/** The text set: train and test splits and the vocabulary (built on the training split). */
export interface TextSet {
  readonly train: TextSplit
  readonly test: TextSplit
  readonly vocab: Vocabulary
}

/** Options of `textSet`. */
export interface TextSetOptions {
  /** Vocabulary size, the two reserved ids included. */
  readonly vocabSize: number
  /** Tokens per message. */
  readonly length: number
  /** The fraction of messages in the test split (default 0.2). */
  readonly testFraction?: number
  /** At most this many messages in all (a uniform sample; default all). */
  readonly maxMessages?: number
  /** The seed of the split (default 0). */
  readonly seed?: number
}

/**
 * Tokenises the messages, splits them by a uniform permutation from the seed (the first
 * `round(n * testFraction)` of the permuted order are the test split), builds the vocabulary
 * on the training split and encodes both.
 *
 * @example
 * ```ts
 * const corpus = loadSpam()
 * if (E.isRight(corpus)) textSet(corpus.right, { vocabSize: 2000, length: 100 }).train.ids   // int32 [n_train * 100]
 * ```
 */
export function textSet(messages: readonly SpamMessage[], options: TextSetOptions): TextSet {
  const { vocabSize, length, testFraction = 0.2, seed = 0 } = options
  const perm = permutation(foldIn(keyWords(seed), 0), messages.length)
  const total = Math.min(messages.length, options.maxMessages ?? messages.length)
  const nTest = Math.round(total * testFraction)
  const pick = (from: number, to: number): SpamMessage[] => Array.from(perm.subarray(from, to), (i) => messages[i]!)
  const testMsgs = pick(0, nTest)
  const trainMsgs = pick(nTest, total)
  const trainDocs = trainMsgs.map((m) => tokenize(m.text))
  const testDocs = testMsgs.map((m) => tokenize(m.text))
  const vocab = buildVocabulary(trainDocs, vocabSize)
  const split = (msgs: readonly SpamMessage[], docs: readonly string[][]): TextSplit => {
    const ids = new Int32Array(msgs.length * length)
    for (let i = 0; i < msgs.length; i++) ids.set(encode(docs[i]!, vocab, length), i * length)
    return { n: msgs.length, length, ids, labels: Int32Array.from(msgs, (m) => m.label), tokens: docs.map((d) => d.slice(0, length)) }
  }
  return { train: split(trainMsgs, trainDocs), test: split(testMsgs, testDocs), vocab }
}
