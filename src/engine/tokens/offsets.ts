/**
 * Prompt tokens with `[start, end)` offsets in the user's prompt.
 *
 * ids → per-token decoded pieces (pieces.ts) → spans in the model input (align.ts) →
 * spans in the user's prompt (clipped to the region the template put the prompt in).
 * A token is `special` when its span holds none of the user's characters: BOS, template
 * text and tokens, and tokenizer insertions such as a lone SentencePiece prefix "▁".
 */
import type { PromptToken } from '../analysis.ts';
import { alignPieces, type AlignStats } from './align.ts';
import type { AddedTokenInfo } from './load.ts';
import { decodePieces } from './pieces.ts';
import type { RenderedPrompt } from './template.ts';

export interface PromptTokensDetail {
  tokens: PromptToken[];
  /** Each token's decoded text (what decoding it after the previous ids adds). */
  pieces: string[];
  /** Spans in the model input. */
  modelStart: number[];
  modelEnd: number[];
  /**
   * Prompt characters the model does not see: outside the region the template kept
   * (e.g. trimmed whitespace) or swallowed by an lstrip/rstrip special token.
   */
  unseen: Uint8Array;
  stats: AlignStats;
}

export function promptTokens(
  prompt: string,
  rendered: RenderedPrompt,
  ids: number[],
  decode: (ids: number[]) => string,
  added: Map<number, AddedTokenInfo>,
): PromptTokensDetail {
  const M = rendered.modelInput;
  const dec = decodePieces(ids, decode);
  const al = alignPieces(ids, dec, M, added);
  const { userStart: u0, userEnd: u1, promptOffset: off } = rendered;
  const toPrompt = (x: number): number => Math.min(Math.max(x, u0), u1) - u0 + off;

  const tokens: PromptToken[] = ids.map((_, i) => {
    const start = toPrompt(al.start[i]);
    const end = toPrompt(al.end[i]);
    if (end > start) return { text: prompt.slice(start, end), start, end, special: false };
    const inModel = al.end[i] > al.start[i] ? M.slice(al.start[i], al.end[i]) : '';
    const info = added.get(ids[i]);
    const text = inModel || info?.content || dec.pieces[i];
    return { text, start, end, special: true };
  });

  const unseen = new Uint8Array(prompt.length);
  unseen.fill(1, 0, Math.min(off, prompt.length));
  unseen.fill(1, Math.min(off + (u1 - u0), prompt.length));
  for (let x = u0; x < u1; x++) if (al.excluded[x]) unseen[x - u0 + off] = 1;
  return { tokens, pieces: dec.pieces, modelStart: al.start, modelEnd: al.end, unseen, stats: al.stats };
}
