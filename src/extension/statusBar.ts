/** The status bar item: the models and their state (downloading, loading, ready, running), and the last run. */
import * as vscode from 'vscode';
import type { ModelState } from '../protocol/index.ts';

const ICON: Record<ModelState, string> = {
  idle: '$(circle-outline)',
  downloading: '$(cloud-download)',
  loading: '$(loading~spin)',
  ready: '$(check)',
  running: '$(sync~spin)',
  error: '$(error)',
  unloaded: '$(circle-outline)',
};

export interface ModelSlot {
  side: 'base' | 'tuned';
  label: string;
  ref: string;
  state: ModelState;
  message?: string;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private models: ModelSlot[] = [];
  private lastRun: { at: Date; ms: number; what: string; stale: boolean } | undefined;
  private legend = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('promptLens.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Prompt Lens';
    this.item.command = 'promptLens.selectModels';
    this.render();
    this.item.show();
  }

  setModels(models: ModelSlot[]): void {
    // Keep known states for models that did not change.
    this.models = models.map((m) => ({ ...m, state: this.models.find((o) => o.ref === m.ref)?.state ?? m.state }));
    this.render();
  }

  setState(ref: string, state: ModelState, message?: string): void {
    for (const m of this.models) if (m.ref === ref) { m.state = state; m.message = message; }
    this.render();
  }

  setLastRun(ms: number, what: string, stale = false): void {
    this.lastRun = { at: new Date(), ms, what, stale };
    this.render();
  }

  /** The highlights' colour legend (shown in the tooltip). */
  setLegend(legend: string): void {
    if (legend !== this.legend) { this.legend = legend; this.render(); }
  }

  setStale(stale: boolean): void {
    if (this.lastRun && this.lastRun.stale !== stale) { this.lastRun.stale = stale; this.render(); }
  }

  private render(): void {
    const parts = this.models.map((m) => `${ICON[m.state]} ${m.label}`);
    const last = this.lastRun ? ` · ${this.lastRun.stale ? '$(warning) stale' : `${(this.lastRun.ms / 1000).toFixed(1)} s`}` : '';
    this.item.text = `$(telescope) ${parts.length ? parts.join('  ') : 'Prompt Lens'}${last}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**Prompt Lens**\n\n');
    for (const m of this.models) md.appendMarkdown(`- ${m.side}: \`${m.ref}\` — ${m.state}${m.message ? ` (${m.message})` : ''}\n`);
    if (this.lastRun) md.appendMarkdown(`\nLast run: ${this.lastRun.what}, ${(this.lastRun.ms / 1000).toFixed(1)} s, at ${this.lastRun.at.toLocaleTimeString()}${this.lastRun.stale ? ' — the prompt changed since' : ''}\n`);
    if (this.legend) md.appendMarkdown(`\nHighlights — ${this.legend}\n`);
    md.appendMarkdown('\nClick to choose models.');
    this.item.tooltip = md;
  }

  dispose(): void {
    this.item.dispose();
  }
}
