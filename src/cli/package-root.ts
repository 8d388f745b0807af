/** The folder of the prompt-lens package (bundled in dist/ or run from src/ by tsx). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'prompt-lens') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`prompt-lens package root not found above ${from}`);
    dir = parent;
  }
}

export function bundledModel(name: 'demo-base' | 'demo-instruct'): string {
  return path.join(packageRoot(), 'models', name);
}
