/**
 * Where `prompt-lens dataset` writes each record's analyses: `DIR/<id>.<role>.json`, the id
 * with every character other than a letter, digit, "_", "." or "-" written as "_". That keeps
 * the names of existing folders, but is not one-to-one ("a/b", "a b" and "a_b" are one name,
 * and "A" and "a" are one file on macOS and Windows), so ids whose names would meet are refused
 * before any model loads, with both lines.
 */
import path from 'node:path';
import type { PromptLine } from './prompts-file.ts';
import { UsageError } from './run-guard.ts';

export type Role = 'base' | 'tuned';

/** The longest file name most file systems take, in bytes. */
const MAX_NAME_BYTES = 255;

export function fileStem(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}

export function outputFile(dir: string, id: string, role: Role): string {
  return path.join(dir, `${fileStem(id)}.${role}.json`);
}

/** Refuses two records whose analyses would be one file, and ids too long for a file name. */
export function checkFileNames(records: PromptLine[], promptsFile: string): void {
  const byName = new Map<string, PromptLine>();
  for (const r of records) {
    const name = `${fileStem(r.id)}.tuned.json`;
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
      throw new UsageError(`${promptsFile}:${r.line} has an id of ${Buffer.byteLength(r.id)} bytes, too long for a file name (its analyses are named after it)`, `give the record a shorter id (at most ${MAX_NAME_BYTES - '.tuned.json'.length} bytes)`);
    }
    const key = name.toLowerCase();
    const other = byName.get(key);
    if (other !== undefined) {
      const same = fileStem(other.id) === fileStem(r.id) ? `the same file ${fileStem(r.id)}.<role>.json` : `${fileStem(other.id)}.<role>.json and ${fileStem(r.id)}.<role>.json, one file where letter case does not count (macOS, Windows)`;
      throw new UsageError(
        `${promptsFile}:${other.line} (id "${other.id}") and line ${r.line} (id "${r.id}") would write ${same} in --out`,
        'give the records ids that differ in more than letter case and characters other than letters, digits, "_", "." and "-" (those become "_" in file names)',
      );
    }
    byName.set(key, r);
  }
}
