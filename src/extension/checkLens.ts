/**
 * The assertions of the workspace's prompt-lens.config.json on a prompt file (checkAssertions.ts):
 * a CodeLens per assertion at the top of the file ("✓"/"✗" with the measured value, once the
 * file is analyzed), and a Warning in the Problems panel for each that fails.
 */
import * as vscode from 'vscode';
import { LensRefresh } from './lensRefresh.ts';
import { checkEntryFor, evaluateOnResult } from './checkAssertions.ts';
import type { DocumentResults } from './documentResults.ts';
import { frontMatterLength } from './promptDoc.ts';

export class CheckLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new LensRefresh();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly collection = vscode.languages.createDiagnosticCollection('promptLens.check');

  constructor(private readonly results: DocumentResults) {}

  private entry(doc: vscode.TextDocument) {
    if (doc.uri.scheme !== 'file') return undefined;
    return checkEntryFor(doc.uri.fsPath, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
  }

  /** After a document's result changed: redraw the lenses and its failed assertions. */
  refresh(uri: vscode.Uri): void {
    this.changed.fire();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const entry = doc && this.entry(doc);
    const results = entry && 'check' in entry ? evaluateOnResult(entry.check, this.results.get(uri.toString())) : undefined;
    const failed = results?.filter((r) => !r.passed) ?? [];
    if (!doc || failed.length === 0) {
      this.collection.delete(uri);
      return;
    }
    const line = doc.positionAt(frontMatterLength(doc.getText())).line;
    const range = doc.lineAt(line).range;
    this.collection.set(uri, failed.map((r) => {
      const d = new vscode.Diagnostic(range, `prompt-lens.config.json: ${r.model}: ${r.message ?? `${r.label} ${r.actual}, expected ${r.expected}`}`, vscode.DiagnosticSeverity.Warning);
      d.source = 'Prompt Lens check';
      return d;
    }));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const entry = this.entry(doc);
    if (!entry) return [];
    const line = doc.positionAt(frontMatterLength(doc.getText())).line;
    const range = new vscode.Range(line, 0, line, 0);
    const open = { command: 'vscode.open', arguments: [vscode.Uri.file(entry.configFile)] };
    if ('error' in entry) return [new vscode.CodeLens(range, { title: '$(error) prompt-lens.config.json has an error', tooltip: entry.error, ...open })];
    const results = evaluateOnResult(entry.check, this.results.get(doc.uri.toString()));
    if (!results) return [new vscode.CodeLens(range, { title: `$(checklist) ${entry.check.assertions.length} check assertion(s): analyze to evaluate`, tooltip: 'From prompt-lens.config.json; prompt-lens check runs them in CI', ...open })];
    return results.map((r) => new vscode.CodeLens(range, {
      title: `${r.passed ? '$(pass)' : '$(error)'} ${r.model}: ${r.label} ${r.actual} (${r.expected})`,
      tooltip: `${r.message ?? 'passes'} — on the editor's analysis (its settings, which prompt-lens check may not share)`,
      ...open,
    }));
  }

  dispose(): void {
    this.collection.dispose();
    this.changed.dispose();
  }
}
