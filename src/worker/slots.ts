/**
 * The worker's loaded models: one slot per (model, dtype, precision). A model loads once and
 * stays loaded; beyond `maxLoaded` the least recently used idle slot is disposed. Every change of
 * a model's state (loading, downloading, ready, running, error, unloaded) is reported.
 */
import type { Dtype, ModelState, PrecisionSetting, Progress } from '../protocol/index.ts';
import { loadModel, type LoadedModel } from '../engine/index.ts';

export interface SlotEvents {
  state(ref: string, dtype: Dtype, state: ModelState, message?: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Load progress, reported to the request that started the load. */
  progress(requestId: number, p: Progress): void;
}

interface Slot {
  key: string;
  ref: string;
  dtype: Dtype;
  precision: PrecisionSetting;
  model: Promise<LoadedModel>;
  lastUsed: number;
  busy: number;
}

function slotKey(ref: string, dtype: Dtype, precision: PrecisionSetting): string {
  return `${ref}\u0000${dtype}\u0000${precision}`;
}

export class ModelSlots {
  maxLoaded = 2;
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly events: SlotEvents) {}

  /** The model, loading it under this request's signal when no slot has it. */
  get(requestId: number, ref: string, dtype: Dtype, precision: PrecisionSetting, signal: AbortSignal): Promise<LoadedModel> {
    const key = slotKey(ref, dtype, precision);
    let slot = this.slots.get(key);
    if (!slot) {
      this.events.state(ref, dtype, 'loading');
      this.events.log('info', `loading ${ref} (${dtype})`);
      const t0 = Date.now();
      // The load runs under the first request's signal; if that request is cancelled the load
      // stops, the slot is dropped, and the next request loads again.
      const model = loadModel(ref, {
        dtype,
        precision,
        signal,
        onProgress: (p) => {
          this.events.progress(requestId, p);
          if (p.stage === 'download') this.events.state(ref, dtype, 'downloading', p.message);
        },
      });
      slot = { key, ref, dtype, precision, model, lastUsed: Date.now(), busy: 0 };
      this.slots.set(key, slot);
      model.then(
        (m) => { this.events.state(ref, dtype, 'ready'); this.events.log('info', `loaded ${ref} (${m.info.architecture}, ${m.info.dtype}, ${m.info.precision}${m.info.precisionNote ? `: ${m.info.precisionNote}` : ''}) in ${Date.now() - t0} ms`); void this.evictIfNeeded(key); },
        (e) => { this.slots.delete(key); this.events.state(ref, dtype, 'error', e instanceof Error ? e.message : String(e)); },
      );
    }
    slot.lastUsed = Date.now();
    return slot.model;
  }

  /** Run `work` on the model; its slot is busy (never evicted) meanwhile and the model shown as running. */
  async use<T>(requestId: number, ref: string, dtype: Dtype, precision: PrecisionSetting, signal: AbortSignal, work: (m: LoadedModel) => Promise<T>): Promise<T> {
    const key = slotKey(ref, dtype, precision);
    const model = await this.get(requestId, ref, dtype, precision, signal);
    const slot = this.slots.get(key);
    if (slot) slot.busy++;
    this.events.state(ref, dtype, 'running');
    try {
      return await work(model);
    } finally {
      if (slot) { slot.busy--; slot.lastUsed = Date.now(); }
      if (this.slots.has(key)) this.events.state(ref, dtype, 'ready');
    }
  }

  /** Dispose every slot of `ref` (every slot when undefined). */
  async unload(ref?: string): Promise<void> {
    for (const s of [...this.slots.values()]) {
      if (ref && s.ref !== ref) continue;
      this.slots.delete(s.key);
      try { await (await s.model).dispose(); } catch { /* nothing loaded */ }
      this.events.state(s.ref, s.dtype, 'unloaded');
    }
  }

  private async evictIfNeeded(keep: string): Promise<void> {
    const idle = [...this.slots.values()].filter((s) => s.key !== keep && s.busy === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    while (this.slots.size > Math.max(1, this.maxLoaded) && idle.length) {
      const s = idle.shift()!;
      this.slots.delete(s.key);
      try { await (await s.model).dispose(); } catch { /* a failed load has nothing to free */ }
      // Another slot of the same model (other precision) may still be loaded: it keeps the state.
      if (![...this.slots.values()].some((o) => o.ref === s.ref && o.dtype === s.dtype)) this.events.state(s.ref, s.dtype, 'unloaded');
      this.events.log('info', `unloaded ${s.ref} (${s.dtype}, ${s.precision}) to stay within ${this.maxLoaded} loaded model(s)`);
    }
  }
}
