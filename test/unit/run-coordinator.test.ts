/**
 * The run coordinator (src/extension/runCoordinator.ts) with a fake worker client: the engine
 * runs in this process (real test models, real analyze, rescore and span detection) instead of
 * on a worker thread, and the fake records every request, so the tests see what the extension
 * asks the worker for: cache hits, rescoring only, same-response order, marks, cancellation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, rescore, env, loadModel, EngineError, type LoadedModel } from '../../src/engine/index.ts';
import { detectInstructionSpans } from '../../src/engine/spans/index.ts';
import { RunCoordinator, needsRescore, type Cancellation, type RunPlan, type RunSettings, type WorkerApi } from '../../src/extension/runCoordinator.ts';
import { ResultCache } from '../../src/extension/resultCache.ts';
import { CancelledError, type RequestBody, type RequestOptions } from '../../src/extension/workerClient.ts';
import { modelFingerprint } from '../../src/extension/fingerprint.ts';
import type { ResolvedModel } from '../../src/extension/modelRef.ts';
import type { WorkerRequestType, WorkerResults } from '../../src/protocol/index.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

env.cacheDir = tempDir();

/** The worker's requests answered by the engine in this process. */
class InProcessWorker implements WorkerApi {
  readonly requests: RequestBody[] = [];
  failDetection = false;
  private readonly models = new Map<string, Promise<LoadedModel>>();

  async request<K extends WorkerRequestType>(body: Extract<RequestBody, { type: K }>, opts: RequestOptions = {}): Promise<WorkerResults[K]> {
    this.requests.push(body);
    return (await this.answer(body as RequestBody, opts)) as WorkerResults[K];
  }

  private async answer(body: RequestBody, opts: RequestOptions): Promise<WorkerResults[WorkerRequestType]> {
    switch (body.type) {
      case 'analyze': {
        const ac = new AbortController();
        opts.onCancel?.(() => ac.abort());
        if (!this.models.has(body.ref)) this.models.set(body.ref, loadModel(body.ref, { dtype: body.dtype, precision: body.precision }));
        try {
          return await analyze(await this.models.get(body.ref)!, body.request, { signal: ac.signal, onProgress: opts.onProgress });
        } catch (e) {
          throw e instanceof EngineError && e.code === 'cancelled' ? new CancelledError() : e;
        }
      }
      case 'rescore': return rescore(body.analysis, body.settings);
      case 'detectSpans':
        if (this.failDetection) throw new Error('detection unavailable');
        return detectInstructionSpans(body.prompt);
      default: throw new Error(`not used by the coordinator: ${body.type}`);
    }
  }

  types(): string[] {
    return this.requests.map((r) => r.type);
  }

  async dispose(): Promise<void> {
    for (const m of this.models.values()) await (await m).dispose();
  }
}

const model = (name: string): ResolvedModel => ({ setting: name, kind: 'local', ref: testModel(name), label: name });
const models = { base: model('tiny-llama'), tuned: model('tiny-gpt2') };
const settings: RunSettings = { dtype: 'fp32', precision: 'float32', method: 'occlusion', template: 'none', maxNewTokens: 3, granularity: 'token', levels: 10, threshold: 0, p: 4, sameResponse: 'none' };
const prompt = 'Summarize the text below in one sentence. The cat sat on the mat all day.';
const notCancelled: Cancellation = { isCancellationRequested: false, onCancellationRequested: () => undefined };

function plan(over: Partial<RunPlan> = {}, s: Partial<RunSettings> = {}): RunPlan {
  return { prompt, sides: ['base', 'tuned'], models, settings: { ...settings, ...s }, markedSpans: [], ...over };
}

function progressLog() {
  const reports: { message?: string; increment?: number }[] = [];
  return { reports, report: (v: { message?: string; increment?: number }) => reports.push(v), total: () => reports.reduce((t, r) => t + (r.increment ?? 0), 0) };
}

const logged: string[] = [];
const logger = { info: (m: string) => logged.push(`info ${m}`), warn: (m: string) => logged.push(`warn ${m}`) };
let worker: InProcessWorker;
let coordinator: RunCoordinator;

before(() => {
  worker = new InProcessWorker();
  coordinator = new RunCoordinator(worker, new ResultCache(undefined), logger);
});
after(async () => worker.dispose());

test('a compare runs each model once, reports 100 % of progress, and a second run comes from the cache', async () => {
  const progress = progressLog();
  const out = await coordinator.run(plan(), notCancelled, progress);
  assert.deepEqual(worker.types(), ['detectSpans', 'analyze', 'analyze']);
  assert.equal(out.base!.model.ref, models.base.ref);
  assert.equal(out.tuned!.model.ref, models.tuned.ref);
  assert.ok(Math.abs(progress.total() - 100) < 1e-9, `progress adds up to ${progress.total()}`);

  worker.requests.length = 0;
  const again = progressLog();
  const cached = await coordinator.run(plan(), notCancelled, again);
  assert.deepEqual(worker.types(), ['detectSpans'], 'no model runs for a cached prompt');
  assert.deepEqual(cached.base!.importance, out.base!.importance);
  assert.deepEqual(again.reports.filter((r) => r.message).map((r) => r.message), ['tiny-llama: cached', 'tiny-gpt2: cached']);
  assert.ok(Math.abs(again.total() - 100) < 1e-9);
});

test('other L, b, p rescore the cached raw results without running a model', async () => {
  worker.requests.length = 0;
  const out = await coordinator.run(plan({}, { levels: 4, threshold: 1, p: 2 }), notCancelled, progressLog());
  assert.deepEqual(worker.types(), ['detectSpans', 'rescore', 'rescore']);
  assert.deepEqual([out.base!.settings.levels, out.base!.settings.threshold, out.base!.settings.p], [4, 1, 2]);
  assert.ok(needsRescore(out.tuned!, settings, undefined));
  assert.ok(!needsRescore(out.tuned!, { levels: 4, threshold: 1, p: 2 }, undefined));
});

test('marked spans replace detection and carry their text; the raw results stay cached', async () => {
  worker.requests.length = 0;
  const out = await coordinator.run(plan({ markedSpans: [{ start: 0, end: 9 }] }), notCancelled, progressLog());
  assert.deepEqual(worker.types(), ['rescore', 'rescore'], 'cached raw results, rescored with the marks');
  assert.deepEqual(out.base!.instructionSpans, [{ start: 0, end: 9, text: 'Summarize' }]);
  assert.ok(needsRescore(out.base!, settings, []), 'a result with marks needs rescoring for no marks');
});

test('same response: the source side generates first and the other explains its response', async () => {
  worker.requests.length = 0;
  const out = await coordinator.run(plan({ prompt: 'Name a colour.' }, { sameResponse: 'tuned' }), notCancelled, progressLog());
  const analyses = worker.requests.filter((r) => r.type === 'analyze');
  assert.deepEqual(analyses.map((r) => r.ref), [models.tuned.ref, models.base.ref]);
  assert.equal(analyses[1].request.response, out.tuned!.response);
  assert.equal(out.base!.settings.responseSource, 'given');
  assert.equal(out.base!.response, out.tuned!.response);
});

test('the cached results of a prompt are found only when they need no rescoring', async () => {
  const p = { prompt };
  assert.ok((await coordinator.cached(p, models, settings, []))?.tuned, 'both sides are cached from the first test');
  assert.equal(await coordinator.cached(p, models, { ...settings, levels: 5 }, []), undefined, 'other L needs the worker');
  assert.equal(await coordinator.cached(p, models, { ...settings, maxNewTokens: 4 }, []), undefined, 'another run');
  assert.equal(await coordinator.cached(p, models, settings, [{ start: 0, end: 9 }]), undefined, 'marks need rescoring');
  const other = new RunCoordinator(worker, new ResultCache(undefined), logger, async (m) => `${await modelFingerprint(m)}|changed`);
  assert.equal(await other.cached(p, models, settings, []), undefined, 'another cache knows nothing');
});

test('a cancellation between sides stops the run with CancelledError and runs no further model', async () => {
  worker.requests.length = 0;
  const listeners: (() => void)[] = [];
  const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => listeners.push(l) };
  const progress = { report: (v: { message?: string }) => { if (v.message === 'tiny-llama: cached') token.isCancellationRequested = true; } };
  await assert.rejects(coordinator.run(plan(), token, progress), (e: unknown) => e instanceof CancelledError);
  assert.deepEqual(worker.types(), ['detectSpans'], 'the base side came from the cache; the tuned side never ran');
});

test('a cancellation inside a model run rejects with CancelledError', async () => {
  const listeners: (() => void)[] = [];
  const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => listeners.push(l) };
  const progress = { report: (v: { message?: string }) => { if (v.message?.includes('generat')) { token.isCancellationRequested = true; listeners.forEach((l) => l()); } } };
  await assert.rejects(coordinator.run(plan({ prompt: 'Write a long story about a dragon.' }, { maxNewTokens: 50 }), token, progress), (e: unknown) => e instanceof CancelledError);
});

test('when span detection fails, the run goes on without given spans and the log says why', async () => {
  worker.failDetection = true;
  worker.requests.length = 0;
  try {
    const out = await coordinator.run(plan({ prompt: 'Count to three.', sides: ['tuned'] }), notCancelled, progressLog());
    const run = worker.requests.find((r) => r.type === 'analyze');
    assert.ok(run && run.type === 'analyze' && run.request.instructionSpans === undefined);
    assert.equal(out.tuned!.instructionSpansSource, 'detected', 'the engine detects them itself');
    assert.ok(logged.some((l) => l.startsWith('warn instruction-span detection failed: detection unavailable')));
  } finally {
    worker.failDetection = false;
  }
});

test('the spans\' source is the user\'s marks or detection, whatever the worker was sent (the panel says "marked by you" only for marks)', async () => {
  const p = plan({ prompt: 'Translate to French: the cat sleeps.', sides: ['tuned'] });
  const detected = await coordinator.run(p, notCancelled, progressLog());
  assert.ok(detected.tuned!.instructionSpans?.length, 'spans were detected');
  assert.equal(detected.tuned!.instructionSpansSource, 'detected', 'a run with no marks');
  assert.equal((await coordinator.cached(p, models, settings, []))?.tuned?.instructionSpansSource, 'detected', 'its cached result');
  const marked = await coordinator.run({ ...p, markedSpans: [{ start: 0, end: 9 }] }, notCancelled, progressLog());
  assert.equal(marked.tuned!.instructionSpansSource, 'given', 'a run with marks');
  const unmarked = await coordinator.rescoreIfNeeded(marked.tuned!, settings, await coordinator.instructionSpans(p.prompt, []), 'detected');
  assert.equal(unmarked.instructionSpansSource, 'detected', 'the marks removed again');
  const remarked = await coordinator.rescoreIfNeeded(detected.tuned!, settings, await coordinator.instructionSpans(p.prompt, [{ start: 0, end: 9 }]), 'given');
  assert.equal(remarked.instructionSpansSource, 'given', 'marks added to a detected result');
});
