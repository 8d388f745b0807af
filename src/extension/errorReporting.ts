/**
 * Errors shown to the user: one message naming the cause and the fix (the engine's message and
 * hint), details in the log, and a way out (the bundled demo pair when the Hub cannot be used).
 * A cancelled run is not an error: a short status-bar note.
 */
import * as vscode from 'vscode';
import { EngineError } from '../engine/errors.ts';
import { WorkerRequestError, CancelledError } from './workerClient.ts';
import { writeModels } from './settings.ts';
import { BUNDLED_BASE, BUNDLED_TUNED } from './modelRef.ts';
import { log } from './log.ts';

export function reportError(e: unknown): void {
  if (e instanceof CancelledError) {
    log().info('run cancelled');
    void vscode.window.setStatusBarMessage('$(circle-slash) Prompt Lens: cancelled', 5000);
    return;
  }
  // Engine errors raised in the extension host itself (e.g. reading git history) carry their own hint.
  const err = e instanceof WorkerRequestError ? e.info : e instanceof EngineError ? { code: e.code, message: e.message, hint: e.hint, stack: undefined } : { code: 'internal', message: e instanceof Error ? e.message : String(e), hint: 'See the Prompt Lens log.', stack: e instanceof Error ? e.stack : undefined };
  log().error(`${err.code}: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}${err.stack ? `\n${err.stack}` : ''}`);
  const actions = err.code === 'offline' || err.code === 'model-not-found' ? ['Use Bundled Demo Pair', 'Show Log'] : ['Show Log'];
  void vscode.window.showErrorMessage(`Prompt Lens: ${err.message}${err.hint ? ` ${err.hint}` : ''}`, ...actions).then(async (pick) => {
    if (pick === 'Show Log') log().show(true);
    if (pick === 'Use Bundled Demo Pair') await writeModels(BUNDLED_BASE, BUNDLED_TUNED);
  });
}
