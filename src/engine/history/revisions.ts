/**
 * `--rev` of `prompt-lens history`: `A..B` compares revision A with revision B; `A` alone
 * compares revision A with the file as it is on disk (the default, HEAD: the last commit
 * against the working copy).
 */
import { EngineError } from '../errors.ts';

export interface RevisionPair {
  before: string;
  /** undefined: the file on disk (the working copy). */
  after?: string;
}

export function parseRevisionRange(spec: string): RevisionPair {
  if (spec.includes('...')) {
    throw new EngineError('bad-argument', `--rev ${spec}: a three-dot range is not a pair of versions`, 'write two revisions with two dots, e.g. --rev HEAD~1..HEAD');
  }
  const parts = spec.split('..');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) {
    throw new EngineError('bad-argument', `--rev "${spec}" is not REV or REV..REV`, 'e.g. --rev HEAD~1..HEAD (two commits) or --rev HEAD (the last commit against the file on disk)');
  }
  return parts.length === 2 ? { before: parts[0], after: parts[1] } : { before: parts[0] };
}
