/**
 * Per-rule summary of an analysis (pure; no `vscode` or DOM import): the prompt cut into rules
 * (a numbered or bulleted list item with its indented continuation lines) and, outside lists,
 * single non-blank lines, each with the mean and largest â of its user tokens. Built on the
 * per-line summary (lineSummary.ts): a rule's mean is its lines' token-weighted mean.
 */
import type { Analysis } from '../engine/analysis.ts';
import { lineSummaries, type LineSummary } from './lineSummary.ts';

export interface RuleSummary {
  /** "rule 3" for a list item (its own number, else its place among the list items), "line" otherwise. */
  kind: 'rule' | 'line';
  /** The rule's number: as written for "3." / "3)", else its place among the prompt's list items. */
  number?: number;
  /** Prompt lines it spans (0-based, first and last non-blank) and its prompt offsets [start, end). */
  firstLine: number;
  lastLine: number;
  start: number;
  end: number;
  text: string;
  tokens: number;
  mean: number;
  max: number;
  /** 1 = highest mean â among the units with tokens; 0 for a unit without tokens. */
  rank: number;
}

const LIST_ITEM = /^\s*(?:(\d{1,3})[.)]|[-*+•])\s+\S/;

/** Group the non-blank line summaries into rules and single lines. */
function group(lines: readonly LineSummary[]): LineSummary[][] {
  const out: LineSummary[][] = [];
  let open: LineSummary[] | undefined; // the list item that indented lines continue
  for (const l of lines) {
    if (LIST_ITEM.test(l.text)) {
      open = [l];
      out.push(open);
    } else if (open && /^\s/.test(l.text) && l.line === open[open.length - 1].line + 1) {
      open.push(l);
    } else {
      open = undefined;
      out.push([l]);
    }
  }
  return out;
}

export function ruleSummaries(a: Analysis): RuleSummary[] {
  let items = 0;
  const out: RuleSummary[] = group(lineSummaries(a)).map((ls) => {
    const first = ls[0], last = ls[ls.length - 1];
    const tokens = ls.reduce((n, l) => n + l.tokens, 0);
    const m = LIST_ITEM.exec(first.text);
    const unit: RuleSummary = {
      kind: m ? 'rule' : 'line',
      firstLine: first.line, lastLine: last.line, start: first.start, end: last.end,
      text: a.prompt.slice(first.start, last.end), tokens,
      mean: tokens ? ls.reduce((s, l) => s + l.mean * l.tokens, 0) / tokens : 0,
      max: Math.max(0, ...ls.map((l) => l.max)), rank: 0,
    };
    if (m) {
      items++;
      unit.number = m[1] !== undefined ? Number(m[1]) : items;
    }
    return unit;
  });
  [...out].filter((u) => u.tokens > 0).sort((x, y) => y.mean - x.mean).forEach((u, r) => { u.rank = r + 1; });
  return out;
}

export interface RuleLens {
  /** Prompt offsets of the unit and its first prompt line (for the panel). */
  start: number;
  end: number;
  promptLine: number;
  title: string;
  tooltip: string;
}

const SIDES = ['tuned', 'base'] as const;

/**
 * The editor's per-rule lens texts: "rule 3: 0.82 tuned / 0.41 base" after a comparison,
 * "rule 3: 0.82" after one analysis ("line 7: …" outside lists, with the document line
 * `firstLine` + its prompt line + 1), and what each number is in words. None for a prompt of
 * fewer than two units with tokens (its one mean says nothing the hover does not).
 */
export function ruleLenses(analyses: { base?: Analysis; tuned?: Analysis }, firstLine = 0): RuleLens[] {
  const sides = SIDES.filter((s) => analyses[s]).map((side) => ({ side, units: ruleSummaries(analyses[side]!) }));
  if (sides.length === 0) return [];
  const counted = sides[0].units.filter((u) => u.tokens > 0).length;
  if (counted < 2) return [];
  return sides[0].units.filter((u) => u.tokens > 0).map((u) => {
    const name = u.kind === 'rule' ? `rule ${u.number}` : `line ${firstLine + u.firstLine + 1}`;
    const per = sides.map(({ side, units }) => ({ side, unit: units.find((x) => x.firstLine === u.firstLine && x.tokens > 0) }));
    const values = per.map(({ side, unit }) => `${unit ? unit.mean.toFixed(2) : '—'}${sides.length > 1 ? ` ${side}` : ''}`);
    const words = per.map(({ side, unit }) => unit
      ? `${side} model: mean reliance ${unit.mean.toFixed(2)} of 1 over its ${unit.tokens} tokens (mean â; 1 = the prompt's most relied-on token), rank ${unit.rank} of ${counted}, strongest token ${unit.max.toFixed(2)}`
      : `${side} model: no tokens of its own here`);
    return {
      start: u.start, end: u.end, promptLine: u.firstLine,
      title: `${name}: ${values.join(' / ')}`,
      tooltip: [`Prompt Lens, ${name}:`, ...words, 'Click to open the comparison panel at this line.'].join('\n'),
    };
  });
}
