/** Check results as a plain-text table for the terminal, with a summary line. */
import type { PromptOutcome } from './junit.ts';

export function renderTable(outcomes: PromptOutcome[]): string {
  const header = ['prompt', 'model', 'assertion', 'actual', 'expected', 'result'];
  const rows = outcomes.flatMap((o) => o.results.map((r) => [o.file, r.model, r.label, r.actual, r.expected, r.passed ? 'pass' : 'FAIL']));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line), '', summarize(outcomes)].join('\n') + '\n';
}

/** "all 4 assertions passed", or how many failed and why, one per line. */
export function summarize(outcomes: PromptOutcome[]): string {
  const total = outcomes.reduce((n, o) => n + o.results.length, 0);
  const failed = outcomes.flatMap((o) => o.results.filter((r) => !r.passed).map((r) => `  ${o.file}: ${r.model}: ${r.message ?? r.label}`));
  return failed.length === 0 ? `all ${total} assertions passed` : [`${failed.length} of ${total} assertions failed:`, ...failed].join('\n');
}
