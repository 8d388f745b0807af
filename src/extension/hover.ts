/** Hover on a highlighted token: its density and rank under each model and what it influenced most. */
import * as vscode from 'vscode';
import { escapeMd, hoverMarkdown, type HoverSide } from './hoverText.ts';
import { mapToDocument, isStale, type DocResult } from './docState.ts';
import type { Settings } from './settings.ts';

export class ImportanceHover implements vscode.HoverProvider {
  constructor(
    private readonly lookup: (uri: vscode.Uri) => DocResult | undefined,
    private readonly settings: (uri: vscode.Uri) => Pick<Settings, 'highlight' | 'highlightFloor'>,
    /** Where a word lives in the models' weights (the last "Model internals" view), as Markdown lines. */
    private readonly wherePlaces: (word: string) => string[] = () => [],
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const r = this.lookup(doc.uri);
    if (!r) return undefined;
    const docOff = doc.offsetAt(pos);
    const sides: HoverSide[] = [];
    if (r.base) sides.push({ side: 'base', label: r.labels.base ?? 'base', analysis: r.base });
    if (r.tuned) sides.push({ side: 'tuned', label: r.labels.tuned ?? 'tuned', analysis: r.tuned });
    if (!sides.length) return undefined;
    // Find the prompt offset under the cursor through the current (edit-shifted) token ranges.
    let promptOff = -1;
    let hit: vscode.Range | undefined;
    for (const s of sides) {
      const toks = s.analysis.promptTokens.map((t, n) => ({ start: t.start, end: t.end, n, special: t.special }));
      const mapped = mapToDocument(r, toks);
      const k = mapped.findIndex((m) => m && !m.special && m.start <= docOff && docOff < m.end);
      if (k >= 0) {
        promptOff = s.analysis.promptTokens[k].start;
        const m = mapped[k]!;
        hit = new vscode.Range(doc.positionAt(m.start), doc.positionAt(m.end));
        break;
      }
    }
    if (promptOff < 0) return undefined;
    const args = encodeURIComponent(JSON.stringify([doc.uri.toString()]));
    const s = this.settings(doc.uri);
    const floor = s.highlight === 'difference' ? 0 : s.highlightFloor;
    let md = hoverMarkdown(sides, promptOff, { stale: isStale(r), panelCommand: `command:promptLens.openPanel?${args}`, floor, mode: s.highlight });
    if (!md) return undefined;
    const wordRange = doc.getWordRangeAtPosition(pos, /[A-Za-z]+/);
    const places = wordRange ? this.wherePlaces(doc.getText(wordRange)) : [];
    if (places.length > 0) md += `\n\n**Where this word lives** (model internals)\n\n${places.map((l) => `- ${escapeMd(l)}`).join('\n')}`;
    const ms = new vscode.MarkdownString(md);
    ms.isTrusted = { enabledCommands: ['promptLens.openPanel'] };
    return new vscode.Hover(ms, hit);
  }
}
