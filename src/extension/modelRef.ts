/**
 * Model references as users write them in settings (pure; no `vscode` import):
 * - `bundled:demo-base`, `bundled:demo-instruct`: the demo pair shipped in the extension's `models/`;
 * - a folder: absolute, `~/…`, `${workspaceFolder}/…` or relative to the workspace folder;
 * - a Hugging Face Hub id `org/name` (downloaded on first use, after asking).
 */
import path from 'node:path';
import os from 'node:os';
import { HUB_ID_PATTERN } from '../engine/options.ts';

export const BUNDLED_BASE = 'bundled:demo-base';
export const BUNDLED_TUNED = 'bundled:demo-instruct';
export const HUB_BASE = 'HuggingFaceTB/SmolLM-135M';
export const HUB_TUNED = 'HuggingFaceTB/SmolLM-135M-Instruct';

export type ModelRefKind = 'bundled' | 'local' | 'hub';

export interface ResolvedModel {
  /** What the setting says. */
  setting: string;
  kind: ModelRefKind;
  /** What the engine gets: an absolute folder or a Hub id. */
  ref: string;
  /** Short name for the status bar and the panel. */
  label: string;
}

export function isHubId(s: string): boolean {
  return HUB_ID_PATTERN.test(s) && !s.startsWith('.') && !s.includes('..');
}

export interface ResolveContext {
  extensionPath: string;
  workspaceFolder?: string;
  /** Does this absolute path exist (as a folder)? */
  exists: (p: string) => boolean;
}

export function resolveModelRef(setting: string, ctx: ResolveContext): ResolvedModel {
  const s = setting.trim();
  if (s.startsWith('bundled:')) {
    const name = s.slice('bundled:'.length).replace(/[^\w.-]/g, '');
    return { setting: s, kind: 'bundled', ref: path.join(ctx.extensionPath, 'models', name), label: name };
  }
  if (s.startsWith('hf:') && isHubId(s.slice(3))) {
    // An explicit Hub id, even where a workspace folder of the same name exists (the engine knows the prefix).
    return { setting: s, kind: 'hub', ref: s, label: s.split('/')[1] };
  }
  let p = s;
  if (p.startsWith('~/') || p === '~') p = path.join(os.homedir(), p.slice(1));
  if (ctx.workspaceFolder) p = p.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
  if (!path.isAbsolute(p) && ctx.workspaceFolder && (!isHubId(p) || ctx.exists(path.join(ctx.workspaceFolder, p)))) {
    p = path.join(ctx.workspaceFolder, p);
  }
  if (path.isAbsolute(p)) return { setting: s, kind: 'local', ref: p, label: path.basename(p) };
  if (isHubId(p)) return { setting: s, kind: 'hub', ref: p, label: p.split('/')[1] };
  // Neither a folder nor a Hub id: hand it to the engine, whose error names the problem.
  return { setting: s, kind: 'local', ref: p, label: p };
}
