/**
 * Analyze and Compare as the user sees them: which document and prompt, which models (asking
 * before a download), one run at a time with progress and cancellation, then the results stored
 * per document and shown. Also: rescoring a document's results (no model run), Analyze on save,
 * and showing cached results when a prompt file is opened again.
 */
import * as vscode from 'vscode';
import fs from 'node:fs';
import path from 'node:path';
import type { Side } from '../protocol/index.ts';
import { writeModels } from './settings.ts';
import { extractPrompt, promptKindOf } from './promptDoc.ts';
import { BUNDLED_BASE, BUNDLED_TUNED, type ResolvedModel } from './modelRef.ts';
import type { DocResult } from './docState.ts';
import { InstructionMarks } from './marks.ts';
import { consentToDownload } from './downloadConsent.ts';
import { log } from './log.ts';
import type { DocumentResults } from './documentResults.ts';
import type { DocumentTarget } from './documentTarget.ts';
import type { EditorViews } from './editorViews.ts';
import type { ModelResolver } from './modelResolver.ts';
import type { PanelController } from './panelController.ts';
import { spansSource, type RunCoordinator } from './runCoordinator.ts';
import type { SessionSettings } from './sessionSettings.ts';

export interface RunOptions {
  /** Which models: both for compare; else from the highlight setting. */
  sides?: Side[];
  openPanel?: boolean;
  /** Use the editor's selection as the prompt (palette), or the whole prompt (CodeLens, panel). */
  useSelection?: boolean;
  /** Run in the window's progress area instead of a notification (analyze on save). */
  quiet?: boolean;
}

export interface RunDeps {
  globalState: vscode.Memento;
  settings: SessionSettings;
  models: ModelResolver;
  documents: DocumentTarget;
  results: DocumentResults;
  marks: InstructionMarks;
  coordinator: RunCoordinator;
  views: EditorViews;
  panel: PanelController;
  reportError(e: unknown): void;
}

export class AnalysisRuns implements vscode.Disposable {
  private running: vscode.CancellationTokenSource | undefined;
  /** Documents being saved by an auto-save after a delay (files.autoSave afterDelay). */
  private readonly autoSaving = new Set<string>();

  constructor(private readonly d: RunDeps) {}

  /** The user's marks of a document, relative to its prompt. */
  private markedSpans(uri: string, offset: number, length: number) {
    return InstructionMarks.toPromptSpans(this.d.marks.get(uri), offset, length);
  }

  /** analyze / compare. */
  async run(target: vscode.Uri | string | undefined, opts: RunOptions): Promise<DocResult | undefined> {
    if (this.running) {
      void vscode.window.showInformationMessage('Prompt Lens is already running. Cancel it from its progress notification first.');
      return undefined;
    }
    const found = await this.d.documents.document(target);
    if (!found) {
      void vscode.window.showInformationMessage('Prompt Lens: open a prompt file (or select a prompt) first.');
      return undefined;
    }
    const { doc, editor } = found;
    let s = this.d.settings.read(doc.uri);
    const sel = opts.useSelection && editor && !editor.selection.isEmpty
      ? { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) }
      : undefined;
    const extracted = extractPrompt(doc.getText(), { fileName: doc.fileName, selection: sel, template: s.template });
    if (!extracted.prompt.trim()) {
      void vscode.window.showErrorMessage('Prompt Lens: the prompt is empty. Write a prompt (or select one) and run Analyze again.');
      return undefined;
    }
    const sides: Side[] = opts.sides ?? (s.highlight === 'difference' ? ['base', 'tuned'] : [s.highlight]);
    let models = this.d.models.pair(s, doc.uri);
    const consent = await consentToDownload(this.d.globalState, sides.map((x) => models[x]), this.d.settings.read().askBeforeDownload);
    if (consent === 'cancel') return undefined;
    if (consent === 'demo') {
      await writeModels(BUNDLED_BASE, BUNDLED_TUNED);
      s = this.d.settings.read(doc.uri);
      models = { base: this.d.models.resolve(BUNDLED_BASE), tuned: this.d.models.resolve(BUNDLED_TUNED) };
    }
    if (!this.bundledModelsPresent(sides.map((x) => models[x]))) return undefined;
    this.d.views.showModels(Object.fromEntries(sides.map((side) => [side, models[side]])));

    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    const started = Date.now();
    const what = sides.map((x) => models[x].label).join(' + ');
    if (opts.openPanel) this.d.panel.show(doc.uri, `Running ${what}…`);
    else this.d.panel.setBusy(null);
    try {
      const analyses = await vscode.window.withProgress({
        location: opts.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
        title: `Prompt Lens: ${sides.length > 1 ? 'comparing' : 'analyzing with'} ${what}`,
        cancellable: true,
      }, (progress, token) => {
        token.onCancellationRequested(() => cts.cancel());
        const markedSpans = this.markedSpans(doc.uri.toString(), extracted.offset, extracted.prompt.length);
        return this.d.coordinator.run({ prompt: extracted.prompt, system: extracted.system, sides, models, settings: s, markedSpans }, cts.token, progress);
      });
      const result = this.d.results.store({
        uri: doc.uri.toString(),
        offset: extracted.offset,
        prompt: extracted.prompt,
        system: extracted.system,
        base: analyses.base,
        tuned: analyses.tuned,
        labels: Object.fromEntries(sides.map((x) => [x, models[x].label])),
        edits: [],
        createdAt: Date.now(),
      }, { base: models.base.ref, tuned: models.tuned.ref });
      const ms = Date.now() - started;
      this.d.views.status.setLastRun(ms, what);
      log().info(`analysis of ${doc.uri.fsPath || doc.uri.toString()} with ${what} done in ${ms} ms`);
      this.d.views.redraw(doc.uri);
      this.d.views.codeLens.refresh();
      if (opts.openPanel || this.d.panel.shows(result.uri)) this.d.panel.show(doc.uri);
      return result;
    } catch (e) {
      this.d.panel.setBusy(null);
      this.d.reportError(e);
      return undefined;
    } finally {
      cts.dispose();
      this.running = undefined;
    }
  }

  /** A bundled model missing from the installation is named, with a way to choose others. */
  private bundledModelsPresent(models: ResolvedModel[]): boolean {
    for (const m of models) {
      if (m.kind === 'bundled' && !fs.existsSync(path.join(m.ref, 'config.json'))) {
        void vscode.window.showErrorMessage(`Prompt Lens: the bundled model ${m.label} is missing from this installation (${m.ref}). Reinstall the extension, or choose other models.`, 'Select Models')
          .then((p) => p && vscode.commands.executeCommand('promptLens.selectModels'));
        return false;
      }
    }
    return true;
  }

  cancel(): void {
    this.running?.cancel();
  }

  /** Re-apply L, b, p and the instruction spans to a document's result (no model run). */
  async rescoreDocument(uri: string): Promise<void> {
    const r = this.d.results.get(uri);
    if (!r) return;
    const s = this.d.settings.read(vscode.Uri.parse(uri));
    const marked = this.markedSpans(uri, r.offset, r.prompt.length);
    const spans = await this.d.coordinator.instructionSpans(r.prompt, marked);
    try {
      if (r.base) r.base = await this.d.coordinator.rescoreIfNeeded(r.base, s, spans, spansSource(marked));
      if (r.tuned) r.tuned = await this.d.coordinator.rescoreIfNeeded(r.tuned, s, spans, spansSource(marked));
    } catch (e) {
      this.d.reportError(e);
      return;
    }
    this.d.views.redraw(vscode.Uri.parse(uri));
    this.d.panel.refresh(vscode.Uri.parse(uri));
  }

  /** Notes why a document is saved: analyze on save skips auto-saves after a delay. */
  onWillSave(e: vscode.TextDocumentWillSaveEvent): void {
    const u = e.document.uri.toString();
    if (e.reason === vscode.TextDocumentSaveReason.AfterDelay) this.autoSaving.add(u);
    else this.autoSaving.delete(u);
  }

  /**
   * Analyze on save: the sides the document has results for, else as Analyze would. Not after an
   * auto-save after a delay (as VS Code's format on save): each pause in typing would start a run
   * and replace the stale highlights the user is editing against.
   */
  async onDocumentSaved(doc: vscode.TextDocument): Promise<void> {
    const s = this.d.settings.read(doc.uri);
    const r = this.d.results.get(doc.uri.toString());
    const autoSaved = this.autoSaving.delete(doc.uri.toString());
    if (!s.analyzeOnSave || autoSaved || this.running) return;
    if (!r && promptKindOf(doc.fileName) === 'other') return;
    const sides: Side[] | undefined = r ? (['base', 'tuned'] as Side[]).filter((x) => r[x]) : undefined;
    await this.run(doc.uri, { sides, quiet: true });
  }

  /** Show the last cached result at once when a prompt file is opened again (no model run). */
  async restoreFromCache(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    const u = doc.uri.toString();
    if (this.d.results.has(u) || promptKindOf(doc.fileName) === 'other') return;
    const s = this.d.settings.read(doc.uri);
    const ex = extractPrompt(doc.getText(), { fileName: doc.fileName, template: s.template });
    if (!ex.prompt.trim()) return;
    const models = this.d.models.pair(s, doc.uri);
    // Only results that need no rescoring are shown without the worker; others wait for Analyze.
    const found = await this.d.coordinator.cached(ex, models, s, this.markedSpans(u, ex.offset, ex.prompt.length));
    if (!found || this.d.results.has(u)) return;
    const labels: DocResult['labels'] = {};
    for (const side of ['base', 'tuned'] as Side[]) if (found[side]) labels[side] = models[side].label;
    this.d.results.set({ uri: u, offset: ex.offset, prompt: ex.prompt, system: ex.system, ...found, labels, edits: [], createdAt: Date.now() });
    log().info(`restored cached result for ${doc.uri.fsPath}`);
    this.d.views.redraw(doc.uri);
    this.d.views.codeLens.refresh();
  }

  dispose(): void {
    this.running?.cancel();
  }
}
