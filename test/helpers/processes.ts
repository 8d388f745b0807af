/** Looking at the processes a command started (Linux/macOS `ps`). */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Processes whose parent is `pid` and whose command line mentions `text`. */
export function childrenOf(pid: number, text: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, ...args]) => Number(ppid) === pid && args.join(' ').includes(text))
    .map(([p]) => Number(p));
}

/** The chat-template renderer of process `pid` once it runs (it starts at the first render), or undefined. */
export async function waitForRenderer(pid: number, timeoutMs = 60_000): Promise<number | undefined> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    const [renderer] = childrenOf(pid, 'template-render.js');
    if (renderer !== undefined) return renderer;
    await sleep(100);
  }
  return undefined;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
