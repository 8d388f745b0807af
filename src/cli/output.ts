/**
 * Writing result files whole or not at all, and checking where they go before any work: that
 * each path can be a file or folder, and that its folder lets a file be made there.
 */
import { closeSync, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDirectory } from '../engine/models/files.ts';
import { UsageError } from './run-guard.ts';

export async function writeFileAtomically(file: string, data: string): Promise<void> {
  await writeFilesAtomically([{ file, data }]);
}

/**
 * Writes all the files or none: each is first written in full as a temporary file beside its
 * target, and only when every one was written are they renamed into place. A failure removes
 * the temporary files and the folders made for them; the caller reports the original error.
 * (Only a rename can then still fail, when a folder is changed under the run; the files renamed
 * before it stay.)
 */
export async function writeFilesAtomically(files: Array<{ file: string; data: string }>): Promise<void> {
  const made: string[] = [];
  const staged: Array<{ tmp: string; file: string }> = [];
  try {
    for (const { file, data } of files) {
      made.push(...(await makeDirectory(path.dirname(path.resolve(file)))));
      const tmp = `${file}.${process.pid}.partial`;
      staged.push({ tmp, file });
      await writeFile(tmp, data);
    }
    while (staged.length > 0) {
      await rename(staged[0].tmp, staged[0].file);
      staged.shift();
    }
  } catch (error) {
    for (const { tmp } of staged) await rm(tmp, { force: true }).catch(() => undefined);
    // Only folders this call made, and only when empty.
    for (const dir of made.reverse()) await rmdir(dir).catch(() => undefined);
    throw error;
  }
}

/**
 * Checks, before any model loads, that `file` (given with `option`, e.g. "--json") can be
 * written as a file: it is not an existing folder, no existing part of its path is a file, and
 * its folder (or the nearest existing one above it) lets a file be made.
 */
export function checkOutputFile(file: string, option: string, exampleName?: string): void {
  const found = statOrUndefined(file);
  if (found?.isDirectory()) {
    const fix = exampleName !== undefined ? `give a file name, e.g. ${option} ${path.join(file, exampleName)}` : `move the folder ${file} away, or choose another ${option}`;
    throw new UsageError(`${option} ${file} is an existing folder, but it names the file to write`, fix);
  }
  checkWritable(found === undefined ? checkParents(file, option) : path.dirname(path.resolve(file)), file, option);
}

/** Checks that `dir` (given with `option`, e.g. "--out") is a folder or can be made one, and that files can be made in it. */
export function checkOutputFolder(dir: string, option: string): void {
  const found = statOrUndefined(dir);
  if (found !== undefined && !found.isDirectory()) {
    throw new UsageError(`${option} ${dir} is an existing file, but it names a folder to write into`, `give a folder name (a new one is made), or move ${dir} away`);
  }
  checkWritable(found === undefined ? checkParents(dir, option) : path.resolve(dir), dir, option);
}

/** The nearest existing ancestor of `p` must be a folder; returns it. */
function checkParents(p: string, option: string): string {
  let d = path.dirname(path.resolve(p));
  for (;;) {
    const found = statOrUndefined(d);
    if (found !== undefined) {
      if (!found.isDirectory()) throw new UsageError(`${option} ${p} cannot be written: ${d} is a file, not a folder`, `choose a path under a folder, or move ${d} away`);
      return d;
    }
    const up = path.dirname(d);
    if (up === d) return d;
    d = up;
  }
}

/**
 * The folder `dir` must let a file be made in it (for `p`, given with `option`). Tried by making
 * and removing an empty file: permission bits do not tell for root, read-only or immutable
 * folders, or /proc.
 */
function checkWritable(dir: string, p: string, option: string): void {
  const probe = path.join(dir, `.prompt-lens-${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`${option} ${p} cannot be written: no file can be made in ${dir} (${code})`, `choose a folder you may write to, or make ${dir} writable`);
  }
  unlinkSync(probe);
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
 * Creates `dir` and its missing parents one level at a time, and returns the folders it made,
 * outermost first. (Node's `mkdir(…, { recursive })` never returns for a folder under /proc; one
 * level at a time fails with ENOENT instead.)
 */
export async function makeDirectory(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !(await isDirectory(d)); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  const made: string[] = [];
  for (const d of missing) {
    const created = await mkdir(d).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return false;
      },
    );
    if (created) made.push(d);
  }
  return made;
}
