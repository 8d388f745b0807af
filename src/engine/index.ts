/** The Prompt Lens engine: everything the CLI, the worker and the tests use. No `vscode` here. */
export * from './analysis.ts';
export { analyze, DEFAULT_SETTINGS, type AnalyzeOptions, type AnalyzeRequest } from './analyze.ts';
export { rescore, scoreImportance } from './scoring.ts';
export { loadModel, type LoadedModel, type LoadOptions } from './models/load.ts';
export { DTYPES, type Dtype } from './models/dtypes.ts';
export * from './options.ts';
export { ATTRIBUTION_METHODS, attributorFor } from './attribution/registry.ts';
export { EngineError, type EngineErrorCode } from './errors.ts';
export { env } from './env.ts';
export type { Progress, ProgressCallback } from './progress.ts';
export { renderHtmlReport } from './report/html.ts';
export { TOOL_VERSION } from './version.ts';
export * from './history/index.ts';
