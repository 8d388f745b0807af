/**
 * The state on disk of the files a result was computed from (no `vscode` import): size and
 * modification time of each file its model records (`fileHashes`: config, tokenizer, graph and
 * the graph's weights files), or that it is missing. A cached result whose stamp has changed
 * came from other files, for a local folder and a downloaded Hub model alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelInfo } from '../engine/analysis.ts';

export function modelFilesStamp(model: Pick<ModelInfo, 'path' | 'fileHashes'>): string {
  return Object.keys(model.fileHashes)
    .sort()
    .map((file) => {
      try {
        const info = fs.statSync(path.join(model.path, file));
        return `${file}:${info.size}:${info.mtimeMs}`;
      } catch {
        return `${file}:missing`;
      }
    })
    .join('|');
}
