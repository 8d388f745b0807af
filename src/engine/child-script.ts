/**
 * Forking the engine's own child processes (the chat-template renderer, the parity probe): each
 * is a script bundled beside dist/cli.js and dist/worker.js, or its TypeScript source when the
 * engine runs from the sources (tests, under tsx).
 */
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ChildScript {
  file: string;
  /** Flags the child needs: the parent's TypeScript loader flags when it runs the source. */
  execArgv: string[];
}

/** The bundled script if it is there, else the source; `what` names it in the error when neither is. */
export function childScript(bundled: string, source: string, what: string): ChildScript {
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  if (existsSync(source)) return { file: source, execArgv: process.execArgv };
  throw new Error(`${what} is missing: no ${bundled} or ${source}.`);
}

/**
 * Forks `script` as Node. In VS Code, process.execPath is the editor's Electron binary:
 * ELECTRON_RUN_AS_NODE makes it Node (as vscode-languageclient does for the servers it forks);
 * plain Node ignores it.
 */
export function forkChild(script: ChildScript, options: ForkOptions & { execArgv?: string[] }): ChildProcess {
  return fork(script.file, [], {
    ...options,
    execArgv: [...script.execArgv, ...(options.execArgv ?? [])],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}
