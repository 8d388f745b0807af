/**
 * The comparison panel's side of the extension: builds its state from a document's results,
 * shows it (creating or reviving the panel), and answers its messages (rescore, re-run, export,
 * reveal a token in the editor, explain the tuned reply against another: contrastRun.ts).
 */
import * as vscode from 'vscode';
import path from 'node:path';
import type { Analysis } from '../engine/analysis.ts';
import type { FromWebview, PanelModel, PanelState, Side } from '../protocol/index.ts';
import { ComparePanel } from './panel.ts';
import { isStale } from './docState.ts';
import { panelModelOf } from './panelData.ts';
import type { DocumentResults } from './documentResults.ts';
import type { DocumentTarget } from './documentTarget.ts';
import type { RunCoordinator, WorkerApi } from './runCoordinator.ts';
import { alternativeReply, contrastFor, holdContrast, runContrast, type HeldContrast } from './contrastRun.ts';
import type { SessionSettings } from './sessionSettings.ts';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  settings: SessionSettings;
  results: DocumentResults;
  documents: DocumentTarget;
  coordinator: RunCoordinator;
  /** The engine worker (the panel's contrastive runs). */
  worker: WorkerApi;
  /** Run both models on the document again and show the panel. */
  rerun(uri: vscode.Uri): Promise<unknown>;
  /** Apply the current L, b, p and instruction spans to the document's results. */
  rescoreDocument(uri: string): Promise<void>;
  reportError(e: unknown): void;
}

export class PanelController implements vscode.Disposable {
  private panel: ComparePanel | undefined;
  private contrast: HeldContrast | undefined;

  constructor(private readonly d: PanelDeps) {}

  /** What the panel shows, if it is open. */
  get current(): PanelState | undefined {
    return this.panel?.current;
  }

  /** Is the panel showing this document? */
  shows(uri: string): boolean {
    return this.panel?.current?.documentUri === uri;
  }

  state(uri: vscode.Uri, busy?: string): PanelState {
    const u = uri.toString();
    const r = this.d.results.get(u);
    const models: PanelModel[] = [];
    for (const side of ['base', 'tuned'] as Side[]) {
      const a = r?.[side];
      if (a) models.push(panelModelOf(side, r!.labels[side] ?? side, a));
    }
    return {
      version: 1,
      documentUri: u,
      title: path.basename(uri.path),
      controls: this.d.settings.panelControls(uri),
      colors: this.d.settings.read(uri).colors,
      models,
      busy,
      stale: r ? isStale(r) : undefined,
      contrast: contrastFor(this.contrast, u, r?.tuned),
    };
  }

  show(uri: vscode.Uri, busy?: string, focusLine?: number): void {
    if (!this.panel) {
      this.panel = ComparePanel.create(this.d.extensionUri, this.handlers(), vscode.ViewColumn.Beside);
    } else {
      this.panel.reveal();
    }
    const current = this.panel.current;
    // While a run starts, keep showing what the panel has (with a busy line) rather than an empty page.
    if (busy && current && current.models.length && !this.d.results.get(uri.toString())?.tuned) {
      this.panel.setState({ ...current, busy });
      return;
    }
    const state = this.state(uri, busy);
    this.panel.setState(focusLine === undefined ? state : { ...state, focus: { line: focusLine, at: Date.now() } });
  }

  /** Show the document's results again if the panel shows that document. */
  refresh(uri: vscode.Uri): void {
    if (this.shows(uri.toString())) this.show(uri);
  }

  setBusy(message: string | null): void {
    this.panel?.setBusy(message);
  }

  /** After a settings change: the panel takes the user's highlight colours at once. */
  refreshColors(): void {
    const st = this.panel?.current;
    if (st) this.panel!.setState({ ...st, colors: this.d.settings.read(st.documentUri ? vscode.Uri.parse(st.documentUri) : undefined).colors });
  }

  /** The document was edited since its results. */
  markStale(uri: string): void {
    if (this.panel?.current && this.shows(uri)) this.panel.setState({ ...this.panel.current, stale: true });
  }

  /** A panel restored by VS Code after a reload. */
  adopt(panel: vscode.WebviewPanel, state: unknown): void {
    this.panel?.dispose();
    this.panel = ComparePanel.revive(panel, this.d.extensionUri, this.handlers(), state);
    const uri = this.panel.current?.documentUri;
    // Prefer live results (e.g. restored from the cache) over the saved snapshot.
    if (uri && this.d.results.has(uri)) this.panel.setState(this.state(vscode.Uri.parse(uri)));
  }

  /** The analyses the panel shows (after a reload they may exist only there). */
  analyses(uri: string | undefined): Analysis[] {
    const st = this.panel?.current;
    return st && (!uri || st.documentUri === uri) ? st.models.map((m) => m.analysis) : [];
  }

  private handlers() {
    return {
      onMessage: (msg: FromWebview, panel: ComparePanel) => void this.onMessage(msg, panel),
      onDispose: (panel: ComparePanel) => { if (this.panel === panel) this.panel = undefined; },
    };
  }

  private async onMessage(msg: FromWebview, panel: ComparePanel): Promise<void> {
    const uri = panel.current?.documentUri;
    switch (msg.type) {
      case 'ready': return;
      case 'rescore': {
        this.d.settings.overrideScores(msg.controls);
        if (!uri) return;
        if (this.d.results.has(uri)) await this.d.rescoreDocument(uri);
        else if (panel.current) await this.rescoreSnapshot(panel);
        return;
      }
      case 'rerun': {
        this.d.settings.overrideAll(msg.controls);
        if (uri) await this.d.rerun(vscode.Uri.parse(uri));
        return;
      }
      case 'export':
        await vscode.commands.executeCommand('promptLens.exportReport', uri, { format: msg.format });
        return;
      case 'reveal':
        if (uri) await this.reveal(uri, msg.side, msg.token);
        return;
      case 'contrast':
        if (uri) await this.explainContrast(uri, msg.against, msg.text);
        return;
    }
  }

  /** "Why this reply rather than that one": the tuned model's reply against the base's or a typed one. */
  private async explainContrast(uri: string, against: 'base' | 'typed', text: string | undefined): Promise<void> {
    const r = this.d.results.get(uri);
    const tuned = r?.tuned;
    const alternative = alternativeReply(against, r?.base, text);
    if (!r || !tuned || !alternative?.trim()) {
      void vscode.window.showErrorMessage(`Prompt Lens: ${!tuned ? 'compare base and tuned first: the contrast explains the tuned model\'s reply.' : against === 'base' ? 'there is no base reply yet: run Compare first.' : 'type the alternative reply to compare with.'}`);
      return;
    }
    const label = r.labels.tuned ?? 'tuned';
    const doc = vscode.Uri.parse(uri);
    this.contrast = holdContrast(uri, tuned, { against, alternative, label, busy: true });
    this.refresh(doc);
    const s = this.d.settings.read(doc);
    const shown = await runContrast(this.d.worker, tuned, label, against, alternative, s);
    this.contrast = holdContrast(uri, tuned, shown);
    this.refresh(doc);
  }

  /** Select a prompt token in the editor (showing the document in the first group when hidden). */
  private async reveal(uri: string, side: Side, token: number): Promise<void> {
    const r = this.d.results.get(uri);
    const tok = r?.[side]?.promptTokens[token];
    if (!r || !tok || tok.special) return;
    const found = await this.d.documents.document(uri);
    if (!found) return;
    // Not visible: show it in the first group (in front of the panel when they share that group).
    const editor = found.editor ?? await vscode.window.showTextDocument(found.doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    const d = found.doc;
    const range = new vscode.Range(d.positionAt(r.offset + tok.start), d.positionAt(r.offset + tok.end));
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** After a reload with no live result: rescore the panel's own snapshot. */
  private async rescoreSnapshot(panel: ComparePanel): Promise<void> {
    const st = panel.current!;
    const s = this.d.settings.read();
    try {
      const models = await Promise.all(st.models.map(async (m) => {
        const a = await this.d.coordinator.rescoreIfNeeded(m.analysis, s, m.analysis.instructionSpans ?? []);
        return panelModelOf(m.side, m.label, a);
      }));
      panel.setState({ ...st, models, controls: { ...st.controls, levels: s.levels, threshold: s.threshold, p: s.p } });
    } catch (e) {
      this.d.reportError(e);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
