/**
 * Prompt Lens' VS Code extension: activation. Everything heavy runs in the engine worker
 * (dist/worker.js), started on the first analysis.
 */
import * as vscode from 'vscode';
import { Controller } from './controller.ts';
import { registerCommands } from './commands.ts';
import { ImportanceHover } from './hover.ts';
import { ModelInternals } from './internals.ts';
import { PROMPT_FILE_SELECTOR } from './codeLens.ts';
import { fixInstruction, InstructionCodeActions } from './diagnostics.ts';
import { PANEL_VIEW_TYPE } from '../protocol/index.ts';
import { log, disposeLog } from './log.ts';

export function activate(ctx: vscode.ExtensionContext): { controller: Controller } {
  const c = new Controller(ctx);
  ctx.subscriptions.push(c);
  registerCommands(ctx, c);
  const internals = new ModelInternals(ctx.extensionPath, c.worker);
  ctx.subscriptions.push(vscode.commands.registerCommand('promptLens.internals', () => internals.show()));
  const anyFile: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-userdata' }];
  ctx.subscriptions.push(
    vscode.languages.registerHoverProvider(anyFile, new ImportanceHover((uri) => c.results.get(uri.toString()), (uri) => c.settings.read(uri), (word) => internals.wherePlaces(word))),
    vscode.languages.registerCodeLensProvider(PROMPT_FILE_SELECTOR, c.views.codeLens),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, c.views.checks),
    vscode.languages.registerCodeLensProvider(anyFile, c.views.rules),
    vscode.languages.registerCodeActionsProvider(anyFile, new InstructionCodeActions(), { providedCodeActionKinds: InstructionCodeActions.kinds }),
    vscode.commands.registerCommand('promptLens.fixInstruction', (uri: string, start: number, end: number, instruction: boolean) =>
      fixInstruction({ results: c.results, marks: c.marks, rescore: (u) => c.runs.rescoreDocument(u), redraw: (u) => c.views.redraw(u) }, uri, start, end, instruction),
    ),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => c.panel.adopt(panel, state),
    }),
    vscode.workspace.onDidChangeTextDocument((e) => c.onDocumentChanged(e)),
    vscode.workspace.onWillSaveTextDocument((e) => c.runs.onWillSave(e)),
    vscode.workspace.onDidSaveTextDocument((d) => void c.runs.onDocumentSaved(d)),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('promptLens')) c.onSettingsChanged(); }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => c.onSettingsChanged()),
    vscode.window.onDidChangeActiveColorTheme(() => c.views.onThemeChanged()),
    vscode.window.onDidChangeVisibleTextEditors((eds) => {
      for (const ed of eds) void c.runs.restoreFromCache(ed).then(() => c.views.redraw(ed.document.uri));
    }),
  );
  // Editors the window restored before activation: their cached results, and their instruction
  // marks even when no result is cached for the current settings.
  for (const ed of vscode.window.visibleTextEditors) void c.runs.restoreFromCache(ed).then(() => c.views.redraw(ed.document.uri));
  log().info(`Prompt Lens activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: model paths from workspace settings are ignored'})`);
  return { controller: c };
}

export function deactivate(): void {
  // The controller (and its worker) is disposed through ctx.subscriptions.
  disposeLog();
}
