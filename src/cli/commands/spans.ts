/**
 * `prompt-lens spans (--prompt TEXT | --prompt-file F | --prompts FILE.jsonl) [--json OUT]`:
 * the automatically detected instruction spans of one prompt or of a JSON Lines file of prompts
 * (`{"id", "prompt"}` per line). Prints them; with --json, writes one record per prompt,
 * `{"id", "spans": [{"start", "end", "text"}]}` (JSON Lines for --prompts, one JSON object
 * otherwise; the id of a single prompt is "prompt").
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Span } from '../../engine/analysis.ts';
import { detectInstructionSpans } from '../../engine/spans/index.ts';
import { checkOutputFile, writeFileAtomically } from '../output.ts';
import { optionError } from '../parse-options.ts';
import { readPromptsFile, type PromptLine } from '../prompts-file.ts';
import { guarded, UsageError } from '../run-guard.ts';

interface SpansRecord {
  id: string;
  spans: Array<Required<Span>>;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function describe(record: SpansRecord): string {
  const lines = [`${record.id}: ${record.spans.length} instruction span${record.spans.length === 1 ? '' : 's'}`];
  for (const s of record.spans) lines.push(`  ${s.start}–${s.end}  ${JSON.stringify(s.text)}`);
  return lines.join('\n') + '\n';
}

const OPTIONS = {
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  prompts: { type: 'string' },
  json: { type: 'string' },
} satisfies ParseArgsConfig['options'];

export async function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: OPTIONS }));
    } catch (error) {
      throw optionError('spans', OPTIONS, error);
    }
    if (values.json !== undefined) checkOutputFile(values.json, '--json', values.prompts !== undefined ? 'spans.jsonl' : 'spans.json');
    const given = (['prompt', 'prompt-file', 'prompts'] as const).filter((k) => values[k] !== undefined);
    if (given.length !== 1) throw new UsageError('give exactly one of --prompt TEXT, --prompt-file F or --prompts FILE.jsonl');

    let inputs: Array<Pick<PromptLine, 'id' | 'prompt'>>;
    if (values.prompt !== undefined) inputs = [{ id: 'prompt', prompt: values.prompt }];
    else if (values['prompt-file'] !== undefined) inputs = [{ id: 'prompt', prompt: await readText(values['prompt-file'], 'prompt file') }];
    else {
      inputs = readPromptsFile(values.prompts as string, { option: '--prompts', idRequired: false, promptRequired: false });
    }

    const records: SpansRecord[] = inputs.map(({ id, prompt }) => ({
      id,
      spans: detectInstructionSpans(prompt).map((s) => ({ start: s.start, end: s.end, text: s.text ?? prompt.slice(s.start, s.end) })),
    }));
    for (const r of records) process.stdout.write(describe(r));
    if (values.json !== undefined) {
      const data = values.prompts !== undefined ? records.map((r) => JSON.stringify(r) + '\n').join('') : JSON.stringify(records[0], null, 1) + '\n';
      await writeFileAtomically(values.json, data);
    }
    return 0;
  });
}
