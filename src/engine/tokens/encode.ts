/**
 * Encoding a prompt the way the model will see it, with the details tests check
 * (pieces, model-input spans, characters the model does not see, alignment counters).
 */
import type { LoadedTokenizer } from './load.ts';
import { promptTokens, type PromptTokensDetail } from './offsets.ts';
import { applyTemplate, rawPrompt, type RenderedPrompt } from './template.ts';

export interface EncodePromptOptions {
  template: 'auto' | 'none';
  system?: string;
  /** Cancels a chat template's rendering. */
  signal?: AbortSignal;
}

export interface EncodedPromptDetail {
  ids: number[];
  rendered: RenderedPrompt;
  detail: PromptTokensDetail;
}

export function decodeWith(loaded: LoadedTokenizer): (ids: number[]) => string {
  return (ids) =>
    ids.length === 0
      ? ''
      : loaded.tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
}

export async function encodePromptDetail(
  loaded: LoadedTokenizer,
  prompt: string,
  opts: EncodePromptOptions,
  decode: (ids: number[]) => string = decodeWith(loaded),
): Promise<EncodedPromptDetail> {
  const templated = opts.template === 'auto' && loaded.hasChatTemplate;
  const rendered = templated ? await applyTemplate(loaded, prompt, opts.system, opts.signal) : rawPrompt(prompt);
  // As apply_chat_template does: a template writes BOS itself when the model wants one,
  // so special tokens are added by the tokenizer only for the raw prompt.
  const ids = loaded.tok.encode(rendered.modelInput, { add_special_tokens: !templated });
  const detail = promptTokens(prompt, rendered, ids, decode, loaded.added);
  return { ids, rendered, detail };
}
