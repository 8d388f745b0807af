/**
 * `prompt-lens spans (--prompt TEXT | --prompt-file F | --prompts FILE.jsonl) [--json OUT]`:
 * the automatically detected instruction spans of one prompt or of a JSON Lines file of prompts
 * (`{"id", "prompt"}` per line). Prints them; with --json, writes one record per prompt,
 * `{"id", "spans": [{"start", "end", "text"}]}` (JSON Lines for --prompts, one JSON object
 * otherwise; the id of a single prompt is "prompt").
 */
import type { ParseArgsConfig } from 'node:util';
import type { Span } from '../../engine/analysis.ts';
import { showControls } from '../../engine/report/visible-controls.ts';
import { detectInstructionSpans } from '../../engine/spans/index.ts';
import { checkOutputFile, writeFileAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { readPromptsFile, type PromptLine } from '../prompts-file.ts';
import { readTextFile } from '../read-text-file.ts';
import { guarded, UsageError } from '../run-guard.ts';

interface SpansRecord {
  id: string;
  spans: Array<Required<Span>>;
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

    let inputs: Array<Pick<PromptLine, 'id' | 'prompt'>>;
    if (values.prompt !== undefined) inputs = [{ id: 'prompt', prompt: values.prompt as string }];
    else if (values['prompt-file'] !== undefined) inputs = [{ id: 'prompt', prompt: readTextFile(values['prompt-file'] as string, '--prompt-file') }];
    else {
      inputs = readPromptsFile(values.prompts as string, { option: '--prompts', idRequired: false, promptRequired: false });
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
