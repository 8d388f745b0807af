/**
 * `prompt-lens analyze --model M ...` and `prompt-lens compare --base M1 --tuned M2 ...`:
 * thin over the engine. Results are written whole (JSON and/or HTML) or not at all.
 */
import type { ParseArgsConfig } from 'node:util';
import { analyze, loadModel, renderHtmlReport, type Analysis, type AnalyzeRequest, type LoadOptions } from '../../engine/index.ts';
import { renderTerminal } from '../../engine/report/terminal.ts';
import { analyzeRequestFrom, ANALYSIS_OPTIONS, checkOutputOptions, loadOptionsFrom, readPromptOption } from '../analysis-options.ts';
import { writeFilesAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { progressPrinter } from '../progress-bar.ts';
import { guarded, UsageError } from '../run-guard.ts';

export const ANALYZE_OPTIONS = { model: { type: 'string' }, ...ANALYSIS_OPTIONS } satisfies ParseArgsConfig['options'];
export const COMPARE_OPTIONS = { base: { type: 'string' }, tuned: { type: 'string' }, 'same-response': { type: 'string', default: 'none' }, ...ANALYSIS_OPTIONS } satisfies ParseArgsConfig['options'];

export async function runAnalyze(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const { values } = parseOptions('analyze', argv, ANALYZE_OPTIONS);
    if (!values.model) throw new UsageError('analyze needs --model FOLDER_OR_HUB_ID');
    const req = analyzeRequestFrom(values, readPromptOption(values));
    const load = loadOptionsFrom(values);
    checkOutputOptions(values);
    const analysis = await analyzeWith(values.model as string, load, req, signal);
    await writeOutputs(values, analysis, [analysis]);
    process.stdout.write(renderTerminal(analysis, useColour(values)) + '\n');
    return 0;
  });
}

export async function runCompare(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const { values } = parseOptions('compare', argv, COMPARE_OPTIONS);
    if (!values.base || !values.tuned) throw new UsageError('compare needs --base MODEL and --tuned MODEL');
    const same = values['same-response'] as string;
    if (!['tuned', 'base', 'none'].includes(same)) throw new UsageError(`--same-response must be tuned, base or none, not "${same}"`);
    const req = analyzeRequestFrom(values, readPromptOption(values));
    const load = loadOptionsFrom(values);
    checkOutputOptions(values);
    // One model in memory at a time; the model whose response is shared goes first.
    const order: ('base' | 'tuned')[] = same === 'base' ? ['base', 'tuned'] : ['tuned', 'base'];
    const results: Partial<Record<'base' | 'tuned', Analysis>> = {};
    for (const role of order) {
      const shared = same !== 'none' && role !== same ? results[same as 'base' | 'tuned']?.response : undefined;
      const roleReq = shared !== undefined && req.response === undefined ? { ...req, response: shared } : req;
      results[role] = await analyzeWith(values[role] as string, load, roleReq, signal, role);
    }
    const pair = [results.base!, results.tuned!];
    await writeOutputs(values, { base: results.base, tuned: results.tuned }, pair);
    for (const a of pair) process.stdout.write(renderTerminal(a, useColour(values)) + '\n\n');
    return 0;
  });
}

async function analyzeWith(ref: string, load: Pick<LoadOptions, 'dtype' | 'precision'>, req: AnalyzeRequest, signal: AbortSignal, label = 'model'): Promise<Analysis> {
  const progress = progressPrinter(`${label} ${ref}`);
  try {
    const model = await loadModel(ref, { ...load, signal, onProgress: progress.update });
    try {
      return await analyze(model, req, { signal, onProgress: progress.update });
    } finally {
      await model.dispose();
    }
  } finally {
    progress.done();
  }
}

/** --json and --html: both written, or neither. */
async function writeOutputs(values: Record<string, unknown>, json: unknown, analyses: Analysis[]): Promise<void> {
  const files: Array<{ file: string; data: string }> = [];
  if (typeof values.json === 'string') files.push({ file: values.json, data: JSON.stringify(json, null, 1) + '\n' });
  if (typeof values.html === 'string') files.push({ file: values.html, data: renderHtmlReport(analyses) });
  await writeFilesAtomically(files);
}

/** Colour on a terminal, or when FORCE_COLOR asks for it; never with --no-color or NO_COLOR (https://no-color.org). */
export function useColour(values: Record<string, unknown>): boolean {
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0';
  return !values['no-color'] && (process.stdout.isTTY === true || forced) && !process.env.NO_COLOR;
}
