/**
 * Applying a chat template to the user's prompt, and finding where the user's text ended
 * up inside the rendered model input (templates add text around it, and may trim it).
 * Templates render as transformers.js' apply_chat_template does, within the bounds of env.ts
 * (template-renderer.ts); a template that fails is refused naming its tokenizer_config.json.
 */
import path from 'node:path';
import { env } from '../env.ts';
import { EngineError } from '../errors.ts';
import type { ChatMessage, LoadedTokenizer } from './load.ts';
import { renderChatTemplate, TemplateRenderError } from './template-renderer.ts';

export interface RenderedPrompt {
  /** The text given to the tokenizer. */
  modelInput: string;
  /** `[userStart, userEnd)`: the user's text inside `modelInput`. */
  userStart: number;
  userEnd: number;
  /** Where `modelInput[userStart]` is in the user's prompt (> 0 when the template trimmed it). */
  promptOffset: number;
}

const SENTINEL = 'PromptLensSentinel7f3a9c';

/** The special tokens apply_chat_template gives a template as variables (bos_token, …). */
const SPECIAL_TOKEN_VARIABLES = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

function templateError(folder: string, problem: string, cause?: unknown): EngineError {
  const file = path.join(folder, 'tokenizer_config.json');
  // One line, one final stop: the problem may quote the template's own message.
  const text = problem.replace(/\s+/g, ' ').trim();
  return new EngineError(
    'model-files-corrupt',
    `The chat template in ${file} ${text}${/[.!?]$/.test(text) ? '' : '.'}`,
    `Analyze without it (--template none, or the template setting "none"), or fix "chat_template" in ${file} (download the model again if it was changed).`,
    { cause },
  );
}

function templateText(loaded: LoadedTokenizer): string {
  let template: unknown;
  try {
    template = loaded.tok.get_chat_template();
  } catch (cause) {
    throw templateError(loaded.folder, `cannot be used: ${(cause as Error).message}`, cause);
  }
  if (typeof template !== 'string') throw templateError(loaded.folder, `is a ${typeof template}, not a template`);
  return template;
}

/** The variables apply_chat_template renders with: the messages, special tokens, no tools. */
function templateContext(loaded: LoadedTokenizer, messages: ChatMessage[]): Record<string, unknown> {
  const context: Record<string, unknown> = { messages, add_generation_prompt: true, tools: null, documents: null };
  for (const name of SPECIAL_TOKEN_VARIABLES) {
    const value = loaded.tok.config[name];
    if (typeof value === 'string' && value.length > 0) context[name] = value;
    else if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') context[name] = (value as { content: string }).content;
  }
  return context;
}

function chat(content: string, system: string | undefined): ChatMessage[] {
  return system !== undefined ? [{ role: 'system', content: system }, { role: 'user', content }] : [{ role: 'user', content }];
}

/** The template applied to the prompt, and to a sentinel in its place. */
async function render(loaded: LoadedTokenizer, prompt: string, system: string | undefined, signal: AbortSignal | undefined): Promise<{ modelInput: string; probe: string }> {
  const template = templateText(loaded);
  const contexts = [chat(prompt, system), chat(SENTINEL, system)].map((messages) => templateContext(loaded, messages));
  const limits = {
    timeoutMs: env.templateTimeoutMs,
    memoryMb: env.templateMemoryMb,
    maxChars: prompt.length + (system?.length ?? 0) + env.templateMaxAddedChars,
  };
  try {
    const [modelInput, probe] = await renderChatTemplate(template, contexts, limits, signal);
    return { modelInput, probe };
  } catch (error) {
    if (error instanceof TemplateRenderError) throw templateError(loaded.folder, error.message, error);
    throw error;
  }
}

/** The raw prompt: the whole model input is the user's text. */
export function rawPrompt(prompt: string): RenderedPrompt {
  return { modelInput: prompt, userStart: 0, userEnd: prompt.length, promptOffset: 0 };
}

export async function applyTemplate(loaded: LoadedTokenizer, prompt: string, system?: string, signal?: AbortSignal): Promise<RenderedPrompt> {
  // The sentinel's rendering tells the text the template puts around the user's message.
  const { modelInput, probe } = await render(loaded, prompt, system, signal);
  const at = probe.indexOf(SENTINEL);
  if (at >= 0 && probe.indexOf(SENTINEL, at + 1) < 0) {
    const prefix = probe.slice(0, at);
    const suffix = probe.slice(at + SENTINEL.length);
    if (
      modelInput.length >= prefix.length + suffix.length &&
      modelInput.startsWith(prefix) &&
      modelInput.endsWith(suffix)
    ) {
      const inner = modelInput.slice(prefix.length, modelInput.length - suffix.length);
      const off = inner.length === 0 ? firstNonSpace(prompt) : prompt.indexOf(inner);
      if (off >= 0) {
        return {
          modelInput,
          userStart: prefix.length,
          userEnd: prefix.length + inner.length,
          promptOffset: off,
        };
      }
    }
  }
  // The template changed the text in a way we cannot see through: look for the prompt
  // (or its trimmed form) directly, the last occurrence (templates put the user message last).
  for (const candidate of [prompt, prompt.trim()]) {
    if (candidate.length === 0) continue;
    const idx = modelInput.lastIndexOf(candidate);
    if (idx >= 0) {
      return {
        modelInput,
        userStart: idx,
        userEnd: idx + candidate.length,
        promptOffset: prompt.indexOf(candidate),
      };
    }
  }
  throw templateError(loaded.folder, 'changes the prompt text so that it cannot be found in the model input');
}

function firstNonSpace(s: string): number {
  const m = /\S/.exec(s);
  return m ? m.index : s.length;
}
