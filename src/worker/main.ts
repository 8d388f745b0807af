/**
 * The engine worker: runs Prompt Lens' engine on a worker thread so the extension host never
 * blocks. Models load once and stay loaded (least recently used beyond `maxLoadedModels` are
 * disposed). Every request can be cancelled; cancellation aborts the engine's signal.
 * Messages: src/protocol/index.ts.
 */
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { env as hfEnv } from '@huggingface/transformers';
import type { ToWorker, FromWorker, WorkerRequest, WorkerHandlers, WorkerResults, WorkerRequestType, ErrorInfo, ModelSummary, Progress } from '../protocol/index.ts';
import { analyze, rescore, renderHtmlReport, EngineError, type LoadedModel } from '../engine/index.ts';
import { env } from '../engine/env.ts';
import { detectInstructionSpans } from '../engine/spans/index.ts';
import { compareConcepts } from '../engine/internals/compare-concepts.ts';
import { compareHeads } from '../engine/internals/compare-heads.ts';
import { internalsView } from '../engine/internals/view.ts';
import { ModelSlots } from './slots.ts';

const port = parentPort;
if (!port) throw new Error('prompt-lens worker must run in a worker thread');

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  post({ type: 'log', level, message });
}

const controllers = new Map<number, AbortController>();
const slots = new ModelSlots({
  state: (ref, dtype, state, message) => post({ type: 'modelState', ref, dtype, state, message }),
  log,
  progress: (id, progress) => post({ type: 'progress', id, progress }),
});

function summary(m: LoadedModel): ModelSummary {
  return { ref: m.info.ref, path: m.info.path, architecture: m.info.architecture, dtype: m.info.dtype };
}

/** One handler per request type; each returns that request's result type (protocol WorkerResults). */
const handlers: WorkerHandlers = {
  load: async (req, signal) => summary(await slots.get(req.id, req.ref, req.dtype, req.precision, signal)),
  analyze: (req, signal) => slots.use(req.id, req.ref, req.dtype, req.precision, signal,
    (model) => analyze(model, req.request, { signal, onProgress: (p) => post({ type: 'progress', id: req.id, progress: p }) })),
  rescore: async (req) => rescore(req.analysis, req.settings),
  detectSpans: async (req) => detectInstructionSpans(req.prompt),
  report: async (req) => renderHtmlReport(req.analyses),
  internals: async (req, signal) => {
    const opts = { dtype: req.dtype, signal, onProgress: (p: Progress) => post({ type: 'progress', id: req.id, progress: p }) };
    return internalsView(await compareConcepts(req.base, req.tuned, opts), await compareHeads(req.base, req.tuned, opts));
  },
  unload: async (req) => { await slots.unload(req.ref); return null; },
};

function handle(req: WorkerRequest, signal: AbortSignal): Promise<WorkerResults[WorkerRequestType]> {
  // The message's type picks its handler; TypeScript cannot relate the two through the union.
  const handler = handlers[req.type] as (req: WorkerRequest, signal: AbortSignal) => Promise<WorkerResults[WorkerRequestType]>;
  return handler(req, signal);
}

function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof EngineError) return { code: e.code, message: e.message, hint: e.hint, stack: e.stack };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'cancelled', message: 'The run was cancelled.', hint: '' };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: 'internal', message: err.message, hint: 'See the Prompt Lens log for details.', stack: err.stack };
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    if (msg.cacheDir) env.cacheDir = msg.cacheDir;
    // transformers.js caches what it fetches (Hub config files) in its own package folder by
    // default, i.e. inside the installed extension: keep it in the engine's cache instead. Both
    // of its module instances: this bundle require()s it, the engine's Hub download import()s it.
    const hfCache = path.join(env.cacheDir, 'transformers');
    hfEnv.cacheDir = hfCache;
    void import('@huggingface/transformers').then((m) => { m.env.cacheDir = hfCache; });
    env.allowRemoteModels = msg.allowRemoteModels;
    slots.maxLoaded = msg.maxLoadedModels;
    return;
  }
  if (msg.type === 'cancel') {
    controllers.get(msg.id)?.abort();
    return;
  }
  const ac = new AbortController();
  controllers.set(msg.id, ac);
  handle(msg, ac.signal).then(
    (value) => post({ type: 'result', id: msg.id, value }),
    (e) => post({ type: 'error', id: msg.id, error: toErrorInfo(e) }),
  ).finally(() => controllers.delete(msg.id));
});

process.on('unhandledRejection', (e) => log('error', `unhandled rejection in worker: ${e instanceof Error ? e.stack : String(e)}`));
