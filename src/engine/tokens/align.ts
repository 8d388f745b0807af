/**
 * Aligning the decoded token text to the model input text, token by token.
 *
 * The decoded text differs from the model input where the tokenizer is not a pure byte
 * split: SentencePiece inserts a leading "▁" (decoded as a space), normalizers rewrite
 * characters (NFC composes "e\u0301" into "é"), special tokens with lstrip/rstrip swallow
 * the whitespace next to them, post-processors insert BOS, unknown characters decode as
 * "<unk>". The walk is greedy and linear: characters that agree are matched; a space only
 * in the decoded text is an insertion; small groups that agree after NFC/NFKC are matched
 * as a group; whitespace only in the model input is skipped (left as a gap, filled later);
 * anything else is matched one character for one character.
 */
import type { AddedTokenInfo } from './load.ts';
import type { DecodedPieces } from './pieces.ts';

export interface AlignStats {
  /** Decoded characters with no counterpart in the model input (e.g. SentencePiece prefix spaces). */
  inserted: number;
  /** Character groups matched after Unicode normalization. */
  normalized: number;
  /** Model-input whitespace characters no token decoded to (besides lstrip/rstrip). */
  skipped: number;
  /** Characters matched although they differ (lossy tokenizers: <unk>, lowercasing...). */
  substituted: number;
  /** Added tokens not found in the model input (inserted by the post-processor, e.g. BOS). */
  insertedSpecial: number;
}

export interface Alignment {
  /** `[start, end)` of each token in the model input. */
  start: number[];
  end: number[];
  /** Tokens matched as added tokens (by their content), not by their decoded text. */
  isAdded: boolean[];
  /** Model-input characters swallowed by an added token's lstrip/rstrip. */
  excluded: Uint8Array;
  stats: AlignStats;
}

const WS = /\s/;

function isWs(s: string, i: number): boolean {
  return i < s.length && WS.test(s[i]);
}

function cpLen(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** End index after `count` code points from `i` (stops at `limit`). */
function advanceCps(s: string, i: number, count: number, limit: number): number {
  let j = i;
  for (let k = 0; k < count && j < limit; k++) j += cpLen(s, j);
  return j;
}

const FORMS = ['NFC', 'NFKC'] as const;

/** Smallest groups F[f..fe) and M[m..me) that are equal after NFC or NFKC. */
function normMatch(F: string, f: number, fLimit: number, M: string, m: number): [number, number] | undefined {
  for (let k = 2; k <= 8; k++) {
    for (let y = 1; y < k && y <= 4; y++) {
      const x = k - y;
      if (x > 6) continue;
      const fe = advanceCps(F, f, y, fLimit);
      const me = advanceCps(M, m, x, M.length);
      if (advanceCps(F, f, y - 1, fLimit) === fe || advanceCps(M, m, x - 1, M.length) === me) continue;
      const a = F.slice(f, fe);
      const b = M.slice(m, me);
      for (const form of FORMS) {
        if (a.normalize(form) === b.normalize(form)) return [fe, me];
      }
    }
  }
  return undefined;
}

export function alignPieces(
  ids: number[],
  dec: DecodedPieces,
  M: string,
  added: Map<number, AddedTokenInfo>,
): Alignment {
  const n = ids.length;
  const F = dec.text;
  const mA = new Int32Array(F.length);
  const mB = new Int32Array(F.length);
  const excluded = new Uint8Array(M.length);
  const stats: AlignStats = { inserted: 0, normalized: 0, skipped: 0, substituted: 0, insertedSpecial: 0 };
  const start: number[] = new Array<number>(n).fill(0);
  const end: number[] = new Array<number>(n).fill(0);
  const isAdded: boolean[] = ids.map((id) => added.has(id));
  let m = 0;

  const mapRange = (f0: number, f1: number, a: number, b: number): void => {
    for (let f = f0; f < f1; f++) {
      mA[f] = a;
      mB[f] = b;
    }
  };

  const alignRun = (f0: number, f1: number): void => {
    let f = f0;
    while (f < f1) {
      const lf = cpLen(F, f);
      if (m < M.length) {
        const lm = cpLen(M, m);
        if (lf === lm && F.startsWith(M.slice(m, m + lm), f)) {
          mapRange(f, f + lf, m, m + lm);
          m += lm;
          f += lf;
          continue;
        }
      }
      if (isWs(F, f) || m >= M.length) {
        mapRange(f, f + lf, m, m);
        stats.inserted++;
        f += lf;
        continue;
      }
      const nm = normMatch(F, f, f1, M, m);
      if (nm) {
        mapRange(f, nm[0], m, nm[1]);
        stats.normalized++;
        f = nm[0];
        m = nm[1];
        continue;
      }
      if (isWs(M, m)) {
        m += cpLen(M, m);
        stats.skipped++;
        continue;
      }
      const lm = cpLen(M, m);
      mapRange(f, f + lf, m, m + lm);
      stats.substituted++;
      m += lm;
      f += lf;
    }
  };

  const ownEnd = (i: number): number => (i + 1 < n ? dec.ownStart[i + 1] : F.length);

  let i = 0;
  while (i < n) {
    const info = added.get(ids[i]);
    if (info) {
      const c = info.content;
      let at = -1;
      if (c.length > 0 && M.startsWith(c, m)) at = m;
      else if (c.length > 0 && info.lstrip) {
        let q = m;
        while (isWs(M, q)) q++;
        if (M.startsWith(c, q)) {
          excluded.fill(1, m, q);
          at = q;
        }
      }
      if (at >= 0) {
        start[i] = at;
        end[i] = at + c.length;
        m = at + c.length;
        if (info.rstrip) {
          let q = m;
          while (isWs(M, q)) q++;
          excluded.fill(1, m, q);
          m = q;
        }
      } else {
        start[i] = m;
        end[i] = m;
        stats.insertedSpecial++;
      }
      mapRange(dec.ownStart[i], ownEnd(i), start[i], end[i]);
      i++;
      continue;
    }
    let j = i;
    while (j < n && !added.has(ids[j])) j++;
    const f0 = dec.ownStart[i];
    const f1 = j < n ? dec.ownStart[j] : F.length;
    const mBefore = m;
    alignRun(f0, f1);
    for (let t = i; t < j; t++) {
      const a = dec.ownStart[t];
      const b = ownEnd(t);
      if (b > a) {
        start[t] = mA[a];
        end[t] = mB[b - 1];
      } else {
        const p = a < f1 ? mA[a] : m;
        start[t] = Math.max(p, mBefore);
        end[t] = start[t];
      }
    }
    i = j;
  }

  // Tokens that carried the first bytes of a character share that character's span.
  for (let t = 0; t < n; t++) {
    const k = dec.sharesWith[t];
    if (k < 0 || isAdded[t] || isAdded[k]) continue;
    const f = dec.ownStart[k];
    const b = mB[f];
    if (dec.pieces[t].length === 0) start[t] = mA[f];
    end[t] = Math.max(end[t], b);
  }

  fillGaps(start, end, isAdded, excluded, M.length);
  return { start, end, isAdded, excluded, stats };
}

/**
 * Model-input characters between consecutive tokens that no token decoded to (and that no
 * lstrip/rstrip swallowed) go to the next ordinary token, else to the previous one.
 */
function fillGaps(start: number[], end: number[], isAdded: boolean[], excluded: Uint8Array, len: number): void {
  const order: number[] = [];
  for (let t = 0; t < start.length; t++) if (end[t] > start[t]) order.push(t);
  let prevEnd = 0;
  let prev = -1;
  const assign = (g0: number, g1: number, next: number): void => {
    // Split the gap around excluded characters: before the first → prev, after the last → next.
    let a = g0;
    while (a < g1 && !excluded[a]) a++;
    let b = g1;
    while (b > a && !excluded[b - 1]) b--;
    if (a === g1) {
      // No excluded character: all to next if ordinary, else prev.
      if (next >= 0 && !isAdded[next]) extendStart(next, g0);
      else if (prev >= 0 && !isAdded[prev]) end[prev] = g1;
      return;
    }
    if (a > g0 && prev >= 0 && !isAdded[prev]) end[prev] = a;
    if (b < g1 && next >= 0 && !isAdded[next]) extendStart(next, b);
  };
  const extendStart = (t: number, to: number): void => {
    start[t] = Math.min(start[t], to);
  };
  for (const t of order) {
    if (start[t] > prevEnd) assign(prevEnd, start[t], t);
    prevEnd = Math.max(prevEnd, end[t]);
    prev = t;
  }
  if (prevEnd < len) assign(prevEnd, len, -1);
  placeZeroWidth(start, end);
}

/** Keep zero-width tokens between their neighbours after gaps were filled. */
function placeZeroWidth(start: number[], end: number[]): void {
  const n = start.length;
  const nextStart: number[] = new Array<number>(n + 1);
  nextStart[n] = Number.POSITIVE_INFINITY;
  for (let t = n - 1; t >= 0; t--) nextStart[t] = end[t] > start[t] ? start[t] : nextStart[t + 1];
  let maxEnd = 0;
  for (let t = 0; t < n; t++) {
    if (end[t] === start[t]) {
      const pos = Math.min(Math.max(start[t], maxEnd), nextStart[t + 1]);
      start[t] = pos;
      end[t] = pos;
    }
    maxEnd = Math.max(maxEnd, end[t]);
  }
}
