/**
 * Per-token text by decoding windows of ids and diffing them ("incremental decoding").
 *
 * For token i we decode `ids[s..i)` and `ids[s..i]` for a window start s a few tokens back
 * and take what the longer decode adds. Decoders are prefix-stable except for:
 *  - an incomplete UTF-8 sequence at the end (byte-level BPE, SentencePiece byte fallback),
 *    which decodes to U+FFFD and is replaced once the character completes: the completing
 *    token takes the character, and the tokens that carried its first bytes *share* it;
 *  - effects at the start of a decode (a Strip decoder removing one leading space, a
 *    leading continuation byte), which are the same in both decodes of a window and cancel.
 * Windows are laid out in blocks so that decode(ids[s..i]) is reused as the next "prev":
 * about one decode of at most BLOCK+CONTEXT ids per token, O(n·window) overall.
 */

export interface DecodedPieces {
  /** Concatenation of every token's own piece. */
  text: string;
  /** The text each token adds (may be empty, e.g. the first bytes of a split character). */
  pieces: string[];
  /** Where each piece starts in `text`. */
  ownStart: number[];
  /**
   * Index of the token whose first character this token shares (the token that completed
   * a character this token started), or -1.
   */
  sharesWith: number[];
}

const CONTEXT = 8;
const BLOCK = 24;

function lcp(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never split a surrogate pair.
  if (i > 0 && i < b.length) {
    const c = b.charCodeAt(i - 1);
    if (c >= 0xd800 && c <= 0xdbff) i--;
  }
  return i;
}

export function decodePieces(ids: number[], decode: (ids: number[]) => string): DecodedPieces {
  const n = ids.length;
  const pieces: string[] = new Array<string>(n).fill('');
  const trimmed: boolean[] = new Array<boolean>(n).fill(false);
  let prevStart = -1;
  let prev = '';
  for (let i = 0; i < n; i++) {
    const s = Math.max(0, Math.floor(i / BLOCK) * BLOCK - CONTEXT);
    if (s !== prevStart) {
      prev = i > s ? decode(ids.slice(s, i)) : '';
      prevStart = s;
    }
    const cur = decode(ids.slice(s, i + 1));
    const l = lcp(prev, cur);
    let removed = prev.length - l;
    for (let j = i - 1; removed > 0 && j >= s; j--) {
      const p = pieces[j];
      if (p.length === 0) continue;
      const k = Math.min(removed, p.length);
      pieces[j] = p.slice(0, p.length - k);
      trimmed[j] = true;
      removed -= k;
    }
    pieces[i] = cur.slice(l);
    prev = cur;
  }
  const ownStart: number[] = new Array<number>(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    ownStart[i] = pos;
    pos += pieces[i].length;
  }
  // A token that lost its tail to a later token, or that added nothing, shares the first
  // character of the next token that added something.
  const sharesWith: number[] = new Array<number>(n).fill(-1);
  let next = -1;
  for (let i = n - 1; i >= 0; i--) {
    if ((trimmed[i] || pieces[i].length === 0) && next >= 0) sharesWith[i] = next;
    if (pieces[i].length > 0) next = i;
  }
  return { text: pieces.join(''), pieces, ownStart, sharesWith };
}
