/** Labels, lead-ins and headings that name directives: the items under them instruct, whatever their grammar. */
import type { Paragraph } from './segment.ts';

// Nouns that name a list of directives: a general class of English words, not words of one data set;
// or what the reader does ("What you can help with:", "Things to check:").
export const DIRECTIVES = /^\s*(?:[-*•+]\s+)?(?:what|things|topics)\b[^:\n]*\b(?:you|to)\b|\b(?:rules?|requirements?|constraints?|guidelines?|instructions?|restrictions?|criteria|specifications?|style guide|dos|don'?ts)\b/i;

/**
 * Whether a label or lead-in names directives (see DIRECTIVES); in a prompt that gives the reader
 * a role, a bare "Policies:" does too (the assistant's own policies; "Company policy for employee
 * travel:" heads a policy the task applies, material).
 */
export function namesDirectives(prompt: string, text: string): boolean {
  return DIRECTIVES.test(text) || (ROLE_OPENING.test(prompt) && /^\s*(?:[-*•+]\s+)?(?:our |your |the )?policies:?\s*$/i.test(text));
}

// A prompt that opens by giving the reader a role, after any tag or heading: "You are …", "You're …", "<system>\nYou are …", "# Role\nYou are …".
export const ROLE_OPENING = /^\s*(?:<[^>\n]+>\s*|#+[^\n]*\n\s*|system:\s*)?you(?: are|'re|’re)\b/i;

// A Markdown heading that names directives ("# Constraints") or what the reader does ("## What to check", "# What you can help with").
// Or the answer's manner ("## Tone", "## Style", "## Output format"): what follows describes it.
export const DIRECTIVE_HEADING = /^ {0,3}#{1,6}[ \t]+(?:(?:what|how|when|where|things)\b.*\b(?:you|to)\b|.*\b(?:rules?|requirements?|constraints?|guidelines?|instructions?|restrictions?|criteria|dos|don'?ts)\b|(?:tone|style|voice|format|formatting|length|output format|response format|answer format)(?: and [a-z]+)?[ \t]*$)/i;

/** Whether the Markdown heading right above `p` (after `from`) heads directives: then `p`'s lines are directives whatever their grammar. */
export function directiveHeading(prompt: string, from: number, p: Paragraph): boolean {
  const between = prompt.slice(from, p.start).split('\n').filter((l) => l.trim() !== '');
  return between.length > 0 && DIRECTIVE_HEADING.test(between[between.length - 1]);
}
