/** CodeLens "Analyze · Compare" at the top of prompt-like files (*.prompt, *.prompt.md, *.prompty). */
import * as vscode from 'vscode';
import { LensRefresh } from './lensRefresh.ts';
import { promptKindOf, frontMatterLength } from './promptDoc.ts';

export const PROMPT_FILE_SELECTOR: vscode.DocumentSelector = [
  { pattern: '**/*.prompt' },
  { pattern: '**/*.prompt.md' },
  { pattern: '**/*.prompty' },
];

export class PromptCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new LensRefresh();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly isStale: (uri: vscode.Uri) => boolean | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (promptKindOf(doc.fileName) === 'other') return [];
    const line = doc.positionAt(frontMatterLength(doc.getText())).line;
    const range = new vscode.Range(line, 0, line, 0);
    const stale = this.isStale(doc.uri);
    return [
      new vscode.CodeLens(range, { title: stale ? '$(telescope) Analyze (prompt changed)' : '$(telescope) Analyze', command: 'promptLens.analyze', arguments: [doc.uri], tooltip: 'Prompt Lens: highlight the words the model relies on' }),
      new vscode.CodeLens(range, { title: 'Compare base · tuned', command: 'promptLens.compare', arguments: [doc.uri], tooltip: 'Prompt Lens: run the base and the instruction-tuned model and open the comparison panel' }),
    ];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
