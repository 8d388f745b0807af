/**
 * What the end-to-end scenarios share: one code-server host with the workspace below, the model
 * pair, a stand-in Hugging Face Hub serving that pair under the default Hub ids, and a step log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Host, REPO } from './host.ts';
import { MockHub } from './hub.ts';

// ── the model pair: the bundled demo pair when present, else the random-weight test models ──
export const demo = ['demo-base', 'demo-instruct'].every((m) => fs.existsSync(path.join(REPO, 'models', m, 'config.json')));
export const models = demo
  ? { base: 'bundled:demo-base', tuned: 'bundled:demo-instruct', baseLabel: 'demo-base', tunedLabel: 'demo-instruct', baseDir: path.join(REPO, 'models/demo-base'), tunedDir: path.join(REPO, 'models/demo-instruct') }
  : { base: path.join(REPO, 'test/fixtures/models/tiny-llama'), tuned: path.join(REPO, 'test/fixtures/models/tiny-qwen2'), baseLabel: 'tiny-llama', tunedLabel: 'tiny-qwen2', baseDir: path.join(REPO, 'test/fixtures/models/tiny-llama'), tunedDir: path.join(REPO, 'test/fixtures/models/tiny-qwen2') };

export const HUB_BASE = 'HuggingFaceTB/SmolLM-135M';
export const HUB_TUNED = 'HuggingFaceTB/SmolLM-135M-Instruct';

// Prompts in the task families the demo pair was tuned on (its tuned model answers them; it may
// end at once on other forms, which leaves nothing to explain).
export const PROMPT_FILE = 'prompts/recipe.prompt.md';
export const PROMPT_TEXT = '---\ntitle: e2e\nmodel: demo\n---\nGive a synonym of the word happy.\n';
export const LONG_FILE = 'prompts/long.prompt';
export const LONG_TEXT = `Reverse the words of this sentence: ${'the meeting covered budgets hiring plans and the new office '.repeat(25)}\n`;
export const SAVE_FILE = 'prompts/save.prompt';
export const SAVE_TEXT = 'Give a synonym of the word happy.\n';
export const SENTENCE_FILE = 'prompts/sentences.prompt';
export const SENTENCE_TEXT = 'Give a synonym of the word happy. Answer with one word.\n';

export const MODEL_SETTINGS = {
  'promptLens.baseModel': models.base,
  'promptLens.tunedModel': models.tuned,
};

/** The Hub stand-in: the default Hub pair are this run's model pair. */
export const hub = new MockHub({ [HUB_BASE]: models.baseDir, [HUB_TUNED]: models.tunedDir });

export const host = new Host({
  files: {
    [PROMPT_FILE]: PROMPT_TEXT,
    [LONG_FILE]: LONG_TEXT,
    [SAVE_FILE]: SAVE_TEXT,
    [SENTENCE_FILE]: SENTENCE_TEXT,
    '.vscode/settings.json': JSON.stringify({
      ...MODEL_SETTINGS,
      'promptLens.method': 'gradient',
      'promptLens.template': 'none',
      'promptLens.maxNewTokens': 12,
      'promptLens.highlight': 'tuned',
    }, null, 2),
  },
});

/** Written by a keybinding that calls exportReport with arguments (the scripting path). */
export const SCRIPTED_EXPORT = path.join(host.root, 'exports', 'scripted.html');
export const SCRIPTED_PRESS = 'Control+Alt+Shift+J';
host.opts.keybindings = [{ key: 'ctrl+alt+shift+j', command: 'promptLens.exportReport', args: { format: 'html', path: SCRIPTED_EXPORT } }];

/** The engine's cache (prepared graphs, Hub downloads) for this run only. */
export const ENGINE_CACHE = path.join(host.root, 'engine-cache');

export async function startSuite(): Promise<void> {
  const hubUrl = await hub.start();
  host.opts.env = { PROMPT_LENS_HUB_URL: hubUrl, PROMPT_LENS_CACHE: ENGINE_CACHE };
  fs.mkdirSync(path.dirname(SCRIPTED_EXPORT), { recursive: true });
  await host.start();
}

export async function stopSuite(): Promise<void> {
  fs.mkdirSync(path.join(REPO, 'test-results', 'e2e'), { recursive: true });
  fs.writeFileSync(path.join(REPO, 'test-results', 'e2e', 'extension.log'), host.extensionLog());
  await host.close();
  await hub.close();
}

export const resultsDir = (): string => path.join(host.globalStorage(), 'results');

const started = Date.now();
export function step(msg: string): void {
  console.log(`# [${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}`);
}

/** Number of finished analyses of a file so far (from the extension's log). */
export function runsOf(rel: string): number {
  const file = path.join(host.workspace, rel);
  return host.extensionLog().split('\n').filter((l) => l.includes(`analysis of ${file} with`)).length;
}

/** Screenshot of the exported HTML report (opened offline). */
export const REPORT_SHOT = path.join(REPO, 'test-results', 'e2e', '9-exported-report.png');
