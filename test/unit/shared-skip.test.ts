/**
 * Tests that need ../shared skip with a printed reason when it is missing, whatever CI says
 * (GitHub Actions sets CI=true in every clone); only PROMPT_LENS_REQUIRE_SHARED=1 (.ci/run)
 * turns a missing ../shared into a failure. Runs a real test file that uses sharedSkipReason()
 * with ../shared pointed at a folder that does not exist.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.ts';

const testFile = 'test/unit/tokens-template.test.ts';
const missing = path.join(repoRoot, 'no-such-shared-folder');

function runTestFile(env: Record<string, string>): { status: number | null; output: string } {
  const clean = { ...process.env };
  delete clean.PROMPT_LENS_REQUIRE_SHARED;
  // The child is a test runner of its own: no inherited test-runner context.
  delete clean.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', testFile], { cwd: repoRoot, env: { ...clean, PROMPT_LENS_SHARED_DIR: missing, ...env }, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

test('without ../shared, CI=true skips the tests that need it and prints why', () => {
  const r = runTestFile({ CI: 'true' });
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /# skipped: \.\.\/shared not found at .*no-such-shared-folder; these tests need the shared fixtures/);
  assert.match(r.output, /^ok \d+ - .* # SKIP \.\.\/shared not found/m, 'the tests were skipped, with the reason');
  assert.match(r.output, /# fail 0/);
});

test('without ../shared, PROMPT_LENS_REQUIRE_SHARED=1 fails the run', () => {
  const r = runTestFile({ CI: 'true', PROMPT_LENS_REQUIRE_SHARED: '1' });
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /\.\.\/shared is missing at .*no-such-shared-folder, and PROMPT_LENS_REQUIRE_SHARED=1 requires it/);
});

test('.ci/run requires ../shared', () => {
  assert.match(readFileSync(path.join(repoRoot, '.ci/run'), 'utf8'), /^export PROMPT_LENS_REQUIRE_SHARED=1$/m);
});
