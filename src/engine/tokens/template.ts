/**
 * Applying a chat template to the user's prompt, and finding where the user's text ended
 * up inside the rendered model input (templates add text around it, and may trim it).
 */
import type { ChatMessage, HfTokenizer } from './load.ts';

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

function render(tok: HfTokenizer, prompt: string, system: string | undefined): string {
  const messages: ChatMessage[] = [];
  if (system !== undefined) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: prompt });
  const out = tok.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true });
  if (typeof out !== 'string') throw new Error('apply_chat_template did not return a string');
  return out;
}

/** The raw prompt: the whole model input is the user's text. */
export function rawPrompt(prompt: string): RenderedPrompt {
  return { modelInput: prompt, userStart: 0, userEnd: prompt.length, promptOffset: 0 };
}

export function applyTemplate(tok: HfTokenizer, prompt: string, system?: string): RenderedPrompt {
  const modelInput = render(tok, prompt, system);
  // Render once with a sentinel as the content to learn the text the template puts around it.
  const probe = render(tok, SENTINEL, system);
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
  throw new Error(
    'The chat template changed the prompt text so that it cannot be located in the model input; use template "none".',
  );
}

function firstNonSpace(s: string): number {
  const m = /\S/.exec(s);
  return m ? m.index : s.length;
}
