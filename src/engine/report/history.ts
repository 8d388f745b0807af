/**
 * The views of a history comparison (history/compare.ts): a terminal table and a self-contained
 * HTML report (the change table, then both analyses as the analysis report shows them).
 */
import type { HistoryComparison, VersionSummary, WordChange } from '../history/compare.ts';
import { escapeHtml, renderHtmlReport } from './html.ts';
import { modelName } from './labels.ts';
import { showControls } from './visible-controls.ts';

const ARROWS: Record<WordChange['kind'], string> = { gained: '▲', lost: '▼', unchanged: '·', added: '+', removed: '−' };
const COLOURS: Record<WordChange['kind'], string> = { gained: '\x1b[32m', lost: '\x1b[31m', unchanged: '\x1b[2m', added: '\x1b[36m', removed: '\x1b[35m' };
const RESET = '\x1b[0m';

export function versionLabel(v: VersionSummary): string {
  return v.commit !== undefined && !v.commit.startsWith(v.label) ? `${v.label} (${v.commit.slice(0, 7)})` : v.label;
}

function score(v: VersionSummary): string {
  return v.instructionScore !== undefined ? v.instructionScore.toFixed(4) : 'n/a (no instruction found)';
}

function density(w: WordChange, side: 'before' | 'after'): string {
  const v = w[side];
  return v ? v.density.toFixed(2) : '—';
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
}

/** The terminal view: the two instruction scores, then every aligned word with its importance before → after. */
export function renderHistoryTerminal(c: HistoryComparison, colour: boolean): string {
  const a = c.analyses.after;
  const lines = [
    `${showControls(c.file)}: ${showControls(versionLabel(c.before))} → ${showControls(versionLabel(c.after))}`,
    `model ${showControls(modelName(a.model.ref))} (${a.settings.method}, L=${a.settings.levels}, b=${a.settings.threshold}, p=${a.settings.p}, ${a.settings.granularity}s)`,
    `instruction score: ${score(c.before)} → ${score(c.after)}`,
    `words: ${c.counts.gained} gained, ${c.counts.lost} lost, ${c.counts.unchanged} unchanged, ${c.counts.added} added, ${c.counts.removed} removed (importance: normalized density, 0–1)`,
    '',
  ];
  const width = Math.min(24, Math.max(4, ...c.words.map((w) => showControls(w.text.trim()).length)));
  for (const w of c.words) {
    const word = showControls(w.text.trim()).padEnd(width);
    const row = `  ${ARROWS[w.kind]} ${word}  ${density(w, 'before').padStart(4)} → ${density(w, 'after').padStart(4)}  ${signed(w.delta)}  ${w.kind}`;
    lines.push(colour ? `${COLOURS[w.kind]}${row}${RESET}` : row);
  }
  return lines.join('\n');
}

/** The HTML report: the change table and both analyses side by side (before left, after right). */
export function renderHistoryHtml(c: HistoryComparison): string {
  const title = `Prompt Lens history: ${c.file}, ${versionLabel(c.before)} → ${versionLabel(c.after)}`;
  const intro = `Instruction score ${score(c.before)} → ${score(c.after)}. Words: ${c.counts.gained} gained, ${c.counts.lost} lost, ${c.counts.unchanged} unchanged, ${c.counts.added} added, ${c.counts.removed} removed (importance: normalized density, 0–1; changes under 0.05 count as unchanged).`;
  const rows = c.words
    .map((w) => `<tr class="${w.kind}"><td>${ARROWS[w.kind]}</td><td>${escapeHtml(w.text.trim())}</td><td>${density(w, 'before')}</td><td>${density(w, 'after')}</td><td>${signed(w.delta)}</td><td>${w.kind}</td></tr>`)
    .join('');
  const table = `<h2>Words, ${escapeHtml(versionLabel(c.before))} → ${escapeHtml(versionLabel(c.after))}</h2>
<style>table.changes td { padding: 0 .7rem 0 0; font-family: ui-monospace, monospace; } .gained { color: #1a7f37; } .lost { color: #cf222e; } .unchanged { opacity: .6; } .added { color: #0969da; } .removed { color: #8250df; text-decoration: line-through; }</style>
<table class="changes"><tr><td></td><td>word</td><td>before</td><td>after</td><td>change</td><td></td></tr>${rows}</table>`;
  return renderHtmlReport([c.analyses.before, c.analyses.after], title, intro, table);
}
