/**
 * A model folder's fingerprint for result-cache keys (no `vscode` import): the name, size and
 * modification time of every file in the folder and its `onnx/`, read asynchronously (never
 * blocking the extension host). Hub models are identified by their id alone.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedModel } from './modelRef.ts';

export async function modelFingerprint(m: ResolvedModel): Promise<string> {
  if (m.kind === 'hub') return 'hub';
  const parts: string[] = [];
  for (const dir of [m.ref, path.join(m.ref, 'onnx')]) {
    try {
      for (const f of (await readdir(dir)).sort()) {
        const st = await stat(path.join(dir, f));
        if (st.isFile()) parts.push(`${f}:${st.size}:${Math.round(st.mtimeMs)}`);
      }
    } catch { /* missing folder: the engine reports it */ }
  }
  return parts.join('|');
}
