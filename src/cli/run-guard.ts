/**
 * Shared CLI plumbing: Ctrl-C cancels the run through an AbortSignal (a second Ctrl-C exits at
 * once), and engine errors become one message with the fix and a non-zero exit code.
 */
import { EngineError } from '../engine/errors.ts';

/** A mistake in how the command was called: exit code 2, one message, and the fix when there is a specific one. */
export class UsageError extends Error {
  readonly fix?: string;
  constructor(message: string, fix?: string) {
    super(message);
    this.fix = fix;
  }
}

export async function guarded(body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping… (press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await body(controller.signal);
  } catch (error) {
    return reportError(error);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof EngineError) {
    process.stderr.write(`prompt-lens: ${error.message}\n  fix: ${error.hint}\n`);
    return error.code === 'cancelled' ? 130 : 1;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`prompt-lens: ${error.message}\n  ${error.fix !== undefined ? `fix: ${error.fix}` : 'run "prompt-lens help" for usage'}\n`);
    return 2;
  }
  const fsError = error as NodeJS.ErrnoException;
  if (fsError?.syscall && fsError.path) {
    const doing = fsError.syscall === 'open' || fsError.syscall === 'scandir' ? 'cannot open' : `cannot ${fsError.syscall}`;
    process.stderr.write(`prompt-lens: ${doing} ${fsError.path} (${fsError.code})\n  fix: check the path, and that you may write there (--out, --json, --html name where results go)\n`);
    return 1;
  }
  process.stderr.write(`prompt-lens: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}
