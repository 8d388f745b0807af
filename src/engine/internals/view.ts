/**
 * The "Model internals" view of a base/tuned pair: one page (concepts side by side, the subspace
 * shift per layer, the heads' word pairs and the verb comparison) and an index of where each
 * word lives — the components whose shown words and the heads whose pairs contain it.
 */
import type { ConceptsComparison } from './compare-concepts.ts';
import { SHOWN_WORDS } from './compare-concepts.ts';
import type { HeadsComparison } from './compare-heads.ts';
import { renderConceptsHtml, renderHeadsHtml } from './html.ts';

export interface WordPlace {
  side: 'base' | 'tuned';
  layer: number;
  /** A feed-forward component (its rank) or an attention head (its index). */
  component?: number;
  head?: number;
  /** The word's position in the component's word list (1 = top), or the head's pairs with it. */
  weight: number;
}

export interface InternalsView {
  base: string;
  tuned: string;
  html: string;
  /** Word → where it ranks high, strongest first. */
  places: Record<string, WordPlace[]>;
}

export function internalsView(concepts: ConceptsComparison, heads?: HeadsComparison): InternalsView {
  const places: Record<string, WordPlace[]> = {};
  const add = (word: string, place: WordPlace) => (places[word] ??= []).push(place);
  for (const side of ['base', 'tuned'] as const) {
    for (const layer of concepts[side].layers) {
      for (const c of layer.components) c.words.slice(0, SHOWN_WORDS).forEach((w, i) => add(w.word, { side, layer: layer.layer, component: c.rank, weight: i + 1 }));
    }
    for (const layer of heads?.[side].layers ?? []) {
      for (const h of layer.heads) {
        const counts = new Map<string, number>();
        for (const p of h.pairs) for (const w of new Set([p.query, p.key])) counts.set(w, (counts.get(w) ?? 0) + 1);
        for (const [word, n] of counts) add(word, { side, layer: layer.layer, head: h.head, weight: n });
      }
    }
  }
  for (const list of Object.values(places)) {
    // Components by the word's position in them (1 first), then heads by how many pairs hold the word.
    list.sort((a, b) => Number(a.head !== undefined) - Number(b.head !== undefined) || (a.head === undefined ? a.weight - b.weight : b.weight - a.weight) || a.layer - b.layer);
  }
  const body = (html: string) => html.slice(html.indexOf('<body>') + 6, html.lastIndexOf('</body>'));
  const conceptsPage = renderConceptsHtml(concepts);
  const html = heads ? conceptsPage.replace('</body>', `<h1>Attention heads</h1>${body(renderHeadsHtml(heads))}</body>`) : conceptsPage;
  return { base: concepts.base.model.ref, tuned: concepts.tuned.model.ref, html, places };
}

/** Markdown lines naming where a word lives (for the editor hover), or [] when nowhere. */
export function wherePlacesText(view: Pick<InternalsView, 'places'>, word: string, limit = 4): string[] {
  const list = view.places[word.toLowerCase()];
  if (!list || list.length === 0) return [];
  const describe = (p: WordPlace) => (p.head !== undefined ? `layer ${p.layer} head ${p.head} (${p.weight} pair${p.weight === 1 ? '' : 's'})` : `layer ${p.layer} component #${p.component} (word ${p.weight})`);
  const lines: string[] = [];
  for (const side of ['base', 'tuned'] as const) {
    const mine = list.filter((p) => p.side === side);
    if (mine.length === 0) continue;
    lines.push(`${side}: ${mine.slice(0, limit).map(describe).join('; ')}${mine.length > limit ? ` and ${mine.length - limit} more` : ''}`);
  }
  return lines;
}
