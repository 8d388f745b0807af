/**
 * The per-rule summary in the editor: a CodeLens above each rule of an analyzed prompt (a list
 * item, else a non-blank line; src/shared/ruleSummary.ts), "rule 3: 0.82 tuned / 0.41 base",
 * with what the numbers are in its tooltip. A click opens the comparison panel at that line.
 * Off with `promptLens.ruleCodeLens`.
 */
import * as vscode from 'vscode';
import { LensRefresh } from './lensRefresh.ts';
import { mapToDocument } from './docState.ts';
import type { DocumentResults } from './documentResults.ts';
import { ruleLenses } from '../shared/ruleSummary.ts';

export const OPEN_PANEL_AT_LINE = 'promptLens.openPanelAtLine';

export class RuleLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new LensRefresh();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly results: DocumentResults, private readonly enabled: (uri: vscode.Uri) => boolean) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const r = this.results.get(doc.uri.toString());
    if (!r || !this.enabled(doc.uri)) return [];
    const lenses = ruleLenses(r, doc.positionAt(r.offset).line);
    // Where each rule is now (null: its text was edited since the analysis, so its value is gone).
    const where = mapToDocument(r, lenses);
    return lenses.flatMap((l, i) => {
      const at = where[i];
      if (!at) return [];
      const line = doc.positionAt(at.start).line;
      return [new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: l.title, tooltip: l.tooltip, command: OPEN_PANEL_AT_LINE, arguments: [doc.uri.toString(), l.promptLine],
      })];
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
