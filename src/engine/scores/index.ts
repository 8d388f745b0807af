/** Scores of METHODS.md §1.3–1.6, pure functions on plain arrays. */
export { normalizeImportance } from './normalize.ts';
export { tokenDensity, normalizeDensity } from './density.ts';
export { instructionScore, spansToMask } from './instruction.ts';
export { positionProfile, meanProfile } from './position.ts';
