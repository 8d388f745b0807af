/**
 * The extension's composition root: creates the worker client, the result cache, the
 * per-document results, the editor views, the comparison panel and the runs, and wires them
 * together. Commands (commands.ts) and events (main.ts) go through it.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import type { Analysis } from '../engine/analysis.ts';
import { WorkerClient } from './workerClient.ts';
import { ResultCache } from './resultCache.ts';
import { InstructionMarks } from './marks.ts';
import { readSettings } from './settings.ts';
import { DocumentResults } from './documentResults.ts';
import { DocumentTarget } from './documentTarget.ts';
import { EditorViews } from './editorViews.ts';
import { ModelResolver } from './modelResolver.ts';
import { PanelController } from './panelController.ts';
import { RunCoordinator } from './runCoordinator.ts';
import { SessionSettings } from './sessionSettings.ts';
import { AnalysisRuns } from './analysisRuns.ts';
import { reportError } from './errorReporting.ts';
import { log } from './log.ts';
import { HistoryCompare } from './history/historyCompare.ts';
import { HistoryPanel } from './history/historyPanel.ts';

export class Controller implements vscode.Disposable {
  readonly results = new DocumentResults();
  readonly settings = new SessionSettings();
  readonly worker: WorkerClient;
  readonly marks: InstructionMarks;
  readonly views: EditorViews;
  readonly documents: DocumentTarget;
  readonly panel: PanelController;
  readonly runs: AnalysisRuns;
  readonly history: HistoryCompare;
  readonly historyPanel: HistoryPanel;
  private readonly models: ModelResolver;

  constructor(ctx: vscode.ExtensionContext) {
    this.marks = new InstructionMarks(ctx.workspaceState);
    this.views = new EditorViews(this.results, this.marks, this.settings);
    this.models = new ModelResolver(ctx.extensionPath);
    this.worker = new WorkerClient({
      workerPath: path.join(ctx.extensionPath, 'dist', 'worker.js'),
      init: () => ({ type: 'init', allowRemoteModels: true, maxLoadedModels: readSettings().maxLoadedModels }),
      log: (level, message) => log()[level](message),
      onModelState: (ref, _dtype, state, message) => this.views.status.setState(ref, state, message),
    });
    const coordinator = new RunCoordinator(this.worker, new ResultCache(path.join(ctx.globalStorageUri.fsPath, 'results')), log());
    this.documents = new DocumentTarget(() => this.panel.current?.documentUri);
    this.panel = new PanelController({
      extensionUri: ctx.extensionUri,
      settings: this.settings,
      results: this.results,
      documents: this.documents,
      coordinator,
      worker: this.worker,
      rerun: (uri) => this.runs.run(uri, { sides: ['base', 'tuned'], openPanel: true }),
      rescoreDocument: (uri) => this.runs.rescoreDocument(uri),
      reportError,
    });
    this.runs = new AnalysisRuns({
      globalState: ctx.globalState,
      settings: this.settings,
      models: this.models,
      documents: this.documents,
      results: this.results,
      marks: this.marks,
      coordinator,
      views: this.views,
      panel: this.panel,
      reportError,
    });
    this.historyPanel = new HistoryPanel(ctx.extensionUri);
    this.history = new HistoryCompare({ globalState: ctx.globalState, settings: this.settings, models: this.models, coordinator, panel: this.historyPanel, reportError });
    this.refreshStatusModels();
  }

  onSettingsChanged(): void {
    this.settings.reset();
    this.views.decorations.invalidate();
    this.worker.reinit();
    this.refreshStatusModels();
    this.views.redrawAll();
    this.panel.refreshColors();
  }

  private refreshStatusModels(): void {
    this.views.showModels(this.models.pair(readSettings()));
  }

  /** Remove the highlights of a document (the target's). */
  clear(uri?: vscode.Uri): void {
    const ed = this.documents.editor(uri);
    if (!ed) return;
    this.results.delete(ed.document.uri.toString());
    this.views.redraw(ed.document.uri);
    this.views.codeLens.refresh();
  }

  onDocumentChanged(e: vscode.TextDocumentChangeEvent): void {
    if (!e.contentChanges.length) return;
    const u = e.document.uri.toString();
    const changes = e.contentChanges.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text }));
    const hadMarks = this.marks.onEdit(u, changes);
    const { found, becameStale } = this.results.recordEdit(u, changes);
    if (becameStale) {
      this.views.codeLens.refresh();
      this.views.status.setStale(true);
      this.panel.markStale(u);
    }
    if (found || hadMarks) this.views.redraw(e.document.uri);
  }

  /** What Export writes: a document's analyses (the active editor's, else the panel's). */
  analysesFor(uri?: string): Analysis[] {
    const u = uri ?? vscode.window.activeTextEditor?.document.uri.toString() ?? this.panel.current?.documentUri;
    const live = u ? this.results.analyses(u) : [];
    return live.length || (u && this.results.has(u)) ? live : this.panel.analyses(u);
  }

  dispose(): void {
    this.runs.dispose();
    this.panel.dispose();
    this.historyPanel.dispose();
    this.views.dispose();
    void this.worker.terminate();
  }
}
