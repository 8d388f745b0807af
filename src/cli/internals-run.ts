/**
 * What `prompt-lens concepts` and `heads` share once their options are read: run the analysis of
 * one model or the base/tuned comparison with a progress line, print its summary, and write the
 * --json and --html outputs.
 */
import type { ProgressCallback } from '../engine/progress.ts';
import type { InternalsRequest } from './internals-options.ts';
import { writeFileAtomically } from './output.ts';
import { progressPrinter } from './progress-bar.ts';

export interface InternalsCommand<Options, Single, Comparison> {
  name: string;
  analyze(ref: string, opts: Options): Promise<Single>;
  compare(base: string, tuned: string, opts: Options): Promise<Comparison>;
  describe(data: Single | Comparison): string;
  renderHtml(data: Single | Comparison): string;
}

export async function runInternals<Options, Single, Comparison>(
  command: InternalsCommand<Options & { onProgress: ProgressCallback }, Single, Comparison>,
  request: InternalsRequest,
  options: Options,
): Promise<number> {
  const progress = progressPrinter(command.name);
  const opts = { ...options, onProgress: progress.update };
  let data: Single | Comparison;
  try {
    data = 'model' in request.models ? await command.analyze(request.models.model, opts) : await command.compare(request.models.base, request.models.tuned, opts);
  } finally {
    progress.done();
  }
  process.stdout.write(command.describe(data));
  if (request.json !== undefined) await writeFileAtomically(request.json, JSON.stringify(data, null, 1) + '\n');
  if (request.html !== undefined) await writeFileAtomically(request.html, command.renderHtml(data));
  return 0;
}
