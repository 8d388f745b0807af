/**
 * Settings (`promptLens.*`). In untrusted workspaces, model locations are never taken from
 * workspace settings (they could point the extension at arbitrary files): only user settings
 * and defaults count. The manifest also lists them as restricted configurations.
 */
import * as vscode from 'vscode';
import type { Dtype, AttributionMethod, TemplateMode, Granularity, PrecisionSetting } from '../protocol/index.ts';
import {
  ATTRIBUTION_METHODS, DEFAULTS, GRANULARITIES, HIGHLIGHT_MODES, PRECISION_OPTIONS, SAME_RESPONSE_MODES, SETTING_LIMITS, SETTINGS_DTYPES, TEMPLATE_MODES,
  type HighlightMode, type SameResponseMode,
} from '../engine/options.ts';
import { DEFAULT_COLORS, type HighlightColors } from '../shared/highlightColors.ts';
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
  sameResponse: SameResponseMode;
  colors: HighlightColors;
  analyzeOnSave: boolean;
  maxLoadedModels: number;
  overviewRulerMarks: number;
  /** Instruction importance below which the Problems panel warns / informs (diagnostics.ts). */
  diagnosticsWarningBelow: number;
  diagnosticsInformationBelow: number;
  /** Editor highlights show only â above this (0: every â > 0). */
  highlightFloor: number;
  /** A CodeLens above each rule / line of an analyzed prompt with its mean reliance (ruleLens.ts). */
  ruleCodeLens: boolean;
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

/** An integer setting, clamped to its limits. */
function integer(c: vscode.WorkspaceConfiguration, key: keyof typeof SETTING_LIMITS & keyof typeof DEFAULTS.extension): number {
  return clampInt(c.get(key), SETTING_LIMITS[key].min, SETTING_LIMITS[key].max, DEFAULTS.extension[key]);
}

/** A number in [0, 1], else the default. */
function share(v: unknown, dflt: number): number {
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : dflt;
}

/** A number in [0, 0.95] (the highlight floor); the default when it is not a number. */
function fraction(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(0.95, Math.max(0, v)) : dflt;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], dflt: T): T {
  return allowed.includes(v as T) ? (v as T) : dflt;
}

function readRaw(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('promptLens', scope);
  const colors = c.get<Partial<HighlightColors>>('colors', {}) ?? {};
  const d = DEFAULTS.extension;
  return {
    baseModel: trustedString(c, 'baseModel', HUB_BASE),
    tunedModel: trustedString(c, 'tunedModel', HUB_TUNED),
    askBeforeDownload: c.get<boolean>('askBeforeDownload', d.askBeforeDownload),
    dtype: oneOf(c.get('dtype'), SETTINGS_DTYPES, d.dtype),
    precision: oneOf(c.get('precision'), PRECISION_OPTIONS, d.precision),
    method: oneOf(c.get('method'), ATTRIBUTION_METHODS, d.method),
    maxNewTokens: integer(c, 'maxNewTokens'),
    template: oneOf(c.get('template'), TEMPLATE_MODES, d.template),
    levels: integer(c, 'levels'),
    threshold: 0, // set below: must stay under levels
    p: typeof c.get('p') === 'number' && (c.get<number>('p') ?? 0) > 1 ? c.get<number>('p')! : d.p,
    granularity: oneOf(c.get('granularity'), GRANULARITIES, d.granularity),
    highlight: oneOf(c.get('highlight'), HIGHLIGHT_MODES, d.highlight),
    sameResponse: oneOf(c.get('sameResponse'), SAME_RESPONSE_MODES, d.sameResponse),
    colors: { ...DEFAULT_COLORS, ...colors },
    analyzeOnSave: c.get<boolean>('analyzeOnSave', d.analyzeOnSave),
    maxLoadedModels: integer(c, 'maxLoadedModels'),
    overviewRulerMarks: integer(c, 'overviewRulerMarks'),
    diagnosticsWarningBelow: share(c.get('diagnosticsWarningBelow'), d.diagnosticsWarningBelow),
    diagnosticsInformationBelow: share(c.get('diagnosticsInformationBelow'), d.diagnosticsInformationBelow),
    highlightFloor: fraction(c.get('highlightFloor'), d.highlightFloor),
    ruleCodeLens: c.get<boolean>('ruleCodeLens', d.ruleCodeLens),
  };
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const s = readRaw(scope);
  s.threshold = clampInt(vscode.workspace.getConfiguration('promptLens', scope).get('threshold'), SETTING_LIMITS.threshold.min, s.levels - 1, DEFAULTS.extension.threshold);
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
