/** Timing helpers shared by the benchmarks: medians of repeated runs after a warm-up. */

/** The median of `xs`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]!
}

/** The median time in ms of `reps` runs of `fn(i)` (i = 0, 1, ...), after `warmup` runs. */
export const time = (fn: (i: number) => void, reps: number, warmup = 3): number => timeStats(fn, reps, warmup).median

/** The median and the minimum time in ms of `reps` runs of `fn(i)`, after `warmup` runs. */
export function timeStats(fn: (i: number) => void, reps: number, warmup = 3): { readonly median: number; readonly min: number } {
  for (let i = 0; i < warmup; i++) fn(-1 - i)
  const ts: number[] = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    fn(i)
    ts.push(performance.now() - t0)
  }
  return { median: median(ts), min: Math.min(...ts) }
}
