/**
 * Files the engine writes whole: written under a temporary name, then renamed into place, so a
 * reader never sees half a file. A process killed while writing leaves its temporary behind
 * (a prepared graph can be gigabytes), so the folders the engine writes into are swept for
 * temporaries of writers that are gone.
 */
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** `<file>.<pid>.<random>.tmp`: the writer's process id is in the name. */
export function temporaryName(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

export async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = temporaryName(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** `<name>.<pid>.tmp` or `<name>.<pid>.<random>.tmp` (the form of older versions too). */
const TEMPORARY = /^(.+)\.(\d+)\.(?:[a-z0-9]+\.)?tmp$/;

/**
 * A writer keeps a temporary's modification time current while it writes; one untouched this
 * long has been abandoned, even when its process id now belongs to another process.
 */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/**
 * Removes the temporaries in `dir` (those whose names start with `prefix`, when given) that no
 * one is writing any more: their writer's process has ended, or they have not been written to
 * for ABANDONED_AFTER_MS. A live writer's temporary is left alone. The process check holds for
 * writers on this machine, which is where the engine's cache is written from.
 */
export async function removeStaleTemporaries(dir: string, prefix = ''): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || !name.startsWith(prefix)) continue;
    const file = path.join(dir, name);
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      if (isRunning(Number(match[2])) && Date.now() - info.mtimeMs < ABANDONED_AFTER_MS) continue;
      await rm(file, { force: true });
      removed.push(file);
    } catch {
      // Renamed or removed meanwhile by its writer or another sweep.
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}
