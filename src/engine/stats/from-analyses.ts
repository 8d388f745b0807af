/**
 * Dataset statistics input from a folder of saved Analysis JSON files (`prompt-lens dataset`).
 * With a granularity, analyses made per token are merged into its units (raw importance summed
 * per unit, as `analyze` does; a unit is in the instruction when one of its tokens is).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Analysis, Granularity } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { spansToMask } from '../scores/index.ts';
import { mergeIntoUnits, sumRowsPerUnit } from '../tokens/units.ts';
import { DATASET_MANIFEST_FILE, readDatasetManifest, type SkippedPrompt } from './dataset-manifest.ts';
import type { AttributionItem, Role } from './scored-prompt.ts';

export function itemsFromAnalysisDir(dir: string, granularity?: Granularity): AttributionItem[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'stats.json' && f !== DATASET_MANIFEST_FILE);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? String(cause)})`;
    throw new EngineError('io', `The analyses folder ${dir} ${why}.`, 'Give the --out folder of `prompt-lens dataset`, or import attributions with --import FILE.', { cause });
  }
  if (files.length === 0) throw new EngineError('bad-argument', `${dir} holds no analysis files.`, 'Run `prompt-lens dataset ... --out DIR` first, or import attributions with --import.');
  return files.map((file) => {
    let a: Analysis;
    try {
      a = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      throw new EngineError('bad-argument', `${path.join(dir, file)} is not valid JSON.`, 'Delete it and run `prompt-lens dataset` again: it resumes and rewrites only missing files.');
    }
    if (typeof a !== 'object' || a === null || !Array.isArray(a.importance) || !Array.isArray(a.promptTokens) || !Array.isArray(a.responseTokens)) {
      throw new EngineError('bad-argument', `${path.join(dir, file)} is not a Prompt Lens analysis.`, 'Keep only analysis JSON files in the folder.');
    }
    const role = a.dataset?.role ?? (/\.(base|tuned)\.json$/.exec(file)?.[1] as Role | undefined);
    if (!role) throw new EngineError('bad-argument', `${file} does not say whether it is the base or the tuned model.`, 'Name files <id>.base.json / <id>.tuned.json or keep the "dataset" field.');
    const mask = a.instructionMask ?? (a.instructionSpans ? spansToMask(a.promptTokens, a.instructionSpans, a.prompt) : undefined);
    const rows = granularity ? atGranularity(a, mask, granularity, path.join(dir, file)) : { importance: a.importance, mask, tokens: a.promptTokens };
    return {
      id: a.dataset?.id ?? file.replace(/\.(base|tuned)\.json$/, ''),
      source: a.dataset?.source ?? 'default',
      role,
      model: a.model?.ref ?? 'unknown',
      method: a.settings?.method,
      followed: a.dataset?.followed,
      responseLength: a.responseTokens.length,
      matrix: { kind: 'importance' as const, rows: rows.importance },
      instructionMask: rows.mask,
      rowIncluded: rows.tokens.map((t) => !t.special),
    };
  });
}

/** The analysis' rows merged into units of `granularity` (from tokens only: units cannot be split). */
function atGranularity(a: Analysis, mask: number[] | undefined, granularity: Granularity, file: string): { importance: number[][]; mask?: number[]; tokens: Analysis['promptTokens'] } {
  const made = a.settings?.granularity ?? 'token';
  if (made === granularity) return { importance: a.importance, mask, tokens: a.promptTokens };
  if (made !== 'token' || a.settings?.method === 'unit-occlusion' || typeof a.prompt !== 'string') {
    throw new EngineError('bad-argument', `${file} was analysed at granularity ${made}${made === 'token' ? ' with unit-occlusion' : ''}; its rows cannot be merged into ${granularity} units.`, `Run \`prompt-lens dataset\` with --granularity token (stats can merge tokens into any unit), or leave out --granularity or give ${made}.`);
  }
  const { units, groups } = mergeIntoUnits(a.promptTokens, a.prompt, granularity);
  return {
    importance: sumRowsPerUnit(a.importance, groups),
    mask: mask ? groups.map((group) => Math.max(...group.map((n) => mask[n]))) : undefined,
    tokens: units,
  };
}

/** The prompts `prompt-lens dataset` skipped in `dir` (its manifest), less those analysed since. */
export function skippedInAnalysisDir(dir: string, analysed: AttributionItem[]): SkippedPrompt[] {
  const done = new Set(analysed.map((item) => `${item.role} ${item.id}`));
  return (readDatasetManifest(dir)?.skipped ?? []).filter((s) => !done.has(`${s.role} ${s.id}`));
}
