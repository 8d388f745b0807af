/**
 * Issue 15: the comparison panel's markup for a long multi-rule prompt (pure string building, no
 * DOM): legends, metrics named in words, where the instruction spans came from, the per-line
 * summary, previous cards during a run, and cell tips in words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/engine/analysis.ts';
import { panelModelOf } from '../../src/extension/panelData.ts';
import { sideHtml, spansHtml, isDemoModel } from '../../webview/side.ts';
import { cellTip } from '../../webview/heatmap.ts';
import { profileSvg } from '../../webview/profile.ts';

const RULES = 'You are a support assistant.\nRules:\n1. Always answer in JSON.\n2. Never mention competitors.\n3. Keep it short.';

/** An analysis of RULES cut into words (the shape the engine produces), â rising along the prompt. */
function analysis(over: Partial<Analysis> = {}): Analysis {
  const cuts: [number, number][] = [];
  const re = /\s*\S+/g;
  for (let m = re.exec(RULES); m; m = re.exec(RULES)) cuts.push([m.index, m.index + m[0].length]);
  const N = cuts.length;
  const dn = cuts.map((_, n) => (n + 1) / N);
  return {
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: 'bundled:demo-instruct', path: '/m', architecture: 'llama', dtype: 'fp32', fileHashes: {} },
    settings: { levels: 10, threshold: 0, p: 4, method: 'gradient', template: 'none', granularity: 'token', maxNewTokens: 2, responseSource: 'generated' },
    prompt: RULES, modelInput: RULES, response: '{ ok',
    promptTokens: cuts.map(([s, e]) => ({ text: RULES.slice(s, e), start: s, end: e, special: false })),
    responseTokens: [{ text: '{' }, { text: ' ok' }],
    importance: dn.map((d) => [d, d / 2]), normalized: dn.map((d) => [Math.ceil(d * 10), Math.ceil(d * 5)]),
    density: dn.map((d) => 3 * d), densityNormalized: dn, responseProbabilities: [0.9, 0.4],
    parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 1000 },
    ...over,
  };
}

test('a side has both colour legends, metrics in words, and one summary row per non-blank line', () => {
  const html = sideHtml(panelModelOf('tuned', 'demo-instruct', analysis({ instructionScore: 2.5 })));
  assert.equal((html.match(/class="legend"/g) ?? []).length, 2, 'prompt and heatmap legends');
  assert.match(html, /0 relied on least.*1 relied on most/s);
  assert.match(html, /Instruction score[\s\S]*not on the 0–1 scale/);
  assert.match(html, /Mean reliance inside the instruction/);
  assert.equal((html.match(/class="line"/g) ?? []).length, 5, 'five lines, five rows');
  assert.match(html, /data-line="4"[^]*?<span class="lr">#1<\/span>/, 'the last rule (highest â here) ranks first');
  assert.doesNotMatch(html, /data-line="3"[^]*?<span class="lr">#1<\/span>[^]*data-line="4"/);
  assert.match(html, /probability 0\.900 when generated/, 'response tokens show p and what raised them');
  assert.doesNotMatch(html, /class="side tuned previous"/);
});

test('during a run the cards are marked as the previous result', () => {
  const html = sideHtml(panelModelOf('base', 'b', analysis()), 'Previous result (gradient) — occlusion: attribute 2/5');
  assert.match(html, /class="side base previous"/);
  assert.match(html, /<div class="prev-label">Previous result \(gradient\) — occlusion: attribute 2\/5<\/div>/);
});

test('instruction spans: marked vs detected, what they are, and a warning when the detector took (nearly) everything', () => {
  const users = analysis().promptTokens.length;
  const all = analysis({ instructionSpans: [{ start: 0, end: RULES.length, text: RULES }], instructionSpansSource: 'detected', instructionMask: Array(users).fill(1) });
  assert.match(spansHtml(panelModelOf('tuned', 't', all)), /detected automatically: \d+ of \d+ tokens \(100%\)[\s\S]*⚠ The detector marked 100% of the prompt/);
  const given = analysis({ instructionSpans: [{ start: 36, end: 61, text: '1. Always answer in JSON.' }], instructionSpansSource: 'given', instructionMask: analysis().promptTokens.map((t) => (t.start >= 35 && t.end <= 61 ? 1 : 0)) });
  const g = spansHtml(panelModelOf('tuned', 't', given));
  assert.match(g, /marked by you: 5 of \d+ tokens .* “1\. Always answer in JSON\.”/);
  assert.doesNotMatch(g, /⚠/);
  assert.match(spansHtml(panelModelOf('tuned', 't', analysis())), /No instruction spans/);
});

test('the demo pair is recognised; cell tips say what S and I are; the position axis ends at 1.0', () => {
  const m = panelModelOf('tuned', 't', analysis());
  assert.ok(isDemoModel(m));
  assert.ok(!isDemoModel(panelModelOf('tuned', 't', analysis({ model: { ...analysis().model, ref: 'HuggingFaceTB/SmolLM-135M' } }))));
  // The extension resolves bundled:demo-instruct to the shipped folder before the run: the analysis names that folder.
  assert.ok(isDemoModel(panelModelOf('tuned', 't', analysis({ model: { ...analysis().model, ref: '/ext/models/demo-instruct', path: '/ext/models/demo-instruct' } }))));
  assert.match(cellTip(m.analysis, 0, 1), /^"You" → " ok"\ninfluence level S = 1 of 10 \(of this response token's strongest\)\nraw probability change I = /);
  const svg = profileSvg([m]);
  assert.match(svg, />1\.0<\/text>/);
  assert.doesNotMatch(svg, />0\.9<\/text>/);
});
