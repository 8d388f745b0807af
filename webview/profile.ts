/** The relative-position profile (METHODS.md §1.6) of each model, as an SVG line chart. */
import type { PanelModel } from '../src/protocol/index.ts';

export function profileSvg(models: PanelModel[]): string {
  const W = 420, H = 170, pl = 36, pr = 10, pt = 10, pb = 30;
  const colors: Record<string, string> = { base: 'var(--pl-base)', tuned: 'var(--pl-tuned)' };
  const withProfile = models.filter((m) => m.profile);
  if (!withProfile.length) return '<p class="hint">The position profile needs a prompt of at least 10 tokens.</p>';
  const x = (b: number) => pl + ((b + 0.5) / 10) * (W - pl - pr);
  const y = (v: number) => pt + (1 - Math.max(0, Math.min(1, v))) * (H - pt - pb);
  const axis = [0, 0.25, 0.5, 0.75, 1].map((v) => `<line x1="${pl}" x2="${W - pr}" y1="${y(v)}" y2="${y(v)}" class="gridline"/><text x="${pl - 4}" y="${y(v) + 3}" text-anchor="end">${v}</text>`).join('');
  // Bin b covers [b/10, (b+1)/10): the axis is labelled at the bin edges, 0 to 1.
  const edge = (e: number) => pl + e * (W - pl - pr);
  const xt = [0, 0.2, 0.4, 0.6, 0.8, 1].map((e) => `<text x="${edge(e)}" y="${H - pb + 14}" text-anchor="${e === 0 ? 'start' : e === 1 ? 'end' : 'middle'}">${e.toFixed(1)}</text>`).join('');
  const lines = withProfile.map((m) => {
    const pts = m.profile!.map((v, b) => `${x(b).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return `<polyline points="${pts}" fill="none" stroke="${colors[m.side]}" stroke-width="2"/>` +
      m.profile!.map((v, b) => `<circle cx="${x(b)}" cy="${y(v)}" r="3" fill="${colors[m.side]}"><title>${m.side}: bin ${b + 1}, mean â ${v.toFixed(3)}</title></circle>`).join('');
  }).join('');
  const legend = withProfile.map((m, i) => `<g transform="translate(${pl + 10 + i * 120},${pt + 4})"><rect width="12" height="4" y="2" fill="${colors[m.side]}"/><text x="16" y="8">${m.side}</text></g>`).join('');
  return `<svg class="profile" viewBox="0 0 ${W} ${H}" role="img" aria-label="Mean normalized density by relative position in the prompt">${axis}${xt}${lines}${legend}
    <text x="${(W + pl) / 2}" y="${H - 5}" text-anchor="middle">relative position n/(N−1)</text></svg>`;
}
