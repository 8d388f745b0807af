/** Dataset statistics (METHODS.md §1.6): import, score under any L/b/p, summarize, report. */
export { itemsFromAnalysisDir } from './from-analyses.ts';
export { importPaperData, importRecords, readJsonLines, type ImportedRecord } from './import-records.ts';
export { scoreItem, type AttributionItem, type ScoredItem } from './scored-prompt.ts';
export { summarize, MIN_RESPONSE_TOKENS, type SourceStats } from './summarize.ts';
export { renderStatsHtml, type StatsReport } from './report.ts';
export { welchLess, meanSd } from './welch.ts';
