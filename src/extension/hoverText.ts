/**
 * Hover text for a highlighted token (pure; no `vscode` import): the token, its density and
 * rank under each model, and the response tokens it influenced most.
 */
import type { Analysis } from '../engine/analysis.ts';
import { densityRanks, topInfluenced, tokenAt } from './panelData.ts';
import { lineAt, lineSummaries } from '../shared/lineSummary.ts';
import { METHOD_TEXT, type HighlightMode } from '../engine/options.ts';
import { editorLegend } from '../shared/scale.ts';

export interface HoverSide {
  label: string;
  side: 'base' | 'tuned';
  analysis: Analysis;
}

/** Escape Markdown so token text shows literally. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

export function showToken(s: string): string {
  const vis = s.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/ /g, '·');
  return '`' + (vis.length ? vis.replace(/`/g, "'") : '∅') + '`';
}

/** The first words of a line, for naming it. */
function lineName(text: string): string {
  const t = text.trim();
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}

/**
 * Markdown for the token at prompt offset `off`, or null when no model has a user token there.
 * Each number comes with what it is in words; the symbols (â, a, S, I) follow in parentheses.
 */
export function hoverMarkdown(sides: readonly HoverSide[], off: number, opts: { stale: boolean; panelCommand?: string; floor?: number; mode?: HighlightMode }): string | null {
  const lines: string[] = [];
  let header: string | null = null;
  for (const s of sides) {
    const n = tokenAt(s.analysis, off);
    if (n < 0) continue;
    const a = s.analysis;
    if (!header) header = `**Prompt Lens** · token ${showToken(a.promptTokens[n].text)}`;
    const ranks = densityRanks(a);
    const users = a.promptTokens.filter((t) => !t.special).length;
    const dn = a.densityNormalized[n] ?? 0;
    const d = a.density[n] ?? 0;
    lines.push(`- **${escapeMd(s.label)}** (${s.side}): reliance **${dn.toFixed(2)}** of 1, rank ${ranks[n]} of ${users} tokens (â = ${dn.toFixed(3)}; raw density a = ${d.toFixed(3)})`);
    const line = lineAt(lineSummaries(a), off);
    const counted = lineSummaries(a).filter((l) => l.tokens > 0).length;
    if (line && counted > 1) lines.push(`  - its line ${line.line + 1} (“${escapeMd(lineName(line.text))}”): mean reliance ${line.mean.toFixed(2)}, rank ${line.rank} of ${counted} lines`);
    const top = topInfluenced(a, n, 3);
    if (top.length) {
      const L = a.settings.levels;
      lines.push(`  - raised most: ${top.map((x) => `${showToken(x.text)} (level ${x.s} of ${L}; probability change ${x.i.toExponential(1)})`).join(', ')}`);
    } else {
      lines.push('  - raised no response token\'s probability');
    }
  }
  if (!header) return null;
  const out = [header, '', ...lines];
  if (sides.length === 2) {
    const [b, t] = sides[0].side === 'base' ? sides : [sides[1], sides[0]];
    const nb = tokenAt(b.analysis, off), nt = tokenAt(t.analysis, off);
    if (nb >= 0 && nt >= 0) {
      const diff = (t.analysis.densityNormalized[nt] ?? 0) - (b.analysis.densityNormalized[nb] ?? 0);
      const who = Math.abs(diff) < 0.005 ? 'both alike' : diff > 0 ? 'the tuned model relies on it more' : 'the base model relies on it more';
      out.push('', `tuned − base: **${diff >= 0 ? '+' : ''}${diff.toFixed(2)}** (${who})`);
    }
  }
  out.push('', editorLegend(opts.mode ?? 'tuned', opts.floor ?? 0));
  const st = sides[0].analysis.settings;
  out.push('', `_${METHOD_TEXT[st.method].label}; L = ${st.levels} levels, b = ${st.threshold} lowest levels ignored, p = ${st.p} (norm of the density)_`);
  if (opts.stale) out.push('', '⚠ The prompt changed since this analysis; run Analyze again.');
  if (opts.panelCommand) out.push('', `[Open comparison panel](${opts.panelCommand})`);
  return out.join('\n');
}
