/**
 * `prompt-lens dataset --base M1 --tuned M2 --prompts FILE.jsonl --out DIR`: runs the engine
 * over a JSONL of prompts and writes one analysis per prompt and model, `DIR/<id>.<role>.json`.
 * Resumable: finished files are skipped when they were made with this run's settings (else the
 * run is refused before any model loads, see dataset-resume.ts); each file is written whole (an
 * interrupted run loses at most the prompt in progress). Models are loaded one at a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { analyze, loadModel, type AnalyzeRequest, type Span } from '../../engine/index.ts';
import { analyzeRequestFrom, ANALYSIS_SETTINGS, loadOptionsFrom } from '../analysis-options.ts';
import { modelDifferencesAfterLoad, modelDifferencesBeforeLoad, readExisting, refuseResume, settingDifferences, type ExistingAnalysis } from '../dataset-resume.ts';
import { describeFileError } from '../file-errors.ts';
import { checkOutputFile, checkOutputFolder, makeDirectory, writeFileAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { progressPrinter } from '../progress-bar.ts';
import { guarded, UsageError } from '../run-guard.ts';

export interface DatasetPrompt {
  id: string;
  prompt: string;
  response?: string;
  instruction_spans?: Span[];
  followed?: boolean;
  source?: string;
}

export const OPTIONS = { ...ANALYSIS_SETTINGS, base: { type: 'string' }, tuned: { type: 'string' }, prompts: { type: 'string' }, out: { type: 'string' }, 'use-response': { type: 'boolean', default: false } } satisfies ParseArgsConfig['options'];

type Role = 'base' | 'tuned';

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
    const prompts = readPrompts(values.prompts as string);
    const requestFor = (p: DatasetPrompt): AnalyzeRequest => ({
      ...template,
      prompt: p.prompt,
      instructionSpans: p.instruction_spans,
      response: values['use-response'] && p.response !== undefined ? p.response : template.response,
    });
    const roles = (['base', 'tuned'] as const).filter((role) => values[role]);

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
    await makeDirectory(outDir);

    for (const role of roles) {
      const ref = values[role] as string;
      const todo = prompts.filter((p) => !existing[role].has(p));
      process.stderr.write(`${role} ${ref}: ${prompts.length - todo.length} of ${prompts.length} prompts already done\n`);
      if (todo.length === 0) continue;
      const progress = progressPrinter(`${role}`);
      const model = await loadModel(ref, { ...load, signal, onProgress: progress.update });
      const started = performance.now();
      try {
        // What only the loaded model tells (the precision "auto" chose, a Hub model's files).
        const mismatched = [...existing[role].values()].map((file) => ({ file, diffs: modelDifferencesAfterLoad(file, model.info) })).filter((x) => x.diffs.length > 0);
        if (mismatched.length > 0) throw refuseResume(outDir, mismatched);
        for (const [i, p] of todo.entries()) {
          const analysis = await analyze(model, requestFor(p), { signal });
          const record = { ...analysis, dataset: { id: p.id, source: p.source ?? 'default', followed: p.followed, role } };
          await writeFileAtomically(outputFile(outDir, p.id, role), JSON.stringify(record) + '\n');
          const elapsed = (performance.now() - started) / 1000;
          const eta = (elapsed / (i + 1)) * (todo.length - i - 1);
          progress.update({ stage: 'attribute', done: i + 1, total: todo.length, message: `ETA ${eta.toFixed(0)} s` });
          if (!process.stderr.isTTY) process.stderr.write(`${role}: ${i + 1}/${todo.length} ${p.id} (ETA ${eta.toFixed(0)} s)\n`);
        }
      } finally {
        progress.done();
        await model.dispose();
      }
    }
    process.stdout.write(`analyses in ${path.resolve(outDir)}; next: prompt-lens stats ${outDir}\n`);
    return 0;
  });
}

export function outputFile(dir: string, id: string, role: string): string {
  return path.join(dir, `${id.replace(/[^\w.-]/g, '_')}.${role}.json`);
}

function readPrompts(file: string): DatasetPrompt[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --prompts: ${describeFileError(error, file)}`, 'check the path');
  }
  const seen = new Set<string>();
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), i }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, i }) => {
      let record: DatasetPrompt;
      try {
        record = JSON.parse(line) as DatasetPrompt;
      } catch {
        throw new UsageError(`${file}:${i + 1} is not valid JSON`);
      }
      if (typeof record.id !== 'string' || typeof record.prompt !== 'string') throw new UsageError(`${file}:${i + 1} needs string fields "id" and "prompt"`);
      if (record.prompt.trim().length === 0) throw new UsageError(`${file}:${i + 1} (id "${record.id}") has an empty prompt`, 'give every record some prompt text, or remove the line');
      if (seen.has(record.id)) throw new UsageError(`${file}:${i + 1} repeats id "${record.id}"`);
      seen.add(record.id);
      return record;
    });
}
