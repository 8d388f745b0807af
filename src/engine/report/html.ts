/**
 * A self-contained HTML report of one or more analyses (e.g. base and tuned side by side):
 * the prompt highlighted by normalized density, the response, and the N×M heatmap of S drawn
 * on a canvas. No remote content: it reads offline.
 */
import type { Analysis } from '../analysis.ts';
import { describePrecision, modelName } from './labels.ts';

/**
 * `intro`: plain text shown under the title (e.g. what the analyses are and their summary);
 * `preface`: HTML of the caller's own, placed before the analyses (escaped by the caller).
 */
export function renderHtmlReport(analyses: Analysis[], title = defaultTitle(analyses), intro?: string, preface = ''): string {
  const sections = analyses.map((a, i) => renderAnalysis(a, i)).join('\n');
  const data = JSON.stringify(analyses.map((a) => ({ rows: a.promptTokens.map((t) => t.text), cols: a.responseTokens.map((t) => t.text), S: a.normalized, L: a.settings.levels })));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 1.5rem; color: #1f2328; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #e6edf3; background: #0d1117; } .meta { color: #9198a1 !important; } }
.models { display: grid; grid-template-columns: repeat(${Math.min(analyses.length, 2)}, minmax(0, 1fr)); gap: 2rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-bottom: .25rem; }
.meta { color: #59636e; font-size: 12px; }
.prompt, .response { white-space: pre-wrap; font-family: ui-monospace, monospace; border: 1px solid #8884; padding: .5rem; border-radius: 4px; }
.tok { border-radius: 2px; }
.instr { text-decoration: underline 2px; text-underline-offset: 3px; }
.nl { opacity: .45; }
.special { opacity: .45; }
.legend span { display: inline-block; width: 2.6em; margin-right: 2px; text-align: center; font-size: 11px; }
canvas { border: 1px solid #8884; max-width: 100%; }
table.top td { padding: 0 .6rem 0 0; font-family: ui-monospace, monospace; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${intro ? `<p>${escapeHtml(intro)}</p>` : ''}
<p class="legend">Normalized importance density, low → high: ${legend()}${analyses.some((a) => a.instructionSpans?.length) ? ' · <u class="instr">underlined</u>: instruction spans' : ''}</p>
${preface}
<div class="models">${sections}</div>
<script>
const data = ${data.replace(/</g, '\\u003c')};
data.forEach((d, i) => {
  const c = document.getElementById('heat' + i); if (!c) return;
  const cell = Math.max(3, Math.min(14, Math.floor(560 / Math.max(1, d.cols.length))));
  c.width = d.cols.length * cell; c.height = d.rows.length * cell;
  const g = c.getContext('2d');
  d.S.forEach((row, n) => row.forEach((v, m) => { if (v > 0) { g.fillStyle = 'rgba(217,95,2,' + (v / d.L).toFixed(3) + ')'; g.fillRect(m * cell, n * cell, cell, cell); } }));
  c.title = 'rows: prompt tokens, columns: response tokens';
  c.addEventListener('mousemove', (e) => { const r = c.getBoundingClientRect(); const m = Math.floor((e.clientX - r.left) * c.width / r.width / cell), n = Math.floor((e.clientY - r.top) * c.height / r.height / cell); if (d.rows[n] !== undefined && d.cols[m] !== undefined) c.title = JSON.stringify(d.rows[n]) + ' → ' + JSON.stringify(d.cols[m]) + ': S = ' + d.S[n][m]; });
});
</script>
</body></html>
`;
}

function renderAnalysis(a: Analysis, index: number): string {
  const top = a.promptTokens
    .map((t, n) => ({ t, n, d: a.densityNormalized[n] }))
    .filter((x) => !x.t.special && x.d > 0)
    .sort((x, y) => y.d - x.d)
    .slice(0, 10);
  const spansFrom = a.instructionSpansSource === 'detected' ? 'detected automatically' : 'given';
  const score = a.instructionScore !== undefined ? `<p>Instruction score (L=${a.settings.levels}, b=${a.settings.threshold}, p=${a.settings.p}; instruction spans ${spansFrom}): <b>${a.instructionScore.toFixed(4)}</b></p>` : '';
  const sampled = (a.settings.temperature ?? 0) > 0;
  const reply = a.settings.responseSource === 'given' ? 'a given response (teacher-forced)' : `the model's own ${sampled ? `sampled response (temperature ${a.settings.temperature})` : 'greedy response'}`;
  const record = a.dataset ? ` · ${escapeHtml(a.dataset.id)}` : '';
  return `<section>
<h2 title="${escapeHtml(a.model.path)}">${escapeHtml(modelName(a.model.ref))}${record}</h2>
<p class="meta">${escapeHtml(a.model.architecture)} · ${escapeHtml(a.model.dtype)} · ${escapeHtml(describePrecision(a))} · method ${a.settings.method} · template ${a.settings.template} · ${a.promptTokens.length} prompt × ${a.responseTokens.length} response tokens · parity ${a.parity.maxAbsLogitDiff.toExponential(1)} · ${(a.timings.totalMs / 1000).toFixed(1)} s</p>
<h3>Prompt</h3>
<div class="prompt">${highlightPrompt(a)}</div>
<h3>Response <span class="meta">(${reply})</span></h3>
<div class="response">${a.responseTokens.map((t, m) => `<span${t.special ? ' class="special"' : ''} title="p = ${a.responseProbabilities[m].toFixed(4)}${t.special ? ', special token' : ''}">${showNewlines(escapeHtml(t.text))}</span>`).join('')}</div>
${score}
<h3>Strongest prompt tokens</h3>
<table class="top"><tr><td>token</td><td>at</td><td>density</td></tr>${top.map((x) => `<tr><td>${escapeHtml(JSON.stringify(x.t.text))}</td><td>chars ${x.t.start}–${x.t.end}</td><td>${x.d.toFixed(3)}</td></tr>`).join('')}</table>
<h3>Heatmap S (rows: prompt tokens, columns: response tokens)</h3>
<canvas id="heat${index}"></canvas>
</section>`;
}

/** The user's prompt with each token's span coloured by its normalized density. */
function highlightPrompt(a: Analysis): string {
  const parts: string[] = [];
  let at = 0;
  a.promptTokens.forEach((t, n) => {
    if (t.special || t.end <= at) return;
    const start = Math.max(t.start, at);
    if (start > at) parts.push(escapeHtml(a.prompt.slice(at, start)));
    const d = a.densityNormalized[n];
    const style = d > 0 ? ` style="background: ${colourFor(d)}"` : '';
    const inInstruction = a.instructionMask?.[n] ? ' instr' : '';
    parts.push(`<span class="tok${inInstruction}"${style} title="${escapeHtml(JSON.stringify(t.text))}: density ${a.density[n].toFixed(3)}, normalized ${d.toFixed(3)}">${escapeHtml(a.prompt.slice(start, t.end))}</span>`);
    at = t.end;
  });
  if (at < a.prompt.length) parts.push(escapeHtml(a.prompt.slice(at)));
  return parts.join('');
}

/** Newlines in a response are shown as ↵ (a reply often starts with one). */
function showNewlines(html: string): string {
  return html.replace(/\n/g, '<span class="nl">↵</span>\n');
}

function defaultTitle(analyses: Analysis[]): string {
  const names = [...new Set(analyses.map((a) => modelName(a.model.ref)))];
  return `Prompt Lens: ${names.join(' vs ')}`;
}

function colourFor(value: number): string {
  return `rgba(217, 95, 2, ${(0.08 + 0.72 * value).toFixed(3)})`;
}

function legend(): string {
  return [0.1, 0.3, 0.5, 0.7, 0.9].map((v) => `<span style="background: ${colourFor(v)}">${v}</span>`).join('');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
