/**
 * "Why this reply rather than that one" for the comparison panel (no `vscode` import): the tuned
 * model explains log p(its reply's token) − log p(the alternative's token) at each step (the
 * engine's contrastive attribution, `contrastResponse`, of its default kind), on the same prompt and
 * settings as its analysis.
 * The alternative is the base model's reply or one the user typed.
 */
import type { Analysis } from '../engine/analysis.ts';
import type { AnalyzeRequest, ContrastAgainst, Dtype, PanelContrast, PrecisionSetting } from '../protocol/index.ts';
import type { WorkerApi } from './runCoordinator.ts';

/** The engine request: the tuned analysis' prompt, reply and settings, against `alternative`. */
export function contrastRequest(tuned: Analysis, alternative: string): AnalyzeRequest {
  const s = tuned.settings;
  return {
    prompt: tuned.prompt,
    ...(tuned.system !== undefined ? { system: tuned.system } : {}),
    response: tuned.response,
    contrastResponse: alternative,
    method: s.method,
    template: s.template,
    granularity: s.granularity,
    levels: s.levels,
    threshold: s.threshold,
    p: s.p,
    // Marked spans stay the user's; detected ones are detected again from the same prompt.
    ...(tuned.instructionSpansSource === 'given' && tuned.instructionSpans ? { instructionSpans: tuned.instructionSpans } : {}),
  };
}

/**
 * Each prompt unit's share of the contrast: its importance for log p(reply token) − log p(alternative
 * token) (or p − p: `contrast.kind`), summed over the reply's steps. Positive: the unit pushes toward the tuned reply.
 */
export function contrastValues(a: Analysis): number[] {
  return a.importance.map((row) => row.reduce((sum, v) => sum + v, 0));
}

/** The alternative reply to compare with: the base model's, or the typed text. */
export function alternativeReply(against: ContrastAgainst, base: Analysis | undefined, text: string | undefined): string | undefined {
  return against === 'base' ? base?.response : text;
}

export interface ContrastRunSettings {
  dtype: Dtype;
  precision: PrecisionSetting;
}

/** Run the contrast on the tuned model; a failure comes back as the panel's error line (the engine's message and hint). */
export async function runContrast(worker: WorkerApi, tuned: Analysis, label: string, against: ContrastAgainst, alternative: string, s: ContrastRunSettings): Promise<PanelContrast> {
  const shown: PanelContrast = { against, alternative, label };
  try {
    const analysis = await worker.request({ type: 'analyze', ref: tuned.model.ref, dtype: s.dtype, precision: s.precision, request: contrastRequest(tuned, alternative) });
    return { ...shown, analysis, values: contrastValues(analysis) };
  } catch (e) {
    const info = e as { message?: string; hint?: string };
    return { ...shown, error: [info.message ?? String(e), info.hint].filter(Boolean).join(' ') };
  }
}

/** The panel's contrast, kept with the document and the tuned analysis (prompt and reply) it was asked for. */
export interface HeldContrast {
  uri: string;
  prompt: string;
  response: string;
  shown: PanelContrast;
}

export function holdContrast(uri: string, tuned: Analysis, shown: PanelContrast): HeldContrast {
  return { uri, prompt: tuned.prompt, response: tuned.response, shown };
}

/** The held contrast if it still belongs to this document's tuned analysis (a re-run with another reply drops it). */
export function contrastFor(held: HeldContrast | undefined, uri: string, tuned: Analysis | undefined): PanelContrast | undefined {
  return held && tuned && held.uri === uri && held.prompt === tuned.prompt && held.response === tuned.response ? held.shown : undefined;
}
