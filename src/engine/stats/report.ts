/**
 * The statistics report: JSON, and one self-contained HTML page with Chart.js inlined
 * (instruction score mean ± sd per source and model, followed vs unfollowed, position profiles).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Granularity, ScoreSettings } from '../analysis.ts';
import { escapeHtml } from '../report/html.ts';
import type { SkippedPrompt } from './dataset-manifest.ts';
import type { SourceStats } from './summarize.ts';

export interface StatsReport {
  schemaVersion: 1;
  settings: ScoreSettings;
  /** The units the analyses' rows were merged into (`stats --granularity`); absent: as analysed. */
  granularity?: Granularity;
  /** The attribution methods of the analyses (more than one makes the scores incomparable). */
  methods: string[];
  prompts: number;
  /** Prompt analyses `prompt-lens dataset` skipped (e.g. an empty reply), not in the statistics. */
  skipped: { count: number; prompts: SkippedPrompt[] };
  sources: SourceStats[];
}

function chartJsSource(): string {
  const entry = require.resolve('chart.js');
  return readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
}

const fmt = (x: number | undefined, digits = 4) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
const fmtP = (p: number | undefined) => (p === undefined ? '–' : p.toExponential(1));

export function renderStatsHtml(report: StatsReport): string {
  const rows = report.sources
    .map((s) => {
      const bt = s.baseVsTuned;
      const base = bt ? `${fmt(bt.base.mean)} ± ${fmt(bt.base.sd, 3)} (n = ${bt.base.n})` : '–';
      const tuned = bt ? `${fmt(bt.tuned.mean)} ± ${fmt(bt.tuned.sd, 3)} (n = ${bt.tuned.n})` : '–';
      const followed = s.followed.map((f) => `${escapeHtml(f.model)}: followed ${fmt(f.followed.mean)} (n = ${f.followed.n}) vs unfollowed ${fmt(f.unfollowed.mean)} (n = ${f.unfollowed.n}), p = ${fmtP(f.welch?.pValue)}`).join('<br>');
      return `<tr><td>${escapeHtml(s.source)}</td><td>${base}</td><td>${tuned}</td><td>${fmtP(bt?.welch?.pValue)}</td><td>${followed || '–'}</td></tr>`;
    })
    .join('\n');
  const skipped = report.skipped.prompts.map((s) => `<tr><td>${escapeHtml(s.id)}</td><td>${escapeHtml(s.role)} (${escapeHtml(s.model)})</td><td>${escapeHtml(s.reason)}</td></tr>`).join('\n');
  const skippedSection = report.skipped.count === 0 ? '' : `<h2>Skipped prompts</h2>
<p>${report.skipped.count} prompt analys${report.skipped.count === 1 ? 'is was' : 'es were'} skipped by <code>prompt-lens dataset</code> and are not in the statistics above.</p>
<table><tr><th>id</th><th>model</th><th>reason</th></tr>
${skipped}
</table>
`;
  const chartData = JSON.stringify(report.sources).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Prompt Lens dataset statistics</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 1.5rem; max-width: 70rem; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #8884; padding: .3rem .7rem; text-align: left; vertical-align: top; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1.5rem; }
</style></head><body>
<h1>Dataset statistics</h1>
<p>${report.prompts} prompt analyses${report.methods.length > 0 ? ` (${escapeHtml(report.methods.join(' and '))})` : ''}${report.skipped.count > 0 ? ` (${report.skipped.count} skipped, listed below)` : ''} · L = ${report.settings.levels}, b = ${report.settings.threshold}, p = ${report.settings.p}${report.granularity ? ` · granularity ${report.granularity}` : ''} · Welch's t-test, one-sided (H1: base &lt; tuned; unfollowed &lt; followed; responses under 5 tokens dropped).</p>
<table><tr><th>source</th><th>base: instruction score</th><th>tuned: instruction score</th><th>p (base &lt; tuned)</th><th>followed vs unfollowed</th></tr>
${rows}
</table>
${skippedSection}<div class="charts">
<div><h2>Instruction score (mean ± sd)</h2><canvas id="scores"></canvas></div>
<div><h2>Importance by relative position</h2><canvas id="profiles"></canvas></div>
<div id="followed-box" hidden><h2>Followed vs unfollowed (mean ± sd)</h2><canvas id="followed"></canvas></div>
</div>
<script>${chartJsSource()}</script>
<script>
const sources = ${chartData};
const errorBars = { id: 'errorBars', afterDatasetsDraw(chart) { const g = chart.ctx; const y = chart.scales.y; chart.data.datasets.forEach((ds, i) => { const meta = chart.getDatasetMeta(i); meta.data.forEach((bar, j) => { const sd = ds.sd[j]; if (!sd) return; const lo = y.getPixelForValue(Math.max(0, ds.data[j] - sd)); const hi = y.getPixelForValue(ds.data[j] + sd); g.save(); g.strokeStyle = '#444'; g.beginPath(); g.moveTo(bar.x, lo); g.lineTo(bar.x, hi); g.moveTo(bar.x - 6, lo); g.lineTo(bar.x + 6, lo); g.moveTo(bar.x - 6, hi); g.lineTo(bar.x + 6, hi); g.stroke(); g.restore(); }); }); } };
const ceiling = (pairs) => Math.max(0, ...pairs.map(([m, sd]) => m + (sd || 0))) * 1.05;
const withBT = sources.filter((s) => s.baseVsTuned);
new Chart(document.getElementById('scores'), { type: 'bar', plugins: [errorBars], data: { labels: withBT.map((s) => s.source), datasets: [
  { label: 'base', data: withBT.map((s) => s.baseVsTuned.base.mean), sd: withBT.map((s) => s.baseVsTuned.base.sd), backgroundColor: '#8da0cb' },
  { label: 'tuned', data: withBT.map((s) => s.baseVsTuned.tuned.mean), sd: withBT.map((s) => s.baseVsTuned.tuned.sd), backgroundColor: '#fc8d62' } ] },
  options: { animation: false, scales: { y: { beginAtZero: true, suggestedMax: ceiling(withBT.flatMap((s) => [[s.baseVsTuned.base.mean, s.baseVsTuned.base.sd], [s.baseVsTuned.tuned.mean, s.baseVsTuned.tuned.sd]])), title: { display: true, text: 'instruction score' } } } } });
const groups = sources.flatMap((s) => s.followed.map((f) => ({ label: s.source + ' · ' + f.model, f })));
if (groups.length > 0) {
  document.getElementById('followed-box').hidden = false;
  new Chart(document.getElementById('followed'), { type: 'bar', plugins: [errorBars], data: { labels: groups.map((g) => g.label), datasets: [
    { label: 'unfollowed', data: groups.map((g) => g.f.unfollowed.mean), sd: groups.map((g) => g.f.unfollowed.sd), backgroundColor: '#e78ac3' },
    { label: 'followed', data: groups.map((g) => g.f.followed.mean), sd: groups.map((g) => g.f.followed.sd), backgroundColor: '#66c2a5' } ] },
    options: { animation: false, scales: { y: { beginAtZero: true, suggestedMax: ceiling(groups.flatMap((g) => [[g.f.unfollowed.mean, g.f.unfollowed.sd], [g.f.followed.mean, g.f.followed.sd]])), title: { display: true, text: 'instruction score' } } } } });
}
const palette = ['#8da0cb', '#fc8d62', '#66c2a5', '#e78ac3'];
const lines = sources.flatMap((s) => s.profiles.filter((p) => p.profile).map((p) => ({ label: s.source + ' · ' + p.role + ' (' + p.model + ')', data: p.profile })));
new Chart(document.getElementById('profiles'), { type: 'line', data: { labels: ['0–.1', '.1–.2', '.2–.3', '.3–.4', '.4–.5', '.5–.6', '.6–.7', '.7–.8', '.8–.9', '.9–1'], datasets: lines.map((l, i) => ({ ...l, borderColor: palette[i % palette.length], fill: false })) }, options: { animation: false, scales: { x: { title: { display: true, text: 'relative position n/(N−1)' } }, y: { title: { display: true, text: 'mean normalized density' } } } } });
</script>
</body></html>
`;
}
