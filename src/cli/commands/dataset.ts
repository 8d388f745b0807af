/**
 * `prompt-lens dataset --base M1 --tuned M2 --prompts FILE.jsonl --out DIR`: runs the engine
 * over a JSONL of prompts and writes one analysis per prompt and model, `DIR/<id>.<role>.json`.
 * Resumable: finished files are skipped when they were made with this run's settings (else the
 * run is refused before any model loads, see dataset-resume.ts); each file is written whole (an
 * interrupted run loses at most the prompt in progress). Models are loaded one at a time. One
 * run at a time writes into a folder (folder-lock.ts). A prompt the model cannot explain (an
 * empty reply) is skipped and listed in the folder's manifest (dataset-skipped.ts).
 */
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { analyze, EngineError, loadModel, type AnalyzeRequest, type Span } from '../../engine/index.ts';
import { isDirectory } from '../../engine/models/files.ts';
import { showControls } from '../../engine/report/visible-controls.ts';
import { DATASET_MANIFEST_FILE } from '../../engine/stats/index.ts';
import { analyzeRequestFrom, ANALYSIS_SETTINGS, loadOptionsFrom } from '../analysis-options.ts';
import { checkFileNames, outputFile, type Role } from '../dataset-names.ts';
import { modelDifferencesAfterLoad, modelDifferencesBeforeLoad, readExisting, refuseResume, settingDifferences, type ExistingAnalysis } from '../dataset-resume.ts';
import { isPerPromptFailure, SkippedPrompts } from '../dataset-skipped.ts';
import { lockFolder } from '../folder-lock.ts';
import { checkOutputFile, checkOutputFolder, makeDirectory, writeFileAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { progressPrinter } from '../progress-bar.ts';
import { readPromptsFile, type PromptLine } from '../prompts-file.ts';
import { guarded, UsageError } from '../run-guard.ts';

/** One record of the prompts file, beside its id, prompt and line. */
interface DatasetRecord {
  response?: string;
  instruction_spans?: Span[];
  followed?: boolean;
  source?: string;
}

type DatasetPrompt = DatasetRecord & PromptLine;
export const OPTIONS = { ...ANALYSIS_SETTINGS, base: { type: 'string' }, tuned: { type: 'string' }, prompts: { type: 'string' }, out: { type: 'string' }, 'use-response': { type: 'boolean', default: false } } satisfies ParseArgsConfig['options'];

export async function run(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const { values } = parseOptions('dataset', argv, OPTIONS);
    if (!values.prompts || !values.out) throw new UsageError('dataset needs --prompts FILE.jsonl and --out DIR');
    if (!values.base && !values.tuned) throw new UsageError('dataset needs --base MODEL and/or --tuned MODEL');
    // The dataset's own settings; the prompt text comes from each record.
    const template = analyzeRequestFrom(values, 'x');
    const load = loadOptionsFrom(values);
    const outDir = values.out as string;
    checkOutputFolder(outDir, '--out');
    const promptsFile = values.prompts as string;
    const prompts = readPromptsFile<DatasetRecord>(promptsFile, { option: '--prompts', idRequired: true, promptRequired: true });
    checkFileNames(prompts, promptsFile);
    const ownResponse = (p: DatasetPrompt) => values['use-response'] === true && p.response !== undefined;
    const requestFor = (p: DatasetPrompt): AnalyzeRequest => ({
      ...template,
      prompt: p.prompt,
      instructionSpans: p.instruction_spans,
      response: ownResponse(p) ? p.response : template.response,
    });
    // A prompt whose reply cannot be explained is skipped, unless the reply is the run's own
    // --response: that is the user's setting to fix, not a trait of one record.
    const skipsPrompt = (p: DatasetPrompt, error: unknown): error is EngineError => isPerPromptFailure(error) && (template.response === undefined || ownResponse(p));
    const roles = (['base', 'tuned'] as const).filter((role) => values[role]);

    // The folder is made, and locked, before the finished analyses in it are read.
    const made = !(await isDirectory(outDir));
    await makeDirectory(outDir);
    const lock = lockFolder(outDir, '--out', 'dataset');
    try {
      // Resume: which analyses exist, and were they made with this run's settings? All checked
      // before any model loads.
      const existing: Record<Role, Map<DatasetPrompt, ExistingAnalysis>> = { base: new Map(), tuned: new Map() };
      const refused: Array<{ file: ExistingAnalysis; diffs: ReturnType<typeof settingDifferences> }> = [];
      for (const role of roles) {
        for (const p of prompts) {
          const file = outputFile(outDir, p.id, role);
          checkOutputFile(file, '--out');
          if (!existsSync(file)) continue;
          const e = readExisting(file, outDir);
          existing[role].set(p, e);
          const req = requestFor(p);
          const diffs = settingDifferences(e, { request: req, responseSource: req.response !== undefined ? 'given' : 'generated' });
          if (diffs.length > 0) refused.push({ file: e, diffs });
        }
        const wanted = { ref: values[role] as string, dtype: load.dtype ?? 'auto', precision: load.precision ?? 'auto' };
        for (const [file, diffs] of await modelDifferencesBeforeLoad([...existing[role].values()], wanted)) refused.push({ file, diffs });
      }
      if (refused.length > 0) throw refuseResume(outDir, refused);
      const skipped = new SkippedPrompts(outDir);

      for (const role of roles) {
        const ref = values[role] as string;
        const todo = prompts.filter((p) => !existing[role].has(p));
        const again = todo.filter((p) => skipped.has(p.id, role)).length;
        process.stderr.write(`${role} ${ref}: ${prompts.length - todo.length} of ${prompts.length} prompts already done${again > 0 ? `; ${again} skipped before, tried again` : ''}\n`);
        if (todo.length === 0) continue;
        const progress = progressPrinter(`${role}`);
        const model = await loadModel(ref, { ...load, signal, onProgress: progress.update });
        const started = performance.now();
        try {
          // What only the loaded model tells (the precision "auto" chose, a Hub model's files).
          const mismatched = [...existing[role].values()].map((file) => ({ file, diffs: modelDifferencesAfterLoad(file, model.info) })).filter((x) => x.diffs.length > 0);
          if (mismatched.length > 0) throw refuseResume(outDir, mismatched);
          for (const [i, p] of todo.entries()) {
            try {
              const analysis = await analyze(model, requestFor(p), { signal });
              const record = { ...analysis, dataset: { id: p.id, source: p.source ?? 'default', followed: p.followed, role } };
              await writeFileAtomically(outputFile(outDir, p.id, role), JSON.stringify(record) + '\n');
              await skipped.done(p.id, role);
            } catch (error) {
              if (!skipsPrompt(p, error)) throw naming(error, p, promptsFile);
              await skipped.skip({ id: p.id, role, model: ref, code: error.code, reason: error.message });
              progress.done();
              process.stderr.write(showControls(`${role}: skipped ${p.id} (${promptsFile}:${p.line}): ${error.message}`) + '\n');
            }
            const elapsed = (performance.now() - started) / 1000;
            const eta = (elapsed / (i + 1)) * (todo.length - i - 1);
            progress.update({ stage: 'attribute', done: i + 1, total: todo.length, message: `ETA ${eta.toFixed(0)} s` });
            if (!process.stderr.isTTY) process.stderr.write(showControls(`${role}: ${i + 1}/${todo.length} ${p.id} (ETA ${eta.toFixed(0)} s)`) + '\n');
          }
        } finally {
          progress.done();
          await model.dispose();
        }
      }
      const skips = skipped.count > 0 ? `; ${skipped.count} prompt analys${skipped.count === 1 ? 'is' : 'es'} skipped, listed in ${path.join(outDir, DATASET_MANIFEST_FILE)}` : '';
      process.stdout.write(`analyses in ${path.resolve(outDir)}${skips}; next: prompt-lens stats ${outDir}\n`);
      return 0;
    } finally {
      lock.release();
      // A run refused before it wrote anything leaves no new folder behind.
      if (made) await rmdir(outDir).catch(() => undefined);
    }
  });
}

/** An engine error about one prompt names it (its id and line): the run stops there. */
function naming(error: unknown, p: DatasetPrompt, promptsFile: string): unknown {
  if (!(error instanceof EngineError) || error.code === 'cancelled') return error;
  return new EngineError(error.code, `${promptsFile}:${p.line} (id "${p.id}"): ${error.message}`, `${error.hint} The finished analyses are kept: run again to resume.`, { cause: error });
}
