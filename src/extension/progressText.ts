/** Progress read-outs (pure; no `vscode` import). */
import type { Progress } from '../protocol/index.ts';

/** Fraction of one model's run done, from the engine's stage and counters. */
export function stageFraction(p: Progress): number {
  const f = p.total ? Math.min(1, (p.done ?? 0) / p.total) : 0;
  switch (p.stage) {
    case 'download': return 0.2 * f;
    case 'prepare': return 0.2 + 0.05 * f;
    case 'load': return 0.25;
    case 'generate': return 0.25 + 0.15 * f;
    case 'attribute': return 0.4 + 0.6 * f;
    case 'weights': return f;
  }
}

export function describeProgress(p: Progress): string {
  const n = p.total ? ` ${p.done ?? 0}/${p.total}` : '';
  return `${p.stage}${n}${p.message ? ` — ${p.message}` : ''}`;
}

/**
 * The progress line of one model's run. With one model the notification's title already names it
 * ("analyzing with demo-instruct"), so only a comparison prefixes each line with the model.
 */
export function progressMessage(label: string, text: string, models: number): string {
  return models > 1 ? `${label}: ${text}` : text;
}
