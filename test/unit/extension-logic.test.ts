import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levelOf, diffLevelOf, alphaFor, levelColor, borderFor, textColorFor, THEME_COLORS, MIN_BORDER_CONTRAST } from '../../src/extension/colors.ts';
import { DEFAULT_COLORS, parseHex } from '../../src/shared/highlightColors.ts';
import { contrastRatio, blend, readableTextOn, parseColor, MIN_TEXT_CONTRAST } from '../../src/shared/contrast.ts';
import { tokenColors } from '../../webview/render.ts';
import { shiftRanges, toggleRange, mergeRanges } from '../../src/extension/ranges.ts';
import { frontMatterLength, extractPrompt, promptKindOf, roleSections } from '../../src/extension/promptDoc.ts';
import { runKey, stableStringify } from '../../src/shared/cacheKey.ts';
import { resolveModelRef, isHubId, BUNDLED_BASE } from '../../src/extension/modelRef.ts';
import { mapToDocument, recordEdit, isStale, type DocResult } from '../../src/extension/docState.ts';
import { InstructionMarks } from '../../src/extension/marks.ts';
import { stageFraction, describeProgress } from '../../src/extension/progressText.ts';

test('levels: ceil(L·v), 0 only for non-positive values', () => {
  assert.equal(levelOf(0, 10), 0);
  assert.equal(levelOf(-0.3, 10), 0);
  assert.equal(levelOf(0.001, 10), 1);
  assert.equal(levelOf(0.1, 10), 1);
  assert.equal(levelOf(0.10001, 10), 2);
  assert.equal(levelOf(0.55, 10), 6);
  assert.equal(levelOf(1, 10), 10);
  assert.equal(levelOf(1.2, 10), 10);
  assert.equal(levelOf(Number.NaN, 10), 0);
  assert.equal(levelOf(0.5, 4), 2);
  assert.equal(diffLevelOf(-0.35, 10), -4);
  assert.equal(diffLevelOf(0.35, 10), 4);
  assert.equal(diffLevelOf(0, 10), 0);
});

test('colours: opacity grows with the level, stays readable, HC adds borders', () => {
  for (const kind of ['light', 'dark', 'highContrast', 'highContrastLight'] as const) {
    let prev = 0;
    for (let l = 1; l <= 10; l++) {
      const a = alphaFor(l, 10, kind);
      assert.ok(a > prev && a <= 0.6, `${kind} ${l} ${a}`);
      prev = a;
    }
  }
  assert.match(levelColor(10, 10, 'dark', DEFAULT_COLORS, false), /^rgba\(245, 166, 35, 0\.55\)$/);
  assert.match(levelColor(-3, 10, 'dark', DEFAULT_COLORS, true), /^rgba\(229, 83, 75,/);
  assert.match(levelColor(3, 10, 'light', DEFAULT_COLORS, true), /^rgba\(47, 129, 247,/);
  assert.match(levelColor(3, 10, 'dark', { ...DEFAULT_COLORS, importance: 'not a colour' }, false), /^rgba\(245, 166, 35,/);
  assert.equal(borderFor(10, 10, 'dark', DEFAULT_COLORS, false), undefined);
  assert.ok(borderFor(10, 10, 'highContrast', DEFAULT_COLORS, false));
  assert.equal(borderFor(2, 10, 'highContrast', DEFAULT_COLORS, false), undefined);
  for (const kind of ['highContrast', 'highContrastLight'] as const) {
    for (const [level, diverging] of [[10, false], [-10, true], [10, true]] as const) {
      const border = parseColor(/solid (.+)$/.exec(borderFor(level, 10, kind, DEFAULT_COLORS, diverging)!)![1])!;
      assert.ok(contrastRatio(border, THEME_COLORS[kind].bg) >= MIN_BORDER_CONTRAST, `${kind} ${level} border ${border}`);
    }
  }
  assert.equal(borderFor(10, 10, 'highContrast', DEFAULT_COLORS, false), '1px solid rgb(245, 166, 35)', 'amber on black needs no change');
  assert.deepEqual(parseHex('#abc'), [0xaa, 0xbb, 0xcc]);
});

test('contrast: WCAG ratios, blending, readable text colour', () => {
  assert.ok(Math.abs(contrastRatio([0, 0, 0], [255, 255, 255]) - 21) < 1e-9);
  assert.equal(contrastRatio([119, 119, 119], [119, 119, 119]), 1);
  assert.ok(Math.abs(contrastRatio([118, 118, 118], [255, 255, 255]) - 4.54) < 0.01); // #767676 on white: the AA limit
  assert.deepEqual(blend([255, 0, 0], 0.5, [0, 0, 255]), [127.5, 0, 127.5]);
  assert.equal(readableTextOn([255, 255, 255], [59, 59, 59]), undefined, 'dark grey on white is fine');
  assert.deepEqual(readableTextOn([215, 148, 36], [204, 204, 204]), [0, 0, 0], 'light grey on strong amber → black');
  assert.deepEqual(readableTextOn([129, 93, 33], [204, 204, 204]), [255, 255, 255], 'light grey on mid amber → white');
  // Whatever the background, one of black and white reaches AA.
  for (let v = 0; v <= 255; v += 5) {
    const bg = [v, (v * 7) % 256, (v * 13) % 256] as const;
    const text = readableTextOn(bg, [128, 128, 128]) ?? [128, 128, 128];
    assert.ok(contrastRatio(text, bg) >= MIN_TEXT_CONTRAST, `on ${bg}`);
  }
  assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), [1, 2, 3]);
  assert.deepEqual(parseColor('rgb(1 2 3)'), [1, 2, 3]);
  assert.deepEqual(parseColor('#0a0b0c'), [10, 11, 12]);
  assert.equal(parseColor('transparent'), null);
});

test('editor highlights: every level readable on the default theme of each kind', () => {
  for (const kind of ['light', 'dark', 'highContrast', 'highContrastLight'] as const) {
    const theme = THEME_COLORS[kind];
    for (const diverging of [false, true]) {
      for (let level = diverging ? -10 : 1; level <= 10; level++) {
        if (level === 0) continue;
        const m = /rgba\((\d+), (\d+), (\d+), ([\d.]+)\)/.exec(levelColor(level, 10, kind, DEFAULT_COLORS, diverging))!;
        const bg = blend([+m[1], +m[2], +m[3]], +m[4], theme.bg);
        const text = textColorFor(level, 10, kind, DEFAULT_COLORS, diverging);
        const fg = text ? parseColor(text)! : theme.fg;
        assert.ok(contrastRatio(fg, bg) >= MIN_TEXT_CONTRAST, `${kind} level ${level}${diverging ? ' (diverging)' : ''}: ${contrastRatio(fg, bg).toFixed(2)}`);
      }
    }
  }
  // The theme's own text colour is kept where it is readable (low levels, light themes).
  assert.equal(textColorFor(1, 10, 'dark', DEFAULT_COLORS, false), undefined);
  assert.equal(textColorFor(10, 10, 'light', DEFAULT_COLORS, false), undefined);
  assert.equal(textColorFor(10, 10, 'dark', DEFAULT_COLORS, false), '#ffffff');
});

test('panel tokens: background by value, text colour only where the theme\'s is hard to read', () => {
  const dark = { under: [37, 37, 38] as const, fg: [204, 204, 204] as const };
  assert.deepEqual(tokenColors(0, dark.under, dark.fg), { background: 'transparent', color: '' });
  assert.equal(tokenColors(0.05, dark.under, dark.fg).color, '');
  assert.equal(tokenColors(1, dark.under, dark.fg).color, 'rgb(0, 0, 0)');
  assert.equal(tokenColors(1, [255, 255, 255], [59, 59, 59]).color, '');
  for (let v = 0.05; v <= 1; v += 0.05) {
    const c = tokenColors(v, dark.under, dark.fg);
    const a = Number(/([\d.]+)\)$/.exec(c.background)![1]);
    const fg = c.color ? parseColor(c.color)! : dark.fg;
    assert.ok(contrastRatio(fg, blend([245, 166, 35], a, dark.under)) >= MIN_TEXT_CONTRAST, `v=${v.toFixed(2)}`);
  }
});

test('ranges follow edits: before shifts, inside drops, after stays', () => {
  const r = [{ start: 0, end: 5 }, { start: 6, end: 10 }, { start: 20, end: 25 }];
  // Insert 3 chars at offset 12 (between range 2 and 3).
  assert.deepEqual(shiftRanges(r, [{ rangeOffset: 12, rangeLength: 0, text: 'abc' }]), [{ start: 0, end: 5 }, { start: 6, end: 10 }, { start: 23, end: 28 }]);
  // Replace inside the second range: it is dropped.
  assert.deepEqual(shiftRanges(r, [{ rangeOffset: 7, rangeLength: 1, text: 'xx' }]), [{ start: 0, end: 5 }, null, { start: 21, end: 26 }]);
  // Insertion exactly at a range's start pushes it; at its end leaves it.
  assert.deepEqual(shiftRanges(r, [{ rangeOffset: 6, rangeLength: 0, text: 'Z' }]), [{ start: 0, end: 5 }, { start: 7, end: 11 }, { start: 21, end: 26 }]);
  assert.deepEqual(shiftRanges(r, [{ rangeOffset: 5, rangeLength: 0, text: 'Z' }])[0], { start: 0, end: 5 });
  // Two changes in one event (multi-cursor), listed in any order.
  assert.deepEqual(shiftRanges(r, [{ rangeOffset: 0, rangeLength: 0, text: '>>' }, { rangeOffset: 15, rangeLength: 2, text: '' }]), [{ start: 2, end: 7 }, { start: 8, end: 12 }, { start: 20, end: 25 }]);
  // keepContaining: an edit inside keeps the range and resizes it.
  assert.deepEqual(shiftRanges(r, [{ rangeOffset: 7, rangeLength: 1, text: 'xx' }], { keepContaining: true })[1], { start: 6, end: 11 });
});

test('instruction marks toggle and merge', () => {
  assert.deepEqual(mergeRanges([{ start: 5, end: 8 }, { start: 0, end: 3 }, { start: 2, end: 4 }]), [{ start: 0, end: 4 }, { start: 5, end: 8 }]);
  let m = toggleRange([], { start: 3, end: 9 });
  assert.deepEqual(m, [{ start: 3, end: 9 }]);
  m = toggleRange(m, { start: 12, end: 15 });
  assert.equal(m.length, 2);
  m = toggleRange(m, { start: 4, end: 4 }); // cursor inside the first: removes it
  assert.deepEqual(m, [{ start: 12, end: 15 }]);
  const store = new Map<string, unknown>();
  const marks = new InstructionMarks({ get: (k) => store.get(k) as never, update: async (k, v) => { store.set(k, v); } });
  marks.toggle('file:///a.prompt', { start: 10, end: 20 });
  assert.deepEqual(new InstructionMarks({ get: (k) => store.get(k) as never, update: async () => {} }).get('file:///a.prompt'), [{ start: 10, end: 20 }]);
  marks.onEdit('file:///a.prompt', [{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]);
  assert.deepEqual(marks.get('file:///a.prompt'), [{ start: 13, end: 23 }]);
  assert.deepEqual(InstructionMarks.toPromptSpans([{ start: 13, end: 23 }], 15, 5), [{ start: 0, end: 5 }]);
});

test('front matter is not part of the prompt', () => {
  const t = '---\nmodel: x\nname: y\n---\nSummarize the text below.\n\nText: hi\n';
  const fm = frontMatterLength(t);
  assert.equal(t.slice(fm), 'Summarize the text below.\n\nText: hi\n');
  assert.equal(frontMatterLength('no front matter\n---\n'), 0);
  assert.equal(frontMatterLength('---\nunclosed: true\n'), 0);
  assert.equal(frontMatterLength('---\r\na: 1\r\n---\r\nbody'), '---\r\na: 1\r\n---\r\n'.length);
  const ex = extractPrompt(t, { fileName: '/w/x.prompt.md', template: 'none' });
  assert.equal(ex.prompt, 'Summarize the text below.\n\nText: hi');
  assert.equal(t.slice(ex.offset, ex.offset + ex.prompt.length), ex.prompt);
  assert.equal(promptKindOf('a.PROMPT'), 'prompt');
  assert.equal(promptKindOf('a.txt'), 'other');
  // Other files: the whole document; a selection wins.
  assert.equal(extractPrompt(t, { fileName: 'a.txt', template: 'none' }).prompt, t);
  const sel = extractPrompt(t, { fileName: 'a.prompt', template: 'none', selection: { start: 25, end: 34 } });
  assert.deepEqual([sel.prompt, sel.offset, sel.source], ['Summarize', 25, 'selection']);
});

test('.prompty: system/user sections go to the chat roles when a template is applied', () => {
  const t = '---\nname: demo\nmodel:\n  api: chat\n---\nsystem:\nYou are terse.\n\nuser:\nList three colours.\n\nassistant:\nRed.\n';
  const secs = roleSections(t, frontMatterLength(t));
  assert.deepEqual(secs.map((s) => s.role), ['system', 'user', 'assistant']);
  const ex = extractPrompt(t, { fileName: 'x.prompty', template: 'auto' });
  assert.equal(ex.prompt, 'List three colours.');
  assert.equal(ex.system, 'You are terse.');
  assert.equal(t.slice(ex.offset, ex.offset + ex.prompt.length), ex.prompt);
  const raw = extractPrompt(t, { fileName: 'x.prompty', template: 'none' });
  assert.ok(raw.prompt.startsWith('system:\nYou are terse.'));
  assert.equal(raw.system, undefined);
  // No role lines: the body.
  assert.equal(extractPrompt('---\na: 1\n---\nJust text.', { fileName: 'x.prompty', template: 'auto' }).prompt, 'Just text.');
});

test('cache keys: stable, sensitive to what changes raw importance only', () => {
  const base = { prompt: 'p', model: { ref: '/m', dtype: 'fp32', fingerprint: 'f' }, method: 'gradient', template: 'none', maxNewTokens: 32, granularity: 'token' };
  assert.equal(runKey(base), runKey({ ...base, model: { fingerprint: 'f', dtype: 'fp32', ref: '/m' } }));
  assert.notEqual(runKey(base), runKey({ ...base, prompt: 'q' }));
  assert.notEqual(runKey(base), runKey({ ...base, method: 'occlusion' }));
  assert.notEqual(runKey(base), runKey({ ...base, response: 'r' }));
  assert.notEqual(runKey(base), runKey({ ...base, model: { ...base.model, fingerprint: 'g' } }));
  assert.equal(runKey(base), runKey({ ...base, system: undefined }));
  assert.equal(stableStringify({ b: 1, a: [1, { d: 2, c: undefined }] }), '{"a":[1,{"d":2}],"b":1}');
});

test('model references: bundled, folders, Hub ids', () => {
  const ctx = { extensionPath: '/ext', workspaceFolder: '/ws', exists: (p: string) => p === '/ws/models/mine' };
  assert.deepEqual(resolveModelRef(BUNDLED_BASE, ctx), { setting: BUNDLED_BASE, kind: 'bundled', ref: '/ext/models/demo-base', label: 'demo-base' });
  assert.equal(resolveModelRef('HuggingFaceTB/SmolLM-135M', ctx).kind, 'hub');
  assert.equal(resolveModelRef('models/mine', ctx).ref, '/ws/models/mine');
  assert.equal(resolveModelRef('./models/x', ctx).ref, '/ws/models/x');
  assert.equal(resolveModelRef('${workspaceFolder}/m', ctx).ref, '/ws/m');
  assert.equal(resolveModelRef('/abs/model', ctx).kind, 'local');
  // hf: forces the Hub even where a workspace folder of that name exists.
  assert.deepEqual(resolveModelRef('hf:models/mine', ctx), { setting: 'hf:models/mine', kind: 'hub', ref: 'hf:models/mine', label: 'mine' });
  assert.ok(isHubId('org/name-1.5B'));
  assert.ok(!isHubId('../x'));
  assert.ok(!isHubId('a/b/c'));
});

test('document results follow edits and become stale', () => {
  const r: DocResult = { uri: 'u', offset: 10, prompt: 'hello world', labels: {}, edits: [], createdAt: 0 };
  assert.ok(!isStale(r));
  recordEdit(r, [{ rangeOffset: 0, rangeLength: 0, text: '12345' }]);
  assert.ok(isStale(r));
  assert.deepEqual(mapToDocument(r, [{ start: 0, end: 5 }, { start: 6, end: 11 }]), [{ start: 15, end: 20 }, { start: 21, end: 26 }]);
  recordEdit(r, [{ rangeOffset: 22, rangeLength: 1, text: 'O' }]); // inside "world"
  assert.deepEqual(mapToDocument(r, [{ start: 0, end: 5 }, { start: 6, end: 11 }]), [{ start: 15, end: 20 }, null]);
});

test('progress: stages map to a growing fraction and readable text', () => {
  const seq = [
    stageFraction({ stage: 'download', done: 1, total: 2 }),
    stageFraction({ stage: 'prepare' }),
    stageFraction({ stage: 'load' }),
    stageFraction({ stage: 'generate', done: 5, total: 10 }),
    stageFraction({ stage: 'attribute', done: 1, total: 4 }),
    stageFraction({ stage: 'attribute', done: 4, total: 4 }),
  ];
  for (let i = 1; i < seq.length; i++) assert.ok(seq[i] >= seq[i - 1]);
  assert.equal(seq[seq.length - 1], 1);
  assert.equal(describeProgress({ stage: 'attribute', done: 3, total: 12 }), 'attribute 3/12');
});
