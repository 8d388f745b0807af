/**
 * The Problems panel: after an analysis, instructions the model may ignore (instructionFindings.ts)
 * as diagnostics (source "Prompt Lens"), refreshed whenever the document's result is redrawn (a
 * run, a rescore, an edit: a span whose text is edited loses its diagnostic), with code actions
 * to open the comparison panel and to mark the span as instruction or not.
 */
import * as vscode from 'vscode';
import type { DocumentResults } from './documentResults.ts';
import { instructionFindings, instructionRanges, marksAfterFix } from './instructionFindings.ts';
import type { InstructionMarks } from './marks.ts';
import { readSettings } from './settings.ts';

export const DIAGNOSTIC_SOURCE = 'Prompt Lens';
export const IGNORED_INSTRUCTION = 'instruction-may-be-ignored';

export class InstructionDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('promptLens');

  constructor(private readonly results: DocumentResults, private readonly marks: InstructionMarks) {}

  /** Recompute a document's diagnostics from its result (none when it has none). */
  update(uri: vscode.Uri): void {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const s = readSettings(uri);
    const findings = doc ? instructionFindings(this.results.get(uri.toString()), { warningBelow: s.diagnosticsWarningBelow, informationBelow: s.diagnosticsInformationBelow }, this.marks.get(uri.toString())) : [];
    if (!doc || findings.length === 0) {
      this.collection.delete(uri);
      return;
    }
    this.collection.set(
      uri,
      findings.map((f) => {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(f.start), doc.positionAt(f.end)), f.message, f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = IGNORED_INSTRUCTION;
        return d;
      }),
    );
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** The quick fixes of an ignored-instruction diagnostic. */
export class InstructionCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE || d.code !== IGNORED_INSTRUCTION) continue;
      const args = [doc.uri.toString(), doc.offsetAt(d.range.start), doc.offsetAt(d.range.end)];
      const action = (title: string, command: string, commandArgs: unknown[], preferred = false) => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.isPreferred = preferred;
        a.command = { title, command, arguments: commandArgs };
        actions.push(a);
      };
      action('Prompt Lens: open the comparison panel', 'promptLens.openPanel', [doc.uri], true);
      if (d.message.includes('detected')) action('Prompt Lens: mark as instruction', 'promptLens.fixInstruction', [...args, true]);
      action('Prompt Lens: not an instruction', 'promptLens.fixInstruction', [...args, false]);
    }
    return actions;
  }
}

/** `promptLens.fixInstruction(uri, start, end, isInstruction)`: change the marks, then rescore. */
export async function fixInstruction(deps: { results: DocumentResults; marks: InstructionMarks; rescore: (uri: string) => Promise<void>; redraw: (uri: vscode.Uri) => void }, uri: string, start: number, end: number, instruction: boolean): Promise<void> {
  const next = marksAfterFix(deps.marks.get(uri), instructionRanges(deps.results.get(uri)), { start, end }, instruction);
  deps.marks.set(uri, next);
  deps.redraw(vscode.Uri.parse(uri));
  await deps.rescore(uri);
}
