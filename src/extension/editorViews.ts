/**
 * What the editor shows of the results: highlights (decorations), the CodeLens (actions, config checks, per-rule values), the status
 * bar and the Problems panel's ignored-instruction diagnostics, redrawn from the per-document results, the instruction marks and the settings.
 */
import * as vscode from 'vscode';
import type { Side } from '../protocol/index.ts';
import { Decorations } from './decorations.ts';
import { StatusBar } from './statusBar.ts';
import { PromptCodeLens } from './codeLens.ts';
import { InstructionDiagnostics } from './diagnostics.ts';
import { CheckLens } from './checkLens.ts';
import { RuleLens } from './ruleLens.ts';
import type { DocumentResults } from './documentResults.ts';
import type { InstructionMarks } from './marks.ts';
import type { SessionSettings } from './sessionSettings.ts';
import type { ResolvedModel } from './modelRef.ts';
import { editorLegend } from '../shared/scale.ts';

export class EditorViews implements vscode.Disposable {
  readonly decorations = new Decorations();
  readonly status = new StatusBar();
  readonly codeLens: PromptCodeLens;
  readonly diagnostics: InstructionDiagnostics;
  readonly checks: CheckLens;
  readonly rules: RuleLens;

  constructor(private readonly results: DocumentResults, private readonly marks: InstructionMarks, private readonly settings: SessionSettings) {
    this.codeLens = new PromptCodeLens((uri) => results.isStale(uri.toString()));
    this.diagnostics = new InstructionDiagnostics(results, marks);
    this.checks = new CheckLens(results);
    this.rules = new RuleLens(results, (uri) => settings.read(uri).ruleCodeLens);
  }

  /** Redraw the highlights of the editors showing this document, and its diagnostics. */
  redraw(uri: vscode.Uri): void {
    const u = uri.toString();
    this.diagnostics.update(uri);
    this.checks.refresh(uri);
    this.rules.refresh();
    for (const ed of vscode.window.visibleTextEditors) {
      if (ed.document.uri.toString() !== u) continue;
      this.apply(ed);
    }
  }

  redrawAll(): void {
    for (const ed of vscode.window.visibleTextEditors) this.apply(ed);
    this.rules.refresh();
  }

  private apply(ed: vscode.TextEditor): void {
    const u = ed.document.uri.toString();
    const s = this.settings.read(ed.document.uri);
    this.diagnostics.update(ed.document.uri);
    this.decorations.apply(ed, this.results.get(u), this.marks.get(u), s);
    if (this.results.get(u)) this.status.setLegend(editorLegend(s.highlight, s.highlightFloor));
  }

  /** After a theme change: rebuild the decoration types and redraw. */
  onThemeChanged(): void {
    this.decorations.invalidate();
    this.redrawAll();
  }

  /** The status bar's models (idle until the worker reports their state). */
  showModels(models: Partial<Record<Side, ResolvedModel>>): void {
    this.status.setModels((['base', 'tuned'] as Side[]).filter((side) => models[side]).map((side) => ({ side, label: models[side]!.label, ref: models[side]!.ref, state: 'idle' as const })));
  }

  dispose(): void {
    this.decorations.dispose();
    this.status.dispose();
    this.diagnostics.dispose();
    this.codeLens.dispose();
    this.checks.dispose();
    this.rules.dispose();
  }
}
