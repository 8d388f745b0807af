/**
 * The engine worker: runs Prompt Lens' engine on a worker thread so the extension host never
 * blocks. Models load once and stay loaded (least recently used beyond `maxLoadedModels` are
 * disposed). Every request can be cancelled; cancellation aborts the engine's signal.
 * Messages: src/protocol/index.ts.
 */
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { env as hfEnv } from '@huggingface/transformers';
import type { ToWorker, FromWorker, WorkerRequest, ErrorInfo, Dtype, ModelState, ModelSummary, PrecisionSetting, Progress } from '../protocol/index.ts';
import { loadModel, analyze, rescore, renderHtmlReport, EngineError, type LoadedModel } from '../engine/index.ts';
import { env } from '../engine/env.ts';
import { detectInstructionSpans } from '../engine/spans/index.ts';
import { compareConcepts } from '../engine/internals/compare-concepts.ts';
import { compareHeads } from '../engine/internals/compare-heads.ts';
import { internalsView } from '../engine/internals/view.ts';

const port = parentPort;
if (!port) throw new Error('prompt-lens worker must run in a worker thread');

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  post({ type: 'log', level, message });
}

let maxLoaded = 2;
const controllers = new Map<number, AbortController>();

interface Slot {
  key: string;
  ref: string;
  dtype: Dtype;
  precision: PrecisionSetting;
  model: Promise<LoadedModel>;
  lastUsed: number;
  busy: number;
}
const slots = new Map<string, Slot>();

function setState(ref: string, dtype: Dtype, state: ModelState, message?: string): void {
  post({ type: 'modelState', ref, dtype, state, message });
}

async function evictIfNeeded(keep: string): Promise<void> {
  const idle = [...slots.values()].filter((s) => s.key !== keep && s.busy === 0).sort((a, b) => a.lastUsed - b.lastUsed);
  while (slots.size > Math.max(1, maxLoaded) && idle.length) {
    const s = idle.shift()!;
    slots.delete(s.key);
    try { await (await s.model).dispose(); } catch { /* a failed load has nothing to free */ }
    // Another slot of the same model (other precision) may still be loaded: it keeps the state.
    if (![...slots.values()].some((o) => o.ref === s.ref && o.dtype === s.dtype)) setState(s.ref, s.dtype, 'unloaded');
    log('info', `unloaded ${s.ref} (${s.dtype}, ${s.precision}) to stay within ${maxLoaded} loaded model(s)`);
  }
}

function slotKey(ref: string, dtype: Dtype, precision: PrecisionSetting): string {
  return `${ref}\u0000${dtype}\u0000${precision}`;
}

function getModel(id: number, ref: string, dtype: Dtype, precision: PrecisionSetting, signal: AbortSignal): Promise<LoadedModel> {
  const key = slotKey(ref, dtype, precision);
  let slot = slots.get(key);
  if (!slot) {
    setState(ref, dtype, 'loading');
    log('info', `loading ${ref} (${dtype})`);
    const t0 = Date.now();
    // The load runs under the first request's signal; if that request is cancelled the load
    // stops, the slot is dropped, and the next request loads again.
    const model = loadModel(ref, {
      dtype,
      precision,
      signal,
      onProgress: (p) => {
        post({ type: 'progress', id, progress: p });
        if (p.stage === 'download') setState(ref, dtype, 'downloading', p.message);
      },
    });
    slot = { key, ref, dtype, precision, model, lastUsed: Date.now(), busy: 0 };
    slots.set(key, slot);
    model.then(
      (m) => { setState(ref, dtype, 'ready'); log('info', `loaded ${ref} (${m.info.architecture}, ${m.info.dtype}, ${m.info.precision}${m.info.precisionNote ? `: ${m.info.precisionNote}` : ''}) in ${Date.now() - t0} ms`); void evictIfNeeded(key); },
      (e) => { slots.delete(key); setState(ref, dtype, 'error', e instanceof Error ? e.message : String(e)); },
    );
  }
  slot.lastUsed = Date.now();
  return slot.model;
}

function summary(m: LoadedModel): ModelSummary {
  return { ref: m.info.ref, path: m.info.path, architecture: m.info.architecture, dtype: m.info.dtype };
}

async function handle(req: WorkerRequest, signal: AbortSignal): Promise<unknown> {
  switch (req.type) {
    case 'load':
      return summary(await getModel(req.id, req.ref, req.dtype, req.precision, signal));
    case 'analyze': {
      const key = slotKey(req.ref, req.dtype, req.precision);
      const model = await getModel(req.id, req.ref, req.dtype, req.precision, signal);
      const slot = slots.get(key);
      if (slot) slot.busy++;
      setState(req.ref, req.dtype, 'running');
      try {
        return await analyze(model, req.request, { signal, onProgress: (p) => post({ type: 'progress', id: req.id, progress: p }) });
      } finally {
        if (slot) { slot.busy--; slot.lastUsed = Date.now(); }
        if (slots.has(key)) setState(req.ref, req.dtype, 'ready');
      }
    }
    case 'rescore':
      return rescore(req.analysis, req.settings);
    case 'detectSpans':
      return detectInstructionSpans(req.prompt);
    case 'report':
      return renderHtmlReport(req.analyses);
    case 'internals': {
      const opts = { dtype: req.dtype, signal, onProgress: (p: Progress) => post({ type: 'progress', id: req.id, progress: p }) };
      return internalsView(await compareConcepts(req.base, req.tuned, opts), await compareHeads(req.base, req.tuned, opts));
    }
    case 'unload': {
      for (const s of [...slots.values()]) {
        if (req.ref && s.ref !== req.ref) continue;
        slots.delete(s.key);
        try { await (await s.model).dispose(); } catch { /* nothing loaded */ }
        setState(s.ref, s.dtype, 'unloaded');
      }
      return null;
    }
  }
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
    maxLoaded = msg.maxLoadedModels;
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
