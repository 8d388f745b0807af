/** Paths tests share: the repo, its test models, and ../shared (absent in users' clones). */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const testModelsDir = path.join(repoRoot, 'test/fixtures/models');
/** ../shared beside the repo; PROMPT_LENS_SHARED_DIR moves it (tests of the skip itself point it at a missing folder). */
export const sharedDir = process.env.PROMPT_LENS_SHARED_DIR ?? path.resolve(repoRoot, '../shared');

export function testModel(name: string): string {
  return path.join(testModelsDir, name);
}

/**
 * Skip reason when ../shared is absent, or undefined when present. With
 * PROMPT_LENS_REQUIRE_SHARED=1 (set by .ci/run, where ../shared is provided) a missing ../shared
 * fails the run instead of skipping. CI=true alone does not: GitHub Actions sets it for every
 * clone, and users' clones have no ../shared.
 */
export function sharedSkipReason(): string | undefined {
  if (existsSync(sharedDir)) return undefined;
  if (process.env.PROMPT_LENS_REQUIRE_SHARED === '1') throw new Error(`../shared is missing at ${sharedDir}, and PROMPT_LENS_REQUIRE_SHARED=1 requires it`);
  const reason = `../shared not found at ${sharedDir}; these tests need the shared fixtures`;
  console.log(`# skipped: ${reason}`);
  return reason;
}

export function tempDir(prefix = 'prompt-lens-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
