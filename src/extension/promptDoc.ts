/**
 * Which part of a document is the prompt (pure; no `vscode` import).
 * - `*.prompt`, `*.prompt.md`, `*.prompty`: YAML front matter (`---` … `---` at the top) is not
 *   part of the prompt.
 * - `*.prompty`: the body is split into role sections (`system:`, `user:`, `assistant:` on a line
 *   of their own). When a chat template is applied, the system section(s) become the system role
 *   and the first user section is the prompt; with no template, the whole body is the prompt.
 * - A non-empty selection is the prompt, as is.
 */
import { roleSections } from '../engine/spans/roles.ts';

export { roleSections, type RoleSection } from '../engine/spans/roles.ts';

export type PromptKind = 'prompt' | 'prompty' | 'other';

export function promptKindOf(fileName: string): PromptKind {
  const f = fileName.toLowerCase();
  if (f.endsWith('.prompty')) return 'prompty';
  if (f.endsWith('.prompt') || f.endsWith('.prompt.md')) return 'prompt';
  return 'other';
}

/** Length of the front matter block, including its closing line, or 0 when there is none. */
export function frontMatterLength(text: string): number {
  const m = /^(?:\uFEFF)?---[ \t]*\r?\n/.exec(text);
  if (!m) return 0;
  const re = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/gm;
  re.lastIndex = m[0].length;
  let close: RegExpExecArray | null;
  while ((close = re.exec(text))) {
    if (close.index >= m[0].length) return close.index + close[0].length;
  }
  return 0; // unclosed: not front matter
}

/** Trim whitespace of a `[start,end)` slice, returning the trimmed offsets. */
export function trimRange(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

export interface ExtractedPrompt {
  /** The prompt text given to the engine. */
  prompt: string;
  /** Document offset of `prompt[0]`; token offsets are relative to it. */
  offset: number;
  /** System role text (.prompty with a template). */
  system?: string;
  /** Where the prompt came from, for messages. */
  source: 'selection' | 'document' | 'prompty-user' | 'body';
}

export interface ExtractOptions {
  fileName: string;
  /** Selection offsets; ignored when empty. */
  selection?: { start: number; end: number };
  /** 'none' means no chat template: .prompty bodies are used whole. */
  template: 'auto' | 'none';
}

export function extractPrompt(text: string, opts: ExtractOptions): ExtractedPrompt {
  const sel = opts.selection;
  if (sel && sel.end > sel.start) {
    return { prompt: text.slice(sel.start, sel.end), offset: sel.start, source: 'selection' };
  }
  const kind = promptKindOf(opts.fileName);
  if (kind === 'other') return { prompt: text, offset: 0, source: 'document' };
  const bodyStart = frontMatterLength(text);
  if (kind === 'prompty' && opts.template !== 'none') {
    const sections = roleSections(text, bodyStart);
    const user = sections.find((s) => s.role === 'user');
    if (user) {
      const r = trimRange(text, user.start, user.end);
      const system = sections
        .filter((s) => s.role === 'system')
        .map((s) => { const t = trimRange(text, s.start, s.end); return text.slice(t.start, t.end); })
        .filter((s) => s.length > 0)
        .join('\n\n');
      return { prompt: text.slice(r.start, r.end), offset: r.start, system: system || undefined, source: 'prompty-user' };
    }
  }
  const r = trimRange(text, bodyStart, text.length);
  return { prompt: text.slice(r.start, r.end), offset: r.start, source: 'body' };
}
