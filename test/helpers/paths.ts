/** Paths tests share: the repo, its test models, and ../shared (absent in users' clones). */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const testModelsDir = path.join(repoRoot, 'test/fixtures/models');
export const sharedDir = path.resolve(repoRoot, '../shared');

export function testModel(name: string): string {
  return path.join(testModelsDir, name);
}

/**
 * Skip reason when ../shared is absent, or undefined when present. Under CI it must be there:
 * a missing ../shared fails the run instead of skipping.
 */
export function sharedSkipReason(): string | undefined {
  if (existsSync(sharedDir)) return undefined;
  if (process.env.CI === 'true') throw new Error(`../shared is missing at ${sharedDir}, and CI=true requires it`);
  const reason = `../shared not found at ${sharedDir}; these tests need the shared fixtures`;
  console.log(`# skipped: ${reason}`);
  return reason;
}

export function tempDir(prefix = 'prompt-lens-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
