/**
 * Runs one prompt through the models of a run (no `vscode` import): each side's raw result from
 * the result cache or the engine worker, then L, b, p and the instruction spans applied by
 * rescoring. In same-response mode the source side generates first and the other explains its
 * response. Progress is reported per side; cancellation stops between and inside requests.
 */
import type { Analysis, Span } from '../engine/analysis.ts';
import type { Dtype, PrecisionSetting, Progress, Side, AttributionMethod, TemplateMode, Granularity, WorkerRequestType, WorkerResults } from '../protocol/index.ts';
import type { SameResponseMode } from '../engine/options.ts';
import { runKey } from '../shared/cacheKey.ts';
import type { ResultCache } from './resultCache.ts';
import type { ResolvedModel } from './modelRef.ts';
import { modelFingerprint } from './fingerprint.ts';
import { stageFraction, describeProgress, progressMessage } from './progressText.ts';
import { CancelledError, type RequestBody, type RequestOptions } from './workerClient.ts';

/** What the coordinator needs of the worker client. */
export interface WorkerApi {
  request<K extends WorkerRequestType>(body: Extract<RequestBody, { type: K }>, opts?: RequestOptions): Promise<WorkerResults[K]>;
}

/** The settings a run depends on (the extension's Settings has them all). */
export interface RunSettings {
  dtype: Dtype;
  precision: PrecisionSetting;
  method: AttributionMethod;
  template: TemplateMode;
  maxNewTokens: number;
  granularity: Granularity;
  levels: number;
  threshold: number;
  p: number;
  sameResponse: SameResponseMode;
}

export type ScoreParams = Pick<RunSettings, 'levels' | 'threshold' | 'p'>;

/** A cancellation token (vscode.CancellationToken is one). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): unknown;
}

/** Where progress goes (vscode.Progress is one): a message, and an increment of 100 in all. */
export interface ProgressSink {
  report(value: { message?: string; increment?: number }): void;
}

export interface RunPlan {
  prompt: string;
  system?: string;
  sides: Side[];
  models: Record<Side, ResolvedModel>;
  settings: RunSettings;
  /** The user's instruction marks (prompt-relative); none: the spans are detected. */
  markedSpans: Span[];
}

export type SideAnalyses = { base?: Analysis; tuned?: Analysis };

export type Logger = Pick<Console, 'info' | 'warn'>;

function sameSpans(a: readonly Span[], b: readonly Span[]): boolean {
  return JSON.stringify(a.map((x) => [x.start, x.end])) === JSON.stringify(b.map((x) => [x.start, x.end]));
}

/**
 * Does the analysis need rescoring for these L, b, p and instruction spans? Spans undefined:
 * only L, b and p are compared.
 */
export function needsRescore(a: Analysis, s: ScoreParams, spans: readonly Span[] | undefined): boolean {
  const same = a.settings.levels === s.levels && a.settings.threshold === s.threshold && a.settings.p === s.p
    && (spans === undefined || sameSpans(a.instructionSpans ?? [], spans));
  return !same;
}

export type SpansSource = NonNullable<Analysis['instructionSpansSource']>;

/** Where a run's instruction spans come from: the user's marks, else detection. */
export function spansSource(marked: readonly Span[]): SpansSource {
  return marked.length ? 'given' : 'detected';
}

/**
 * The analysis with its spans' source as the user sees it: the worker is sent the detected spans
 * too (detected once, in the worker), which the engine records as given.
 */
function withSpansSource(a: Analysis, source: SpansSource): Analysis {
  return a.instructionSpansSource === source ? a : { ...a, instructionSpansSource: source };
}

export class RunCoordinator {
  constructor(
    private readonly worker: WorkerApi,
    private readonly cache: ResultCache,
    private readonly log: Logger,
    private readonly fingerprint: (m: ResolvedModel) => Promise<string> = modelFingerprint,
  ) {}

  /** The result-cache key of one side's raw result. */
  async keyFor(prompt: { prompt: string; system?: string }, m: ResolvedModel, s: RunSettings, response?: string): Promise<string> {
    return runKey({
      prompt: prompt.prompt, system: prompt.system,
      model: { ref: m.ref, dtype: s.dtype, precision: s.precision, fingerprint: await this.fingerprint(m) },
      method: s.method, template: s.template, maxNewTokens: s.maxNewTokens, granularity: s.granularity, response,
    });
  }

  async run(plan: RunPlan, token: Cancellation, progress: ProgressSink): Promise<SideAnalyses> {
    const { sides, models, settings: s } = plan;
    // Same response: the source side generates; the other side explains that response.
    const source: Side | undefined = s.sameResponse !== 'none' && sides.length === 2 ? s.sameResponse : undefined;
    const order = source ? [source, ...sides.filter((x) => x !== source)] : sides;
    const spans = await this.instructionSpans(plan.prompt, plan.markedSpans, token);
    const out: SideAnalyses = {};
    const share = 100 / order.length;
    for (const side of order) {
      if (token.isCancellationRequested) throw new CancelledError();
      const m = models[side];
      const response = source && side !== source ? out[source]!.response : undefined;
      const key = await this.keyFor(plan, m, s, response);
      let a = this.cache.get(key);
      if (a) {
        this.log.info(`${side}: cached result ${key}`);
        progress.report({ message: progressMessage(m.label, 'cached', order.length), increment: share });
      } else {
        let done = 0;
        const onProgress = (p: Progress) => {
          const frac = stageFraction(p);
          if (frac > done) { progress.report({ increment: (frac - done) * share }); done = frac; }
          progress.report({ message: progressMessage(m.label, describeProgress(p), order.length) });
        };
        a = await this.worker.request({
          type: 'analyze', ref: m.ref, dtype: s.dtype, precision: s.precision,
          request: {
            prompt: plan.prompt, response, method: s.method, template: s.template, maxNewTokens: s.maxNewTokens,
            levels: s.levels, threshold: s.threshold, p: s.p, granularity: s.granularity,
            instructionSpans: spans.length ? spans : undefined,
            system: plan.system,
          },
        }, { onProgress, onCancel: (cancel) => token.onCancellationRequested(cancel) });
        this.cache.set(key, a);
        if (done < 1) progress.report({ increment: (1 - done) * share });
      }
      out[side] = await this.rescoreIfNeeded(a, s, spans, spansSource(plan.markedSpans));
    }
    return out;
  }

  /** The marked spans (with their text), else the detected ones (none when detection fails). */
  async instructionSpans(prompt: string, marked: readonly Span[], token?: Cancellation): Promise<Span[]> {
    if (marked.length) return marked.map((m) => ({ ...m, text: prompt.slice(m.start, m.end) }));
    try {
      return await this.worker.request({ type: 'detectSpans', prompt }, { onCancel: (c) => token?.onCancellationRequested(c) });
    } catch (e) {
      this.log.warn(`instruction-span detection failed: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }

  /** The analysis under these L, b, p and spans (from `source`; by default its own), rescored only if they differ. */
  async rescoreIfNeeded(a: Analysis, s: ScoreParams, spans: Span[], source = a.instructionSpansSource ?? 'given'): Promise<Analysis> {
    if (!needsRescore(a, s, spans)) return withSpansSource(a, source);
    const rescored = await this.worker.request({ type: 'rescore', analysis: a, settings: { levels: s.levels, threshold: s.threshold, p: s.p, instructionSpans: spans } });
    return withSpansSource(rescored, source);
  }

  /**
   * The cached results of a prompt that need no rescoring (so no worker), or undefined. In
   * same-response mode only the source side can be looked up (the other depends on its response).
   */
  async cached(prompt: { prompt: string; system?: string }, models: Record<Side, ResolvedModel>, s: RunSettings, marked: readonly Span[]): Promise<SideAnalyses | undefined> {
    const found: SideAnalyses = {};
    for (const side of ['base', 'tuned'] as Side[]) {
      if (s.sameResponse !== 'none' && side !== s.sameResponse) continue;
      const a = this.cache.get(await this.keyFor(prompt, models[side], s));
      if (a) found[side] = withSpansSource(a, spansSource(marked));
    }
    if (!found.base && !found.tuned) return undefined;
    const spans = marked.length ? marked : undefined;
    if ((found.base && needsRescore(found.base, s, spans)) || (found.tuned && needsRescore(found.tuned, s, spans))) return undefined;
    return found;
  }
}
