/**
 * The hand-annotated span sets (docs/spans.md), for the tools that score or train on them all
 * (spans:score, spans:learn): the paper's 252 Self-Instruct prompts (../shared, or
 * PROMPT_LENS_SHARED_DIR), the two own sets, and the style sets in test/fixtures/spans/*.jsonl.
 * A held-out set is not listed: it is read by name when it is measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Span } from '../../src/engine/analysis.ts';
import { HELD_OUT, OWN_SET, ownSetItems } from '../../test/fixtures/spans/own-sets.ts';

export interface Item {
  prompt: string;
  reference: Span[];
}

export interface AnnotatedSet {
  name: string;
  items: Item[];
}

const root = path.resolve(__dirname, '../..');
const sharedDir = process.env.PROMPT_LENS_SHARED_DIR ?? path.resolve(root, '../shared');
const fixtures = path.join(root, 'test/fixtures/spans');

// The style sets used for development, by name: [name, file in test/fixtures/spans].
const STYLE_SETS: Array<[string, string]> = [
  ['dev 106', 'dev-styles.jsonl'],
  ['former 30', 'held-out-styles.jsonl'],
  ['fresh 43', 'fresh-held-out-styles.jsonl'],
  ['third 46', 'new-held-out-styles.jsonl'],
  ['fourth 43', 'fourth-held-out-styles.jsonl'],
  ['fifth 43', 'fifth-held-out-styles.jsonl'],
  ['sixth 43', 'sixth-held-out-styles.jsonl'],
  ...['a', 'b', 'c', 'd', 'e', 'f'].map((s): [string, string] => [`devset-${s} 43`, `devset-${s}-styles.jsonl`]),
];

/** A JSONL file of {prompt, instruction_spans} records. */
export function readSet(file: string): Item[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const r = JSON.parse(line) as { prompt: string; instruction_spans: Span[] };
    return { prompt: r.prompt, reference: r.instruction_spans };
  });
}

/** A set in test/fixtures/spans by its file name, named by the file and its size ("seventh-held-out 43"). */
export function fixtureSet(file: string): AnnotatedSet {
  const full = path.join(fixtures, file);
  if (!existsSync(full)) throw new Error(`no set ${full}`);
  const items = readSet(full);
  return { name: `${file.replace(/-styles\.jsonl$/, '')} ${items.length}`, items };
}

/** Every development set, the paper's first. */
export function loadSets(): AnnotatedSet[] {
  const paperFile = path.join(sharedDir, 'data/paper-self-instruct/prompts.jsonl');
  if (!existsSync(paperFile)) throw new Error(`the paper's annotations are missing at ${paperFile} (set PROMPT_LENS_SHARED_DIR)`);
  return [
    { name: 'paper 252', items: readSet(paperFile) },
    { name: 'own 18', items: ownSetItems(OWN_SET) },
    { name: 'own 12', items: ownSetItems(HELD_OUT) },
    ...STYLE_SETS.map(([name, file]) => ({ name, items: readSet(path.join(fixtures, file)) })),
  ];
}
