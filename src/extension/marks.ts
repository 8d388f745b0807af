/**
 * Instruction marks (no `vscode` import): spans the user marked as "the instruction", stored per
 * file outside the file (the extension never edits prompt files), following edits.
 */
import { shiftRanges, toggleRange, type OffsetRange, type TextChange } from './ranges.ts';

export interface MarkStorage {
  get(key: string): Record<string, OffsetRange[]> | undefined;
  update(key: string, value: Record<string, OffsetRange[]>): Thenable<void> | Promise<void>;
}

const KEY = 'promptLens.instructionMarks';

export class InstructionMarks {
  private data: Record<string, OffsetRange[]>;

  constructor(private readonly store: MarkStorage) {
    this.data = { ...(store.get(KEY) ?? {}) };
  }

  get(uri: string): OffsetRange[] {
    return this.data[uri] ?? [];
  }

  toggle(uri: string, r: OffsetRange): OffsetRange[] {
    return this.set(uri, toggleRange(this.get(uri), r));
  }

  set(uri: string, ranges: OffsetRange[]): OffsetRange[] {
    if (ranges.length) this.data[uri] = ranges;
    else delete this.data[uri];
    void this.store.update(KEY, this.data);
    return ranges;
  }

  /** Shift a file's marks after an edit; a mark whose text is edited inside keeps its ends, one cut across is dropped. */
  onEdit(uri: string, changes: readonly TextChange[]): boolean {
    const cur = this.data[uri];
    if (!cur?.length) return false;
    const next = shiftRanges(cur, changes, { keepContaining: true }).filter((x): x is OffsetRange => !!x && x.end > x.start);
    this.set(uri, next);
    return true;
  }

  /** The marks that fall in the prompt `[offset, offset+len)`, as prompt-relative spans. */
  static toPromptSpans(marks: readonly OffsetRange[], offset: number, len: number): { start: number; end: number }[] {
    return marks
      .map((m) => ({ start: Math.max(0, m.start - offset), end: Math.min(len, m.end - offset) }))
      .filter((m) => m.end > m.start);
  }
}
