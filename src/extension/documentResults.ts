/**
 * The results shown in each document (no `vscode` import), by document URI: stored after a run
 * (merged with the other side's earlier result when it still fits), followed through edits, and
 * dropped when cleared or when too many edits were tracked.
 */
import type { Analysis } from '../engine/analysis.ts';
import type { Side } from '../protocol/index.ts';
import { isStale, recordEdit, type DocResult } from './docState.ts';
import type { TextChange } from './ranges.ts';

export class DocumentResults {
  private readonly results = new Map<string, DocResult>();

  get(uri: string): DocResult | undefined {
    return this.results.get(uri);
  }

  has(uri: string): boolean {
    return this.results.has(uri);
  }

  set(result: DocResult): void {
    this.results.set(result.uri, result);
  }

  delete(uri: string): void {
    this.results.delete(uri);
  }

  /** undefined when the document has no result. */
  isStale(uri: string): boolean | undefined {
    const r = this.results.get(uri);
    return r ? isStale(r) : undefined;
  }

  /**
   * Store a run's result. A single-model run keeps the other side's earlier result only if it was
   * for the same prompt and is still that side's model (`refs`), else the panel would label
   * another model's analysis.
   */
  store(result: DocResult, refs: Record<Side, string>): DocResult {
    const prev = this.results.get(result.uri);
    if (prev && !isStale(prev) && prev.prompt === result.prompt && prev.offset === result.offset) {
      for (const side of ['base', 'tuned'] as Side[]) {
        const old = prev[side];
        if (result[side] || !old || old.model.ref !== refs[side]) continue;
        result[side] = old;
        result.labels[side] = prev.labels[side];
      }
    }
    this.results.set(result.uri, result);
    return result;
  }

  /** Follow an edit of the document: whether it had a result, and whether that result just became stale. */
  recordEdit(uri: string, changes: readonly TextChange[]): { found: boolean; becameStale: boolean } {
    const r = this.results.get(uri);
    if (!r) return { found: false, becameStale: false };
    const wasStale = isStale(r);
    if (!recordEdit(r, changes)) this.results.delete(uri);
    return { found: true, becameStale: !wasStale };
  }

  /** The analyses of a document, base first. */
  analyses(uri: string): Analysis[] {
    const r = this.results.get(uri);
    return r ? [r.base, r.tuned].filter((a): a is Analysis => !!a) : [];
  }
}
