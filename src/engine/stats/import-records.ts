/**
 * Importing attributions made elsewhere (docs/import-format.md): JSON Lines, optionally
 * gzipped, one prompt per line, with the matrix of each model as raw importance (`I`) or
 * already-normalized S (`S`, integers 0..L stored with b = 0).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Span } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { spansToMask } from '../scores/index.ts';
import type { AttributionItem, Role } from './scored-prompt.ts';

export interface ImportedModel {
  role?: Role;
  response_tokens: string[];
  I?: number[][];
  S?: number[][];
  /** L the stored S was made with (default 10). */
  levels?: number;
  followed?: boolean | null;
}

export interface ImportedRecord {
  id: string;
  source?: string;
  prompt_tokens: string[];
  /** 1 per prompt token inside the instruction; or give the spans below. */
  instruction_mask?: number[];
  /** Alternative to the mask: the prompt text, character spans into it, and each token's [start, end) in it. */
  prompt?: string;
  instruction_spans?: Span[];
  prompt_token_offsets?: [number, number][];
  models: Record<string, ImportedModel>;
}

export interface ImportOptions {
  /** Role of each model name when the records do not say. */
  roles?: Record<string, Role>;
  /** Labels kept elsewhere (e.g. a prompts file): followed(id, modelName). */
  followed?: (id: string, model: string) => boolean | undefined;
}

export function readJsonLines<T>(file: string): T[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError('io', missing ? `No such file: ${file}.` : `Cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`, 'Check the path.', { cause });
  }
  const text = (file.endsWith('.gz') ? gunzip(bytes, file) : bytes).toString('utf8');
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), i }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new EngineError('bad-argument', `${file}:${i + 1} is not valid JSON.`, 'Each line must be one JSON object (JSON Lines).');
      }
    });
}

function gunzip(bytes: Buffer, file: string): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (cause) {
    const cut = (cause as NodeJS.ErrnoException).code === 'Z_BUF_ERROR';
    const problem = cut ? 'is not a complete gzip file: it ends too early (cut short when copied or downloaded)' : `is not a valid gzip file (${(cause as Error).message})`;
    throw new EngineError('io', `${file} ${problem}.`, 'Copy or download it again, whole.', { cause });
  }
}

/** The record's instruction mask: given directly, or made from spans and token offsets. */
function maskOf(r: ImportedRecord): number[] | undefined {
  if (r.instruction_mask) {
    if (r.instruction_mask.length !== r.prompt_tokens.length) {
      throw new EngineError('bad-argument', `Record ${r.id}: instruction_mask has ${r.instruction_mask.length} entries for ${r.prompt_tokens.length} prompt tokens.`, 'Give one 0/1 entry per prompt token.');
    }
    return r.instruction_mask;
  }
  if (!r.instruction_spans) return undefined;
  const offsets = r.prompt_token_offsets;
  if (!offsets || offsets.length !== r.prompt_tokens.length) {
    throw new EngineError('bad-argument', `Record ${r.id}: instruction_spans need prompt_token_offsets, one [start, end] per prompt token.`, 'Add "prompt_token_offsets", or give "instruction_mask" instead (docs/import-format.md).');
  }
  const tokens = offsets.map(([start, end]) => ({ start, end, special: false }));
  return spansToMask(tokens, r.instruction_spans, r.prompt);
}

export function importRecords(records: ImportedRecord[], opts: ImportOptions = {}): AttributionItem[] {
  const items: AttributionItem[] = [];
  for (const r of records) {
    if (!Array.isArray(r.prompt_tokens)) throw new EngineError('bad-argument', `Record ${r.id ?? '(no id)'} has no "prompt_tokens" list.`, 'Each line needs "id", "prompt_tokens" and "models" (docs/import-format.md).');
    const instructionMask = maskOf(r);
    for (const [name, m] of Object.entries(r.models ?? {})) {
      const role = m.role ?? opts.roles?.[name];
      if (!role) throw new EngineError('bad-argument', `Record ${r.id}: model "${name}" has no role.`, 'Give each model "role": "base" or "tuned", or map names to roles.');
      if (!Array.isArray(m.response_tokens)) throw new EngineError('bad-argument', `Record ${r.id}: model "${name}" has no "response_tokens" list.`, 'Give the response tokens (columns of the matrix).');
      // An empty response leaves an empty matrix: every prompt row is then all zeros.
      const stored = m.I ?? m.S;
      const rows = stored && stored.length === 0 && m.response_tokens.length === 0 ? r.prompt_tokens.map(() => []) : stored;
      if (!rows) throw new EngineError('bad-argument', `Record ${r.id}: model "${name}" has neither "I" nor "S".`, 'Give the raw importance I or the normalized S, rows = prompt tokens.');
      if (rows.length !== r.prompt_tokens.length) {
        throw new EngineError('bad-argument', `Record ${r.id}: model "${name}" has ${rows.length} rows for ${r.prompt_tokens.length} prompt tokens.`, 'Rows of the matrix must be the prompt tokens.');
      }
      const followed = m.followed ?? opts.followed?.(r.id, name);
      items.push({
        id: r.id,
        source: r.source ?? 'default',
        role,
        model: name,
        followed: followed === null ? undefined : followed,
        responseLength: m.response_tokens.length,
        matrix: m.I ? { kind: 'importance', rows } : { kind: 'normalized', rows, levels: m.levels ?? 10 },
        instructionMask,
      });
    }
  }
  return items;
}

/**
 * The paper's released Self-Instruct data (attributions.jsonl.gz + prompts.jsonl): LLaMA-7B is
 * the base model, Vicuna-7B the tuned one, and `followed_vicuna` labels Vicuna's responses.
 */
export function importPaperData(promptsFile: string, attributionsFile: string): AttributionItem[] {
  const prompts = readJsonLines<{ id: string; followed_vicuna?: boolean | null }>(promptsFile);
  const attributions = readJsonLines<ImportedRecord>(attributionsFile);
  if (holdsAttributions(prompts) && !holdsAttributions(attributions)) {
    throw new EngineError('bad-argument', `The prompts and attributions files are swapped: ${promptsFile} holds the attributions, and ${attributionsFile} the prompts.`, `Give the prompts file first, then the attributions file: ${attributionsFile} ${promptsFile}.`);
  }
  const labels = new Map(prompts.map((p) => [p.id, p.followed_vicuna]));
  return importRecords(attributions, {
    roles: { 'llama-7b': 'base', 'vicuna-7b': 'tuned' },
    followed: (id, model) => (model === 'vicuna-7b' ? (labels.get(id) ?? undefined) : undefined),
  });
}

/** Whether these records are attributions (they have "models"), not prompts. */
function holdsAttributions(records: unknown[]): boolean {
  const first = records[0];
  return typeof first === 'object' && first !== null && 'models' in first;
}
