/**
 * Result cache (no `vscode` import): raw engine results by run key (see cacheKey.ts), in memory
 * and as JSON files in the extension's global storage, so re-opening a file or the panel shows
 * the last result at once. The file store keeps the most recent `maxFiles` entries. A result is
 * kept with the stamp of its model's files (modelStamp.ts) and given out only while they are
 * unchanged: other weights under the same name are recomputed, not shown from the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../engine/analysis.ts';
import { modelFilesStamp } from '../shared/modelStamp.ts';

interface Entry {
  analysis: Analysis;
  modelFiles: string;
}

export class ResultCache {
  private readonly mem = new Map<string, Entry>();

  constructor(private readonly dir: string | undefined, private readonly maxMemory = 64, private readonly maxFiles = 200) {}

  get(key: string): Analysis | undefined {
    const entry = this.mem.get(key) ?? this.read(key);
    if (!entry) return undefined;
    if (modelFilesStamp(entry.analysis.model) !== entry.modelFiles) {
      this.forget(key);
      return undefined;
    }
    this.remember(key, entry);
    return entry.analysis;
  }

  set(key: string, a: Analysis): void {
    const entry: Entry = { analysis: a, modelFiles: modelFilesStamp(a.model) };
    this.remember(key, entry);
    if (!this.dir) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const file = this.fileOf(key);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(entry));
      fs.renameSync(tmp, file);
      this.prune();
    } catch {
      // A cache that cannot be written is only slower.
    }
  }

  clear(): void {
    this.mem.clear();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private read(key: string): Entry | undefined {
    if (!this.dir) return undefined;
    const file = this.fileOf(key);
    try {
      const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Entry>;
      if (!entry.analysis?.model || typeof entry.modelFiles !== 'string') return undefined; // another version's entry
      const now = new Date();
      fs.utimesSync(file, now, now);
      return entry as Entry;
    } catch {
      return undefined;
    }
  }

  private forget(key: string): void {
    this.mem.delete(key);
    try {
      if (this.dir) fs.rmSync(this.fileOf(key), { force: true });
    } catch {
      // Left for prune.
    }
  }

  private fileOf(key: string): string {
    return path.join(this.dir!, `${key}.json`);
  }

  private remember(key: string, entry: Entry): void {
    this.mem.delete(key);
    this.mem.set(key, entry);
    while (this.mem.size > this.maxMemory) this.mem.delete(this.mem.keys().next().value as string);
  }

  private prune(): void {
    if (!this.dir) return;
    const files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    if (files.length <= this.maxFiles) return;
    const dated = files.map((f) => ({ f, t: fs.statSync(path.join(this.dir!, f)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { f } of dated.slice(0, files.length - this.maxFiles)) fs.rmSync(path.join(this.dir, f), { force: true });
  }
}
