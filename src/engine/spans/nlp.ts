/**
 * Sentence segmentation and part-of-speech tags from wink-nlp (English lite model), with
 * JavaScript string offsets. The model is loaded once, on first use.
 */
import winkNLP, { type ItemSentence, type ItemToken, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface TaggedToken {
  /** The token as written. */
  text: string;
  /** Lower-cased text. */
  lower: string;
  /** Universal POS tag (VERB, NOUN, AUX, PRON, …). */
  pos: string;
  lemma: string;
  start: number;
  end: number;
}

export interface TaggedSentence {
  start: number;
  end: number;
  tokens: TaggedToken[];
}

let nlp: WinkMethods | undefined;

/** `token.out(f)` for any `its` helper (the typings do not accept every helper, e.g. lemma). */
function read(token: ItemToken, f: unknown): string {
  return String((token.out as unknown as (f: unknown) => unknown).call(token, f));
}

function engine(): WinkMethods {
  nlp ??= winkNLP(model, ['sbd', 'pos']);
  return nlp;
}

/** Sentences of `text` (offsets relative to `text`), each with its non-space tokens. */
export function tagSentences(text: string): TaggedSentence[] {
  if (text.trim() === '') return [];
  const w = engine();
  const its = w.its;
  const doc = w.readDoc(text);
  const tokens: TaggedToken[] = [];
  let offset = 0;
  doc.tokens().each((t: ItemToken) => {
    const value = t.out();
    offset += read(t, its.precedingSpaces).length;
    // wink keeps the text verbatim; should a token ever not match, find it instead.
    let start = offset;
    if (text.slice(start, start + value.length) !== value) {
      const found = text.indexOf(value, offset);
      start = found >= 0 ? found : offset;
    }
    const end = start + value.length;
    offset = end;
    tokens.push({ text: value, lower: value.toLowerCase(), pos: read(t, its.pos), lemma: read(t, its.lemma).toLowerCase(), start, end });
  });
  const sentences: TaggedSentence[] = [];
  doc.sentences().each((s: ItemSentence) => {
    const [first, last] = s.out(its.span) as unknown as [number, number];
    const own = tokens.slice(first, last + 1).filter((t) => t.pos !== 'SPACE' && t.text.trim() !== '');
    if (own.length === 0) return;
    sentences.push({ start: own[0].start, end: own[own.length - 1].end, tokens: own });
  });
  return sentences;
}
