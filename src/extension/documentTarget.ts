/**
 * The prompt a command acts on: the given one; else the active text editor's; else (the panel
 * focused) the panel's prompt; else the first visible editor's.
 */
import * as vscode from 'vscode';
import { log } from './log.ts';

export class DocumentTarget {
  /** `panelUri`: the document the comparison panel shows, if any. */
  constructor(private readonly panelUri: () => string | undefined) {}

  uri(uri?: vscode.Uri | string): string | undefined {
    if (uri) return typeof uri === 'string' ? uri : uri.toString();
    const active = vscode.window.activeTextEditor;
    if (active) return active.document.uri.toString();
    return this.panelUri() ?? vscode.window.visibleTextEditors[0]?.document.uri.toString();
  }

  editor(uri?: vscode.Uri | string): vscode.TextEditor | undefined {
    const u = this.uri(uri);
    if (!u) return undefined;
    return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === u)
      ?? (vscode.window.activeTextEditor?.document.uri.toString() === u ? vscode.window.activeTextEditor : undefined);
  }

  /** The document (opened, not shown: a hidden prompt stays hidden) and its editor when visible. */
  async document(uri?: vscode.Uri | string): Promise<{ doc: vscode.TextDocument; editor?: vscode.TextEditor } | undefined> {
    const editor = this.editor(uri);
    if (editor) return { doc: editor.document, editor };
    const u = this.uri(uri);
    if (!u) return undefined;
    try {
      return { doc: await vscode.workspace.openTextDocument(vscode.Uri.parse(u)) };
    } catch (e) {
      log().warn(`cannot open ${u}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}
