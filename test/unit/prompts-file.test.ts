/** The one reader of JSON Lines prompt files (dataset, spans, demo): line numbers, id rules, duplicate ids. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readPromptsFile, type PromptsFileRules } from '../../src/cli/prompts-file.ts';
import { UsageError } from '../../src/cli/run-guard.ts';
import { tempDir } from '../helpers/paths.ts';

const dataset: PromptsFileRules = { option: '--prompts', idRequired: true, promptRequired: true };
const spans: PromptsFileRules = { option: '--prompts', idRequired: false, promptRequired: false };

function fileWith(text: string): string {
  const file = path.join(tempDir(), 'p.jsonl');
  writeFileSync(file, text);
  return file;
}

function refusal(text: string, rules: PromptsFileRules): string {
  try {
    readPromptsFile(fileWith(text), rules);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(text)}`);
}

test('records keep their other fields and their line; blank lines and CRLF are fine; numeric ids become strings', () => {
  const file = fileWith('\n{"id": "a", "prompt": "Do it.", "source": "s", "followed": true}\r\n\n  \n{"id": 7, "prompt": "Now."}\n');
  const records = readPromptsFile<{ source?: string; followed?: boolean }>(file, dataset);
  assert.deepEqual(records, [
    { id: 'a', prompt: 'Do it.', source: 's', followed: true, line: 2 },
    { id: '7', prompt: 'Now.', line: 5 },
  ]);
});

test('ids: required, or named after the line; never empty, an object or repeated (with both lines)', () => {
  assert.deepEqual(readPromptsFile(fileWith('{"prompt": "x"}\n{"id": "b", "prompt": "y"}\n'), spans).map((r) => r.id), ['line-1', 'b']);
  assert.match(refusal('{"prompt": "x"}\n', dataset), /p\.jsonl:1 has no "id"/);
  assert.match(refusal('{"id": null, "prompt": "x"}\n', spans), /p\.jsonl:1 has an "id" that is neither a string nor a number/);
  assert.match(refusal('{"id": "", "prompt": "x"}\n', spans), /p\.jsonl:1 has an empty "id"/);
  assert.match(refusal('{"id": {"a": 1}, "prompt": "x"}\n', spans), /p\.jsonl:1 has an "id" that is neither a string nor a number/);
  assert.match(refusal('{"id": "a", "prompt": "x"}\n\n{"id": "a", "prompt": "y"}\n', dataset), /p\.jsonl:3 repeats id "a" of line 1/);
  assert.match(refusal('{"id": 1, "prompt": "x"}\n{"id": "1", "prompt": "y"}\n', spans), /p\.jsonl:2 repeats id "1" of line 1/);
  assert.match(refusal('{"id": "line-2", "prompt": "x"}\n{"prompt": "y"}\n', spans), /p\.jsonl:2 repeats id "line-2" of line 1/);
});

test('malformed lines, missing prompts and empty prompts are refused with the file and line', () => {
  assert.match(refusal('{"id": "a", "prompt": "x"}\n{"id": "b", "prompt": \n', dataset), /p\.jsonl:2 is not valid JSON/);
  assert.match(refusal('["a", "x"]\n', spans), /p\.jsonl:1 is not a JSON object/);
  assert.match(refusal('{"id": "a", "text": "x"}\n', spans), /p\.jsonl:1 has no "prompt" string/);
  assert.match(refusal('{"id": "a", "prompt": "x"}\n{"id": "b", "prompt": "  "}\n', dataset), /p\.jsonl:2 \(id "b"\) has an empty prompt/);
  assert.deepEqual(readPromptsFile(fileWith('{"id": "a", "prompt": " "}\n'), spans).map((r) => r.prompt), [' ']);
});
