/**
 * Loading a tokenizer from a local model folder with @huggingface/transformers (v4),
 * never touching the network, plus the few facts the engine needs (EOS/BOS ids,
 * added tokens with their strip flags).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env as hfEnv } from '@huggingface/transformers';
import { EngineError } from '../errors.ts';
import { readJsonFile } from '../models/files.ts';

/** The subset of an added token (tokenizer.json `added_tokens`) the offset code uses. */
export interface AddedTokenInfo {
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

export interface ChatMessage {
  role: string;
  content: string;
}

/** The subset of transformers.js' PreTrainedTokenizer this module relies on. */
export interface HfTokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], opts?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  /** Renders in this thread without bounds: the engine renders with template.ts instead. */
  apply_chat_template(
    messages: ChatMessage[],
    opts: { tokenize: false; add_generation_prompt: boolean; return_tensor?: boolean },
  ): unknown;
  /** The template apply_chat_template would use (throws when the config has none that applies). */
  get_chat_template(): unknown;
  chat_template: unknown;
  /** tokenizer_config.json as loaded. */
  config: Record<string, unknown>;
  bos_token_id?: number | null;
  eos_token_id?: number | null;
  unk_token_id?: number | null;
  _tokenizer: { get_added_tokens_decoder(): Map<number, AddedTokenInfo> };
}

export interface LoadedTokenizer {
  folder: string;
  tok: HfTokenizer;
  added: Map<number, AddedTokenInfo>;
  hasChatTemplate: boolean;
  eosTokenIds: number[];
  bosTokenId?: number;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function idList(v: unknown): number[] {
  if (typeof v === 'number' && Number.isInteger(v)) return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x));
  return [];
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];
const DOWNLOAD_AGAIN = 'Download the model again (its tokenizer.json and tokenizer_config.json belong together), or export it again with optimum.';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Why transformers.js could not load the tokenizer files of `folder`, as one message naming the
 * file: not JSON (damaged or truncated), JSON that is not a tokenizer, or else its own reason.
 */
async function tokenizerFilesError(folder: string, cause: unknown): Promise<EngineError> {
  const contents: Record<string, unknown> = {};
  for (const name of TOKENIZER_FILES) {
    const file = path.join(folder, name);
    try {
      contents[name] = await readJsonFile(file);
    } catch (error) {
      return error as EngineError;
    }
    if (!isObject(contents[name])) {
      const found = contents[name] === null ? 'null' : Array.isArray(contents[name]) ? 'a list' : `a ${typeof contents[name]}`;
      return new EngineError('model-files-corrupt', `${file} holds ${found}, not the object of settings a tokenizer file has.`, DOWNLOAD_AGAIN, { cause });
    }
  }
  const tokenizerJson = contents['tokenizer.json'] as Record<string, unknown>;
  if (!isObject(tokenizerJson.model)) {
    return new EngineError('model-files-corrupt', `${path.join(folder, 'tokenizer.json')} is not a tokenizer: it has no "model" section.`, DOWNLOAD_AGAIN, { cause });
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EngineError('model-files-corrupt', `The tokenizer in ${folder} (tokenizer.json with tokenizer_config.json) cannot be loaded: ${reason}`, DOWNLOAD_AGAIN, { cause });
}

/**
 * Load the tokenizer of a local folder (tokenizer.json + tokenizer_config.json).
 * The path is made absolute, so transformers.js treats it as a path and not a Hub id.
 */
export async function loadHfTokenizer(folder: string): Promise<LoadedTokenizer> {
  const abs = path.resolve(folder);
  for (const name of TOKENIZER_FILES) {
    if (!fs.existsSync(path.join(abs, name))) throw new EngineError('model-files-missing', `The model folder ${abs} has no ${name}.`, DOWNLOAD_AGAIN);
  }
  // Local files only: an absolute path is not a valid Hub id, so transformers.js reads it
  // from disk as is; `local_files_only` makes sure no request is ever made.
  hfEnv.allowLocalModels = true;
  let tok: HfTokenizer;
  try {
    tok = (await AutoTokenizer.from_pretrained(abs, { local_files_only: true })) as unknown as HfTokenizer;
  } catch (cause) {
    throw await tokenizerFilesError(abs, cause);
  }

  const added = new Map<number, AddedTokenInfo>();
  for (const [id, t] of tok._tokenizer.get_added_tokens_decoder()) {
    added.set(id, { content: t.content, special: !!t.special, lstrip: !!t.lstrip, rstrip: !!t.rstrip });
  }

  const genCfg = readJson(path.join(abs, 'generation_config.json'));
  const cfg = readJson(path.join(abs, 'config.json'));
  const eos = new Set<number>([
    ...idList(genCfg?.eos_token_id),
    ...idList(cfg?.eos_token_id),
    ...idList(tok.eos_token_id),
  ]);
  const bosCandidates = [...idList(tok.bos_token_id), ...idList(genCfg?.bos_token_id), ...idList(cfg?.bos_token_id)];

  const tmpl = tok.chat_template;
  const hasChatTemplate = typeof tmpl === 'string' ? tmpl.length > 0 : !!tmpl && typeof tmpl === 'object';
  return {
    folder: abs,
    tok,
    added,
    hasChatTemplate,
    eosTokenIds: [...eos],
    bosTokenId: bosCandidates[0],
  };
}
