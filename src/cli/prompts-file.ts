/**
 * The one reader of JSON Lines prompt files (`dataset --prompts`, `spans --prompts`, the demo's
 * held-out prompts): one object per line with a "prompt" string and an "id"; blank lines are
 * skipped. Every refusal names the file and line. Ids are strings or numbers (numbers become
 * strings), never empty, and never repeated.
 */
import { readFileSync } from 'node:fs';
import { describeFileError } from './file-errors.ts';
import { UsageError } from './run-guard.ts';

export interface PromptLine {
  id: string;
  prompt: string;
  /** 1-based line of the record in its file. */
  line: number;
}

export interface PromptsFileRules {
  /** How the file is named in messages (the option that gave it, e.g. "--prompts"). */
  option: string;
  /** A record without an id is refused, or else named `line-N` after its line. */
  idRequired: boolean;
  /** A prompt of only white space is refused. */
  promptRequired: boolean;
}

/**
 * Reads `file` by `rules`. The other fields of each record are kept as they are: `T` names
 * them for the caller, unchecked.
 */
export function readPromptsFile<T extends object = object>(file: string, rules: PromptsFileRules): Array<T & PromptLine> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${rules.option}: ${describeFileError(error, file)}`, 'check the path');
  }
  const records: Array<T & PromptLine> = [];
  const lineOfId = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const where = `${file}:${line}`;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new UsageError(`${where} is not valid JSON (each line must be one object such as {"id": "a", "prompt": "…"})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where} is not a JSON object (each line must be one object such as {"id": "a", "prompt": "…"})`);
    const record = value as Record<string, unknown>;
    if (typeof record.prompt !== 'string') throw new UsageError(`${where} has no "prompt" string`);
    const id = idOf(record.id, line, where, rules.idRequired);
    if (rules.promptRequired && record.prompt.trim().length === 0) throw new UsageError(`${where} (id "${id}") has an empty prompt`, 'give every record some prompt text, or remove the line');
    const first = lineOfId.get(id);
    if (first !== undefined) throw new UsageError(`${where} repeats id "${id}" of line ${first}`, 'give every record its own id');
    lineOfId.set(id, line);
    records.push({ ...(record as T), id, prompt: record.prompt, line });
  });
  return records;
}

function idOf(id: unknown, line: number, where: string, required: boolean): string {
  if (id === undefined && !required) return `line-${line}`;
  if (id === undefined) throw new UsageError(`${where} has no "id"`, 'give every record an id, e.g. {"id": "a", "prompt": "…"}');
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string') throw new UsageError(`${where} has an "id" that is neither a string nor a number`, 'write the id as a string, e.g. "id": "a"');
  if (id === '') throw new UsageError(`${where} has an empty "id"`, 'give every record a non-empty id');
  return id;
}
