/**
 * Settings (`promptLens.*`). In untrusted workspaces, model locations are never taken from
 * workspace settings (they could point the extension at arbitrary files): only user settings
 * and defaults count. The manifest also lists them as restricted configurations.
 */
import * as vscode from 'vscode';
import type { Dtype, AttributionMethod, TemplateMode, Granularity, PrecisionSetting } from '../protocol/index.ts';
import type { HighlightMode } from './highlights.ts';
import { DEFAULT_COLORS, type HighlightColors } from './colors.ts';
import { HUB_BASE, HUB_TUNED } from './modelRef.ts';

export interface Settings {
  baseModel: string;
  tunedModel: string;
  askBeforeDownload: boolean;
  dtype: Dtype;
  precision: PrecisionSetting;
  method: AttributionMethod;
  maxNewTokens: number;
  template: TemplateMode;
  levels: number;
  threshold: number;
  p: number;
  granularity: Granularity;
  highlight: HighlightMode;
  sameResponse: 'none' | 'base' | 'tuned';
  colors: HighlightColors;
  analyzeOnSave: boolean;
  maxLoadedModels: number;
  overviewRulerMarks: number;
}

function trustedString(cfg: vscode.WorkspaceConfiguration, key: string, fallback: string): string {
  if (vscode.workspace.isTrusted) return cfg.get<string>(key, fallback) || fallback;
  const i = cfg.inspect<string>(key);
  return i?.globalValue || i?.defaultValue || fallback;
}

function clampInt(v: unknown, lo: number, hi: number, dflt: number): number {
  const n = typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : dflt;
  return Math.min(hi, Math.max(lo, n));
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], dflt: T): T {
  return allowed.includes(v as T) ? (v as T) : dflt;
}

function readRaw(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('promptLens', scope);
  const colors = c.get<Partial<HighlightColors>>('colors', {}) ?? {};
  return {
    baseModel: trustedString(c, 'baseModel', HUB_BASE),
    tunedModel: trustedString(c, 'tunedModel', HUB_TUNED),
    askBeforeDownload: c.get<boolean>('askBeforeDownload', true),
    dtype: oneOf(c.get('dtype'), ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const, 'fp32'),
    precision: oneOf(c.get('precision'), ['auto', 'float64', 'float32'] as const, 'auto'),
    method: oneOf(c.get('method'), ['occlusion', 'gradient'] as const, 'gradient'),
    maxNewTokens: clampInt(c.get('maxNewTokens'), 1, 1024, 32),
    template: oneOf(c.get('template'), ['auto', 'none'] as const, 'none'),
    levels: clampInt(c.get('levels'), 1, 100, 10),
    threshold: 0, // set below: must stay under levels
    p: typeof c.get('p') === 'number' && (c.get<number>('p') ?? 0) > 1 ? c.get<number>('p')! : 4,
    granularity: oneOf(c.get('granularity'), ['token', 'word'] as const, 'token'),
    highlight: oneOf(c.get('highlight'), ['base', 'tuned', 'difference'] as const, 'tuned'),
    sameResponse: oneOf(c.get('sameResponse'), ['none', 'base', 'tuned'] as const, 'none'),
    colors: { ...DEFAULT_COLORS, ...colors },
    analyzeOnSave: c.get<boolean>('analyzeOnSave', false),
    maxLoadedModels: clampInt(c.get('maxLoadedModels'), 1, 8, 2),
    overviewRulerMarks: clampInt(c.get('overviewRulerMarks'), 0, 100, 5),
  };
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const s = readRaw(scope);
  s.threshold = clampInt(vscode.workspace.getConfiguration('promptLens', scope).get('threshold'), 0, s.levels - 1, 0);
  return s;
}

/** Where to write model choices: the workspace when it already sets them (and is trusted), else the user settings. */
export async function writeModels(base: string, tuned: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('promptLens');
  const inWs = vscode.workspace.isTrusted && (c.inspect('baseModel')?.workspaceValue !== undefined || c.inspect('tunedModel')?.workspaceValue !== undefined);
  const target = inWs ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update('baseModel', base, target);
  await c.update('tunedModel', tuned, target);
}
