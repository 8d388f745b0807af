/**
 * Result-cache keys (pure; no `vscode` import). A run is identified by everything that changes
 * the raw importance: the prompt (and system role), the model (reference, folder, dtype, precision and a
 * fingerprint of its files), method, template, response source, max new tokens and granularity.
 * L, b, p and the instruction spans are NOT part of the key: they are applied by rescoring.
 */
import { createHash } from 'node:crypto';

export interface RunKeyParts {
  prompt: string;
  system?: string;
  model: { ref: string; dtype: string; precision?: string; fingerprint?: string };
  method: string;
  template: string;
  maxNewTokens: number;
  granularity: string;
  /** A given response (same-response mode), or undefined for the model's own generation. */
  response?: string;
}

/** Stable JSON: keys sorted, undefined dropped. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

export function runKey(parts: RunKeyParts): string {
  return createHash('sha256').update(stableStringify({ v: 1, ...parts })).digest('hex').slice(0, 32);
}
