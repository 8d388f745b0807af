/** Self-contained HTML pages of the global analyses: concepts per layer, and base vs tuned side by side. */
import path from 'node:path';
import { escapeHtml } from '../report/html.ts';
import type { ConceptLayer, ConceptsResult } from './concepts.ts';
import type { ConceptsComparison } from './compare-concepts.ts';
import type { HeadsComparison } from './compare-heads.ts';
import type { HeadsResult } from './heads.ts';

const SHOWN_COMPONENTS = 10;
const SHOWN_WORDS = 15;

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}th{background:rgba(127,127,127,.15)}.num{text-align:right;white-space:nowrap}
.bar{display:inline-block;height:.8em;background:#4a7ebb;vertical-align:middle}`;

/** A model as the page names it: a folder given by its full path by its last part (the data keep the path), else as given (a Hub id, a relative path). */
function modelName(ref: string): string {
  return path.isAbsolute(ref) ? path.basename(ref) : ref;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`;
}

function componentRows(layer: ConceptLayer | undefined): string {
  if (!layer) return '';
  return layer.components
    .slice(0, SHOWN_COMPONENTS)
    .map((c) => `<tr><td class="num">#${c.rank}</td><td class="num">${(c.varianceRatio * 100).toFixed(2)} %</td><td>${c.words.slice(0, SHOWN_WORDS).map((w) => escapeHtml(w.word)).join(' ')}</td></tr>`)
    .join('');
}

export function renderConceptsHtml(data: ConceptsResult | ConceptsComparison): string {
  if (!('base' in data)) {
    const body = data.layers.map((l) => `<h2>Layer ${l.layer}</h2><table><tr><th>component</th><th>variance</th><th>top words</th></tr>${componentRows(l)}</table>`).join('');
    return page(`Feed-forward concepts of ${modelName(data.model.ref)}`, `<p>Vocabulary: ${data.vocabulary.size} words (${escapeHtml(data.vocabulary.source)}).</p>${body}`);
  }
  const maxAngle = 90;
  const chart = `<table><tr><th>layer</th><th>mean principal angle, top-${data.subspace} subspaces</th><th>words gained</th><th>words lost</th></tr>${data.layers
    .map(
      (l) =>
        `<tr><td class="num">${l.layer}</td><td><span class="bar" style="width:${((l.meanAngleDegrees / maxAngle) * 20).toFixed(2)}em"></span> ${l.meanAngleDegrees.toFixed(1)}°</td><td>${escapeHtml(l.wordsGained.slice(0, 20).join(' '))}</td><td>${escapeHtml(l.wordsLost.slice(0, 20).join(' '))}</td></tr>`,
    )
    .join('')}</table>`;
  const sides = data.base.layers
    .map((b, i) => {
      const t = data.tuned.layers[i];
      return `<h2>Layer ${b.layer}</h2><table><tr><th colspan="3">${escapeHtml(modelName(data.base.model.ref))}</th></tr>${componentRows(b)}</table><table><tr><th colspan="3">${escapeHtml(modelName(data.tuned.model.ref))}</th></tr>${componentRows(t)}</table>`;
    })
    .join('');
  return page(`Feed-forward concepts: ${modelName(data.base.model.ref)} vs ${modelName(data.tuned.model.ref)}`, `<h2>Subspace shift per layer</h2>${chart}${sides}`);
}

const SHOWN_PAIRS = 12;

function headRows(layers: HeadsResult['layers'], label: string): string {
  return layers
    .flatMap((l) => l.heads.map((h) => `<tr><td class="num">${l.layer}</td><td class="num">${h.head}</td><td class="num">${h.pairs.length}</td><td>${escapeHtml(h.pairs.slice(0, SHOWN_PAIRS).map((p) => `${p.query}→${p.key} (${p.dimensions})`).join(', '))}</td></tr>`))
    .join('')
    .replace(/^/, `<table><tr><th colspan="4">${escapeHtml(label)}</th></tr><tr><th>layer</th><th>head</th><th>pairs</th><th>pairs (dimensions)</th></tr>`)
    .concat('</table>');
}

export function renderHeadsHtml(data: HeadsResult | HeadsComparison): string {
  if (!('base' in data)) return page(`Attention-head word pairs of ${modelName(data.model.ref)}`, headRows(data.layers, modelName(data.model.ref)));
  const groups = `<table><tr><th>layers</th><th>heads</th><th>instruction verbs: share of heads gaining pairs</th><th>general verbs</th><th>Welch p</th></tr>${data.groups
    .map((g) => `<tr><td>${g.layers[0]}-${g.layers[1]}</td><td class="num">${g.heads}</td><td class="num">${(g.instructionVerbs.meanFraction * 100).toFixed(2)} % (n = ${g.instructionVerbs.n})</td><td class="num">${(g.generalVerbs.meanFraction * 100).toFixed(2)} % (n = ${g.generalVerbs.n})</td><td class="num">${g.welch ? g.welch.pValue.toPrecision(3) : '–'}</td></tr>`)
    .join('')}</table>`;
  return page(`Attention-head word pairs: ${modelName(data.base.model.ref)} vs ${modelName(data.tuned.model.ref)}`, `<h2>Instruction verbs vs general verbs</h2>${groups}${headRows(data.base.layers, modelName(data.base.model.ref))}${headRows(data.tuned.layers, modelName(data.tuned.model.ref))}`);
}
