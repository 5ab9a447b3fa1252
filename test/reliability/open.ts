/**
 * Entries the library does not pass yet, each with the problem the catalogue found: the runner
 * asserts that each still fails (so that a fix must remove it from here) and reports the rest.
 * Generated from a run of the catalogue; shrink it, never grow it without an issue.
 */
export const open: ReadonlyMap<string, string> = new Map([
  ["callback: vectorized: forgot the batch axis, sizes coincide", "no error (a silent result: a float32 tensor of shape [3]); expected ArgumentError"],
  ["solvers: topKMask: k 0", "no error (a silent result: -1); expected ArgumentError"],
  ["solvers: gridShortestPath: negative costs", "no error (a silent result: a float32 tensor of shape [2, 2]); expected ArgumentError"],
  ["solvers: define: no name", "no error (a silent result: a function); expected ArgumentError"],
  ["solvers: define: instanceRank -1", "no error (a silent result: a function); expected ArgumentError"],
  ["solvers: define: instanceRank 1.5", "no error (a silent result: a function); expected ArgumentError"],
  ["solvers: define: kernel not a function", "no error (a silent result: a function); expected ArgumentError"],
  ["solvers: define: definition null", "untyped error: TypeError: Cannot destructure property 'name' of 'definition' as it is null."],
  ["solvers: define: axes of the wrong length", "no error (a silent result: a function); expected ArgumentError"],
  ["solvers: define: check not a function", "no error (a silent result: a function); expected ArgumentError"],
  ["solvers: define: the user check refuses", "untyped error: : even(theta): odd"],
])
