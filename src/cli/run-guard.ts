/**
 * Shared CLI plumbing: Ctrl-C (SIGINT) and SIGTERM cancel the run through an AbortSignal (a
 * second one exits at once), and engine errors become one message with the fix and a non-zero
 * exit code. Messages are printed with their control characters shown, not obeyed.
 */
import { EngineError } from '../engine/errors.ts';
import { showControls } from '../engine/report/visible-controls.ts';
import { describeFileError } from './file-errors.ts';

/** A mistake in how the command was called: exit code 2, one message, and the fix when there is a specific one. */
export class UsageError extends Error {
  readonly fix?: string;
  constructor(message: string, fix?: string) {
    super(message);
    this.fix = fix;
  }
}

/** The exit code of a run stopped by each signal: 128 + its number, as a shell reports it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export async function guarded(body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (name: StopSignal) => {
    if (stoppedBy !== undefined) process.exit(SIGNAL_EXIT_CODES[name]);
    stoppedBy = name;
    process.stderr.write(name === 'SIGINT' ? '\nstopping… (press Ctrl-C again to quit at once)\n' : '\nstopping (terminated)…\n');
    controller.abort();
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
  for (const [name, handler] of Object.entries(handlers)) process.on(name, handler);
  try {
    return await body(controller.signal);
  } catch (error) {
    const code = reportError(error);
    return code === SIGNAL_EXIT_CODES.SIGINT && stoppedBy !== undefined ? SIGNAL_EXIT_CODES[stoppedBy] : code;
  } finally {
    for (const [name, handler] of Object.entries(handlers)) process.off(name, handler);
  }
}

export function reportError(error: unknown): number {
  const say = (message: string, fix: string) => process.stderr.write(showControls(`prompt-lens: ${message}\n  ${fix}`) + '\n');
  if (error instanceof EngineError) {
    say(error.message, `fix: ${error.hint}`);
    return error.code === 'cancelled' ? SIGNAL_EXIT_CODES.SIGINT : 1;
  }
  if (error instanceof UsageError) {
    say(error.message, error.fix !== undefined ? `fix: ${error.fix}` : 'run "prompt-lens help" for usage');
    return 2;
  }
  const fsError = error as NodeJS.ErrnoException;
  if (fsError?.syscall && fsError.path) {
    const problem = fsError.code === 'ENOENT' && fsError.syscall !== 'open' && fsError.syscall !== 'scandir' && fsError.syscall !== 'stat' ? `cannot ${fsError.syscall} ${fsError.path} (${fsError.code})` : describeFileError(fsError);
    say(problem, 'fix: check the path, and that you may write there (--out, --json, --html name where results go)');
    return 1;
  }
  process.stderr.write(showControls(`prompt-lens: unexpected error: ${(error as Error)?.stack ?? String(error)}`) + '\n');
  return 1;
}
