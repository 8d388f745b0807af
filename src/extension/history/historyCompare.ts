/**
 * "Prompt Lens: Compare with Previous Version": the prompt file against its previous git version
 * (or a Timeline item's commit against the one before it), both analyzed by the same model (the
 * tuned one, or the base one when the highlights show the base) with the same settings, at word
 * granularity, then aligned word by word (engine/history) and shown in the history panel.
 */
import * as vscode from 'vscode';
import { compareVersions, type HistoryComparison } from '../../engine/history/compare.ts';
import type { Analysis } from '../../engine/analysis.ts';
import { EngineError } from '../../engine/errors.ts';
import type { Side } from '../../protocol/index.ts';
import { consentToDownload } from '../downloadConsent.ts';
import { log } from '../log.ts';
import type { ModelResolver } from '../modelResolver.ts';
import { extractPrompt } from '../promptDoc.ts';
import type { ProgressSink, RunCoordinator } from '../runCoordinator.ts';
import type { SessionSettings } from '../sessionSettings.ts';
import { readVersions, type TimelineRefs, type VersionText } from './gitVersions.ts';
import type { HistoryPanel } from './historyPanel.ts';

export interface HistoryDeps {
  globalState: vscode.Memento;
  settings: SessionSettings;
  models: ModelResolver;
  coordinator: RunCoordinator;
  panel: HistoryPanel;
  reportError(e: unknown): void;
}

/** The arguments VS Code passes: a file Uri (editor title), or a Timeline item and its Uri. */
export function historyTarget(a: unknown, b: unknown): { uri?: vscode.Uri; timeline?: TimelineRefs } {
  const item = a as Partial<TimelineRefs> | undefined;
  if (item && typeof item === 'object' && typeof item.ref === 'string' && typeof item.previousRef === 'string') {
    return { uri: b instanceof vscode.Uri ? b : undefined, timeline: { ref: item.ref, previousRef: item.previousRef } };
  }
  return { uri: a instanceof vscode.Uri ? a : vscode.window.activeTextEditor?.document.uri };
}

/** Halves each increment: two analyses share one progress bar. */
function half(progress: ProgressSink): ProgressSink {
  return { report: (v) => progress.report({ ...v, increment: v.increment !== undefined ? v.increment / 2 : undefined }) };
}

export class HistoryCompare {
  private running = false;

  constructor(private readonly d: HistoryDeps) {}

  async run(a: unknown, b: unknown): Promise<HistoryComparison | undefined> {
    const { uri, timeline } = historyTarget(a, b);
    if (!uri || uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('Prompt Lens: open a prompt file of a git repository, then Compare with Previous Version.');
      return undefined;
    }
    if (this.running) {
      void vscode.window.showInformationMessage('Prompt Lens is already comparing versions. Wait for it, or cancel it from its notification.');
      return undefined;
    }
    this.running = true;
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const { before, after, via } = await readVersions(uri.fsPath, doc.getText(), timeline);
      log().info(`history: ${uri.fsPath}, ${before.label} → ${after.label} (read with ${via})`);
      const s = { ...this.d.settings.read(uri), granularity: 'word' as const };
      const side: Side = s.highlight === 'base' ? 'base' : 'tuned';
      const models = this.d.models.pair(s, uri);
      const consent = await consentToDownload(this.d.globalState, [models[side]], s.askBeforeDownload);
      if (consent !== 'ok') return undefined;
      const prompt = (v: VersionText) => extractPrompt(v.text, { fileName: uri.fsPath, template: s.template });
      const cts = new vscode.CancellationTokenSource();
      const analyses = await Promise.resolve(vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification,
        title: `Prompt Lens: ${before.label} → ${after.label} with ${models[side].label}`,
        cancellable: true,
      }, async (progress, token) => {
        token.onCancellationRequested(() => cts.cancel());
        const out: Analysis[] = [];
        for (const v of [before, after]) {
          const p = prompt(v);
          if (!p.prompt.trim()) throw new EngineError('empty-prompt', `the prompt is empty at ${v.label}`, 'compare versions where the prompt has text');
          const r = await this.d.coordinator.run({ prompt: p.prompt, system: p.system, sides: [side], models, settings: s, markedSpans: [] }, cts.token, half(progress));
          out.push(r[side]!);
        }
        return out;
      })).finally(() => cts.dispose());
      const file = vscode.workspace.asRelativePath(uri, false);
      const c = compareVersions(file, { label: before.label, commit: before.commit, analysis: analyses[0] }, { label: after.label, commit: after.commit, analysis: analyses[1] });
      this.d.panel.show(c, models[side].label);
      return c;
    } catch (e) {
      this.d.reportError(e);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
