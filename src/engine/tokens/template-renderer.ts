/**
 * Rendering a chat template within bounds. A template is a Jinja program from the model's
 * tokenizer_config.json; rendering is synchronous and cannot be interrupted in the thread that
 * runs it, and a heap exhausted in any thread of a process (even a worker thread with
 * `resourceLimits`, nodejs/node#47224) ends the whole process. So templates render in a child
 * process (template-render-child.ts) with a heap limit of its own, which is killed when it runs
 * longer than the time limit; it refuses output longer than the caller allows.
 *
 * One child serves the renders of a process, one at a time: starting it takes ~0.1 s, a render
 * ~1 ms after that. It does not keep the process alive while idle, exits with its parent, and
 * ends itself when a render outlives its deadline after the parent is gone (its watchdog).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { childScript, forkChild } from '../child-script.ts';
import { cancelledError, throwIfAborted } from '../errors.ts';

export interface RenderRequest {
  id: number;
  template: string;
  contexts: Record<string, unknown>[];
  maxChars: number;
  timeoutMs: number;
}

export type RenderReply =
  | { id: number; outputs: string[] }
  /** `length` is absent when the text outgrew what a JavaScript string can hold. */
  | { id: number; tooLong: true; length?: number }
  | { id: number; error: string };

export interface RenderLimits {
  timeoutMs: number;
  memoryMb: number;
  /** Longest output accepted, in UTF-16 code units. */
  maxChars: number;
}

/** Why a template could not be rendered; the message completes "The chat template …". */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
}

let child: ChildProcess | undefined;
let nextId = 1;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Render `template` once per context; the outputs in the same order. Rejects with a
 * TemplateRenderError, or with the engine's cancelled error when `signal` aborts (the render
 * is killed) or an interrupt (Ctrl-C reaches the whole process group) ends the renderer.
 */
export function renderChatTemplate(template: string, contexts: Record<string, unknown>[], limits: RenderLimits, signal?: AbortSignal): Promise<string[]> {
  const run = queue.then(() => renderInChild(template, contexts, limits, signal));
  queue = run.catch(() => undefined);
  return run;
}

function startChild(memoryMb: number): ChildProcess {
  // Bundled beside dist/cli.js and dist/worker.js, or the source under tsx.
  const script = childScript(path.join(__dirname, 'template-render.js'), path.join(__dirname, 'template-render-child.ts'), 'The chat-template renderer');
  // stdio ignored: a heap exhausted by a template prints V8's report, which is not the user's concern.
  const proc = forkChild(script, { execArgv: [`--max-old-space-size=${memoryMb}`], stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
  proc.on('error', () => forget(proc)); // reported to the waiting render by its own listener
  return proc;
}

function forget(proc: ChildProcess): void {
  if (child === proc) child = undefined;
}

function setBusy(proc: ChildProcess, busy: boolean): void {
  if (busy) {
    proc.ref();
    proc.channel?.ref();
  } else {
    proc.unref();
    proc.channel?.unref();
  }
}

/** V8 ends a process with SIGABRT when its heap limit is reached, SIGTRAP when one list or string would outgrow what V8 can allocate. */
function v8Fatal(code: number | null, signal: NodeJS.Signals | null): boolean {
  return signal === 'SIGABRT' || signal === 'SIGTRAP' || code === 134 || code === 133;
}

function renderInChild(template: string, contexts: Record<string, unknown>[], limits: RenderLimits, signal: AbortSignal | undefined): Promise<string[]> {
  throwIfAborted(signal);
  const proc = child ?? (child = startChild(limits.memoryMb));
  const id = nextId++;
  return new Promise<string[]>((resolve, reject) => {
    const settle = (outputs: string[] | undefined, problem?: string | Error) => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      proc.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (child === proc) setBusy(proc, false);
      if (outputs) resolve(outputs);
      else reject(problem instanceof Error ? problem : new TemplateRenderError(problem));
    };
    const kill = () => {
      forget(proc);
      proc.kill('SIGKILL');
    };
    const onAbort = () => {
      kill();
      settle(undefined, cancelledError());
    };
    const onMessage = (reply: RenderReply) => {
      if (reply.id !== id) return;
      if ('outputs' in reply) settle(reply.outputs);
      else if ('tooLong' in reply) settle(undefined, reply.length !== undefined ? `produced ${reply.length.toLocaleString('en-US')} characters, more than the ${limits.maxChars.toLocaleString('en-US')} allowed for this prompt` : 'produced a text longer than a JavaScript string can hold');
      else settle(undefined, `failed: ${reply.error}`);
    };
    const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) => {
      forget(proc);
      if (exitSignal === 'SIGINT' || exitSignal === 'SIGTERM') settle(undefined, cancelledError());
      else if (v8Fatal(code, exitSignal)) settle(undefined, `needed more than the ${limits.memoryMb} MB of memory a template may use`);
      else settle(undefined, `stopped the process rendering it (${exitSignal ?? `exit code ${code}`})`);
    };
    const onError = (error: Error) => settle(undefined, `could not be rendered: ${error.message}`);
    const timer = setTimeout(() => {
      kill();
      settle(undefined, `ran longer than ${limits.timeoutMs / 1000} s (it may loop for ever)`);
    }, limits.timeoutMs);
    proc.on('message', onMessage);
    proc.once('exit', onExit);
    proc.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    setBusy(proc, true);
    proc.send({ id, template, contexts, maxChars: limits.maxChars, timeoutMs: limits.timeoutMs } satisfies RenderRequest, (error) => {
      if (error) onError(error);
    });
  });
}
