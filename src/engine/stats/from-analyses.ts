/** Dataset statistics input from a folder of saved Analysis JSON files (`prompt-lens dataset`). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { spansToMask } from '../scores/index.ts';
import { DATASET_MANIFEST_FILE, readDatasetManifest, type SkippedPrompt } from './dataset-manifest.ts';
import type { AttributionItem, Role } from './scored-prompt.ts';

export function itemsFromAnalysisDir(dir: string): AttributionItem[] {
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
    return {
      id: a.dataset?.id ?? file.replace(/\.(base|tuned)\.json$/, ''),
      source: a.dataset?.source ?? 'default',
      role,
      model: a.model?.ref ?? 'unknown',
      method: a.settings?.method,
      followed: a.dataset?.followed,
      responseLength: a.responseTokens.length,
      matrix: { kind: 'importance' as const, rows: a.importance },
      instructionMask: mask,
      rowIncluded: a.promptTokens.map((t) => !t.special),
    };
  });
}

/** The prompts `prompt-lens dataset` skipped in `dir` (its manifest), less those analysed since. */
export function skippedInAnalysisDir(dir: string, analysed: AttributionItem[]): SkippedPrompt[] {
  const done = new Set(analysed.map((item) => `${item.role} ${item.id}`));
  return (readDatasetManifest(dir)?.skipped ?? []).filter((s) => !done.has(`${s.role} ${s.id}`));
}
