/**
 * Editor highlights: one decoration type per colour level (background by normalized density,
 * or diverging tuned − base), overview-ruler marks for the strongest words, and a dashed
 * underline for instruction marks. Types are rebuilt when the theme, colours or L change.
 */
import * as vscode from 'vscode';
import { levelColor, borderFor, textColorFor, rgba, type ThemeKind } from './colors.ts';
import { segmentsFor, strongest } from './highlights.ts';
import { mapToDocument, type DocResult } from './docState.ts';
import type { Settings } from './settings.ts';
import type { OffsetRange } from './ranges.ts';

function themeKind(): ThemeKind {
  switch (vscode.window.activeColorTheme.kind) {
    case vscode.ColorThemeKind.Light: return 'light';
    case vscode.ColorThemeKind.HighContrast: return 'highContrast';
    case vscode.ColorThemeKind.HighContrastLight: return 'highContrastLight';
    default: return 'dark';
  }
}

export class Decorations implements vscode.Disposable {
  private levelTypes = new Map<number, vscode.TextEditorDecorationType>();
  private strongType: vscode.TextEditorDecorationType | undefined;
  private readonly markType: vscode.TextEditorDecorationType;
  private signature = '';

  constructor() {
    this.markType = vscode.window.createTextEditorDecorationType({
      borderWidth: '0 0 2px 0',
      borderStyle: 'dashed',
      borderColor: new vscode.ThemeColor('editorInfo.foreground'),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
  }

  private ensureTypes(s: Settings, diverging: boolean): void {
    const kind = themeKind();
    const floor = diverging ? 0 : s.highlightFloor;
    const sig = JSON.stringify([kind, s.colors, s.levels, diverging, floor]);
    if (sig === this.signature) return;
    this.disposeLevelTypes();
    this.signature = sig;
    const L = s.levels;
    const lo = diverging ? -L : 1;
    for (let level = lo; level <= L; level++) {
      if (level === 0) continue;
      const border = borderFor(level, L, kind, s.colors, diverging, floor);
      this.levelTypes.set(level, vscode.window.createTextEditorDecorationType({
        backgroundColor: levelColor(level, L, kind, s.colors, diverging, floor),
        border,
        color: textColorFor(level, L, kind, s.colors, diverging, floor),
        borderRadius: '2px',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }));
    }
    const rulerColor = rgba(diverging ? s.colors.increase : s.colors.importance, 0.9);
    this.strongType = vscode.window.createTextEditorDecorationType({
      overviewRulerColor: rulerColor,
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
  }

  /** Draw (or clear, when `result` is undefined) the highlights of `editor`. */
  apply(editor: vscode.TextEditor, result: DocResult | undefined, marks: readonly OffsetRange[], s: Settings): void {
    const doc = editor.document;
    const toRange = (r: OffsetRange) => new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end));
    editor.setDecorations(this.markType, marks.map(toRange));
    const diverging = s.highlight === 'difference' && !!result?.base && !!result?.tuned;
    this.ensureTypes(s, diverging);
    const byLevel = new Map<number, vscode.Range[]>();
    const strong: vscode.Range[] = [];
    if (result) {
      const segs = segmentsFor(s.highlight, result, s.levels, s.highlightFloor);
      const mapped = mapToDocument(result, segs);
      mapped.forEach((m) => {
        if (!m) return;
        const level = Math.max(-s.levels, Math.min(s.levels, m.level));
        if (!byLevel.has(level)) byLevel.set(level, []);
        byLevel.get(level)!.push(toRange(m));
      });
      const top = new Set(strongest(segs, s.overviewRulerMarks));
      segs.forEach((seg, i) => { if (top.has(seg) && mapped[i]) strong.push(toRange(mapped[i]!)); });
    }
    for (const [level, type] of this.levelTypes) editor.setDecorations(type, byLevel.get(level) ?? []);
    if (this.strongType) editor.setDecorations(this.strongType, strong);
  }

  /** Forget the types (e.g. after a theme change) so the next apply rebuilds them. */
  invalidate(): void {
    this.signature = '';
  }

  private disposeLevelTypes(): void {
    for (const t of this.levelTypes.values()) t.dispose();
    this.levelTypes.clear();
    this.strongType?.dispose();
    this.strongType = undefined;
  }

  dispose(): void {
    this.disposeLevelTypes();
    this.markType.dispose();
  }
}
