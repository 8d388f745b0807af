/**
 * The manifest `prompt-lens dataset` keeps beside its analyses, `DIR/prompt-lens-dataset.json`:
 * the prompts it skipped (a per-prompt failure such as an empty reply), each with its reason,
 * so `prompt-lens stats` can count them. A prompt whose analysis exists is not skipped, whatever
 * the manifest says (the analysis may have been written just before a run was killed).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EngineError, type EngineErrorCode } from '../errors.ts';
import type { Role } from './scored-prompt.ts';

export const DATASET_MANIFEST_FILE = 'prompt-lens-dataset.json';

export interface SkippedPrompt {
  id: string;
  role: Role;
  /** The model reference of that role. */
  model: string;
  code: EngineErrorCode;
  reason: string;
}

export interface DatasetManifest {
  schemaVersion: 1;
  skipped: SkippedPrompt[];
}

/** The manifest of `dir`, or undefined when it has none. */
export function readDatasetManifest(dir: string): DatasetManifest | undefined {
  const file = path.join(dir, DATASET_MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineError('io', `Cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`, 'Check that you may read the folder.', { cause });
  }
  let manifest: Partial<DatasetManifest>;
  try {
    manifest = JSON.parse(text) as Partial<DatasetManifest>;
  } catch {
    manifest = {};
  }
  if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.skipped) || !manifest.skipped.every(isSkippedPrompt)) {
    throw new EngineError('bad-argument', `${file} is not a Prompt Lens dataset manifest.`, 'Delete it and run `prompt-lens dataset` again with the same settings: it tries the skipped prompts again and writes a new one.');
  }
  return { schemaVersion: 1, skipped: manifest.skipped };
}

function isSkippedPrompt(x: unknown): x is SkippedPrompt {
  const s = x as Partial<SkippedPrompt> | null;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && (s.role === 'base' || s.role === 'tuned') && typeof s.model === 'string' && typeof s.code === 'string' && typeof s.reason === 'string';
}
