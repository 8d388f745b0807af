/**
 * The comparison panel's host: creates (or revives after a reload) the webview, with a strict
 * CSP (nonce, no remote content) and resources limited to the extension's `media/` and `dist/`.
 * State is pushed as one PanelState; the webview keeps it with setState so a reload restores it.
 * Hidden, the webview's page is discarded (no retainContextWhenHidden: it would keep the whole
 * page in memory); shown again, the page redraws at once from its saved state and then asks for
 * the current one ('ready'). Nothing is posted to a page that is not there.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { PANEL_VIEW_TYPE, type PanelState, type FromWebview, type ToWebview } from '../protocol/index.ts';

export interface PanelHandlers {
  onMessage(msg: FromWebview, panel: ComparePanel): void;
  onDispose(panel: ComparePanel): void;
}

export class ComparePanel implements vscode.Disposable {
  private state: PanelState | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly handlers: PanelHandlers, restored?: PanelState) {
    this.state = restored;
    panel.webview.options = ComparePanel.webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => {
        if (m.type === 'ready') {
          this.ready = true;
          if (this.state) void this.post({ type: 'state', state: this.state });
        }
        this.handlers.onMessage(m, this);
      }),
      panel.onDidDispose(() => this.dispose()),
      // Hidden: the page is gone; the next one announces itself with 'ready'.
      panel.onDidChangeViewState((e) => { if (!e.webviewPanel.visible) this.ready = false; }),
    );
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  static create(extensionUri: vscode.Uri, handlers: PanelHandlers, column: vscode.ViewColumn): ComparePanel {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Prompt Lens: Compare', { viewColumn: column, preserveFocus: true }, {
      ...ComparePanel.webviewOptions(extensionUri),
      retainContextWhenHidden: false,
    });
    return new ComparePanel(panel, extensionUri, handlers);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, handlers: PanelHandlers, state: unknown): ComparePanel {
    const s = state && typeof state === 'object' && (state as PanelState).version === 1 ? (state as PanelState) : undefined;
    return new ComparePanel(panel, extensionUri, handlers, s);
  }

  get current(): PanelState | undefined {
    return this.state;
  }

  setState(state: PanelState): void {
    this.state = state;
    this.panel.title = `Prompt Lens: ${state.title}`;
    if (this.ready) void this.post({ type: 'state', state });
  }

  setBusy(message: string | null): void {
    if (this.state) this.state = { ...this.state, busy: message ?? undefined };
    if (this.ready) void this.post({ type: 'busy', message });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private post(msg: ToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(msg);
  }

  private html(): string {
    const w = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const script = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${w.cspSource} data:`,
      `style-src ${w.cspSource} 'nonce-${nonce}'`,
      `font-src ${w.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>Prompt Lens: Compare</title>
</head>
<body>
<main id="app" data-nonce="${nonce}"><p class="empty">Loading…</p></main>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.handlers.onDispose(this);
    this.panel.dispose();
  }
}
