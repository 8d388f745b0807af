/**
 * Role sections of a .prompty body: `system:`, `user:`, `assistant:` on a line of their own
 * open a section that runs to the next role line. Used by the extension to pick the prompt out
 * of a .prompty document and by section granularity (tokens/units.ts) to split a prompt.
 */

export interface RoleSection {
  role: 'system' | 'user' | 'assistant';
  /** Offsets of the section's content (after the role line) in the text. */
  start: number;
  end: number;
}

/** A role line: the role name and a colon, alone on its line. */
export const ROLE_LINE = /^[ \t]*(system|user|assistant)[ \t]*:[ \t]*(\r?\n|$)/im;

/** Role sections of a .prompty body starting at `offset` in `text`. */
export function roleSections(text: string, offset: number): RoleSection[] {
  const lines = new RegExp(ROLE_LINE.source, 'gim');
  const heads: { role: RoleSection['role']; lineStart: number; contentStart: number }[] = [];
  lines.lastIndex = offset;
  let m: RegExpExecArray | null;
  while ((m = lines.exec(text))) {
    if (m[0].length === 0) { lines.lastIndex++; continue; }
    heads.push({ role: m[1].toLowerCase() as RoleSection['role'], lineStart: m.index, contentStart: m.index + m[0].length });
  }
  return heads.map((h, i) => ({ role: h.role, start: h.contentStart, end: i + 1 < heads.length ? heads[i + 1].lineStart : text.length }));
}
