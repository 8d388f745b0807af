/** History compare: two git versions of a prompt, analyzed alike, aligned word by word. */
export { alignWords, versionWords, type AlignedWord, type VersionWord } from './align.ts';
export { compareVersions, strongestChanges, UNCHANGED_WITHIN, type HistoryComparison, type VersionSummary, type WordChange, type WordChangeKind } from './compare.ts';
export { fileCommits, locateInRepository, readAtRevision, resolveRevision } from './git.ts';
export { parseRevisionRange, type RevisionPair } from './revisions.ts';
