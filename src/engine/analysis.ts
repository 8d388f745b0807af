/**
 * The Analysis record: produced once by the engine, rendered by every view
 * (terminal, HTML report, editor decorations, comparison panel, dataset statistics).
 * Its JSON form is versioned; the schema lives in `schema/analysis.schema.json`.
 */

export const ANALYSIS_SCHEMA_VERSION = 1;

export type { AttributionMethod, TemplateMode, Granularity } from './options.ts';
import type { AttributionMethod, ContrastKind, TemplateMode, Granularity } from './options.ts';
/** The float type attribution is asked to compute in (a float64 copy, or the export's own). */
export type Precision = 'float32' | 'float64';
/** The float type a graph actually computes in ('float16' only in analyses of fp16 exports made before they were widened to float32). */
export type ComputePrecision = 'float16' | 'float32' | 'float64';

/** A prompt token (or merged word) with its place in the user's text. */
export interface PromptToken {
  text: string;
  /** `[start, end)` in the user's prompt text, JavaScript string (UTF-16) units. */
  start: number;
  end: number;
  /** True for BOS, chat-template and other tokens that are not the user's text. */
  special: boolean;
}

export interface ResponseToken {
  text: string;
  id?: number;
  /** A special token (e.g. a chat-template marker the model generated); absent when not. */
  special?: boolean;
}

/** A character span of the prompt, JavaScript string units. */
export interface Span {
  start: number;
  end: number;
  text?: string;
}

export interface ScoreSettings {
  /** L: number of quantization levels (METHODS.md §1.3). */
  levels: number;
  /** b: entries at or below this level are dropped (0 for pictures, 7 for statistics). */
  threshold: number;
  /** p: the norm in the density ratio ‖S‖₁ / ‖S‖_p (METHODS.md §1.4). */
  p: number;
}

export interface AnalysisSettings extends ScoreSettings {
  method: AttributionMethod;
  template: TemplateMode;
  granularity: Granularity;
  maxNewTokens: number;
  /** Where the response came from: the model's own generation, or a given text. */
  responseSource: 'generated' | 'given';
  temperature?: number;
  topP?: number;
  seed?: number;
}

export interface ModelInfo {
  /** What the user named: a local folder or a Hub id. */
  ref: string;
  /** The folder the files were read from. */
  path: string;
  architecture: string;
  dtype: string;
  /** sha256 of each file that decided the result, by path relative to `path`. */
  fileHashes: Record<string, string>;
  numParameters?: number;
  /** The float type the attribution was computed in (see graph/float64.ts). */
  precision?: ComputePrecision;
  /** Why float64 was not used, when the precision was left to 'auto'. */
  precisionNote?: string;
}

export interface ParityInfo {
  /** max |logits(prepared graph) − logits(original graph)| over a probe input. */
  maxAbsLogitDiff: number;
  probeTokens: number;
}

export interface WorkInfo {
  /** Token positions processed by forward passes during attribution. */
  positionsProcessed: number;
  forwardPasses: number;
  /** Positions a naive method without prefix-cache reuse would process. */
  positionsWithoutCacheReuse: number;
  batchSize: number;
}

export interface Timings {
  loadMs: number;
  generateMs: number;
  attributeMs: number;
  totalMs: number;
}

export interface Analysis {
  schemaVersion: number;
  tool: { name: 'prompt-lens'; version: string };
  createdAt: string;
  model: ModelInfo;
  settings: AnalysisSettings;
  /** The user's prompt text, exactly as given; offsets refer to it. */
  prompt: string;
  /** The system message given with it (used when a chat template is applied); absent when none. */
  system?: string;
  /** The text the model saw after applying the chat template (equal to prompt when none). */
  modelInput: string;
  response: string;
  promptTokens: PromptToken[];
  responseTokens: ResponseToken[];
  /** Raw importance I, rows = prompt tokens, columns = response tokens. */
  importance: number[][];
  /** S (METHODS.md §1.3) with the settings' L and b; special rows are zero. */
  normalized: number[][];
  /** a_n (METHODS.md §1.4). */
  density: number[];
  /** â_n = a_n / max a. */
  densityNormalized: number[];
  instructionSpans?: Span[];
  /** Where the spans came from: the user (CLI, editor marks, dataset) or automatic detection. */
  instructionSpansSource?: 'given' | 'detected';
  /** Per prompt token: 1 inside an instruction span, else 0. */
  instructionMask?: number[];
  /** METHODS.md §1.5, with the settings' L, b, p. */
  instructionScore?: number;
  /** p_m for every response token under the unperturbed input. */
  responseProbabilities: number[];
  /**
   * Contrastive attribution ("this response rather than that one"): importance then explains
   * log p_m(response) − log p_m(contrast) (kind 'log-probability') or p_m(response) − p_m(contrast)
   * (kind 'probability', Inseq's contrast_prob_diff), step m comparing the m-th tokens, each under
   * its own teacher-forced prefix. Absent for an ordinary analysis.
   */
  contrast?: { kind: ContrastKind; response: string; responseTokens: ResponseToken[]; responseProbabilities: number[] };
  parity: ParityInfo;
  work: WorkInfo;
  timings: Timings;
  /** Set by `prompt-lens dataset`: which record of the data set, and which model of the pair. */
  dataset?: { id: string; source: string; followed?: boolean; role: 'base' | 'tuned' };
}
