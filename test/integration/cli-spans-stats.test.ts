/** `prompt-lens spans` and `prompt-lens stats`, called in-process through their run(). */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { run as runSpans } from '../../src/cli/commands/spans.ts';
import { run as runStats } from '../../src/cli/commands/stats.ts';
import { instructionScore, normalizeDensity, normalizeImportance, spansToMask, tokenDensity } from '../../src/engine/scores/index.ts';
import { sharedDir, sharedSkipReason, tempDir } from '../helpers/paths.ts';

const PROMPT = 'You are given a list of numbers. Sort them in ascending order.\n\nInput: 3, 1, 2\n\nOutput:';

/**
 * Runs the command with stdout and stderr captured. Stdout is also passed on: the test runner
 * reports through it, possibly while the command runs.
 */
async function capture(argv: string[], run: (argv: string[]) => Promise<number> = runSpans): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    out.push(String(chunk));
    return write.out.call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await run(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

interface Rec {
  id: string;
  spans: Array<{ start: number; end: number; text: string }>;
}

test('--prompt prints the spans; --json writes one record with id "prompt"', async () => {
  const dir = tempDir();
  const json = path.join(dir, 'out.json');
  const r = await capture(['--prompt', PROMPT, '--json', json]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Sort them in ascending order\./);
  const rec = JSON.parse(readFileSync(json, 'utf8')) as Rec;
  assert.equal(rec.id, 'prompt');
  assert.ok(rec.spans.length > 0);
  for (const s of rec.spans) assert.equal(PROMPT.slice(s.start, s.end), s.text);
  assert.deepEqual(Object.keys(rec.spans[0]), ['start', 'end', 'text']);
});

test('--prompt-file reads the prompt verbatim', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'p.txt');
  writeFileSync(file, PROMPT);
  const json = path.join(dir, 'out.json');
  assert.equal((await capture(['--prompt-file', file, '--json', json])).code, 0);
  const rec = JSON.parse(readFileSync(json, 'utf8')) as Rec;
  assert.equal(rec.id, 'prompt');
  assert.equal(rec.spans[0].text, 'You are given a list of numbers.');
});

test('--prompts writes JSON Lines, one record per prompt, in order', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'prompts.jsonl');
  writeFileSync(file, [{ id: 'a', prompt: PROMPT }, { id: 7, prompt: 'The cat sat on the mat.' }].map((x) => JSON.stringify(x)).join('\n') + '\n\n');
  const json = path.join(dir, 'spans.jsonl');
  const r = await capture(['--prompts', file, '--json', json]);
  assert.equal(r.code, 0, r.err);
  const recs = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  assert.deepEqual(recs.map((x) => x.id), ['a', '7']);
  assert.ok(recs[0].spans.length > 0);
  assert.deepEqual(recs[1].spans, []);
});

test('bad inputs: one clear message, non-zero exit, no output file', async () => {
  const dir = tempDir();
  const json = path.join(dir, 'out.jsonl');
  const cases: Array<{ argv: string[]; message: RegExp }> = [
    { argv: ['--prompts', path.join(dir, 'missing.jsonl'), '--json', json], message: /cannot read --prompts: no such file: .*missing\.jsonl/ },
    { argv: ['--prompt-file', path.join(dir, 'missing.txt'), '--json', json], message: /--prompt-file: no such file: .*missing\.txt/ },
    { argv: ['--json', json], message: /exactly one of --prompt/ },
    { argv: ['--prompt', 'a', '--prompts', 'b', '--json', json], message: /exactly one of --prompt/ },
    { argv: ['--prompt', 'a', '--bogus'], message: /bogus/ },
  ];
  const malformed = path.join(dir, 'bad.jsonl');
  writeFileSync(malformed, `${JSON.stringify({ id: 'a', prompt: PROMPT })}\n{"id": "b", "prompt": \n`);
  cases.push({ argv: ['--prompts', malformed, '--json', json], message: /bad\.jsonl:2 is not valid JSON/ });
  const noPrompt = path.join(dir, 'noprompt.jsonl');
  writeFileSync(noPrompt, '{"id": "x", "text": "hi"}\n');
  cases.push({ argv: ['--prompts', noPrompt, '--json', json], message: /noprompt\.jsonl:1 has no "prompt" string/ });
  for (const c of cases) {
    const r = await capture(c.argv);
    assert.notEqual(r.code, 0, c.argv.join(' '));
    assert.match(r.err, c.message);
    assert.equal(r.err.split('\n').filter((l) => l.startsWith('prompt-lens:')).length, 1, r.err);
    assert.doesNotMatch(r.err, /unexpected error|\bat .*\.ts:\d+/);
    assert.equal(existsSync(json), false, `no output after ${c.argv.join(' ')}`);
  }
});

// ---- prompt-lens stats ----------------------------------------------------------------------

const PROMPT2 = 'Sort the list.\n\nInput: 3 1 2';

/** A minimal saved analysis (the fields `stats` reads), with a BOS row that is not the user's text. */
function analysis(id: string, role: 'base' | 'tuned', importance: number[][], followed?: boolean) {
  const promptTokens = [
    { text: '<s>', start: 0, end: 0, special: true },
    { text: 'Sort', start: 0, end: 4, special: false },
    { text: ' the', start: 4, end: 8, special: false },
    { text: ' list.', start: 8, end: 14, special: false },
    { text: '\n\nInput:', start: 14, end: 22, special: false },
    { text: ' 3 1 2', start: 22, end: 28, special: false },
  ];
  return {
    schemaVersion: 1,
    model: { ref: role === 'base' ? 'toy-base' : 'toy-tuned' },
    prompt: PROMPT2,
    promptTokens,
    responseTokens: importance[0].map((_, m) => ({ text: `r${m}` })),
    importance,
    instructionSpans: [{ start: 0, end: 14 }],
    dataset: { id, source: 'toy', role, ...(followed === undefined ? {} : { followed }) },
  };
}

/** Deterministic importance with 6 rows (BOS first) and 5 response columns; `focus` weights the instruction rows. */
function importance(seed: number, focus: number): number[][] {
  return Array.from({ length: 6 }, (_, n) => Array.from({ length: 5 }, (_, m) => {
    const noise = Math.sin(seed * 12.9898 + n * 78.233 + m * 37.719) * 0.5 + 0.5;
    return n === 0 ? 2 : (n >= 1 && n <= 3 ? focus : 1 - focus) * noise - 0.05;
  }));
}

function writeAnalyses(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let k = 0; k < 6; k++) {
    writeFileSync(path.join(dir, `p${k}.base.json`), JSON.stringify(analysis(`p${k}`, 'base', importance(k, 0.3))));
    writeFileSync(path.join(dir, `p${k}.tuned.json`), JSON.stringify(analysis(`p${k}`, 'tuned', importance(k + 100, 0.8), k % 2 === 0)));
  }
}

/** The score the stats must reproduce, from the score functions directly. */
function expectedScore(a: ReturnType<typeof analysis>, settings: { levels: number; threshold: number; p: number }): number {
  const included = a.promptTokens.map((t) => !t.special);
  const S = normalizeImportance(a.importance, settings, included);
  return instructionScore(normalizeDensity(tokenDensity(S, settings.p)), spansToMask(a.promptTokens, a.instructionSpans, a.prompt));
}

test('stats DIR recomputes scores from saved importance with the given settings, without models', async () => {
  const dir = path.join(tempDir(), 'analyses');
  writeAnalyses(dir);
  for (const threshold of [7, 0]) {
    const settings = { levels: 10, threshold, p: 4 };
    const r = await capture([dir, '--threshold', String(threshold)], runStats);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /toy: base toy-base .* vs tuned toy-tuned .*Welch one-sided p = /);
    const report = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8'));
    assert.deepEqual(report.settings, settings);
    const bt = report.sources[0].baseVsTuned;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const base = mean([0, 1, 2, 3, 4, 5].map((k) => expectedScore(analysis(`p${k}`, 'base', importance(k, 0.3)), settings)));
    const tuned = mean([0, 1, 2, 3, 4, 5].map((k) => expectedScore(analysis(`p${k}`, 'tuned', importance(k + 100, 0.8)), settings)));
    assert.ok(Math.abs(bt.base.mean - base) < 1e-12, `base ${bt.base.mean} vs ${base}`);
    assert.ok(Math.abs(bt.tuned.mean - tuned) < 1e-12, `tuned ${bt.tuned.mean} vs ${tuned}`);
    assert.ok(bt.tuned.mean > bt.base.mean);
    assert.ok(bt.welch.pValue > 0 && bt.welch.pValue < (threshold === 7 ? 0.05 : 1), `p = ${bt.welch.pValue}`);
    // Labels on the tuned analyses give the followed-vs-unfollowed test (responses have 5 tokens).
    const f = report.sources[0].followed.find((x: { role: string }) => x.role === 'tuned');
    assert.equal(f.followed.n, 3);
    assert.equal(f.unfollowed.n, 3);
    // Both profiles are over the 5 user tokens: fewer than 10, so no profile.
    assert.equal(report.sources[0].profiles[0].profile, null);
    const html = readFileSync(path.join(dir, 'stats.html'), 'utf8');
    assert.match(html, /<canvas id="scores">/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|url\(\s*['"]?https?:/i, 'self-contained: no remote or external resources');
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('partial')), []);
});

test('stats --granularity sentence merges token rows into sentences before scoring', async () => {
  const dir = path.join(tempDir(), 'analyses');
  writeAnalyses(dir);
  const settings = { levels: 10, threshold: 7, p: 4 };
  const r = await capture([dir, '--granularity', 'sentence'], runStats);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8'));
  assert.equal(report.granularity, 'sentence');
  // Units: BOS | "Sort the list." (rows 1-3) | "\n\nInput: 3 1 2" (rows 4-5); the instruction is the first sentence.
  const merged = (rows: number[][]) => [rows[0], rows[1].map((_, m) => rows[1][m] + rows[2][m] + rows[3][m]), rows[4].map((_, m) => rows[4][m] + rows[5][m])];
  const score = (rows: number[][]) => instructionScore(normalizeDensity(tokenDensity(normalizeImportance(merged(rows), settings, [false, true, true]), settings.p)), [0, 1, 0]);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const bt = report.sources[0].baseVsTuned;
  const base = mean([0, 1, 2, 3, 4, 5].map((k) => score(importance(k, 0.3))));
  const tuned = mean([0, 1, 2, 3, 4, 5].map((k) => score(importance(k + 100, 0.8))));
  assert.ok(Math.abs(bt.base.mean - base) < 1e-12, `base ${bt.base.mean} vs ${base}`);
  assert.ok(Math.abs(bt.tuned.mean - tuned) < 1e-12, `tuned ${bt.tuned.mean} vs ${tuned}`);
  assert.match(readFileSync(path.join(dir, 'stats.html'), 'utf8'), /granularity sentence/);

  // Rows already merged into other units cannot be split again; imports have no text to split.
  const words = path.join(tempDir(), 'words');
  mkdirSync(words);
  writeFileSync(path.join(words, 'w.base.json'), JSON.stringify({ ...analysis('w', 'base', importance(1, 0.5)), settings: { granularity: 'word', method: 'gradient' } }));
  const bad = await capture([words, '--granularity', 'sentence'], runStats);
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /analysed at granularity word; its rows cannot be merged into sentence units[\s\S]*--granularity token/);
  assert.equal(existsSync(path.join(words, 'stats.json')), false);
  const imported = await capture(['--import', path.join(words, 'w.base.json'), '--granularity', 'section'], runStats);
  assert.equal(imported.code, 2);
  assert.match(imported.err, /imported attributions carry no prompt text/);
  const unknown = await capture([dir, '--granularity', 'paragraph'], runStats);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /granularity/);
});

test('stats: bad input gives one message naming cause and fix, a non-zero exit, and writes nothing', async () => {
  const root = tempDir();
  const empty = path.join(root, 'empty');
  mkdirSync(empty);
  const malformed = path.join(root, 'malformed');
  writeAnalyses(malformed);
  writeFileSync(path.join(malformed, 'p9.base.json'), '{"schemaVersion": 1, "importance": [');
  const foreign = path.join(root, 'foreign');
  mkdirSync(foreign);
  writeFileSync(path.join(foreign, 'x.base.json'), JSON.stringify({ hello: 'world' }));
  const unlabelled = path.join(root, 'unlabelled');
  mkdirSync(unlabelled);
  const bare: Partial<ReturnType<typeof analysis>> = analysis('q', 'base', importance(1, 0.5));
  delete bare.dataset;
  writeFileSync(path.join(unlabelled, 'q.json'), JSON.stringify(bare));
  const good = path.join(root, 'good');
  writeAnalyses(good);
  const badImport = path.join(root, 'bad-import.jsonl');
  writeFileSync(badImport, '{"id": "a", "prompt_tokens": ["x"], "models": {"m": {"role": "base", "response_tokens": ["y"], "I": [[1], [2]]}}}\n');
  const cases: Array<{ argv: string[]; message: RegExp; out: string }> = [
    { argv: [path.join(root, 'missing')], message: /analyses folder .*missing does not exist/, out: path.join(root, 'missing') },
    { argv: [empty], message: /empty holds no analysis files/, out: empty },
    { argv: [malformed], message: /p9\.base\.json is not valid JSON/, out: malformed },
    { argv: [foreign], message: /x\.base\.json is not a Prompt Lens analysis/, out: foreign },
    { argv: [unlabelled], message: /q\.json does not say whether it is the base or the tuned model/, out: unlabelled },
    { argv: ['--import', badImport, '--out', empty], message: /has 2 rows for 1 prompt tokens/, out: empty },
    { argv: [malformed, '--threshold', '10'], message: /--threshold must be an integer in \[0, levels\)/, out: malformed },
    { argv: [malformed, '--p', '1'], message: /--p must be greater than 1/, out: malformed },
    { argv: ['--out', empty], message: /give a folder of analyses/, out: empty },
    // Node's recursive mkdir never returns under /proc; the report must fail at once instead.
    { argv: [good, '--out', '/proc/prompt-lens-test/out'], message: /--out \/proc\/prompt-lens-test\/out cannot be written: no file can be made in \/proc \(ENOENT\)/, out: '/proc/prompt-lens-test/out' },
  ];
  for (const c of cases) {
    const r = await capture(c.argv, runStats);
    assert.notEqual(r.code, 0, c.argv.join(' '));
    assert.match(r.err, c.message);
    assert.equal(r.err.split('\n').filter((l) => l.startsWith('prompt-lens:')).length, 1, r.err);
    assert.doesNotMatch(r.err, /unexpected error|\bat .*\.ts:\d+/);
    for (const f of ['stats.json', 'stats.html']) assert.equal(existsSync(path.join(c.out, f)), false, `${f} after ${c.argv.join(' ')}`);
    if (existsSync(c.out)) assert.deepEqual(readdirSync(c.out).filter((f) => f.includes('partial')), []);
  }
});

test('stats --import: instruction spans with token offsets stand in for the mask', async () => {
  const dir = tempDir();
  const record = (id: string, withSpans: boolean) => ({
    id,
    prompt: 'Do it now: x y',
    prompt_tokens: ['Do', ' it', ' now', ':', ' x', ' y'],
    ...(withSpans ? { instruction_spans: [{ start: 0, end: 10 }], prompt_token_offsets: [[0, 2], [2, 5], [5, 9], [9, 10], [10, 12], [12, 14]] } : { instruction_mask: [1, 1, 1, 1, 0, 0] }),
    models: {
      b: { role: 'base', response_tokens: ['a', 'b', 'c', 'd', 'e'], I: [[0.1, 0, 0, 0, 0], [0, 0.1, 0, 0, 0], [0, 0, 0.1, 0, 0], [0, 0, 0, 0.1, 0], [0.9, 0.9, 0.9, 0.9, 0.9], [0, 0, 0, 0, 0.1]] },
      t: { role: 'tuned', response_tokens: ['a', 'b', 'c', 'd', 'e'], S: [[10, 10, 10, 9, 8], [0, 10, 0, 0, 0], [0, 0, 10, 0, 0], [0, 0, 0, 10, 0], [1, 1, 1, 1, 10], [0, 0, 0, 0, 2]] },
    },
  });
  const reports = [];
  for (const withSpans of [false, true]) {
    const file = path.join(dir, `in-${withSpans}.jsonl`);
    writeFileSync(file, [record('1', withSpans), record('2', withSpans)].map((l) => JSON.stringify(l)).join('\n'));
    const out = path.join(dir, `out-${withSpans}`);
    const r = await capture(['--import', file, '--out', out], runStats);
    assert.equal(r.code, 0, r.err);
    reports.push(JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8')));
  }
  assert.deepEqual(reports[1].sources, reports[0].sources);
  assert.ok(reports[0].sources[0].baseVsTuned.tuned.mean > reports[0].sources[0].baseVsTuned.base.mean);
});

const skip = sharedSkipReason();
const paper = path.join(sharedDir, 'data/paper-self-instruct');

test('stats --import-paper PROMPTS ATTRIBUTIONS (two values) reproduces the paper', { skip }, async () => {
  const out = tempDir();
  const r = await capture(['--import-paper', path.join(paper, 'prompts.jsonl'), path.join(paper, 'attributions.jsonl.gz'), '--levels', '10', '--threshold', '7', '--p', '4', '--out', out], runStats);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /base llama-7b 0\.9394 .* vs tuned vicuna-7b 1\.1302 .*p = 1\.9e-5/);
  assert.match(r.out, /vicuna-7b followed 1\.2283 \(n = 194\) vs unfollowed 0\.8917 \(n = 44\), p = 5\.7e-5/);
  const charts = runReportScript(readFileSync(path.join(out, 'stats.html'), 'utf8'));
  assert.deepEqual(charts.map((c) => c.id).sort(), ['followed', 'profiles', 'scores']);
  assert.deepEqual([...charts.find((c) => c.id === 'followed')!.labels], ['self-instruct · vicuna-7b']);
});

/**
 * Runs the report's own chart script (the last inline script) against a stand-in Chart and
 * document, in a context that has the browser's read-only globals (`top`, `self`, `name`…), so
 * a script error that would leave the page without charts fails here.
 */
function runReportScript(html: string): Array<{ id: string; labels: unknown[] }> {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const made: Array<{ id: string; labels: unknown[] }> = [];
  const elements = new Map<string, { id: string; hidden: boolean }>();
  const context: Record<string, unknown> = {
    document: { getElementById: (id: string) => elements.get(id) ?? elements.set(id, { id, hidden: true }).get(id) },
    Chart: function Chart(el: { id: string }, config: { data: { labels: unknown[] } }) {
      made.push({ id: el.id, labels: config.data.labels });
    },
  };
  vm.createContext(context);
  // Defined from inside the context, on its real global object (as a browser's window has them).
  vm.runInContext("for (const n of ['top', 'self', 'parent', 'name', 'status', 'length', 'frames', 'window', 'location']) Object.defineProperty(globalThis, n, { value: {}, writable: false, configurable: false });", context);
  vm.runInContext(scripts[scripts.length - 1], context);
  return made;
}
