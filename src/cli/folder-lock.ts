/**
 * One run at a time in an output folder: `DIR/.prompt-lens.lock`, created with O_EXCL, holds the
 * owner's pid, host and start time. A lock whose process is gone (same host, no such pid) is
 * stale and taken over with a note; a live one refuses the run, naming the folder and the pid.
 * The lock is removed when the run ends, also on a second Ctrl-C (process.exit), SIGTERM (which
 * run-guard.ts turns into a cancellation, as Ctrl-C) and SIGHUP; after a kill -9 it stays, and the next run takes it over.
 * (proper-lockfile, the usual library, judges staleness by the lock's age, not by its owner's pid.)
 */
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './run-guard.ts';

export const LOCK_FILE = '.prompt-lens.lock';

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface FolderLock {
  release(): void;
}

/** Takes the lock of `dir` (an existing folder given with `option`) for `command`, or refuses. */
export function lockFolder(dir: string, option: string, command: string): FolderLock {
  const file = path.join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  const text = JSON.stringify(me) + '\n';
  for (let attempt = 1; ; attempt++) {
    if (create(file, text)) return holdLock(file, text);
    if (attempt > 25) throw new UsageError(`cannot take the lock ${file}: other runs keep taking it`, `wait for them to end, or give another ${option} folder`);
    const held = readLock(file);
    if (held === undefined) continue; // released meanwhile
    const owner = parseOwner(held);
    if (owner === undefined && attempt <= 20) {
      // Being written by a run that has just created it: look again shortly.
      sleep(50);
      continue;
    }
    if (owner !== undefined && isAlive(owner)) {
      const where = owner.host === me.host ? '' : ` on ${owner.host}`;
      throw new UsageError(
        `${option} ${dir} is in use by another prompt-lens ${owner.command} run (pid ${owner.pid}${where}, started ${owner.startedAt})`,
        `wait for that run to end, or give another ${option} folder; if no such run is going on, delete ${file}`,
      );
    }
    // Stale (or unreadable for a second): removed, unless another run has replaced it since.
    if (readLock(file) !== held) continue;
    rmSync(file, { force: true });
    process.stderr.write(owner !== undefined ? `note: taking over the lock of ${dir} from an ended run (pid ${owner.pid}, started ${owner.startedAt})\n` : `note: replacing the unreadable lock ${file}\n`);
  }
}

/** Creates the lock file with O_EXCL: false when it exists. */
function create(file: string, text: string): boolean {
  try {
    writeFileSync(file, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function holdLock(file: string, text: string): FolderLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    process.off('SIGHUP', onSignal);
    // Only our own lock: never one another run took over.
    if (readLock(file) === text) unlinkSync(file);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    // Then end as the signal would have ended the process.
    process.kill(process.pid, signal);
  };
  process.on('exit', release);
  process.on('SIGHUP', onSignal);
  return { release };
}

function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host, startedAt: String(o.startedAt), command: String(o.command ?? 'dataset') } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the owner still runs. On another host that cannot be known: it counts as running. */
function isAlive(owner: Owner): boolean {
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
