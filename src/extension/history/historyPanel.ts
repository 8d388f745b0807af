/** The "Compare with Previous Version" panel: one webview of its own (no script), reused for each comparison. */
import * as vscode from 'vscode';
import type { HistoryComparison } from '../../engine/history/compare.ts';
import { renderHistoryPage } from './historyView.ts';

export const HISTORY_VIEW_TYPE = 'promptLens.history';

export class HistoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The last comparison shown (tests read it through the extension's exports). */
  last: HistoryComparison | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(c: HistoryComparison, modelLabel: string): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(HISTORY_VIEW_TYPE, 'Prompt Lens: History', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false, localResourceRoots: [] });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.last = c;
    this.panel.title = `Prompt Lens: History of ${c.file.split('/').pop()}`;
    this.panel.webview.html = renderHistoryPage(c, modelLabel, this.panel.webview.cspSource);
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
