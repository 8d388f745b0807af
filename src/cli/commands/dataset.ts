/**
 * `prompt-lens dataset --base M1 --tuned M2 --prompts FILE.jsonl --out DIR`: runs the engine
 * over a JSONL of prompts and writes one analysis per prompt and model, `DIR/<id>.<role>.json`.
 * Resumable: finished files are skipped, each file is written whole (an interrupted run loses
 * at most the prompt in progress). Models are loaded one at a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyze, loadModel, type AnalyzeRequest, type Span } from '../../engine/index.ts';
import { analyzeRequestFrom, ANALYSIS_OPTIONS, loadOptionsFrom, type Values } from '../analysis-options.ts';
import { makeDirectory, writeFileAtomically } from '../output.ts';
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

export async function run(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    let values: Values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { ...ANALYSIS_OPTIONS, base: { type: 'string' }, tuned: { type: 'string' }, prompts: { type: 'string' }, out: { type: 'string' }, 'use-response': { type: 'boolean', default: false } },
      }) as { values: Values });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!values.prompts || !values.out) throw new UsageError('dataset needs --prompts FILE.jsonl and --out DIR');
    if (!values.base && !values.tuned) throw new UsageError('dataset needs --base MODEL and/or --tuned MODEL');
    const prompts = readPrompts(values.prompts as string);
    const outDir = values.out as string;
    await makeDirectory(outDir);
    // The dataset's own settings; the prompt text comes from each record.
    const template = analyzeRequestFrom(values, 'x');

    for (const role of ['base', 'tuned'] as const) {
      const ref = values[role] as string | undefined;
      if (!ref) continue;
      const todo = prompts.filter((p) => !existsSync(outputFile(outDir, p.id, role)));
      process.stderr.write(`${role} ${ref}: ${prompts.length - todo.length} of ${prompts.length} prompts already done\n`);
      if (todo.length === 0) continue;
      const progress = progressPrinter(`${role}`);
      const model = await loadModel(ref, { ...loadOptionsFrom(values), signal, onProgress: progress.update });
      const started = performance.now();
      try {
        for (const [i, p] of todo.entries()) {
          const req: AnalyzeRequest = {
            ...template,
            prompt: p.prompt,
            instructionSpans: p.instruction_spans,
            response: values['use-response'] && p.response !== undefined ? p.response : template.response,
          };
          const analysis = await analyze(model, req, { signal });
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
    throw new UsageError(`cannot read --prompts ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
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
      if (seen.has(record.id)) throw new UsageError(`${file}:${i + 1} repeats id "${record.id}"`);
      seen.add(record.id);
      return record;
    });
}
