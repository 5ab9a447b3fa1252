/**
 * Entries the library does not pass yet, each with the problem the catalogue found: the runner
 * asserts that each still fails (so that a fix must remove it from here) and reports the rest.
 * Generated from a run of the catalogue; shrink it, never grow it without an issue.
 */
export const open: ReadonlyMap<string, string> = new Map([
])
