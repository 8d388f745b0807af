/**
 * A process killed while writing a prepared graph leaves its temporary file (`<file>.<pid>.<random>.tmp`)
 * behind. The next model load through the CLI removes the temporaries of writers that are gone
 * (or that nobody has written to for an hour), and nothing else: not a live writer's, not the
 * user's own files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

test('loading a model removes temporaries that killed preparations left, and only those', async () => {
  const root = tempDir();
  const model = path.join(root, 'm');
  mkdirSync(model);
  for (const entry of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx']) cpSync(path.join(testModel('tiny-llama-extdata'), entry), path.join(model, entry), { recursive: true });
  const cache = path.join(root, 'cache');
  const run = () => runCli(['analyze', '--model', model, '--prompt', 'Name three colours of the sea.', '--max-new-tokens', '3', '--method', 'occlusion'], { env: { PROMPT_LENS_CACHE: cache, PROMPT_LENS_OFFLINE: '1' } });
  const first = await run();
  assert.equal(first.code, 0, first.stderr);

  // A process id that is no longer running: a child that has exited.
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  const alive = process.pid;
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  const planted = (dir: string, name: string, mtime?: Date) => {
    const file = path.join(dir, name);
    writeFileSync(file, new Uint8Array(1 << 20));
    if (mtime) utimesSync(file, mtime, mtime);
    return file;
  };
  const preparedDirs = readdirSync(path.join(cache, 'prepared')).map((d) => path.join(cache, 'prepared', d));
  assert.ok(preparedDirs.length >= 1);
  const stale: string[] = [];
  const kept: string[] = [];
  for (const dir of preparedDirs) {
    stale.push(planted(dir, `model.onnx.${gone}.k1ll3d.tmp`));
    stale.push(planted(dir, `model.onnx.${alive}.0ld.tmp`, twoHoursAgo)); // untouched for two hours: abandoned, whatever its pid
    kept.push(planted(dir, `meta.json.${alive}.wr1t1ng.tmp`)); // a live writer's
  }
  stale.push(planted(cache, `file-hashes.json.${gone}.tmp`));
  kept.push(planted(cache, `notes.${gone}.tmp`)); // a cache folder may be shared: not ours
  // Beside the graph (where a prepared copy goes when the cache is on another file system): only ours.
  const onnxDir = path.join(model, 'onnx');
  stale.push(planted(onnxDir, `model.prompt-lens-0123456789ab-float64.onnx.${gone}.x1.tmp`));
  kept.push(planted(onnxDir, `weights.${gone}.tmp`)); // the user's, whatever it looks like

  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  for (const file of stale) assert.ok(!existsSync(file), `removed: ${path.relative(root, file)}`);
  for (const file of kept) assert.ok(existsSync(file), `kept: ${path.relative(root, file)}`);
});
