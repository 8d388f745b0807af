/**
 * `prompt-lens history --model M --prompt-file F [--rev A..B]`: a prompt file compared with an
 * earlier git version of itself ("prompt blame"). Both versions are read with `git show REV:path`,
 * analyzed by the same model with the same settings (the model loads once), and aligned word by
 * word (engine/history). Prints the table; --json and --html write the comparison whole, or not at all.
 */
import type { ParseArgsConfig } from 'node:util';
import { analyze, loadModel, type Analysis } from '../../engine/index.ts';
import { compareVersions, locateInRepository, parseRevisionRange, readAtRevision, resolveRevision, type VersionSummary } from '../../engine/history/index.ts';
import { renderHistoryHtml, renderHistoryTerminal } from '../../engine/report/history.ts';
import { analyzeRequestFrom, ANALYSIS_SETTINGS, checkOutputOptions, loadOptionsFrom } from '../analysis-options.ts';
import { writeFilesAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { progressPrinter } from '../progress-bar.ts';
import { readTextFile } from '../read-text-file.ts';
import { guarded, UsageError } from '../run-guard.ts';
import { useColour } from './analyze.ts';

export const OPTIONS = {
  model: { type: 'string' },
  'prompt-file': { type: 'string' },
  rev: { type: 'string', default: 'HEAD' },
  ...ANALYSIS_SETTINGS,
  // Words, not sub-word tokens: what an author edits, and what the two versions align by.
  granularity: { type: 'string', default: 'word' },
  json: { type: 'string' },
  html: { type: 'string' },
  'no-color': { type: 'boolean', default: false },
} satisfies ParseArgsConfig['options'];

interface Version extends VersionSummary {
  text: string;
}

export async function run(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const { values } = parseOptions('history', argv, OPTIONS);
    if (!values.model) throw new UsageError('history needs --model FOLDER_OR_HUB_ID');
    const file = values['prompt-file'] as string | undefined;
    if (file === undefined) throw new UsageError('history needs --prompt-file F: the prompt file in a git repository');
    const range = parseRevisionRange(values.rev as string);
    const current = readTextFile(file, '--prompt-file');
    const { root, relative } = await locateInRepository(file);
    const before = await atRevision(root, relative, range.before);
    const after: Version = range.after !== undefined ? await atRevision(root, relative, range.after) : { label: 'working copy', text: current };
    for (const v of [before, after]) {
      if (v.text.trim() === '') throw new UsageError(`${relative} is empty at ${v.label}`, 'compare revisions where the prompt has text');
    }
    const load = loadOptionsFrom(values);
    checkOutputOptions(values);
    const reqBefore = analyzeRequestFrom(values, before.text);
    const reqAfter = analyzeRequestFrom(values, after.text);
    const progress = progressPrinter(`model ${String(values.model)}`);
    let analyses: [Analysis, Analysis];
    try {
      const model = await loadModel(values.model as string, { ...load, signal, onProgress: progress.update });
      try {
        analyses = [await analyze(model, reqBefore, { signal, onProgress: progress.update }), await analyze(model, reqAfter, { signal, onProgress: progress.update })];
      } finally {
        await model.dispose();
      }
    } finally {
      progress.done();
    }
    const comparison = compareVersions(relative, { ...summary(before), analysis: analyses[0] }, { ...summary(after), analysis: analyses[1] });
    const files: Array<{ file: string; data: string }> = [];
    if (typeof values.json === 'string') files.push({ file: values.json, data: JSON.stringify(comparison, null, 1) + '\n' });
    if (typeof values.html === 'string') files.push({ file: values.html, data: renderHistoryHtml(comparison) });
    await writeFilesAtomically(files);
    process.stdout.write(renderHistoryTerminal(comparison, useColour(values)) + '\n');
    return 0;
  });
}

async function atRevision(root: string, relative: string, rev: string): Promise<Version> {
  const commit = await resolveRevision(root, rev);
  return { label: rev, commit, text: await readAtRevision(root, commit, relative, rev) };
}

function summary({ text: _text, ...rest }: Version): VersionSummary {
  return rest;
}

