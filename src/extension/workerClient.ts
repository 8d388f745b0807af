/**
 * The extension side of the engine worker: typed requests with progress and cancellation.
 * The worker starts lazily, restarts after a crash, and is terminated (freeing its memory) when
 * a cancelled request does not stop within a few seconds.
 */
import { Worker } from 'node:worker_threads';
import type { ToWorker, FromWorker, WorkerRequest, WorkerRequestType, WorkerResults, Progress, ErrorInfo, Dtype, ModelState } from '../protocol/index.ts';

/** What the worker reported when a request failed. */
export class WorkerRequestError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'WorkerRequestError';
  }
  get code(): ErrorInfo['code'] { return this.info.code; }
  get hint(): string { return this.info.hint; }
}

/** A request or run that was cancelled (by the user): not an error. */
export class CancelledError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'CancelledError';
  }
}

export interface RequestOptions {
  onProgress?: (p: Progress) => void;
  /** Cancellation: when it fires the request is cancelled. */
  onCancel?: (cancel: () => void) => void;
}

interface Pending {
  resolve: (v: WorkerResults[WorkerRequestType]) => void;
  reject: (e: Error) => void;
  onProgress?: (p: Progress) => void;
  killTimer?: NodeJS.Timeout;
  worker: Worker;
}

type Distribute<T> = T extends WorkerRequest ? Omit<T, 'id'> : never;
export type RequestBody = Distribute<WorkerRequest>;

export interface WorkerClientOptions {
  workerPath: string;
  init: () => Extract<ToWorker, { type: 'init' }>;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  onModelState: (ref: string, dtype: Dtype, state: ModelState, message?: string) => void;
  /** How long a cancelled request may take to stop before the worker is terminated. */
  cancelGraceMs?: number;
}

export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly opts: WorkerClientOptions) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.opts.workerPath, { stdout: false, stderr: false });
    w.on('message', (m: FromWorker) => this.onMessage(m));
    w.on('error', (e) => {
      this.opts.log('error', `engine worker error: ${e.stack ?? e.message}`);
    });
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      if (this.pending.size) this.opts.log('warn', `engine worker exited (code ${code}) with ${this.pending.size} request(s) pending`);
      for (const [id, p] of this.pending) {
        if (p.worker !== w) continue;
        clearTimeout(p.killTimer);
        // Terminated because a cancelled request did not stop: the request was cancelled.
        p.reject(p.killTimer ? new CancelledError() : new WorkerRequestError({ code: 'internal', message: `The engine worker stopped (exit code ${code}).`, hint: 'See the Prompt Lens log; run the command again to restart it.' }));
        this.pending.delete(id);
      }
    });
    w.postMessage(this.opts.init());
    this.worker = w;
    this.opts.log('info', `engine worker started (${this.opts.workerPath})`);
    return w;
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'log': this.opts.log(m.level, m.message); return;
      case 'modelState': this.opts.onModelState(m.ref, m.dtype, m.state, m.message); return;
      case 'progress': this.pending.get(m.id)?.onProgress?.(m.progress); return;
      case 'result':
      case 'error': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.killTimer);
        if (m.type === 'result') p.resolve(m.value);
        else p.reject(m.error.code === 'cancelled' ? new CancelledError() : new WorkerRequestError(m.error));
      }
    }
  }

  request<K extends WorkerRequestType>(body: Extract<RequestBody, { type: K }>, opts: RequestOptions = {}): Promise<WorkerResults[K]> {
    const w = this.ensure();
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      // The worker answers request `id` with the result of its type K (protocol WorkerHandlers).
      const p: Pending = { resolve: resolve as (v: WorkerResults[WorkerRequestType]) => void, reject, onProgress: opts.onProgress, worker: w };
      this.pending.set(id, p);
      opts.onCancel?.(() => {
        if (!this.pending.has(id) || p.killTimer) return;
        w.postMessage({ type: 'cancel', id } satisfies ToWorker);
        p.killTimer = setTimeout(() => {
          this.opts.log('warn', `request ${id} did not stop within ${this.opts.cancelGraceMs ?? 5000} ms of cancel; terminating the engine worker`);
          void this.terminate();
        }, this.opts.cancelGraceMs ?? 5000);
      });
      w.postMessage({ ...body, id } as ToWorker);
    });
  }

  /** Push new init settings (e.g. maxLoadedModels) to a running worker. */
  reinit(): void {
    this.worker?.postMessage(this.opts.init());
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  async terminate(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
