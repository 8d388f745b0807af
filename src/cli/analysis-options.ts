/**
 * The options `analyze`, `compare` and `dataset` share, parsed into an AnalyzeRequest. Every
 * value is checked here, before any model loads (the engine checks again, for its other callers).
 */
import type { ParseArgsConfig } from 'node:util';
import { ATTRIBUTION_METHODS, CONTRAST_KINDS, DEFAULTS, DTYPES, env, GRADIENT_MODES, GRANULARITIES, PRECISION_OPTIONS, TEMPLATE_MODES, type AnalyzeRequest, type Dtype, type LoadOptions, type Span } from '../engine/index.ts';
import { checkOutputFile } from './output.ts';
import type { Values } from './parse-options.ts';
import { readTextFile } from './read-text-file.ts';
import { UsageError } from './run-guard.ts';

export type { Values } from './parse-options.ts';

/** How a response is made, explained and scored, and how the model loads: the settings of every analysis (and of a dataset run). */
export const ANALYSIS_SETTINGS = {
  response: { type: 'string' },
  'response-file': { type: 'string' },
  method: { type: 'string', default: DEFAULTS.cli.method },
  template: { type: 'string', default: DEFAULTS.cli.template },
  'max-new-tokens': { type: 'string', default: String(DEFAULTS.cli.maxNewTokens) },
  levels: { type: 'string', default: String(DEFAULTS.cli.levels) },
  threshold: { type: 'string', default: String(DEFAULTS.cli.threshold) },
  p: { type: 'string', default: String(DEFAULTS.cli.p) },
  granularity: { type: 'string', default: DEFAULTS.cli.granularity },
  dtype: { type: 'string', default: DEFAULTS.cli.dtype },
  precision: { type: 'string', default: env.precision },
  gradient: { type: 'string', default: env.gradientMode },
  system: { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
} satisfies ParseArgsConfig['options'];

/** The options of `analyze` and `compare`: one prompt, its instruction, the settings, and where the results go. */
export const ANALYSIS_OPTIONS = {
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  instruction: { type: 'string', multiple: true },
  'contrast-response': { type: 'string' },
  'contrast-response-file': { type: 'string' },
  'contrast-kind': { type: 'string' },
  ...ANALYSIS_SETTINGS,
  json: { type: 'string' },
  html: { type: 'string' },
  'no-color': { type: 'boolean', default: false },
} satisfies ParseArgsConfig['options'];

export function readPromptOption(values: Values): string {
  const prompt = textOrFile(values, 'prompt');
  if (prompt === undefined) throw new UsageError('give the prompt with --prompt TEXT or --prompt-file FILE');
  if (prompt.trim().length === 0) {
    const where = values['prompt-file'] !== undefined ? `--prompt-file ${String(values['prompt-file'])} holds` : '--prompt has';
    throw new UsageError(`the prompt is empty: ${where} no text but white space`, 'give the text to analyze with --prompt TEXT or --prompt-file FILE');
  }
  return prompt;
}

export function readResponseOption(values: Values): string | undefined {
  const response = textOrFile(values, 'response');
  if (response === '') throw new UsageError('the given response is empty', 'give the text to explain with --response or --response-file, or leave both out to let the model generate the response');
  return response;
}

/** --json and --html must name files that can be written: checked before any model loads. */
export function checkOutputOptions(values: Values): void {
  if (typeof values.json === 'string') checkOutputFile(values.json, '--json', 'analysis.json');
  if (typeof values.html === 'string') checkOutputFile(values.html, '--html', 'report.html');
}

function textOrFile(values: Values, name: string): string | undefined {
  const text = values[name] as string | undefined;
  const file = values[`${name}-file`] as string | undefined;
  if (text !== undefined && file !== undefined) throw new UsageError(`give either --${name} or --${name}-file, not both`);
  if (file === undefined) return text;
  return readTextFile(file, `--${name}-file`);
}

export function analyzeRequestFrom(values: Values, prompt: string): AnalyzeRequest {
  const maxNewTokens = integer(values['max-new-tokens'] as string, 'max-new-tokens');
  if (maxNewTokens < 1) throw new UsageError(`--max-new-tokens must be at least 1, not ${maxNewTokens}`, 'give the longest response to generate in tokens, e.g. --max-new-tokens 64');
  const { levels, threshold, p } = scoreSettingsFrom(values);
  const req: AnalyzeRequest = {
    prompt,
    response: readResponseOption(values),
    method: oneOf(values.method as string, ATTRIBUTION_METHODS, 'method'),
    template: oneOf(values.template as string, TEMPLATE_MODES, 'template'),
    granularity: oneOf(values.granularity as string, GRANULARITIES, 'granularity'),
    maxNewTokens,
    levels,
    threshold,
    p,
    instructionSpans: parseSpans((values.instruction as string[] | undefined) ?? [], prompt),
  };
  const contrast = textOrFile(values, 'contrast-response');
  if (contrast === '') throw new UsageError('the contrast response is empty', 'give the alternative reply with --contrast-response or --contrast-response-file, or leave both out');
  if (contrast !== undefined) req.contrastResponse = contrast;
  if (values['contrast-kind'] !== undefined) {
    if (contrast === undefined) throw new UsageError('--contrast-kind needs a contrast response', 'give the alternative reply with --contrast-response or --contrast-response-file, or leave out --contrast-kind');
    req.contrastKind = oneOf(values['contrast-kind'] as string, CONTRAST_KINDS, 'contrast-kind');
  }
  if (values.system !== undefined) req.system = values.system as string;
  if (values.temperature !== undefined) req.temperature = number(values.temperature as string, 'temperature');
  if (values['top-p'] !== undefined) req.topP = number(values['top-p'] as string, 'top-p');
  if (values.seed !== undefined) req.seed = integer(values.seed as string, 'seed');
  return req;
}

/** --levels, --threshold and --p (L, b, p of METHODS.md), checked. */
export function scoreSettingsFrom(values: Values): { levels: number; threshold: number; p: number } {
  const levels = integer(values.levels as string, 'levels');
  if (levels < 1) throw new UsageError(`--levels must be at least 1, not ${levels}`, 'the paper uses --levels 10');
  const threshold = integer(values.threshold as string, 'threshold');
  if (threshold < 0 || threshold >= levels) {
    throw new UsageError(`--threshold must be an integer in [0, levels) = [0, ${levels}), not ${threshold}`, `give a threshold from 0 to ${levels - 1} (0 for pictures, 7 for statistics with --levels 10), or raise --levels`);
  }
  const p = number(values.p as string, 'p');
  if (!(p > 1)) throw new UsageError(`--p must be greater than 1, not ${p}`, 'the paper uses --p 4');
  return { levels, threshold, p };
}

/**
 * How to load each model: the ONNX export (--dtype) and the float type to compute in (--precision).
 * Also sets how the gradient method differentiates (--gradient, an engine-wide setting).
 */
export function loadOptionsFrom(values: Values): Pick<LoadOptions, 'dtype' | 'precision'> {
  env.gradientMode = oneOf(values.gradient as string, GRADIENT_MODES, 'gradient');
  return {
    dtype: oneOf(values.dtype as string, ['auto', ...DTYPES] as const, 'dtype') as Dtype | 'auto',
    precision: oneOf(values.precision as string, PRECISION_OPTIONS, 'precision'),
  };
}

export function parseSpans(specs: string[], prompt: string): Span[] | undefined {
  if (specs.length === 0) return undefined;
  return specs.map((spec) => {
    const match = /^(\d+):(\d+)$/.exec(spec);
    if (!match) throw new UsageError(`--instruction takes START:END character offsets, not "${spec}"`, 'give the offsets of the instruction in the prompt, e.g. --instruction 0:35');
    const start = Number(match[1]);
    const end = Number(match[2]);
    if (start > end) throw new UsageError(`--instruction ${spec} is reversed: its start ${start} is after its end ${end}`, `write --instruction ${end}:${start}`);
    if (start === end) throw new UsageError(`--instruction ${spec} is empty: it starts and ends at ${start}`, 'give START:END with END after START (END is exclusive)');
    if (end > prompt.length) throw new UsageError(`--instruction ${spec} is not inside the prompt: it ends at ${end}, after the prompt's ${prompt.length} characters`, `give offsets from 0 to ${prompt.length}`);
    return { start, end, text: prompt.slice(start, end) };
  });
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

function integer(value: string, name: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, not "${value}"`);
  return n;
}

function number(value: string, name: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not "${value}"`);
  return n;
}
