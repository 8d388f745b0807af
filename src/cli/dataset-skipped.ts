/**
 * The prompts a `prompt-lens dataset` run skips, kept in the folder's manifest
 * (DATASET_MANIFEST_FILE): a failure of one prompt that no setting of the run causes (the model
 * ends its reply at once; a record's own response does not fit) skips that prompt instead of
 * ending the run. A resumed run tries skipped prompts again. The manifest is rewritten whole
 * after every change (only made when a prompt is skipped), so a killed run loses at most the
 * prompt in progress.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EngineError, type EngineErrorCode } from '../engine/errors.ts';
import { DATASET_MANIFEST_FILE, readDatasetManifest, type DatasetManifest, type SkippedPrompt } from '../engine/stats/index.ts';
import { outputFile, type Role } from './dataset-names.ts';
import { writeFileAtomically } from './output.ts';
import { UsageError } from './run-guard.ts';

/**
 * Failures of one prompt that skip it. A prompt longer than the model reads ("prompt-too-long")
 * is not among them: which prompts and which model to run are the user's choice, and the fix
 * (shorten the prompt, or another model) is theirs to make.
 */
const SKIPPED_CODES: readonly EngineErrorCode[] = ['empty-response', 'response-too-long'];

export function isPerPromptFailure(error: unknown): error is EngineError {
  return error instanceof EngineError && SKIPPED_CODES.includes(error.code);
}

export class SkippedPrompts {
  private readonly file: string;
  private readonly entries: SkippedPrompt[];

  /** The skipped prompts of `dir`, less those whose analysis exists (a run killed between the two writes). */
  constructor(dir: string) {
    this.file = path.join(dir, DATASET_MANIFEST_FILE);
    let manifest: DatasetManifest | undefined;
    try {
      manifest = readDatasetManifest(dir);
    } catch (error) {
      throw new UsageError(`cannot resume in --out ${dir}: ${(error as Error).message}`, `delete ${this.file}; the prompts it lists as skipped are tried again`);
    }
    this.entries = (manifest?.skipped ?? []).filter((s) => !existsSync(outputFile(dir, s.id, s.role)));
  }

  has(id: string, role: Role): boolean {
    return this.entries.some((s) => s.id === id && s.role === role);
  }

  get count(): number {
    return this.entries.length;
  }

  async skip(entry: SkippedPrompt): Promise<void> {
    this.remove(entry.id, entry.role);
    this.entries.push(entry);
    await this.write();
  }

  /** The prompt was analysed: it is no longer skipped. */
  async done(id: string, role: Role): Promise<void> {
    if (this.remove(id, role)) await this.write();
  }

  private remove(id: string, role: Role): boolean {
    const at = this.entries.findIndex((s) => s.id === id && s.role === role);
    if (at >= 0) this.entries.splice(at, 1);
    return at >= 0;
  }

  private async write(): Promise<void> {
    const manifest: DatasetManifest = { schemaVersion: 1, skipped: this.entries };
    await writeFileAtomically(this.file, JSON.stringify(manifest, null, 1) + '\n');
  }
}
