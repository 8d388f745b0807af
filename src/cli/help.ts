/**
 * The help texts: `prompt-lens help` (every command with all its options) and
 * `prompt-lens <command> --help` (each option with what it does). Every option a command's
 * parser takes is listed here, and nothing else (test/integration/cli-help.test.ts compares the
 * two, defaults included).
 */
import { CONTRAST_KINDS, DEFAULT_CONTRAST_KIND } from '../engine/options.ts';
import { TOOL_VERSION } from '../engine/version.ts';

interface CommandHelp {
  /** What the command does, in one line. */
  summary: string;
  /** How it is called, without the optional options. */
  synopsis: string;
  /** Each option as written ("--method gradient|occlusion") and what it does. */
  options: Array<[string, string]>;
  /** Examples, how long it takes, what it writes. */
  notes?: string;
}

const PROMPT: Array<[string, string]> = [
  ['--prompt TEXT', 'the prompt to explain'],
  ['--prompt-file F', 'read the prompt from a text file (UTF-8)'],
  ['--instruction START:END', 'character offsets of the instruction in the prompt, END exclusive (repeatable); gives the instruction score'],
];

/** Contrastive attribution (analyze and compare). */
const CONTRAST: Array<[string, string]> = [
  ['--contrast-response TEXT', 'explain why the response rather than this one: log p(response token) − log p(this text\'s token) at each step, each under its own prefix; the same number of tokens as the response'],
  ['--contrast-response-file F', 'read that contrast response from a text file'],
  [`--contrast-kind ${CONTRAST_KINDS.join('|')}`, `what the contrast explains at each step: log p(response token) − log p(contrast token), or p(response token) − p(contrast token) (default ${DEFAULT_CONTRAST_KIND})`],
];

/** The settings of every analysis (analyze, compare and dataset). */
const SETTINGS: Array<[string, string]> = [
  ['--response TEXT', "explain this response (teacher-forced) instead of the model's own"],
  ['--response-file F', 'read that response from a text file'],
  ['--method gradient|occlusion|unit-occlusion', 'gradient × input, the drop when a token is zeroed, or the drop when a whole unit of --granularity is zeroed (one pass per unit; default gradient)'],
  ['--template none|auto', "apply the tokenizer's chat template (auto), or feed the raw prompt as the paper did (default none)"],
  ['--system TEXT', 'a system message, used with --template auto'],
  ['--max-new-tokens N', 'the longest response to generate, in tokens (default 64)'],
  ['--temperature T', 'sample the response at this temperature (0 or unset: greedy)'],
  ['--top-p P', 'with --temperature: sample from the smallest set of tokens with this total probability'],
  ['--seed N', 'with --temperature: the random seed, for a repeatable sample'],
  ['--levels L', 'quantization levels of the normalized importance (default 10)'],
  ['--threshold b', 'drop levels at or below b: 0 for pictures, 7 for statistics (default 0)'],
  ['--p P', 'the norm in the density ‖S‖₁/‖S‖ₚ (default 4)'],
  ['--granularity token|word|sentence|section', 'the units shown: tokens, words, sentences (within lines), or sections (paragraphs; a Markdown heading or .prompty role line opens one); raw importance is summed per unit (default token)'],
  ['--dtype auto|fp32|fp16|q8|q4|q4f16|…', 'which ONNX export of the model to load, as transformers.js names them (default auto)'],
  ['--precision auto|float64|float32', 'the float type attribution computes in; auto is float64 when the model allows it (default auto, or $PROMPT_LENS_PRECISION)'],
  ['--gradient forward|central', "how gradient × input is computed: the graph's exact forward-mode derivative, or central differences as a cross-check (default forward, or $PROMPT_LENS_GRADIENT)"],
];

const OUTPUT: Array<[string, string]> = [
  ['--json OUT', 'write the analysis as JSON (src/engine/analysis.schema.json)'],
  ['--html OUT', 'write a self-contained HTML report'],
  ['--no-color', 'print the prompt without colours (also NO_COLOR=1; FORCE_COLOR=1 forces them)'],
];

/** The options `concepts` and `heads` share. */
const INTERNALS: Array<[string, string]> = [
  ['--model M', 'the model (or give --base and --tuned to compare two)'],
  ['--base M1', 'the base model, compared with --tuned'],
  ['--tuned M2', 'the instruction-tuned model'],
  ['--layers all|a-b', 'which layers, e.g. 0-5 (default all)'],
  ['--vocabulary FILE', 'the words to read components and heads as: one a line, optional tab + frequency (default: a built-in English word list filtered to words the tokenizer encodes)'],
  ['--dtype auto|fp32|fp16|q8|…', 'which ONNX export to read the weights from (default auto)'],
];

const INTERNALS_OUTPUT: Array<[string, string]> = [
  ['--json OUT', 'write the result as JSON'],
  ['--html OUT', 'write a self-contained HTML report'],
];

const MODEL_NOTE = 'M is a local folder in the Hugging Face ONNX layout or a Hub id (org/name).';

export const HELP: Record<string, CommandHelp> = {
  analyze: {
    summary: 'which prompt tokens one model relies on for its response',
    synopsis: 'prompt-lens analyze --model M (--prompt TEXT | --prompt-file F) [options]',
    options: [['--model M', 'the model'], ...PROMPT, ...CONTRAST, ...SETTINGS, ...OUTPUT],
    notes: MODEL_NOTE,
  },
  compare: {
    summary: 'the same for a base model and its instruction-tuned version, one after the other',
    synopsis: 'prompt-lens compare --base M1 --tuned M2 (--prompt TEXT | --prompt-file F) [options]',
    options: [
      ['--base M1', 'the base (pre-trained) model'],
      ['--tuned M2', 'the instruction-tuned model'],
      ['--same-response none|tuned|base', "explain one model's response with both models (default none: each its own)"],
      ...PROMPT,
      ...CONTRAST,
      ...SETTINGS,
      ...OUTPUT,
    ],
    notes: MODEL_NOTE,
  },
  history: {
    summary: 'a prompt file against an earlier git version of itself: which words gained or lost importance ("prompt blame")',
    synopsis: 'prompt-lens history --model M --prompt-file F [--rev A..B] [options]',
    options: [
      ['--model M', 'the model (both versions are analyzed with it, with the same settings)'],
      ['--prompt-file F', 'the prompt file, inside a git repository'],
      ['--rev A..B', 'compare revision A with revision B; --rev A compares A with the file on disk (default HEAD)'],
      ...SETTINGS.map(([flag, text]): [string, string] => (flag.startsWith('--granularity') ? [flag, 'align and show words, or sub-word tokens (default word)'] : [flag, text])),
      ['--json OUT', 'write the comparison as JSON: both analyses and every aligned word with its importance before and after'],
      ['--html OUT', 'write a self-contained HTML report: the word changes, then both analyses'],
      ['--no-color', 'print without colours (also NO_COLOR=1; FORCE_COLOR=1 forces them)'],
    ],
    notes: `${MODEL_NOTE} The two versions are read with git show REV:path and aligned through a word diff; importance is the normalized density (0–1), and changes under 0.05 count as unchanged.`,
  },
  dataset: {
    summary: 'analyze every prompt of a JSON Lines file with both models (resumable)',
    synopsis: 'prompt-lens dataset --base M1 --tuned M2 --prompts FILE.jsonl --out DIR [options]',
    options: [
      ['--base M1', 'the base model (give one or both)'],
      ['--tuned M2', 'the instruction-tuned model'],
      ['--prompts FILE.jsonl', 'one {"id", "prompt"} per line; optional "response", "instruction_spans", "followed", "source"'],
      ['--out DIR', 'the folder for DIR/<id>.<role>.json; a rerun skips the analyses already there'],
      ['--use-response', "explain each record's \"response\" instead of the model's own"],
      ...SETTINGS,
    ],
    notes: `${MODEL_NOTE} Then: prompt-lens stats DIR.`,
  },
  stats: {
    summary: "the paper's statistics (Welch tests, position profiles) from saved analyses, without models",
    synopsis: 'prompt-lens stats [DIR ...] [--import FILE] [--import-paper PROMPTS ATTRIBUTIONS] [options]',
    options: [
      ['--levels L', 'quantization levels (default 10)'],
      ['--threshold b', 'drop levels at or below b (default 7, as the paper)'],
      ['--p P', 'the norm of the density (default 4)'],
      ['--granularity token|word|sentence|section', 'merge the analyses\' token rows into these units first (raw importance summed per unit; default: as analysed)'],
      ['--import FILE', 'attributions made elsewhere, JSON Lines, optionally .gz (docs/import-format.md)'],
      ['--import-paper PROMPTS ATTRIBUTIONS', "the paper's released Self-Instruct data: prompts.jsonl, then attributions.jsonl.gz"],
      ['--out DIR', 'where stats.json and stats.html go (default: the first DIR, else the current folder)'],
    ],
    notes: 'DIR is a folder written by prompt-lens dataset.',
  },
  check: {
    summary: "prompt regression tests: assertions on prompts' analyses from prompt-lens.config.json, for CI",
    synopsis: 'prompt-lens check [--config F] [--junit OUT] [--html OUT]',
    options: [
      ['--config F', 'the check configuration (default prompt-lens.config.json; schema: src/engine/check/config.schema.json)'],
      ['--junit OUT', 'write the results as JUnit XML, for CI systems'],
      ['--html OUT', 'write an HTML report of the analyses with the results'],
    ],
    notes: 'Exit code 0 when every assertion holds, 1 when one fails, 2 when the call or the config is wrong. Analyses are cached (under $PROMPT_LENS_CACHE) until the prompt, the settings or the model files change.',
  },
  spans: {
    summary: 'the instruction spans detected in a prompt (no model needed)',
    synopsis: 'prompt-lens spans (--prompt TEXT | --prompt-file F | --prompts FILE.jsonl) [--json OUT]',
    options: [
      ['--prompt TEXT', 'one prompt'],
      ['--prompt-file F', 'one prompt, from a text file'],
      ['--prompts FILE.jsonl', 'one {"id", "prompt"} per line'],
      ['--json OUT', 'write the spans: one JSON object, or JSON Lines with --prompts'],
    ],
  },
  concepts: {
    summary: 'the feed-forward layers as concepts: principal components of each down projection, read as words (METHODS.md §2)',
    synopsis: 'prompt-lens concepts (--model M | --base M1 --tuned M2) [options]',
    options: [
      ...INTERNALS,
      ['--components N', 'principal components analysed per layer (default 300)'],
      ['--top-words N', 'words stored per component (default 50)'],
      ['--subspace K', 'with --base/--tuned: compare the top-K component subspaces by principal angles (default 20)'],
      ...INTERNALS_OUTPUT,
    ],
    notes: `${MODEL_NOTE} A SmolLM2-135M-sized model takes about 1.5 min; results are cached per layer. docs/internals.md.`,
  },
  heads: {
    summary: 'attention heads as pairs of related words their queries and keys connect (METHODS.md §3)',
    synopsis: 'prompt-lens heads (--model M | --base M1 --tuned M2) [options]',
    options: [...INTERNALS, ['--top-words N', 'words taken per head dimension, by |Q| and by |K| (default 100)'], ...INTERNALS_OUTPUT],
    notes: `${MODEL_NOTE} With --base/--tuned: per layer group, the share of heads where the tuned model has more pairs with instruction verbs vs general verbs, and Welch's test. docs/internals.md.`,
  },
  demo: {
    summary: 'the bundled base and instruction-tuned demo models compared on held-out prompts, offline',
    synopsis: 'prompt-lens demo [options]',
    options: [
      ['--out FILE', 'the HTML report (default prompt-lens-demo.html)'],
      ['--method occlusion|gradient', 'the attribution method (default occlusion)'],
      ['--per-task N', 'held-out prompts per task (default 1)'],
    ],
  },
};

/** `prompt-lens help`: every command with all its options. */
export function overview(): string {
  const lines = [`prompt-lens ${TOOL_VERSION}: which prompt words a language model relies on`, ''];
  for (const help of Object.values(HELP)) {
    const flags = help.options.map(([flag]) => flag.split(' ')[0]).join(', ');
    lines.push(`  ${help.synopsis}`, `      ${help.summary}`, wrap('      options: ', flags, 8), '');
  }
  lines.push('Run "prompt-lens <command> --help" for what each option does.', MODEL_NOTE, '');
  return lines.join('\n');
}

/** `prompt-lens <command> --help`. */
export function commandHelp(name: string): string {
  const help = HELP[name];
  const options: Array<[string, string]> = [...help.options, ['--help', 'this text']];
  const width = Math.max(...options.map(([flag]) => flag.length));
  const lines = [`prompt-lens ${name}: ${help.summary}`, '', `  ${help.synopsis}`, ''];
  for (const [flag, text] of options) lines.push(wrap(`  ${flag.padEnd(width)}  `, text, width + 4));
  if (help.notes) lines.push('', help.notes);
  return lines.join('\n') + '\n';
}

/** `text` after `first`, broken into lines of at most `width` characters; later lines are indented by `indent`. */
function wrap(first: string, text: string, indent: number, width = 100): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > width && line.trim().length > 0 && !line.endsWith('  ')) {
      lines.push(line);
      line = ' '.repeat(indent);
    }
    line += line.endsWith(' ') ? word : ` ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}
