/**
 * The one error type the engine throws for anything a user can cause or fix.
 * `message` names the cause; `hint` names what to do about it.
 */
export type EngineErrorCode =
  | 'cancelled'
  | 'model-not-found'
  | 'model-files-missing'
  | 'model-files-corrupt'
  | 'offline'
  | 'unsupported-graph'
  | 'unsupported-precision'
  | 'empty-prompt'
  | 'prompt-too-long'
  | 'response-too-long'
  | 'empty-response'
  | 'bad-argument'
  | 'invalid-config'
  | 'io';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly hint: string;

  constructor(code: EngineErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    this.hint = hint;
  }
}

export function cancelledError(): EngineError {
  return new EngineError('cancelled', 'The run was cancelled.', 'Start it again when you are ready.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}
