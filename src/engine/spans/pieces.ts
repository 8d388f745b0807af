/**
 * The pieces a detector chooses among: each line's label, list marker and sentences. Any set of
 * spans made of whole pieces is expressible by the rules; measuring how well the best such set
 * agrees with an annotation tells whether segmentation (or the metric) limits agreement, or the
 * choice of pieces does.
 */
import type { Span } from '../analysis.ts';
import { countAgreement, type Counts } from './metrics.ts';
import { tagSentences } from './nlp.ts';
import { LIST_MARKER, splitParagraphs } from './segment.ts';
import { normalizeSpans } from './spans.ts';

export function promptPieces(prompt: string): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  for (const paragraph of splitParagraphs(prompt)) {
    for (const line of paragraph.lines) {
      let from = line.contentStart;
      if (line.label) pieces.push([line.label.start, line.label.end]);
      else {
        const marker = LIST_MARKER.exec(prompt.slice(from, line.end))?.[0].length ?? 0;
        if (marker) pieces.push([from, from + marker]);
        from += marker;
      }
      for (const s of tagSentences(prompt.slice(from, line.end))) pieces.push([from + s.start, from + s.end]);
    }
  }
  return pieces;
}

/**
 * Agreement of the best choice of whole pieces with `reference`: a piece is chosen when most of
 * its non-space characters are in the reference.
 */
export function bestPieceAgreement(prompt: string, reference: readonly Span[]): Counts {
  const inReference = new Uint8Array(prompt.length);
  for (const s of reference) inReference.fill(1, s.start, s.end);
  const chosen = promptPieces(prompt).filter(([start, end]) => {
    let inside = 0;
    let all = 0;
    for (let i = start; i < end; i++) if (!/\s/.test(prompt[i])) { all++; inside += inReference[i]; }
    return inside * 2 > all;
  });
  return countAgreement(prompt, normalizeSpans(prompt, chosen), reference);
}
