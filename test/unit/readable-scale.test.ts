/**
 * Issue 15: the colour scale singles out the strongest tokens (perceptual opacity, a floor that
 * hides the bottom levels in the editor), per-line summaries read from the engine's â, and
 * progress lines that do not repeat the model's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/engine/analysis.ts';
import { alphaFor, borderFor, lowestShownLevel, levelColor, textColorFor, THEME_COLORS } from '../../src/extension/colors.ts';
import { densitySegments, segmentsFor } from '../../src/extension/highlights.ts';
import { emphasis, editorLegend } from '../../src/shared/scale.ts';
import { lineSummaries, lineAt } from '../../src/shared/lineSummary.ts';
import { heatAlpha } from '../../webview/render.ts';
import { progressMessage } from '../../src/extension/progressText.ts';
import { DEFAULT_COLORS } from '../../src/shared/highlightColors.ts';
import { blend, contrastRatio, parseColor, MIN_TEXT_CONTRAST } from '../../src/shared/contrast.ts';

function analysis(prompt: string, cuts: [number, number][], dn: number[]): Analysis {
  return {
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: 'm', path: '/m', architecture: 'llama', dtype: 'fp32', fileHashes: {} },
    settings: { levels: 10, threshold: 0, p: 4, method: 'gradient', template: 'none', granularity: 'token', maxNewTokens: 1, responseSource: 'generated' },
    prompt, modelInput: prompt, response: 'a',
    promptTokens: cuts.map(([s, e]) => ({ text: prompt.slice(s, e), start: s, end: e, special: false })),
    responseTokens: [{ text: 'a' }],
    importance: dn.map((d) => [d]), normalized: dn.map((d) => [Math.ceil(d * 10)]),
    density: dn, densityNormalized: dn, responseProbabilities: [0.5],
    parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 0 },
  };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** â as the support prompt had it: most tokens bunched between 0.45 and 0.8, a few near 1. */
const BUNCHED = Array.from({ length: 200 }, (_, i) => (i < 5 ? 0.9 + i * 0.02 : 0.45 + ((i * 37) % 100) / 100 * 0.35));

test('editor: with the default floor the top 5 highlights are at least twice the median opacity, and few are strong', () => {
  for (const kind of ['dark', 'light', 'highContrast', 'highContrastLight'] as const) {
    const levels = BUNCHED.map((v) => Math.ceil(10 * v - 1e-9)).filter((l) => l >= lowestShownLevel(10, 0.5));
    const alphas = levels.map((l) => alphaFor(l, 10, kind, 0.5)).sort((a, b) => b - a);
    assert.ok(alphas.length < BUNCHED.length, `${kind}: the bottom is hidden (${alphas.length} of ${BUNCHED.length} lit)`);
    const strong = alphas.filter((a) => a >= alphas[0] / 2).length;
    assert.ok(strong <= alphas.length / 4, `${kind}: not one wash (${strong} of ${alphas.length} at least half the strongest)`);
    for (const a of alphas.slice(0, 5)) assert.ok(a >= 2 * median(alphas), `${kind}: top ${a} ≥ 2 × median ${median(alphas)}`);
  }
});

test('editor: the floor hides â ≤ floor in the density modes only; 0 shows every â > 0', () => {
  const P = 'aa bb cc dd';
  const a = analysis(P, [[0, 2], [2, 5], [5, 8], [8, 11]], [0.3, 0.5, 0.51, 1]);
  assert.equal(lowestShownLevel(10, 0.5), 6);
  assert.equal(lowestShownLevel(10, 0), 1);
  assert.deepEqual(densitySegments(a, 10, 0.5).map((s) => P.slice(s.start, s.end)), [' cc', ' dd']);
  assert.equal(densitySegments(a, 10, 0).length, 4);
  assert.equal(segmentsFor('tuned', { tuned: a }, 10, 0.5).length, 2);
  const b = analysis(P, [[0, 2], [2, 5], [5, 8], [8, 11]], [0.1, 0.5, 0.51, 1]);
  assert.equal(segmentsFor('difference', { base: b, tuned: a }, 10, 0.5).length, 1, 'differences are not floored (0.2 shows)');
});

test('scale: opacity grows with the square above the floor, strongest at the top, still readable', () => {
  assert.equal(emphasis(0.5, 0.5), 0);
  assert.equal(emphasis(1, 0.5), 1);
  assert.equal(emphasis(0.75, 0.5), 0.25);
  assert.equal(emphasis(0.5), 0.25);
  assert.equal(alphaFor(10, 10, 'dark', 0.5), alphaFor(10, 10, 'dark'));
  assert.ok(alphaFor(6, 10, 'dark', 0.5) < alphaFor(6, 10, 'dark'), 'the floor spreads the shown levels over the whole range');
  for (const kind of ['dark', 'light', 'highContrast', 'highContrastLight'] as const) {
    for (let level = 6; level <= 10; level++) {
      const m = /rgba\((\d+), (\d+), (\d+), ([\d.]+)\)/.exec(levelColor(level, 10, kind, DEFAULT_COLORS, false, 0.5))!;
      const bg = blend([+m[1], +m[2], +m[3]], +m[4], THEME_COLORS[kind].bg);
      const text = textColorFor(level, 10, kind, DEFAULT_COLORS, false, 0.5);
      const fg = text ? parseColor(text)! : THEME_COLORS[kind].fg;
      assert.ok(contrastRatio(fg, bg) >= MIN_TEXT_CONTRAST, `${kind} ${level}`);
    }
  }
  // High contrast: only the upper half of the shown levels get a border.
  assert.equal(borderFor(7, 10, 'highContrast', DEFAULT_COLORS, false, 0.5), undefined);
  assert.ok(borderFor(8, 10, 'highContrast', DEFAULT_COLORS, false, 0.5));
  // The panel: the top is more than twice as strong as the middle of a bunched prompt.
  assert.ok(heatAlpha(1) >= 2 * heatAlpha(0.6), `${heatAlpha(1)} vs ${heatAlpha(0.6)}`);
});

test('line summary: mean and max â per non-blank line, ranked; tokens count on the line they start on', () => {
  const P = 'Rules:\n\n1. JSON only.\n2. Be kind.';
  // "Rules:" | "\n\n1." | " JSON only." | "\n2." | " Be kind."
  const a = analysis(P, [[0, 6], [6, 11], [11, 22], [22, 25], [25, 34]], [0.2, 0.6, 1, 0.4, 0.2]);
  const lines = lineSummaries(a);
  assert.deepEqual(lines.map((l) => [l.line, l.text, l.tokens, +l.mean.toFixed(3), l.max, l.rank]), [
    [0, 'Rules:', 1, 0.2, 0.2, 3],
    [2, '1. JSON only.', 2, 0.8, 1, 1],
    [3, '2. Be kind.', 2, 0.3, 0.4, 2],
  ]);
  assert.equal(lineAt(lines, 12)?.line, 2);
  assert.equal(lineAt(lines, 7), undefined, 'a blank line has no summary');
});

test('progress: a single model\'s lines do not repeat its name (the title has it); a comparison\'s do', () => {
  assert.equal(progressMessage('demo-instruct', 'load', 1), 'load');
  assert.equal(progressMessage('demo-instruct', 'load', 2), 'demo-instruct: load');
});

test('editor legend: the scale in words, the floor named with its setting, the difference colours', () => {
  assert.match(editorLegend('tuned', 0.5), /pale → strong = reliance 0 → 1 .*hides reliance ≤ 0\.5 \(setting promptLens\.highlightFloor\)/);
  assert.doesNotMatch(editorLegend('base', 0), /hides/);
  assert.match(editorLegend('difference', 0.5), /blue = the tuned model relies on the token more, red = the base model does/);
});
