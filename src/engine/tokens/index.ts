/**
 * Tokenizer facade for the engine: load a local tokenizer, encode a prompt (optionally
 * through the chat template) with per-token offsets in the user's text, encode a given
 * response, and give per-token display texts for response tokens.
 */
import type { PromptToken } from '../analysis.ts';
import { loadHfTokenizer, type LoadedTokenizer } from './load.ts';
import { decodePieces } from './pieces.ts';
import { decodeWith, encodePromptDetail, type EncodePromptOptions } from './encode.ts';

export { mergeIntoWords } from './words.ts';
export { mergeIntoUnits, sectionRanges, sentenceRanges, sumRowsPerUnit, type Units } from './units.ts';

export interface EncodedPrompt {
  /** Exactly what the model sees (BOS, template tokens, the user's text). */
  ids: number[];
  /** The text after the template (== prompt for template 'none'). */
  modelInput: string;
  /** One per id: text, `[start, end)` in the user's prompt, special = not the user's text. */
  tokens: PromptToken[];
}

export type { EncodePromptOptions };

export interface PromptTokenizer {
  readonly hasChatTemplate: boolean;
  readonly eosTokenIds: number[];
  readonly bosTokenId?: number;
  /** Rejects with an EngineError when the chat template fails or exceeds its bounds (env.ts). */
  encodePrompt(prompt: string, opts: EncodePromptOptions): Promise<EncodedPrompt>;
  encodeResponse(response: string): number[];
  tokenTexts(ids: number[]): string[];
  decode(ids: number[]): string;
  /** Whether the id is one of the tokenizer's special tokens (BOS, EOS, chat-template markers). */
  isSpecial(id: number): boolean;
}

class Tokenizer implements PromptTokenizer {
  readonly hasChatTemplate: boolean;
  readonly eosTokenIds: number[];
  readonly bosTokenId?: number;
  private readonly loaded: LoadedTokenizer;

  constructor(loaded: LoadedTokenizer) {
    this.loaded = loaded;
    this.hasChatTemplate = loaded.hasChatTemplate;
    this.eosTokenIds = loaded.eosTokenIds;
    this.bosTokenId = loaded.bosTokenId;
    this.decode = decodeWith(loaded);
  }

  readonly decode: (ids: number[]) => string;

  async encodePrompt(prompt: string, opts: EncodePromptOptions): Promise<EncodedPrompt> {
    const { ids, rendered, detail } = await encodePromptDetail(this.loaded, prompt, opts, this.decode);
    return { ids, modelInput: rendered.modelInput, tokens: detail.tokens };
  }

  isSpecial(id: number): boolean {
    return this.loaded.added.get(id)?.special === true;
  }

  encodeResponse(response: string): number[] {
    if (response.length === 0) return [];
    return this.loaded.tok.encode(response, { add_special_tokens: false });
  }

  tokenTexts(ids: number[]): string[] {
    if (ids.length === 0) return [];
    const { pieces, text } = decodePieces(ids, this.decode);
    const full = this.decode(ids);
    if (text === full) return pieces;
    // Not prefix-stable within the window: fall back to diffing full prefixes.
    const out: string[] = [];
    let prev = '';
    for (let i = 0; i < ids.length; i++) {
      const cur = i + 1 === ids.length ? full : this.decode(ids.slice(0, i + 1));
      let l = 0;
      while (l < prev.length && l < cur.length && prev[l] === cur[l]) l++;
      // Characters replaced at the end of prev (U+FFFD of a split character) move to this token.
      let removed = prev.length - l;
      for (let j = out.length - 1; removed > 0 && j >= 0; j--) {
        const k = Math.min(removed, out[j].length);
        out[j] = out[j].slice(0, out[j].length - k);
        removed -= k;
      }
      out.push(cur.slice(l));
      prev = cur;
    }
    return out;
  }
}

export async function loadPromptTokenizer(folder: string): Promise<PromptTokenizer> {
  return new Tokenizer(await loadHfTokenizer(folder));
}
