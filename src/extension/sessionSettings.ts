/**
 * The settings a run uses: `promptLens.*`, with the panel's controls over them for this session
 * (the overrides are dropped when the settings change).
 */
import type * as vscode from 'vscode';
import type { PanelControls } from '../protocol/index.ts';
import { readSettings, type Settings } from './settings.ts';

export class SessionSettings {
  private overrides: Partial<PanelControls> = {};

  read(scope?: vscode.Uri): Settings {
    const s = readSettings(scope);
    const o = this.overrides;
    return {
      ...s,
      method: o.method ?? s.method,
      levels: o.levels ?? s.levels,
      threshold: o.threshold ?? s.threshold,
      p: o.p ?? s.p,
      template: o.template ?? s.template,
      granularity: o.granularity ?? s.granularity,
      sameResponse: o.sameResponse ?? s.sameResponse,
    };
  }

  /** The panel's L, b and p. */
  overrideScores(c: Pick<PanelControls, 'levels' | 'threshold' | 'p'>): void {
    this.overrides = { ...this.overrides, levels: c.levels, threshold: c.threshold, p: c.p };
  }

  /** All of the panel's controls (a re-run). */
  overrideAll(c: PanelControls): void {
    this.overrides = { ...c };
  }

  reset(): void {
    this.overrides = {};
  }

  /** The panel's controls under the current settings. */
  panelControls(scope?: vscode.Uri): PanelControls {
    const s = this.read(scope);
    return { method: s.method, levels: s.levels, threshold: s.threshold, p: s.p, template: s.template, sameResponse: s.sameResponse, granularity: s.granularity };
  }
}
