/**
 * `prompt-lens spans (--prompt TEXT | --prompt-file F | --prompts FILE.jsonl) [--json OUT]`:
 * the automatically detected instruction spans of one prompt or of a JSON Lines file of prompts
 * (`{"id", "prompt"}` per line). Prints them; with --json, writes one record per prompt,
 * `{"id", "spans": [{"start", "end", "text"}]}` (JSON Lines for --prompts, one JSON object
 * otherwise; the id of a single prompt is "prompt").
 */
import { readFile } from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import type { Span } from '../../engine/analysis.ts';
import { showControls } from '../../engine/report/visible-controls.ts';
import { detectInstructionSpans } from '../../engine/spans/index.ts';
import { describeFileError } from '../file-errors.ts';
import { checkOutputFile, writeFileAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { readTextFile } from '../read-text-file.ts';
import { guarded, UsageError } from '../run-guard.ts';

interface PromptRecord {
  id: string;
  prompt: string;
}

interface SpansRecord {
  id: string;
  spans: Array<Required<Span>>;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what}: ${describeFileError(error, file)}`, 'check the path');
  }
}

export function parsePromptLines(text: string, file: string): PromptRecord[] {
  const records: PromptRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${i + 1} is not valid JSON (each line must be one object such as {"id": "a", "prompt": "…"})`);
    }
    const record = value as { id?: unknown; prompt?: unknown } | null;
    if (typeof record !== 'object' || record === null || typeof record.prompt !== 'string') {
      throw new UsageError(`${file}:${i + 1} has no "prompt" string`);
    }
    const id = record.id === undefined ? `line-${i + 1}` : String(record.id);
    records.push({ id, prompt: record.prompt });
  });
  return records;
}

function describe(record: SpansRecord): string {
  const lines = [`${record.id}: ${record.spans.length} instruction span${record.spans.length === 1 ? '' : 's'}`];
  for (const s of record.spans) lines.push(`  ${s.start}–${s.end}  ${JSON.stringify(s.text)}`);
  return lines.join('\n') + '\n';
}

export const OPTIONS = {
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  prompts: { type: 'string' },
  json: { type: 'string' },
} satisfies ParseArgsConfig['options'];

export async function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const { values } = parseOptions('spans', argv, OPTIONS);
    const json = values.json as string | undefined;
    if (json !== undefined) checkOutputFile(json, '--json', values.prompts !== undefined ? 'spans.jsonl' : 'spans.json');
    const given = (['prompt', 'prompt-file', 'prompts'] as const).filter((k) => values[k] !== undefined);
    if (given.length !== 1) throw new UsageError('give exactly one of --prompt TEXT, --prompt-file F or --prompts FILE.jsonl');

    let inputs: PromptRecord[];
    if (values.prompt !== undefined) inputs = [{ id: 'prompt', prompt: values.prompt as string }];
    else if (values['prompt-file'] !== undefined) inputs = [{ id: 'prompt', prompt: readTextFile(values['prompt-file'] as string, '--prompt-file') }];
    else {
      const file = values.prompts as string;
      inputs = parsePromptLines(await readText(file, 'prompts file'), file);
    }

    const records: SpansRecord[] = inputs.map(({ id, prompt }) => ({
      id,
      spans: detectInstructionSpans(prompt).map((s) => ({ start: s.start, end: s.end, text: s.text ?? prompt.slice(s.start, s.end) })),
    }));
    // Ids and prompts are the user's text: their control characters are shown, not obeyed.
    for (const r of records) process.stdout.write(showControls(describe(r)));
    if (json !== undefined) {
      const data = values.prompts !== undefined ? records.map((r) => JSON.stringify(r) + '\n').join('') : JSON.stringify(records[0], null, 1) + '\n';
      await writeFileAtomically(json, data);
    }
    return 0;
  });
}
