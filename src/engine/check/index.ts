/** Prompt regression checks: the config, what assertions measure, their evaluation and reports. */
export * from './config.ts';
export * from './evaluate.ts';
export * from './measures.ts';
export { renderJunit, type PromptOutcome } from './junit.ts';
export { renderTable, summarize } from './table.ts';
export { planChecks, type CheckPlan, type PlannedPrompt } from './plan.ts';
