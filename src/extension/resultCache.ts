/**
 * Result cache (no `vscode` import): raw engine results by run key (see cacheKey.ts), in memory
 * and as JSON files in the extension's global storage, so re-opening a file or the panel shows
 * the last result at once. The file store keeps the most recent `maxFiles` entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../engine/analysis.ts';

export class ResultCache {
  private readonly mem = new Map<string, Analysis>();

  constructor(private readonly dir: string | undefined, private readonly maxMemory = 64, private readonly maxFiles = 200) {}

  get(key: string): Analysis | undefined {
    const hit = this.mem.get(key);
    if (hit) {
      this.mem.delete(key);
      this.mem.set(key, hit);
      return hit;
    }
    if (!this.dir) return undefined;
    const file = path.join(this.dir, `${key}.json`);
    try {
      const a = JSON.parse(fs.readFileSync(file, 'utf8')) as Analysis;
      const now = new Date();
      fs.utimesSync(file, now, now);
      this.remember(key, a);
      return a;
    } catch {
      return undefined;
    }
  }

  set(key: string, a: Analysis): void {
    this.remember(key, a);
    if (!this.dir) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const file = path.join(this.dir, `${key}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(a));
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

  private remember(key: string, a: Analysis): void {
    this.mem.delete(key);
    this.mem.set(key, a);
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
