/** Writing result files whole or not at all, and checking where they go before any work. */
import { statSync, type Stats } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDirectory } from '../engine/models/files.ts';
import { UsageError } from './run-guard.ts';

export async function writeFileAtomically(file: string, data: string): Promise<void> {
  await makeDirectory(path.dirname(path.resolve(file)));
  const tmp = `${file}.${process.pid}.partial`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    // Leave nothing half-written behind; the caller reports the original error.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Checks, before any model loads, that `file` (given with `option`, e.g. "--json") can be
 * written as a file: it is not an existing folder, and no existing part of its path is a file.
 */
export function checkOutputFile(file: string, option: string, exampleName?: string): void {
  const found = statOrUndefined(file);
  if (found?.isDirectory()) {
    const fix = exampleName !== undefined ? `give a file name, e.g. ${option} ${path.join(file, exampleName)}` : `move the folder ${file} away, or choose another ${option}`;
    throw new UsageError(`${option} ${file} is an existing folder, but it names the file to write`, fix);
  }
  if (found === undefined) checkParents(file, option);
}

/** Checks that `dir` (given with `option`, e.g. "--out") is a folder or can be made one. */
export function checkOutputFolder(dir: string, option: string): void {
  const found = statOrUndefined(dir);
  if (found !== undefined && !found.isDirectory()) {
    throw new UsageError(`${option} ${dir} is an existing file, but it names a folder to write into`, `give a folder name (a new one is made), or move ${dir} away`);
  }
  if (found === undefined) checkParents(dir, option);
}

/** The nearest existing ancestor of `p` must be a folder. */
function checkParents(p: string, option: string): void {
  let d = path.dirname(path.resolve(p));
  for (;;) {
    const found = statOrUndefined(d);
    if (found !== undefined) {
      if (!found.isDirectory()) throw new UsageError(`${option} ${p} cannot be written: ${d} is a file, not a folder`, `choose a path under a folder, or move ${d} away`);
      return;
    }
    const up = path.dirname(d);
    if (up === d) return;
    d = up;
  }
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    // Missing (ENOENT), under a file (ENOTDIR), or unreadable: the callers look further up, and
    // an unreadable place fails when written, with its path.
    return undefined;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node's `mkdir(…, { recursive })`
 * never returns for a folder under /proc; one level at a time fails with ENOENT instead.)
 */
export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !(await isDirectory(d)); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    await mkdir(d).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
