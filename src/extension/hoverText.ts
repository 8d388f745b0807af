/**
 * Hover text for a highlighted token (pure; no `vscode` import): the token, its density and
 * rank under each model, and the response tokens it influenced most.
 */
import type { Analysis } from '../engine/analysis.ts';
import { densityRanks, topInfluenced, tokenAt } from './panelData.ts';

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

/** Markdown for the token at prompt offset `off`, or null when no model has a user token there. */
export function hoverMarkdown(sides: readonly HoverSide[], off: number, opts: { stale: boolean; panelCommand?: string }): string | null {
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
    lines.push(`- **${escapeMd(s.label)}** (${s.side}): density â = **${dn.toFixed(3)}** (a = ${d.toFixed(3)}), rank ${ranks[n]} of ${users}`);
    const top = topInfluenced(a, n, 3);
    if (top.length) {
      lines.push(`  - influenced most: ${top.map((x) => `${showToken(x.text)} (S ${x.s}, I ${x.i.toExponential(2)})`).join(', ')}`);
    } else {
      lines.push('  - no positive influence on any response token');
    }
  }
  if (!header) return null;
  const out = [header, '', ...lines];
  if (sides.length === 2) {
    const [b, t] = sides[0].side === 'base' ? sides : [sides[1], sides[0]];
    const nb = tokenAt(b.analysis, off), nt = tokenAt(t.analysis, off);
    if (nb >= 0 && nt >= 0) {
      const diff = (t.analysis.densityNormalized[nt] ?? 0) - (b.analysis.densityNormalized[nb] ?? 0);
      out.push('', `tuned − base: **${diff >= 0 ? '+' : ''}${diff.toFixed(3)}**`);
    }
  }
  const method = sides[0].analysis.settings.method;
  out.push('', `_${method}, L=${sides[0].analysis.settings.levels}, b=${sides[0].analysis.settings.threshold}, p=${sides[0].analysis.settings.p}_`);
  if (opts.stale) out.push('', '⚠ The prompt changed since this analysis; run Analyze again.');
  if (opts.panelCommand) out.push('', `[Open comparison panel](${opts.panelCommand})`);
  return out.join('\n');
}
