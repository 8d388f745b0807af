/**
 * Automatic instruction spans: where a prompt says what to do, as opposed to the material it
 * operates on. See docs/spans.md for the rules and how well they agree with human annotations.
 */
import type { Span } from '../analysis.ts';
import { detectWith, type DetectOptions } from './detect.ts';

export { detectWith, DEFAULT_OPTIONS, type DetectOptions } from './detect.ts';
export { classifySentence, type SentenceKind } from './classify.ts';
export { countAgreement, addCounts, scoresOf, evaluate, type Counts, type Scores } from './metrics.ts';
export { promptPieces, bestPieceAgreement } from './pieces.ts';
export { wholePromptSpans, firstSentenceSpans, firstAndLastSentenceSpans, lastParagraphSpans } from './baselines.ts';

/** Instruction spans of `prompt`: sorted, non-overlapping, JavaScript string offsets, with their text. */
export function detectInstructionSpans(prompt: string, options?: DetectOptions): Span[] {
  return detectWith(prompt, options);
}
