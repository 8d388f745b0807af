/**
 * The "Model internals" view: the base and tuned models' feed-forward components with their top
 * words side by side, the subspace shift per layer, the heads' word pairs and the verb
 * comparison (engine: internals/), computed in the worker and shown in a panel of its own. The
 * last view also tells the hover where a prompt word lives in the weights.
 */
import fs from 'node:fs';
import * as vscode from 'vscode';
import { wherePlacesText } from '../engine/internals/view.ts';
import type { InternalsView } from '../protocol/index.ts';
import { log } from './log.ts';
import { resolveModelRef } from './modelRef.ts';
import { describeProgress } from './progressText.ts';
import { readSettings } from './settings.ts';
import { WorkerRequestError, type WorkerClient } from './workerClient.ts';

export const INTERNALS_VIEW_TYPE = 'promptLens.internals';

export class ModelInternals {
  private view?: InternalsView;
  private panel?: vscode.WebviewPanel;

  constructor(
    private readonly extensionPath: string,
    private readonly worker: WorkerClient,
  ) {}

  async show(): Promise<void> {
    const s = readSettings();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const resolve = (setting: string) => resolveModelRef(setting, { extensionPath: this.extensionPath, workspaceFolder: folder, exists: (p) => fs.existsSync(p) && fs.statSync(p).isDirectory() });
    const base = resolve(s.baseModel);
    const tuned = resolve(s.tunedModel);
    try {
      this.view = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Prompt Lens: model internals of ${base.label} and ${tuned.label}`, cancellable: true },
        (progress, token) =>
          this.worker.request(
            { type: 'internals', base: base.ref, tuned: tuned.ref, dtype: s.dtype },
            { onProgress: (p) => progress.report({ message: describeProgress(p) }), onCancel: (cancel) => token.onCancellationRequested(cancel) },
          ),
      );
    } catch (e) {
      const err = e instanceof WorkerRequestError ? e.info : { code: 'internal', message: e instanceof Error ? e.message : String(e), hint: 'See the Prompt Lens log.' };
      if (err.code === 'cancelled') return;
      log().error(`model internals: ${err.code}: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
      void vscode.window.showErrorMessage(`Prompt Lens: ${err.message}${err.hint ? ` ${err.hint}` : ''}`);
      return;
    }
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(INTERNALS_VIEW_TYPE, 'Prompt Lens: Model Internals', vscode.ViewColumn.Beside, { enableScripts: false });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    // A static page: no scripts, inline styles only.
    this.panel.webview.html = this.view.html.replace('<head>', `<head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">`);
    this.panel.reveal();
  }

  /** Markdown lines for the hover: where `word` ranks high in the last view's models. */
  wherePlaces(word: string): string[] {
    return this.view ? wherePlacesText(this.view, word) : [];
  }
}
