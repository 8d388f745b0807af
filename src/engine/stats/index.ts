/** Dataset statistics (METHODS.md §1.6): import, score under any L/b/p, summarize, report. */
export { itemsFromAnalysisDir, skippedInAnalysisDir } from './from-analyses.ts';
export { DATASET_MANIFEST_FILE, readDatasetManifest, type DatasetManifest, type SkippedPrompt } from './dataset-manifest.ts';
export { importPaperData, importRecords, readJsonLines, type ImportedRecord } from './import-records.ts';
export { scoreItem, type AttributionItem, type ScoredItem } from './scored-prompt.ts';
export { summarize, MIN_RESPONSE_TOKENS, type SourceStats } from './summarize.ts';
export { renderStatsHtml, type StatsReport } from './report.ts';
export { welchLess, meanSd } from './welch.ts';
