/**
 * The page of "Compare with Previous Version" (pure; no `vscode` import): the two instruction
 * scores, the later prompt with each word marked by how its importance changed (removed words
 * struck through where they stood), and the words that changed most. Static HTML under a CSP
 * that allows no script; colours come from the theme's own variables.
 */
import { escapeHtml } from '../../engine/report/html.ts';
import { versionLabel } from '../../engine/report/history.ts';
import { strongestChanges, type HistoryComparison, type WordChange } from '../../engine/history/compare.ts';
import { METHOD_TEXT } from '../../engine/options.ts';

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1rem 1rem; }
h1 { font-size: 1.2rem; } h2 { font-size: 1rem; margin-top: 1.2rem; }
.meta { color: var(--vscode-descriptionForeground); }
.scores { font-size: 1.1rem; } .scores b { font-variant-numeric: tabular-nums; }
.prompt { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); border: 1px solid var(--vscode-panel-border, #8884); padding: .5rem; border-radius: 4px; line-height: 1.7; }
.w { border-radius: 2px; padding: 0 1px; }
.gained { background: color-mix(in srgb, var(--vscode-charts-green, #3fb950) 35%, transparent); }
.lost { background: color-mix(in srgb, var(--vscode-charts-red, #f85149) 35%, transparent); }
.added { outline: 1px solid var(--vscode-charts-blue, #58a6ff); background: color-mix(in srgb, var(--vscode-charts-blue, #58a6ff) 25%, transparent); }
.removed { text-decoration: line-through; opacity: .65; color: var(--vscode-charts-purple, #bc8cff); }
table { border-collapse: collapse; } td, th { padding: .1rem .8rem .1rem 0; text-align: left; font-variant-numeric: tabular-nums; }
.legend span { margin-right: .8rem; }
`;

function score(x: number | undefined): string {
  return x !== undefined ? x.toFixed(3) : 'n/a';
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
}

function title(w: WordChange): string {
  const b = w.before ? w.before.density.toFixed(2) : '—';
  const a = w.after ? w.after.density.toFixed(2) : '—';
  return `${w.text.trim()}: ${b} → ${a} (${signed(w.delta)}, ${w.kind})`;
}

/** The later version's text with its words marked, and the removed words put back where they stood, struck through. */
function markedPrompt(c: HistoryComparison): string {
  const text = c.analyses.after.prompt;
  const parts: string[] = [];
  let at = 0;
  for (const w of c.words) {
    if (!w.after) {
      // With the white space it had before it in the earlier text.
      const lead = /\s*$/.exec(c.analyses.before.prompt.slice(0, w.before!.start).slice(-8))![0] + /^\s*/.exec(w.before!.text)![0];
      parts.push(`${escapeHtml(lead)}<span class="w removed" data-kind="removed" title="${escapeHtml(title(w))}">${escapeHtml(w.text.trim())}</span>`);
      continue;
    }
    if (w.after.start > at) parts.push(escapeHtml(text.slice(at, w.after.start)));
    const start = Math.max(at, w.after.start);
    const lead = /^\s*/.exec(text.slice(start, w.after.end))![0];
    parts.push(escapeHtml(lead));
    parts.push(`<span class="w ${w.kind}" data-kind="${w.kind}" title="${escapeHtml(title(w))}">${escapeHtml(text.slice(start + lead.length, w.after.end))}</span>`);
    at = w.after.end;
  }
  return parts.join('') + escapeHtml(text.slice(at));
}

function rows(words: WordChange[]): string {
  return words.map((w) => `<tr class="row-${w.kind}"><td>${escapeHtml(w.text.trim())}</td><td>${w.before ? w.before.density.toFixed(2) : '—'}</td><td>${w.after ? w.after.density.toFixed(2) : '—'}</td><td>${signed(w.delta)}</td><td>${w.kind}</td></tr>`).join('');
}

export function renderHistoryPage(c: HistoryComparison, modelLabel: string, cspSource: string): string {
  const a = c.analyses.after;
  const method = a.settings.method;
  const changed = [...strongestChanges(c, 'gained', 8), ...strongestChanges(c, 'lost', 8)];
  const scoreDelta = c.before.instructionScore !== undefined && c.after.instructionScore !== undefined ? ` (${signed(c.after.instructionScore - c.before.instructionScore)})` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'">
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(c.file)}: ${escapeHtml(versionLabel(c.before))} → ${escapeHtml(versionLabel(c.after))}</h1>
<p class="meta">${escapeHtml(modelLabel)} · ${escapeHtml(METHOD_TEXT[method].label)} · L=${a.settings.levels}, b=${a.settings.threshold}, p=${a.settings.p} · importance: normalized density (0–1); changes under 0.05 count as unchanged</p>
<p class="scores" id="scores">Instruction score: <b id="score-before">${score(c.before.instructionScore)}</b> → <b id="score-after">${score(c.after.instructionScore)}</b>${scoreDelta}</p>
<p class="legend" id="counts"><span class="w gained">${c.counts.gained} gained</span><span class="w lost">${c.counts.lost} lost</span><span>${c.counts.unchanged} unchanged</span><span class="w added">${c.counts.added} added</span><span class="w removed">${c.counts.removed} removed</span></p>
<h2>${escapeHtml(versionLabel(c.after))}, marked against ${escapeHtml(versionLabel(c.before))}</h2>
<div class="prompt" id="marked">${markedPrompt(c)}</div>
<h2>Words whose importance changed most</h2>
<table id="changes"><tr><th>word</th><th>before</th><th>after</th><th>change</th><th></th></tr>${rows(changed)}</table>
<h2>Added and removed words</h2>
<table id="edits"><tr><th>word</th><th>before</th><th>after</th><th>change</th><th></th></tr>${rows(c.words.filter((w) => w.kind === 'added' || w.kind === 'removed'))}</table>
</body></html>`;
}
