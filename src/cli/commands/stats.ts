/**
 * `prompt-lens stats DIR [--levels 10 --threshold 7 --p 4] [--granularity token|word|sentence|section] [--import FILE] [--import-paper PROMPTS.jsonl ATTRIBUTIONS.jsonl.gz] [--out DIR]`:
 * the paper's statistics from saved analyses (or imported attributions), with any settings,
 * without models. Writes stats.json and stats.html.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { importRecords, importPaperData, itemsFromAnalysisDir, readJsonLines, renderStatsHtml, scoreItem, skippedInAnalysisDir, summarize, type AttributionItem, type ImportedRecord, type SkippedPrompt, type StatsReport } from '../../engine/stats/index.ts';
import { showControls } from '../../engine/report/visible-controls.ts';
import { GRANULARITIES } from '../../engine/options.ts';
import { oneOf, scoreSettingsFrom } from '../analysis-options.ts';
import { checkOutputFile, checkOutputFolder, writeFilesAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { guarded, UsageError } from '../run-guard.ts';

/**
 * `--import-paper PROMPTS ATTRIBUTIONS` takes two values; util.parseArgs takes one per option,
 * so the second value is folded into a repeated `--import-paper` before parsing.
 */
export function foldTwoValueOption(argv: string[], option: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]);
    const next = argv[i + 2];
    if (argv[i] === option && argv[i + 1] !== undefined && next !== undefined && !next.startsWith('--') && argv.filter((a) => a === option).length === 1) {
      out.push(argv[i + 1], option, next);
      i += 2;
    }
  }
  return out;
}

export const OPTIONS = {
  levels: { type: 'string', default: '10' },
  threshold: { type: 'string', default: '7' },
  p: { type: 'string', default: '4' },
  granularity: { type: 'string' },
  import: { type: 'string' },
  'import-paper': { type: 'string', multiple: true },
  out: { type: 'string' },
} satisfies ParseArgsConfig['options'];

export async function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const { values, positionals } = parseOptions('stats', foldTwoValueOption(argv, '--import-paper'), OPTIONS, true);
    const settings = scoreSettingsFrom(values);
    const granularity = values.granularity === undefined ? undefined : oneOf(values.granularity as string, GRANULARITIES, 'granularity');
    if (granularity !== undefined && (values.import !== undefined || values['import-paper'] !== undefined)) {
      throw new UsageError('--granularity merges the tokens of saved analyses into units; imported attributions carry no prompt text to split. Leave out --granularity, or give only analysis folders.');
    }

    // Where the report goes, checked before reading any analyses. (Without --out it goes into
    // the analyses folder, which is checked as such below.)
    const out = (values.out as string | undefined) ?? positionals[0] ?? '.';
    if (values.out !== undefined) checkOutputFolder(out, '--out');
    if (values.out !== undefined || isDirectory(out)) for (const f of ['stats.json', 'stats.html']) checkOutputFile(path.join(out, f), values.out !== undefined ? '--out' : 'the report');

    const items: AttributionItem[] = [];
    const skipped: SkippedPrompt[] = [];
    for (const dir of positionals) {
      const analysed = itemsFromAnalysisDir(dir, granularity);
      items.push(...analysed);
      skipped.push(...skippedInAnalysisDir(dir, analysed));
    }
    if (values.import) items.push(...importRecords(readJsonLines<ImportedRecord>(values.import as string)));
    const paper = values['import-paper'] as string[] | undefined;
    if (paper) {
      if (paper.length !== 2) throw new UsageError('--import-paper takes two files: --import-paper prompts.jsonl attributions.jsonl.gz');
      items.push(...importPaperData(paper[0], paper[1]));
    }
    if (items.length === 0) throw new UsageError('give a folder of analyses (prompt-lens dataset --out DIR), --import FILE or --import-paper PROMPTS ATTRIBUTIONS');

    let scored;
    try {
      scored = items.map((item) => scoreItem(item, settings));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const methods = [...new Set(items.flatMap((item) => (item.method ? [item.method] : [])))];
    if (methods.length > 1) process.stderr.write(showControls(`warning: the analyses mix attribution methods (${methods.join(', ')}); their scores are not comparable. Keep one method per folder.`) + '\n');
    const report: StatsReport = { schemaVersion: 1, settings, ...(granularity ? { granularity } : {}), methods, prompts: scored.length, skipped: { count: skipped.length, prompts: skipped }, sources: summarize(scored) };
    // Both documents or neither: a failure leaves no half of the report.
    await writeFilesAtomically([
      { file: path.join(out, 'stats.json'), data: JSON.stringify(report, null, 1) + '\n' },
      { file: path.join(out, 'stats.html'), data: renderStatsHtml(report) },
    ]);
    // Source and model names come from the files read: their control characters are shown, not obeyed.
    const print = (line: string) => process.stdout.write(showControls(line) + '\n');
    for (const s of report.sources) {
      const bt = s.baseVsTuned;
      if (bt) print(`${s.source}: base ${bt.baseModel} ${bt.base.mean.toFixed(4)} ± ${bt.base.sd.toFixed(3)} vs tuned ${bt.tunedModel} ${bt.tuned.mean.toFixed(4)} ± ${bt.tuned.sd.toFixed(3)} (n = ${bt.base.n}/${bt.tuned.n}), Welch one-sided p = ${bt.welch?.pValue.toExponential(1) ?? '–'}`);
      for (const f of s.followed) print(`${s.source}: ${f.model} followed ${f.followed.mean.toFixed(4)} (n = ${f.followed.n}) vs unfollowed ${f.unfollowed.mean.toFixed(4)} (n = ${f.unfollowed.n}), p = ${f.welch?.pValue.toExponential(1) ?? '–'}`);
    }
    if (skipped.length > 0) print(`skipped by prompt-lens dataset (not in the statistics): ${skipped.length} prompt analys${skipped.length === 1 ? 'is' : 'es'}: ${skipped.map((s) => `${s.id} (${s.role}: ${s.reason})`).join('; ')}`);
    process.stdout.write(`report: ${path.resolve(out, 'stats.html')}\n`);
    return 0;
  });
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
