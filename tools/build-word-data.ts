/**
 * Writes the compact word data asset (src/engine/internals/word-data-asset.ts) into a folder,
 * dist/word-data by default; run by esbuild.mjs on every build, it does nothing when the asset
 * there was already derived from the installed packages' versions.
 * `node --import tsx tools/build-word-data.ts [DIR]`
 */
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { currentPackages, readWordDataIndex, writeWordDataAsset } from '../src/engine/internals/word-data-asset.ts';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'word-data'));
  const existing = await readWordDataIndex(dir);
  if (existing && isDeepStrictEqual(existing.packages, await currentPackages())) return;
  const index = await writeWordDataAsset(dir);
  console.log(`[word-data] ${path.relative(process.cwd(), dir)}: ${index.words.length} words (${index.words.length - index.withoutVector.length} with ${index.dimensions}-d vectors), ${index.verbs.length} WordNet verbs`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
