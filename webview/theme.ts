/** The panel's real theme colours, read from the page (CSS variables and computed backgrounds). */
import { blend, parseColor, type Rgb } from '../src/shared/contrast.ts';

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The opaque colour behind an element: its own and its ancestors' backgrounds, blended. */
export function backgroundBehind(el: Element): Rgb {
  const layers: { rgb: Rgb; alpha: number }[] = [];
  for (let e: Element | null = el; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    const rgb = parseColor(bg);
    const alpha = /^rgba/.test(bg) ? Number(/,\s*([\d.]+)\s*\)$/.exec(bg)?.[1] ?? 1) : 1;
    if (!rgb || alpha <= 0) continue;
    layers.push({ rgb, alpha });
    if (alpha >= 1) break;
  }
  let out: Rgb = parseColor(cssVar('--vscode-editor-background', '#1e1e1e')) ?? [30, 30, 30];
  for (let i = layers.length - 1; i >= 0; i--) out = blend(layers[i].rgb, layers[i].alpha, out);
  return out;
}

/** What prompt tokens are painted over, and the theme's text colour there. */
export function promptColors(prompt: HTMLElement): { under: Rgb; fg: Rgb } {
  return { under: backgroundBehind(prompt), fg: parseColor(getComputedStyle(prompt).color) ?? [204, 204, 204] };
}
