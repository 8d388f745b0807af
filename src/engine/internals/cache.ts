/**
 * Results of the global analyses, remembered per model identity (the sha256 of the graph,
 * config and tokenizer), vocabulary and options under `<cacheDir>/internals/`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { env } from '../env.ts';

export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}

function cacheFile(kind: string, key: string): string {
  return path.join(env.cacheDir, 'internals', `${kind}-${key}.json`);
}

export async function readCached<T>(kind: string, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(cacheFile(kind, key), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function writeCached(kind: string, key: string, value: unknown): Promise<void> {
  const file = cacheFile(kind, key);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}
