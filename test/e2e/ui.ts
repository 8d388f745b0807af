/** Small helpers of the end-to-end suite: waiting, results on disk, and what the editor shows. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from './host.ts';
import type { Analysis } from '../../src/engine/analysis.ts';

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The analyses in the extension's result cache (one JSON file per run, {analysis, modelFiles}: src/extension/resultCache.ts). */
export function readResults(dir: string): Analysis[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { analysis: Analysis }).analysis);
  } catch {
    return [];
  }
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface Decorated { text: string; alpha: number; x: number; y: number }

/**
 * Decorations in the active editor group's editor (`.cdr` in the view overlays) whose computed
 * style matches: the characters of their line that lie under each. `kind` 'background' matches
 * background colours starting with `rgba(<arg>`; 'dashed' matches a dashed bottom border (the
 * instruction marks).
 */
export async function decorations(host: Host, kind: 'background' | 'dashed', arg = ''): Promise<Decorated[]> {
  return host.page.evaluate(([k, rgbPrefix]) => {
    const editor = document.querySelector('.editor-group-container.active .editor-instance .monaco-editor') ?? document.querySelector('.editor-instance .monaco-editor') ?? document.querySelector('.monaco-editor');
    if (!editor) return [];
    const lines = [...editor.querySelectorAll<HTMLElement>('.view-lines .view-line')];
    const out: { text: string; alpha: number; x: number; y: number }[] = [];
    for (const cdr of editor.querySelectorAll<HTMLElement>('.view-overlays .cdr')) {
      const cs = getComputedStyle(cdr);
      const bg = cs.backgroundColor;
      if (k === 'background' ? !bg.startsWith(`rgba(${rgbPrefix}`) : cs.borderBottomStyle !== 'dashed') continue;
      const box = cdr.getBoundingClientRect();
      const line = lines.find((l) => { const r = l.getBoundingClientRect(); return Math.abs(r.top - box.top) < 3; });
      if (!line) continue;
      let text = '';
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const s = node.textContent ?? '';
        for (let i = 0; i < s.length; i++) {
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const r = range.getBoundingClientRect();
          const cx = (r.left + r.right) / 2;
          if (cx > box.left && cx < box.right) text += s[i];
        }
      }
      out.push({ text: text.replace(/\u00a0/g, ' '), alpha: Number(/,\s*([\d.]+)\)$/.exec(bg)?.[1] ?? 1), x: box.left + box.width / 2, y: box.top + box.height / 2 });
    }
    return out;
  }, [kind, arg] as const);
}

/** The importance highlights (default amber). */
export function highlights(host: Host): Promise<Decorated[]> {
  return decorations(host, 'background', '245, 166, 35');
}

/** Put the cursor at the end of line `line` (1-based) of the focused editor, before its last `back` characters. */
export async function cursorAt(host: Host, line: number, back = 0): Promise<void> {
  const p = host.page;
  await p.keyboard.press('Control+G');
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await p.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await p.keyboard.press('End');
  for (let i = 0; i < back; i++) await p.keyboard.press('ArrowLeft');
}

/** Select the word before the cursor. */
export async function selectWordLeft(host: Host): Promise<void> {
  await host.page.keyboard.press('Control+Shift+ArrowLeft');
}
