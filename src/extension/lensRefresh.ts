/**
 * A CodeLens provider's change event that survives a focus change. VS Code answers the event by
 * scheduling a new query after a debounce (250 ms or more), and a blur of the editor's text in
 * that window cancels it until the editor is focused again (codelensController:
 * onDidBlurEditorText → cancel). A run that ends just as the focus moves (to the command palette,
 * the Problems view, the comparison panel) left the old lenses on screen: "analyze to evaluate"
 * above an analyzed prompt. So each refresh fires at once and once more after the window; a
 * blurred editor takes the second (nothing cancels it).
 */
import * as vscode from 'vscode';

/** Longer than VS Code's CodeLens debounce for providers as fast as ours (its minimum is 250 ms). */
const AFTER_DEBOUNCE_MS = 1000;

export class LensRefresh implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly event = this.emitter.event;
  private timer: ReturnType<typeof setTimeout> | undefined;

  fire(): void {
    this.emitter.fire();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emitter.fire(), AFTER_DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.emitter.dispose();
  }
}
