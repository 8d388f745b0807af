/**
 * The extension's core: runs analyses through the worker (with progress, cancellation and the
 * result cache), keeps per-document results, and keeps decorations, CodeLens, status bar and the
 * comparison panel in step with them. Commands (commands.ts) are thin wrappers around it.
 */
import * as vscode from 'vscode';
import fs from 'node:fs';
import path from 'node:path';
import type { Analysis, Span } from '../engine/analysis.ts';
import type { PanelControls, PanelState, PanelModel, FromWebview, Progress, Side } from '../protocol/index.ts';
import { WorkerClient, WorkerRequestError, CancelledError } from './workerClient.ts';
import { ResultCache } from './resultCache.ts';
import { InstructionMarks } from './marks.ts';
import { Decorations } from './decorations.ts';
import { StatusBar } from './statusBar.ts';
import { PromptCodeLens } from './codeLens.ts';
import { ComparePanel } from './panel.ts';
import { readSettings, writeModels, type Settings } from './settings.ts';
import { extractPrompt, promptKindOf, type ExtractedPrompt } from './promptDoc.ts';
import { resolveModelRef, BUNDLED_BASE, BUNDLED_TUNED, type ResolvedModel } from './modelRef.ts';
import { runKey, type RunKeyParts } from './cacheKey.ts';
import { recordEdit, isStale, type DocResult } from './docState.ts';
import { insideOutside, profileOf } from './panelData.ts';
import { log } from './log.ts';
import { stageFraction, describeProgress } from './progressText.ts';

export interface RunOptions {
  /** Which models: both for compare; else from the highlight setting. */
  sides?: Side[];
  openPanel?: boolean;
  /** Use the editor's selection as the prompt (palette), or the whole prompt (CodeLens, panel). */
  useSelection?: boolean;
  /** Run in the window's progress area instead of a notification (analyze on save). */
  quiet?: boolean;
}

const CONSENT_KEY = 'promptLens.hubConsent';

export class Controller implements vscode.Disposable {
  readonly results = new Map<string, DocResult>();
  readonly worker: WorkerClient;
  readonly cache: ResultCache;
  readonly marks: InstructionMarks;
  readonly decorations = new Decorations();
  readonly status = new StatusBar();
  readonly codeLens: PromptCodeLens;
  panel: ComparePanel | undefined;
  /** Panel controls that override the settings for this session (cleared when settings change). */
  private overrides: Partial<PanelControls> = {};
  private running: vscode.CancellationTokenSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: vscode.ExtensionContext) {
    this.cache = new ResultCache(path.join(ctx.globalStorageUri.fsPath, 'results'));
    this.marks = new InstructionMarks(ctx.workspaceState);
    this.codeLens = new PromptCodeLens((uri) => {
      const r = this.results.get(uri.toString());
      return r ? isStale(r) : undefined;
    });
    this.worker = new WorkerClient({
      workerPath: path.join(ctx.extensionPath, 'dist', 'worker.js'),
      init: () => ({ type: 'init', allowRemoteModels: true, maxLoadedModels: readSettings().maxLoadedModels }),
      log: (level, message) => log()[level](message),
      onModelState: (ref, _dtype, state, message) => this.status.setState(ref, state, message),
    });
    this.refreshStatusModels();
  }

  // ───────────── settings ─────────────

  settings(scope?: vscode.Uri): Settings {
    const s = readSettings(scope);
    const o = this.overrides;
    return {
      ...s,
      method: o.method ?? s.method,
      levels: o.levels ?? s.levels,
      threshold: o.threshold ?? s.threshold,
      p: o.p ?? s.p,
      template: o.template ?? s.template,
      granularity: o.granularity ?? s.granularity,
      sameResponse: o.sameResponse ?? s.sameResponse,
    };
  }

  onSettingsChanged(): void {
    this.overrides = {};
    this.decorations.invalidate();
    this.worker.reinit();
    this.refreshStatusModels();
    this.redrawAll();
  }

  private resolve(setting: string, uri?: vscode.Uri): ResolvedModel {
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : vscode.workspace.workspaceFolders?.[0];
    return resolveModelRef(setting, {
      extensionPath: this.ctx.extensionPath,
      workspaceFolder: folder?.uri.fsPath,
      exists: (p) => { try { return fs.statSync(p).isDirectory(); } catch { return false; } },
    });
  }

  refreshStatusModels(): void {
    const s = readSettings();
    const b = this.resolve(s.baseModel), t = this.resolve(s.tunedModel);
    this.status.setModels([
      { side: 'base', label: b.label, ref: b.ref, state: 'idle' },
      { side: 'tuned', label: t.label, ref: t.ref, state: 'idle' },
    ]);
  }

  // ───────────── running ─────────────

  private async consentToDownload(models: ResolvedModel[]): Promise<'ok' | 'demo' | 'cancel'> {
    const s = readSettings();
    const consented = new Set(this.ctx.globalState.get<string[]>(CONSENT_KEY, []));
    const need = models.filter((m) => m.kind === 'hub' && !consented.has(m.ref));
    if (!need.length || !s.askBeforeDownload) return 'ok';
    const pick = await vscode.window.showInformationMessage(
      `Prompt Lens needs to download ${need.map((m) => m.ref).join(' and ')} from the Hugging Face Hub (about 0.3–0.6 GB each, once; cached afterwards).`,
      { modal: true, detail: 'Or use the small demo pair bundled with the extension, which works offline.' },
      'Download', 'Use Bundled Demo Pair',
    );
    if (pick === 'Download') {
      await this.ctx.globalState.update(CONSENT_KEY, [...consented, ...need.map((m) => m.ref)]);
      return 'ok';
    }
    if (pick === 'Use Bundled Demo Pair') return 'demo';
    return 'cancel';
  }

  /** The model part of a result-cache key. */
  private modelKey(m: ResolvedModel, s: Settings): RunKeyParts['model'] {
    return { ref: m.ref, dtype: s.dtype, precision: s.precision, fingerprint: this.fingerprint(m) };
  }

  private fingerprint(m: ResolvedModel): string {
    if (m.kind === 'hub') return 'hub';
    const parts: string[] = [];
    for (const dir of [m.ref, path.join(m.ref, 'onnx')]) {
      try {
        for (const f of fs.readdirSync(dir).sort()) {
          const st = fs.statSync(path.join(dir, f));
          if (st.isFile()) parts.push(`${f}:${st.size}:${Math.round(st.mtimeMs)}`);
        }
      } catch { /* missing folder: the engine reports it */ }
    }
    return parts.join('|');
  }

  /**
   * The prompt a command acts on: the given one; else the active text editor's; else (the panel
   * focused) the panel's prompt; else the first visible editor's.
   */
  targetUri(uri?: vscode.Uri | string): string | undefined {
    if (uri) return typeof uri === 'string' ? uri : uri.toString();
    const active = vscode.window.activeTextEditor;
    if (active) return active.document.uri.toString();
    return this.panel?.current?.documentUri ?? vscode.window.visibleTextEditors[0]?.document.uri.toString();
  }

  private editorFor(uri?: vscode.Uri | string): vscode.TextEditor | undefined {
    const u = this.targetUri(uri);
    if (!u) return undefined;
    return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === u)
      ?? (vscode.window.activeTextEditor?.document.uri.toString() === u ? vscode.window.activeTextEditor : undefined);
  }

  /** The document (opened, not shown: a hidden prompt stays hidden) and its editor when visible. */
  private async documentFor(uri?: vscode.Uri | string): Promise<{ doc: vscode.TextDocument; editor?: vscode.TextEditor } | undefined> {
    const editor = this.editorFor(uri);
    if (editor) return { doc: editor.document, editor };
    const u = this.targetUri(uri);
    if (!u) return undefined;
    try {
      return { doc: await vscode.workspace.openTextDocument(vscode.Uri.parse(u)) };
    } catch (e) {
      log().warn(`cannot open ${u}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** analyze / compare. */
  async run(target: vscode.Uri | string | undefined, opts: RunOptions): Promise<DocResult | undefined> {
    if (this.running) {
      void vscode.window.showInformationMessage('Prompt Lens is already running. Cancel it from its progress notification first.');
      return undefined;
    }
    const found = await this.documentFor(target);
    if (!found) {
      void vscode.window.showInformationMessage('Prompt Lens: open a prompt file (or select a prompt) first.');
      return undefined;
    }
    const { doc, editor } = found;
    let s = this.settings(doc.uri);
    const sel = opts.useSelection && editor && !editor.selection.isEmpty
      ? { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) }
      : undefined;
    const extracted = extractPrompt(doc.getText(), { fileName: doc.fileName, selection: sel, template: s.template });
    if (!extracted.prompt.trim()) {
      void vscode.window.showErrorMessage('Prompt Lens: the prompt is empty. Write a prompt (or select one) and run Analyze again.');
      return undefined;
    }
    const sides: Side[] = opts.sides ?? (s.highlight === 'difference' ? ['base', 'tuned'] : [s.highlight]);
    let models: Record<Side, ResolvedModel> = { base: this.resolve(s.baseModel, doc.uri), tuned: this.resolve(s.tunedModel, doc.uri) };
    const consent = await this.consentToDownload(sides.map((x) => models[x]));
    if (consent === 'cancel') return undefined;
    if (consent === 'demo') {
      await writeModels(BUNDLED_BASE, BUNDLED_TUNED);
      s = this.settings(doc.uri);
      models = { base: this.resolve(BUNDLED_BASE), tuned: this.resolve(BUNDLED_TUNED) };
    }
    for (const side of sides) {
      const m = models[side];
      if (m.kind === 'bundled' && !fs.existsSync(path.join(m.ref, 'config.json'))) {
        void vscode.window.showErrorMessage(`Prompt Lens: the bundled model ${m.label} is missing from this installation (${m.ref}). Reinstall the extension, or choose other models.`, 'Select Models')
          .then((p) => p && vscode.commands.executeCommand('promptLens.selectModels'));
        return undefined;
      }
    }
    this.status.setModels(sides.map((side) => ({ side, label: models[side].label, ref: models[side].ref, state: 'idle' as const })));

    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    const started = Date.now();
    const what = sides.map((x) => models[x].label).join(' + ');
    if (opts.openPanel) this.showPanel(doc.uri, `Running ${what}…`);
    else this.panel?.setBusy(null);
    try {
      const analyses = await vscode.window.withProgress({
        location: opts.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
        title: `Prompt Lens: ${sides.length > 1 ? 'comparing' : 'analyzing with'} ${what}`,
        cancellable: true,
      }, (progress, token) => {
        token.onCancellationRequested(() => cts.cancel());
        return this.runModels(doc, extracted, sides, models, s, cts.token, progress);
      });
      const result: DocResult = {
        uri: doc.uri.toString(),
        offset: extracted.offset,
        prompt: extracted.prompt,
        system: extracted.system,
        base: analyses.base,
        tuned: analyses.tuned,
        labels: Object.fromEntries(sides.map((x) => [x, models[x].label])),
        edits: [],
        createdAt: Date.now(),
      };
      // A single-model run keeps the other side's earlier result only if it was for the same prompt
      // and is still that side's model (else the panel would label another model's analysis).
      const prev = this.results.get(result.uri);
      if (prev && !isStale(prev) && prev.prompt === result.prompt && prev.offset === result.offset) {
        for (const side of ['base', 'tuned'] as Side[]) {
          const old = prev[side];
          if (result[side] || !old || old.model.ref !== models[side].ref) continue;
          result[side] = old;
          result.labels[side] = prev.labels[side];
        }
      }
      this.results.set(result.uri, result);
      const ms = Date.now() - started;
      this.status.setLastRun(ms, what);
      log().info(`analysis of ${doc.uri.fsPath || doc.uri.toString()} with ${what} done in ${ms} ms`);
      this.redraw(doc.uri);
      this.codeLens.refresh();
      if (opts.openPanel || this.panel?.current?.documentUri === result.uri) this.showPanel(doc.uri);
      return result;
    } catch (e) {
      this.panel?.setBusy(null);
      this.reportError(e);
      return undefined;
    } finally {
      cts.dispose();
      this.running = undefined;
    }
  }

  private async runModels(
    doc: vscode.TextDocument, ex: ExtractedPrompt, sides: Side[], models: Record<Side, ResolvedModel>, s: Settings,
    token: vscode.CancellationToken, progress: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<{ base?: Analysis; tuned?: Analysis }> {
    // Same response: the source side generates; the other side explains that response.
    const source: Side | undefined = s.sameResponse !== 'none' && sides.length === 2 ? s.sameResponse : undefined;
    const order = source ? [source, ...sides.filter((x) => x !== source)] : sides;
    const spans = await this.instructionSpans(doc, ex, token);
    const out: { base?: Analysis; tuned?: Analysis } = {};
    const share = 100 / order.length;
    for (const side of order) {
      if (token.isCancellationRequested) throw new CancelledError();
      const m = models[side];
      const response = source && side !== source ? out[source]!.response : undefined;
      const key = runKey({
        prompt: ex.prompt, system: ex.system,
        model: this.modelKey(m, s),
        method: s.method, template: s.template, maxNewTokens: s.maxNewTokens, granularity: s.granularity, response,
      });
      let a = this.cache.get(key);
      if (a) {
        log().info(`${side}: cached result ${key}`);
        progress.report({ message: `${m.label}: cached`, increment: share });
      } else {
        let done = 0;
        const onProgress = (p: Progress) => {
          const frac = stageFraction(p);
          if (frac > done) { progress.report({ increment: (frac - done) * share }); done = frac; }
          progress.report({ message: `${m.label}: ${describeProgress(p)}` });
        };
        a = await this.worker.request({
          type: 'analyze', ref: m.ref, dtype: s.dtype, precision: s.precision,
          request: {
            prompt: ex.prompt, response, method: s.method, template: s.template, maxNewTokens: s.maxNewTokens,
            levels: s.levels, threshold: s.threshold, p: s.p, granularity: s.granularity,
            instructionSpans: spans.length ? spans : undefined,
            system: ex.system,
          },
        }, { onProgress, onCancel: (cancel) => token.onCancellationRequested(cancel) });
        this.cache.set(key, a);
        if (done < 1) progress.report({ increment: (1 - done) * share });
      }
      out[side] = await this.rescoreIfNeeded(a, s, spans);
    }
    return out;
  }

  /** Marked spans, else detected ones (prompt-relative). */
  private async instructionSpans(doc: vscode.TextDocument, ex: ExtractedPrompt, token?: vscode.CancellationToken): Promise<Span[]> {
    const marked = InstructionMarks.toPromptSpans(this.marks.get(doc.uri.toString()), ex.offset, ex.prompt.length);
    if (marked.length) return marked.map((m) => ({ ...m, text: ex.prompt.slice(m.start, m.end) }));
    try {
      return await this.worker.request({ type: 'detectSpans', prompt: ex.prompt }, { onCancel: (c) => token?.onCancellationRequested(c) });
    } catch (e) {
      log().warn(`instruction-span detection failed: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }

  private async rescoreIfNeeded(a: Analysis, s: Pick<Settings, 'levels' | 'threshold' | 'p'>, spans: Span[]): Promise<Analysis> {
    const same = a.settings.levels === s.levels && a.settings.threshold === s.threshold && a.settings.p === s.p
      && JSON.stringify((a.instructionSpans ?? []).map((x) => [x.start, x.end])) === JSON.stringify(spans.map((x) => [x.start, x.end]));
    if (same) return a;
    return this.worker.request({ type: 'rescore', analysis: a, settings: { levels: s.levels, threshold: s.threshold, p: s.p, instructionSpans: spans } });
  }

  /** Re-apply L, b, p and the instruction spans to a document's result (no model run). */
  async rescoreDocument(uri: string): Promise<void> {
    const r = this.results.get(uri);
    if (!r) return;
    const s = this.settings(vscode.Uri.parse(uri));
    const marked = InstructionMarks.toPromptSpans(this.marks.get(uri), r.offset, r.prompt.length);
    let spans: Span[] = marked;
    if (!spans.length) {
      try { spans = await this.worker.request({ type: 'detectSpans', prompt: r.prompt }); } catch { spans = []; }
    }
    try {
      if (r.base) r.base = await this.rescoreIfNeeded(r.base, s, spans);
      if (r.tuned) r.tuned = await this.rescoreIfNeeded(r.tuned, s, spans);
    } catch (e) {
      this.reportError(e);
      return;
    }
    this.redraw(vscode.Uri.parse(uri));
    if (this.panel?.current?.documentUri === uri) this.showPanel(vscode.Uri.parse(uri));
  }

  cancel(): void {
    this.running?.cancel();
  }

  reportError(e: unknown): void {
    if (e instanceof CancelledError) {
      log().info('run cancelled');
      void vscode.window.setStatusBarMessage('$(circle-slash) Prompt Lens: cancelled', 5000);
      return;
    }
    const err = e instanceof WorkerRequestError ? e.info : { code: 'internal', message: e instanceof Error ? e.message : String(e), hint: 'See the Prompt Lens log.', stack: e instanceof Error ? e.stack : undefined };
    log().error(`${err.code}: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}${err.stack ? `\n${err.stack}` : ''}`);
    const actions = err.code === 'offline' || err.code === 'model-not-found' ? ['Use Bundled Demo Pair', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`Prompt Lens: ${err.message}${err.hint ? ` ${err.hint}` : ''}`, ...actions).then(async (pick) => {
      if (pick === 'Show Log') log().show(true);
      if (pick === 'Use Bundled Demo Pair') await writeModels(BUNDLED_BASE, BUNDLED_TUNED);
    });
  }

  // ───────────── views ─────────────

  redraw(uri: vscode.Uri): void {
    const u = uri.toString();
    for (const ed of vscode.window.visibleTextEditors) {
      if (ed.document.uri.toString() !== u) continue;
      this.decorations.apply(ed, this.results.get(u), this.marks.get(u), this.settings(uri));
    }
  }

  redrawAll(): void {
    for (const ed of vscode.window.visibleTextEditors) {
      const u = ed.document.uri.toString();
      this.decorations.apply(ed, this.results.get(u), this.marks.get(u), this.settings(ed.document.uri));
    }
  }

  clear(uri?: vscode.Uri): void {
    const ed = this.editorFor(uri);
    if (!ed) return;
    this.results.delete(ed.document.uri.toString());
    this.redraw(ed.document.uri);
    this.codeLens.refresh();
  }

  onDocumentChanged(e: vscode.TextDocumentChangeEvent): void {
    if (!e.contentChanges.length) return;
    const u = e.document.uri.toString();
    const changes = e.contentChanges.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text }));
    const hadMarks = this.marks.onEdit(u, changes);
    const r = this.results.get(u);
    if (r) {
      const wasStale = isStale(r);
      if (!recordEdit(r, changes)) this.results.delete(u);
      if (!wasStale) {
        this.codeLens.refresh();
        this.status.setStale(true);
        if (this.panel?.current?.documentUri === u) this.panel.setState({ ...this.panel.current, stale: true });
      }
    }
    if (r || hadMarks) this.redraw(e.document.uri);
  }

  async onDocumentSaved(doc: vscode.TextDocument): Promise<void> {
    const s = this.settings(doc.uri);
    const r = this.results.get(doc.uri.toString());
    if (!s.analyzeOnSave || this.running) return;
    if (!r && promptKindOf(doc.fileName) === 'other') return;
    const sides: Side[] | undefined = r ? (['base', 'tuned'] as Side[]).filter((x) => r[x]) : undefined;
    await this.run(doc.uri, { sides, quiet: true });
  }

  /** Show the last cached result at once when a prompt file is opened again (no model run). */
  async restoreFromCache(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    const u = doc.uri.toString();
    if (this.results.has(u) || promptKindOf(doc.fileName) === 'other') return;
    const s = this.settings(doc.uri);
    const ex = extractPrompt(doc.getText(), { fileName: doc.fileName, template: s.template });
    if (!ex.prompt.trim()) return;
    const found: { base?: Analysis; tuned?: Analysis } = {};
    const labels: DocResult['labels'] = {};
    for (const side of ['base', 'tuned'] as Side[]) {
      if (s.sameResponse !== 'none' && side !== s.sameResponse) continue; // depends on the other side's response
      const m = this.resolve(side === 'base' ? s.baseModel : s.tunedModel, doc.uri);
      const a = this.cache.get(runKey({ prompt: ex.prompt, system: ex.system, model: this.modelKey(m, s), method: s.method, template: s.template, maxNewTokens: s.maxNewTokens, granularity: s.granularity }));
      if (a) { found[side] = a; labels[side] = m.label; }
    }
    if (!found.base && !found.tuned) return;
    const spans = InstructionMarks.toPromptSpans(this.marks.get(u), ex.offset, ex.prompt.length);
    const cheap = (a: Analysis) => a.settings.levels === s.levels && a.settings.threshold === s.threshold && a.settings.p === s.p
      && (!spans.length || JSON.stringify((a.instructionSpans ?? []).map((x) => [x.start, x.end])) === JSON.stringify(spans.map((x) => [x.start, x.end])));
    // Only results that need no rescoring are shown without the worker; others wait for Analyze.
    if ((found.base && !cheap(found.base)) || (found.tuned && !cheap(found.tuned))) return;
    this.results.set(u, { uri: u, offset: ex.offset, prompt: ex.prompt, system: ex.system, ...found, labels, edits: [], createdAt: Date.now() });
    log().info(`restored cached result for ${doc.uri.fsPath}`);
    this.redraw(doc.uri);
    this.codeLens.refresh();
  }

  // ───────────── panel ─────────────

  panelControls(uri?: vscode.Uri): PanelControls {
    const s = this.settings(uri);
    return { method: s.method, levels: s.levels, threshold: s.threshold, p: s.p, template: s.template, sameResponse: s.sameResponse, granularity: s.granularity };
  }

  panelState(uri: vscode.Uri, busy?: string): PanelState {
    const u = uri.toString();
    const r = this.results.get(u);
    const models: PanelModel[] = [];
    for (const side of ['base', 'tuned'] as Side[]) {
      const a = r?.[side];
      if (!a) continue;
      const io = insideOutside(a);
      models.push({ side, label: r!.labels[side] ?? side, analysis: a, meanInside: io.inside, meanOutside: io.outside, profile: profileOf(a) });
    }
    return {
      version: 1,
      documentUri: u,
      title: path.basename(uri.path),
      controls: this.panelControls(uri),
      models,
      busy,
      stale: r ? isStale(r) : undefined,
    };
  }

  showPanel(uri: vscode.Uri, busy?: string): void {
    if (!this.panel) {
      this.panel = ComparePanel.create(this.ctx.extensionUri, this.panelHandlers(), vscode.ViewColumn.Beside);
    } else {
      this.panel.reveal();
    }
    const current = this.panel.current;
    // While a run starts, keep showing what the panel has (with a busy line) rather than an empty page.
    if (busy && current && current.models.length && !this.results.get(uri.toString())?.tuned) {
      this.panel.setState({ ...current, busy });
      return;
    }
    this.panel.setState(this.panelState(uri, busy));
  }

  adoptPanel(panel: vscode.WebviewPanel, state: unknown): void {
    this.panel?.dispose();
    this.panel = ComparePanel.revive(panel, this.ctx.extensionUri, this.panelHandlers(), state);
    const uri = this.panel.current?.documentUri;
    // Prefer live results (e.g. restored from the cache) over the saved snapshot.
    if (uri && this.results.has(uri)) this.panel.setState(this.panelState(vscode.Uri.parse(uri)));
  }

  private panelHandlers() {
    return {
      onMessage: (msg: FromWebview, panel: ComparePanel) => void this.onPanelMessage(msg, panel),
      onDispose: (panel: ComparePanel) => { if (this.panel === panel) this.panel = undefined; },
    };
  }

  private async onPanelMessage(msg: FromWebview, panel: ComparePanel): Promise<void> {
    const uri = panel.current?.documentUri;
    switch (msg.type) {
      case 'ready': return;
      case 'rescore': {
        this.overrides = { ...this.overrides, levels: msg.controls.levels, threshold: msg.controls.threshold, p: msg.controls.p };
        if (!uri) return;
        if (this.results.has(uri)) await this.rescoreDocument(uri);
        else if (panel.current) await this.rescorePanelSnapshot(panel);
        return;
      }
      case 'rerun': {
        const c = msg.controls;
        this.overrides = { ...c };
        if (uri) await this.run(vscode.Uri.parse(uri), { sides: ['base', 'tuned'], openPanel: true });
        return;
      }
      case 'export':
        await vscode.commands.executeCommand('promptLens.exportReport', uri, { format: msg.format });
        return;
      case 'reveal': {
        if (!uri) return;
        const r = this.results.get(uri);
        const a = r?.[msg.side];
        const tok = a?.promptTokens[msg.token];
        if (!r || !tok || tok.special) return;
        const found = await this.documentFor(uri);
        if (!found) return;
        // Not visible: show it in the first group (in front of the panel when they share that group).
        const editor = found.editor ?? await vscode.window.showTextDocument(found.doc, { preview: false, viewColumn: vscode.ViewColumn.One });
        const d = found.doc;
        const range = new vscode.Range(d.positionAt(r.offset + tok.start), d.positionAt(r.offset + tok.end));
        editor.selection = new vscode.Selection(range.start, range.end);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
    }
  }

  /** After a reload with no live result: rescore the panel's own snapshot. */
  private async rescorePanelSnapshot(panel: ComparePanel): Promise<void> {
    const st = panel.current!;
    const s = this.settings();
    try {
      const models = await Promise.all(st.models.map(async (m) => {
        const a = await this.rescoreIfNeeded(m.analysis, s, m.analysis.instructionSpans ?? []);
        const io = insideOutside(a);
        return { ...m, analysis: a, meanInside: io.inside, meanOutside: io.outside, profile: profileOf(a) };
      }));
      panel.setState({ ...st, models, controls: { ...st.controls, levels: s.levels, threshold: s.threshold, p: s.p } });
    } catch (e) {
      this.reportError(e);
    }
  }

  analysesFor(uri?: string): Analysis[] {
    const u = uri ?? vscode.window.activeTextEditor?.document.uri.toString() ?? this.panel?.current?.documentUri;
    const r = u ? this.results.get(u) : undefined;
    if (r) return [r.base, r.tuned].filter((a): a is Analysis => !!a);
    if (this.panel?.current && (!u || this.panel.current.documentUri === u)) return this.panel.current.models.map((m) => m.analysis);
    return [];
  }

  dispose(): void {
    this.running?.cancel();
    this.panel?.dispose();
    this.decorations.dispose();
    this.status.dispose();
    void this.worker.terminate();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
