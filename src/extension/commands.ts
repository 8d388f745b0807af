/** The commands (nine in the palette, internal ones: openPanel for the hover link, openPanelAtLine for the rule lens, cancel); thin wrappers around the controller. */
import * as vscode from 'vscode';
import fs from 'node:fs';
import type { Controller } from './controller.ts';
import { readSettings, writeModels } from './settings.ts';
import { BUNDLED_BASE, BUNDLED_TUNED, HUB_BASE, HUB_TUNED, isHubId } from './modelRef.ts';
import { log } from './log.ts';
import { reportError } from './errorReporting.ts';
import { OPEN_PANEL_AT_LINE } from './ruleLens.ts';

type UriArg = vscode.Uri | string | undefined;

function asUri(u: unknown): vscode.Uri | string | undefined {
  return u instanceof vscode.Uri || typeof u === 'string' ? u : undefined;
}

export function registerCommands(ctx: vscode.ExtensionContext, c: Controller): void {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => ctx.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('promptLens.analyze', (uri?: unknown) => c.runs.run(asUri(uri), { useSelection: !asUri(uri) }));
  reg('promptLens.compare', (uri?: unknown) => c.runs.run(asUri(uri), { sides: ['base', 'tuned'], openPanel: true, useSelection: !asUri(uri) }));
  // The hover's link (not in the palette): show the panel when both results are there, else compare.
  reg('promptLens.openPanel', (uri?: unknown) => {
    const u = asUri(uri);
    const r = u ? c.results.get(u.toString()) : undefined;
    if (r?.base && r.tuned && u) { c.panel.show(typeof u === 'string' ? vscode.Uri.parse(u) : u); return; }
    return c.runs.run(u, { sides: ['base', 'tuned'], openPanel: true });
  });
  // A rule lens' click (not in the palette): the panel at that prompt line.
  reg(OPEN_PANEL_AT_LINE, (uri?: unknown, line?: unknown) => {
    if (typeof uri !== 'string' || typeof line !== 'number' || !c.results.has(uri)) return;
    c.panel.show(vscode.Uri.parse(uri), undefined, line);
  });
  reg('promptLens.clear', (uri?: unknown) => c.clear(asUri(uri) as vscode.Uri | undefined));
  reg('promptLens.markInstruction', () => markInstruction(c));
  reg('promptLens.selectModels', () => selectModels());
  reg('promptLens.exportReport', (a?: unknown, b?: unknown) => {
    const o = exportArgs(a, b);
    return exportReport(c, o.uri, o);
  });
  reg('promptLens.compareWithPrevious', (a?: unknown, b?: unknown) => c.history.run(a, b));
  // The walkthrough's sample (shipped in media/walkthrough/).
  reg('promptLens.openSample', async () => vscode.window.showTextDocument(vscode.Uri.joinPath(ctx.extensionUri, 'media', 'walkthrough', 'sample.prompt')));
  reg('promptLens.showLog', () => log().show());
  reg('promptLens.cancel', () => c.runs.cancel());
}

async function markInstruction(c: Controller): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  if (!ed) return;
  const doc = ed.document;
  const start = doc.offsetAt(ed.selection.start), end = doc.offsetAt(ed.selection.end);
  const before = c.marks.get(doc.uri.toString()).length;
  const after = c.marks.toggle(doc.uri.toString(), { start, end });
  if (after.length === before && start === end) {
    void vscode.window.showInformationMessage('Prompt Lens: select the instruction (the words that say what to do), then run Mark Instruction. Run it inside a mark to remove it.');
  }
  c.views.redraw(doc.uri);
  await c.runs.rescoreDocument(doc.uri.toString());
}

async function selectModels(): Promise<void> {
  const s = readSettings();
  type Item = vscode.QuickPickItem & { id: string };
  const items: Item[] = [
    { id: 'demo', label: '$(package) Bundled demo pair', description: 'demo-base + demo-instruct', detail: 'Small models shipped with the extension: works offline, instantly. Their instruction shift shows with method occlusion (see their model card).' },
    { id: 'hub', label: '$(cloud-download) SmolLM-135M + SmolLM-135M-Instruct', description: 'Hugging Face Hub', detail: `${HUB_BASE} and ${HUB_TUNED}, downloaded once on first use (asks first).` },
    { id: 'folders', label: '$(folder) Local folders…', detail: 'Two folders in the Hugging Face ONNX layout (config.json, tokenizer.json, onnx/model*.onnx).' },
    { id: 'ids', label: '$(edit) Other Hub ids…', detail: 'Any decoder-only model with an ONNX export (e.g. onnx-community/…).' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Prompt Lens: choose the base and the instruction-tuned model', placeHolder: `Now: ${s.baseModel} → ${s.tunedModel}` });
  if (!pick) return;
  if (pick.id === 'demo') return writeModels(BUNDLED_BASE, BUNDLED_TUNED);
  if (pick.id === 'hub') return writeModels(HUB_BASE, HUB_TUNED);
  if (pick.id === 'folders') {
    const choose = async (title: string) => (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title, openLabel: 'Use this model' }))?.[0]?.fsPath;
    const base = await choose('Base (pre-trained) model folder');
    if (!base) return;
    const tuned = await choose('Instruction-tuned model folder');
    if (!tuned) return;
    return writeModels(base, tuned);
  }
  const ask = (prompt: string, value: string) => vscode.window.showInputBox({ prompt, value, validateInput: (v) => (isHubId(v.trim()) ? undefined : 'Write a Hub id as organisation/name') });
  const base = await ask('Base model (Hub id)', s.baseModel);
  if (!base) return;
  const tuned = await ask('Instruction-tuned model (Hub id)', s.tunedModel);
  if (!tuned) return;
  return writeModels(base.trim(), tuned.trim());
}

interface ExportOptions {
  format?: 'html' | 'json';
  /** Where to write; asks when missing. */
  path?: string;
}

/**
 * Arguments of exportReport: `(uri?, {format?, path?})` (the panel's buttons), or one object
 * `{uri?, format?, path?}` (scripts, keybindings: `"args": {"format": "json", "path": "/tmp/a.json"}`).
 */
function exportArgs(a: unknown, b: unknown): ExportOptions & { uri?: UriArg } {
  const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !(v instanceof vscode.Uri) ? v as Record<string, unknown> : undefined);
  const o = obj(a) ?? obj(b) ?? {};
  const format = o.format === 'html' || o.format === 'json' ? o.format : undefined;
  const path = typeof o.path === 'string' && o.path ? o.path : undefined;
  return { uri: asUri(a) ?? asUri(o.uri), format, path };
}

async function exportReport(c: Controller, uri: UriArg, opts: ExportOptions): Promise<string | undefined> {
  // The prompt shown (active editor, else the panel's): also where the save dialog proposes to write.
  const key = c.documents.uri(uri);
  const analyses = c.analysesFor(key);
  if (!analyses.length) {
    void vscode.window.showInformationMessage('Prompt Lens: nothing to export yet. Run Analyze or Compare first.');
    return undefined;
  }
  const format = opts.format ?? (await vscode.window.showQuickPick([
    { label: 'HTML report', description: 'one self-contained file, readable offline', id: 'html' as const },
    { label: 'JSON', description: 'the Analysis records (prompt-lens schema)', id: 'json' as const },
  ], { title: 'Prompt Lens: export' }))?.id;
  if (!format) return undefined;
  let target = opts.path;
  if (!target) {
    const src = key ? vscode.Uri.parse(key) : undefined;
    const base = src && src.scheme === 'file' ? src.fsPath.replace(/(\.prompt\.md|\.prompty|\.prompt|\.[^./\\]+)?$/, '') : 'prompt';
    const picked = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}.prompt-lens.${format}`),
      filters: format === 'html' ? { 'HTML report': ['html'] } : { JSON: ['json'] },
      title: 'Prompt Lens: export',
    });
    target = picked?.fsPath;
  }
  if (!target) return undefined;
  try {
    const text = format === 'html'
      ? await c.worker.request({ type: 'report', analyses })
      : `${JSON.stringify(analyses.length === 1 ? analyses[0] : analyses, null, 1)}\n`;
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, target);
    log().info(`exported ${format} to ${target}`);
    void vscode.window.showInformationMessage(`Prompt Lens: exported to ${target}`, 'Open').then((p) => {
      if (p) void vscode.env.openExternal(vscode.Uri.file(target!));
    });
    return target;
  } catch (e) {
    reportError(e);
    return undefined;
  }
}
