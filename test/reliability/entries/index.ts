/** Every catalogue entry, by area. */
import type { Entry } from '../catalogue.js'
import { estimatorEntries, solverEntries } from './estimators.js'
import { noiseEntries, randomEntries, targetEntries, treeEntries } from './distributions.js'
import { backendEntries, kernelEntries, kSubsetEntries, lossEntries, optimEntries, relaxEntries } from './misc.js'
import { opsEntries } from './ops.js'
import { solverLibraryEntries } from './solver_library.js'
import { trainingEntries } from './training.js'
import { callbackEntries, customVjpEntries, gradEntries, vmapEntries } from './transforms.js'

export const entries: readonly Entry[] = [
  ...vmapEntries, ...gradEntries, ...customVjpEntries, ...callbackEntries, ...opsEntries, ...randomEntries, ...treeEntries,
  ...noiseEntries, ...targetEntries, ...solverEntries, ...solverLibraryEntries, ...estimatorEntries, ...optimEntries, ...lossEntries, ...relaxEntries,
  ...kSubsetEntries, ...backendEntries, ...kernelEntries, ...trainingEntries,
]
