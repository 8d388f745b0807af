/**
 * One prompt, one model: tokenize (with or without the chat template), generate the response
 * (or take the given one), attribute every response token to every prompt token, score.
 */
import type { Analysis, AnalysisSettings, AttributionMethod, Granularity, PromptToken, Span, TemplateMode, WorkInfo } from './analysis.ts';
import { ANALYSIS_SCHEMA_VERSION } from './analysis.ts';
import { attributorFor } from './attribution/registry.ts';
import { env } from './env.ts';
import { EngineError, throwIfAborted } from './errors.ts';
import { generate } from './generate.ts';
import type { LoadedModel } from './models/load.ts';
import type { ProgressCallback } from './progress.ts';
import { scoreImportance } from './scoring.ts';
import { detectInstructionSpans } from './spans/index.ts';
import { mergeIntoUnits, sumRowsPerUnit } from './tokens/index.ts';
import { ANALYSIS_DEFAULTS, CONTRAST_KINDS, DEFAULT_CONTRAST_KIND, type ContrastKind } from './options.ts';
import { TOOL_VERSION } from './version.ts';

export interface AnalyzeRequest {
  prompt: string;
  /** A fixed response to explain (teacher forcing); otherwise the model's own continuation. */
  response?: string;
  /**
   * Contrastive attribution: explain "this response rather than that one". Step m compares the
   * response's m-th token with this text's m-th token, each under its own teacher-forced prefix,
   * so the two must have the same number of tokens.
   */
  contrastResponse?: string;
  /** What the contrast explains per step: log p_m(response) − log p_m(contrast) (default) or p_m(response) − p_m(contrast). */
  contrastKind?: ContrastKind;
  method?: AttributionMethod;
  template?: TemplateMode;
  maxNewTokens?: number;
  levels?: number;
  threshold?: number;
  p?: number;
  granularity?: Granularity;
  instructionSpans?: Span[];
  /** System message when a chat template is applied. */
  system?: string;
  temperature?: number;
  topP?: number;
  seed?: number;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export const DEFAULT_SETTINGS = ANALYSIS_DEFAULTS;

export async function analyze(model: LoadedModel, req: AnalyzeRequest, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const started = performance.now();
  const settings = resolveSettings(req);
  if (req.prompt.trim().length === 0) {
    throw new EngineError('empty-prompt', 'The prompt is empty.', 'Write or select some prompt text first.');
  }
  const encoded = await model.tokenizer.encodePrompt(req.prompt, { template: settings.template, system: req.system, signal: opts.signal });
  const promptIds = encoded.ids;
  const window = model.contextWindow;
  if (window !== undefined && promptIds.length >= window) {
    throw new EngineError('prompt-too-long', `The prompt is ${promptIds.length} tokens; ${model.info.ref} reads at most ${window}.`, 'Shorten the prompt or select a part of it.');
  }

  // The response: given (teacher forcing) or generated.
  const generateStart = performance.now();
  let responseIds: number[];
  if (req.response !== undefined) {
    responseIds = model.tokenizer.encodeResponse(req.response);
    if (responseIds.length === 0) throw new EngineError('empty-response', 'The given response is empty.', 'Give a non-empty response, or let the model generate one.');
  } else {
    const budget = window !== undefined ? Math.min(settings.maxNewTokens, window - promptIds.length) : settings.maxNewTokens;
    opts.onProgress?.({ stage: 'generate', done: 0, total: budget });
    responseIds = await generate(model.session, promptIds, {
      maxNewTokens: budget,
      eosTokenIds: model.tokenizer.eosTokenIds,
      temperature: req.temperature,
      topP: req.topP,
      seed: req.seed,
      signal: opts.signal,
      onToken: (n) => opts.onProgress?.({ stage: 'generate', done: n, total: budget }),
    });
    // An end-of-sequence token ends the response; it is not part of what is explained.
    if (responseIds.length > 1 && model.tokenizer.eosTokenIds.includes(responseIds[responseIds.length - 1])) responseIds.pop();
    if (responseIds.length === 0 || (responseIds.length === 1 && model.tokenizer.eosTokenIds.includes(responseIds[0]))) {
      throw new EngineError('empty-response', `${model.info.ref} ended its response at once (it generated only end-of-sequence).`, 'Give a response to explain with --response, or change the prompt or template setting.');
    }
  }
  if (window !== undefined && promptIds.length + responseIds.length - 1 > window) {
    throw new EngineError('response-too-long', `Prompt and response are ${promptIds.length + responseIds.length} tokens; ${model.info.ref} reads at most ${window}.`, 'Use a shorter response or prompt.');
  }
  const contrastKind = resolveContrastKind(req);
  const contrastIds = req.contrastResponse === undefined ? undefined : contrastTokens(model, req.contrastResponse, responseIds, promptIds.length);
  const generateMs = performance.now() - generateStart;
  throwIfAborted(opts.signal);

  // The units of the granularity; a per-unit method attributes them whole, the others per
  // token, their raw importance then summed per unit.
  const { units, groups } = mergeIntoUnits(encoded.tokens, req.prompt, settings.granularity);
  const attributeStart = performance.now();
  const attributor = attributorFor(settings.method);
  const attributeResponse = (ids: number[], part: number, parts: number) => attributor.attribute({
    session: model.session,
    promptIds,
    responseIds: ids,
    units: groups,
    ...(contrastIds ? { target: contrastKind } : {}),
    batchSize: env.attributionBatchSize,
    signal: opts.signal,
    onProgress: (done, total) => opts.onProgress?.({ stage: 'attribute', done: part * total + done, total: parts * total }),
  });
  const parts = contrastIds ? 2 : 1;
  const result = await attributeResponse(responseIds, 0, parts);
  // Every method is linear in the explained quantity, so the attribution of
  // log p_m(response) − log p_m(contrast) (or of p_m − p_m) is the difference of the two attributions.
  const contrast = contrastIds ? await attributeResponse(contrastIds, 1, parts) : undefined;
  const attributeMs = performance.now() - attributeStart;

  const promptTokens: PromptToken[] = units;
  const perUnit = (rows: number[][]) => (attributor.perUnit ? rows : sumRowsPerUnit(rows, groups));
  const importance = contrast
    ? perUnit(result.importance.map((row, n) => row.map((v, m) => v - contrast.importance[n][m])))
    : perUnit(result.importance);

  // Instruction spans: the user's, or else detected in the prompt text.
  const spansSource = req.instructionSpans !== undefined ? 'given' : 'detected';
  const spans = req.instructionSpans ?? detectInstructionSpans(req.prompt);
  const scores = scoreImportance(importance, promptTokens, settings, spans, req.prompt);
  const responseTexts = model.tokenizer.tokenTexts(responseIds);
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    tool: { name: 'prompt-lens', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    model: model.info,
    settings,
    prompt: req.prompt,
    ...(req.system !== undefined ? { system: req.system } : {}),
    modelInput: encoded.modelInput,
    response: model.tokenizer.decode(responseIds),
    promptTokens,
    responseTokens: responseIds.map((id, m) => ({ id, text: responseTexts[m], ...(model.tokenizer.isSpecial(id) ? { special: true } : {}) })),
    importance,
    ...scores,
    instructionSpansSource: spansSource,
    responseProbabilities: result.responseProbabilities,
    ...(contrast && contrastIds && req.contrastResponse !== undefined
      ? { contrast: { kind: contrastKind, response: req.contrastResponse, responseTokens: model.tokenizer.tokenTexts(contrastIds).map((text, m) => ({ id: contrastIds[m], text })), responseProbabilities: contrast.responseProbabilities } }
      : {}),
    parity: model.parity,
    work: contrast ? addWork(result.work, contrast.work) : result.work,
    timings: { loadMs: model.loadMs, generateMs, attributeMs, totalMs: performance.now() - started },
  };
}

/** The contrast response's tokens: as many as the response's, and within the model's window. */
function contrastTokens(model: LoadedModel, text: string, responseIds: number[], promptLength: number): number[] {
  const ids = model.tokenizer.encodeResponse(text);
  if (ids.length === 0) throw new EngineError('empty-response', 'The contrast response is empty.', 'Give the alternative reply to compare with, or leave out the contrast.');
  if (ids.length !== responseIds.length) {
    throw new EngineError('bad-argument', `The contrast response is ${ids.length} tokens and the response ${responseIds.length}; contrastive attribution compares them token by token.`, 'Give a contrast with the same number of tokens (e.g. change only the differing words), and the response to explain with --response.');
  }
  const window = model.contextWindow;
  if (window !== undefined && promptLength + ids.length - 1 > window) {
    throw new EngineError('response-too-long', `Prompt and contrast response are ${promptLength + ids.length} tokens; ${model.info.ref} reads at most ${window}.`, 'Use a shorter contrast or prompt.');
  }
  return ids;
}

function resolveContrastKind(req: AnalyzeRequest): ContrastKind {
  const kind = req.contrastKind ?? DEFAULT_CONTRAST_KIND;
  if (!(CONTRAST_KINDS as readonly string[]).includes(kind)) throw new EngineError('bad-argument', `Unknown contrast kind "${String(kind)}".`, `Use one of: ${CONTRAST_KINDS.join(', ')}.`);
  return kind;
}

function addWork(a: WorkInfo, b: WorkInfo): WorkInfo {
  return { positionsProcessed: a.positionsProcessed + b.positionsProcessed, forwardPasses: a.forwardPasses + b.forwardPasses, positionsWithoutCacheReuse: a.positionsWithoutCacheReuse + b.positionsWithoutCacheReuse, batchSize: a.batchSize };
}

function resolveSettings(req: AnalyzeRequest): AnalysisSettings {
  const s: AnalysisSettings = {
    method: req.method ?? DEFAULT_SETTINGS.method,
    template: req.template ?? DEFAULT_SETTINGS.template,
    granularity: req.granularity ?? DEFAULT_SETTINGS.granularity,
    maxNewTokens: req.maxNewTokens ?? DEFAULT_SETTINGS.maxNewTokens,
    levels: req.levels ?? DEFAULT_SETTINGS.levels,
    threshold: req.threshold ?? DEFAULT_SETTINGS.threshold,
    p: req.p ?? DEFAULT_SETTINGS.p,
    responseSource: req.response !== undefined ? 'given' : 'generated',
  };
  if (req.temperature !== undefined) s.temperature = req.temperature;
  if (req.topP !== undefined) s.topP = req.topP;
  if (req.seed !== undefined) s.seed = req.seed;
  if (!Number.isInteger(s.levels) || s.levels < 1) throw new EngineError('bad-argument', `levels must be a positive integer, not ${s.levels}.`, 'The paper uses 10.');
  if (!Number.isInteger(s.threshold) || s.threshold < 0 || s.threshold >= s.levels) throw new EngineError('bad-argument', `threshold must be an integer in [0, levels), not ${s.threshold}.`, 'Use 0 for pictures and 7 for statistics (with 10 levels).');
  if (!(s.p > 1)) throw new EngineError('bad-argument', `p must be greater than 1, not ${s.p}.`, 'The paper uses 4.');
  if (!Number.isInteger(s.maxNewTokens) || s.maxNewTokens < 1) throw new EngineError('bad-argument', `max new tokens must be a positive integer, not ${s.maxNewTokens}.`, 'Try 64.');
  return s;
}
