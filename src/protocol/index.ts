/**
 * The one message protocol of Prompt Lens' UI side:
 *  - extension host ↔ engine worker (worker_threads), and
 *  - extension host ↔ comparison panel (webview).
 * Plain data only (structured-clone / JSON safe). No `vscode` import, no engine runtime import.
 */
import type { Analysis, ScoreSettings, Span, AttributionMethod, TemplateMode, Granularity } from '../engine/analysis.ts';

import type { SettingsDtype, PrecisionOption, SameResponseMode } from '../engine/options.ts';
import type { HighlightColors } from '../shared/highlightColors.ts';

export type { Analysis, ScoreSettings, Span, AttributionMethod, TemplateMode, Granularity };

/** The exports the extension loads (its `promptLens.dtype` setting). */
export type Dtype = SettingsDtype;
/** The float type attribution computes in ('auto': float64 when the model allows, see the engine's graph/float64.ts). */
export type PrecisionSetting = PrecisionOption;

export type { Progress } from '../engine/progress.ts';
export type { AnalyzeRequest } from '../engine/analyze.ts';
export type { EngineErrorCode } from '../engine/errors.ts';
import type { Progress } from '../engine/progress.ts';
import type { AnalyzeRequest } from '../engine/analyze.ts';
import type { EngineErrorCode } from '../engine/errors.ts';
import type { InternalsView } from '../engine/internals/view.ts';
export type { InternalsView };

export interface ErrorInfo {
  /** The EngineError's code ('cancelled', 'offline', ...), or 'internal' for anything else. */
  code: EngineErrorCode | 'internal';
  message: string;
  hint: string;
  stack?: string;
}

export interface ModelSummary {
  ref: string;
  path: string;
  architecture: string;
  dtype: string;
}

// ───────────── extension → worker ─────────────
export interface WorkerInit {
  type: 'init';
  cacheDir?: string;
  allowRemoteModels: boolean;
  maxLoadedModels: number;
}
export interface WorkerLoad { type: 'load'; id: number; ref: string; dtype: Dtype; precision: PrecisionSetting }
export interface WorkerAnalyze { type: 'analyze'; id: number; ref: string; dtype: Dtype; precision: PrecisionSetting; request: AnalyzeRequest }
export interface WorkerRescore { type: 'rescore'; id: number; analysis: Analysis; settings: Partial<ScoreSettings> & { instructionSpans?: Span[] } }
export interface WorkerDetectSpans { type: 'detectSpans'; id: number; prompt: string }
export interface WorkerReport { type: 'report'; id: number; analyses: Analysis[] }
export interface WorkerUnload { type: 'unload'; id: number; ref?: string }
export interface WorkerCancel { type: 'cancel'; id: number }
/** The global analyses of a base/tuned pair (feed-forward concepts and head word pairs), as the "Model internals" view. */
export interface WorkerInternals { type: 'internals'; id: number; base: string; tuned: string; dtype: Dtype }

export type ToWorker = WorkerInit | WorkerLoad | WorkerAnalyze | WorkerRescore | WorkerDetectSpans | WorkerReport | WorkerUnload | WorkerCancel | WorkerInternals;
export type WorkerRequest = Exclude<ToWorker, WorkerInit | WorkerCancel>;
export type WorkerRequestType = WorkerRequest['type'];
/** The request of one type. */
export type WorkerRequestOf<K extends WorkerRequestType> = Extract<WorkerRequest, { type: K }>;

/** What each request resolves to. */
export interface WorkerResults {
  load: ModelSummary;
  analyze: Analysis;
  rescore: Analysis;
  detectSpans: Span[];
  report: string;
  unload: null;
  internals: InternalsView;
}

/** The worker's answer to each request type, typed by it. */
export type WorkerHandlers = { [K in WorkerRequestType]: (req: WorkerRequestOf<K>, signal: AbortSignal) => Promise<WorkerResults[K]> };

// ───────────── worker → extension ─────────────
export type FromWorker =
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'result'; id: number; value: WorkerResults[WorkerRequestType] }
  | { type: 'error'; id: number; error: ErrorInfo }
  | { type: 'modelState'; ref: string; dtype: Dtype; state: ModelState; message?: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type ModelState = 'idle' | 'downloading' | 'loading' | 'ready' | 'running' | 'error' | 'unloaded';

// ───────────── extension ↔ webview (comparison panel) ─────────────
export type Side = 'base' | 'tuned';

export interface PanelControls {
  method: AttributionMethod;
  levels: number;
  threshold: number;
  p: number;
  template: TemplateMode;
  /** 'none': each model explains its own response; else both explain this side's response. */
  sameResponse: SameResponseMode;
  granularity: Granularity;
}

export interface PanelModel {
  side: Side;
  label: string;
  analysis: Analysis;
  /** Mean â inside / outside the instruction spans (null when there is no span or no token). */
  meanInside: number | null;
  meanOutside: number | null;
  /** METHODS.md §1.6: mean â in 10 bins of n/(N−1); null for prompts under 10 tokens. */
  profile: number[] | null;
}

export interface PanelState {
  /** Bumped when the shape changes; old states are ignored. */
  version: 1;
  documentUri?: string;
  title: string;
  controls: PanelControls;
  /** The user's highlight colours (`promptLens.colors`), as the editor uses them. */
  colors: HighlightColors;
  models: PanelModel[];
  /** Set while a run is in progress. */
  busy?: string;
  error?: string;
  stale?: boolean;
  /** A prompt line to scroll the per-line summary to (a rule lens was clicked); `at` tells clicks apart. */
  focus?: { line: number; at: number };
  /** "Why this reply rather than that one", once asked for (src/extension/contrastRun.ts). */
  contrast?: PanelContrast;
}

/** What the tuned model's reply is explained against: the base model's reply, or one the user typed. */
export type ContrastAgainst = 'base' | 'typed';

/**
 * Contrastive attribution in the panel: the tuned model explains log p(its reply's token) − log p(the
 * alternative's token) at each step (the analysis' `contrast.kind`); `values` are each prompt unit's importance for that
 * difference summed over the steps (positive: toward the tuned reply, negative: toward the alternative).
 */
export interface PanelContrast {
  against: ContrastAgainst;
  /** The alternative reply. */
  alternative: string;
  /** The tuned model's label. */
  label: string;
  /** Set while the run is under way. */
  busy?: boolean;
  /** The engine's message (and hint) when the run failed. */
  error?: string;
  /** The engine's contrastive Analysis (its `contrast` field set). */
  analysis?: Analysis;
  /** Per prompt unit: Σ_m importance[n][m] of the contrastive analysis. */
  values?: number[];
}

export type ToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'busy'; message: string | null };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rescore'; controls: PanelControls }
  | { type: 'rerun'; controls: PanelControls }
  | { type: 'export'; format: 'html' | 'json' }
  | { type: 'reveal'; side: Side; token: number }
  /** Explain the tuned model's reply against the base model's, or against `text`. */
  | { type: 'contrast'; against: ContrastAgainst; text?: string };

export const PANEL_VIEW_TYPE = 'promptLens.compare';
