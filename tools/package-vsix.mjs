#!/usr/bin/env node
// Builds the linux-x64 platform VSIX of the Prompt Lens extension (npm run package).
// A clean staging folder gets only what the installed extension needs: the manifest, the four
// bundles (extension, engine worker, its chat-template renderer, webview) and the word data asset
// of the global analyses (dist/word-data), media, the bundled demo pair, and the runtime
// packages esbuild leaves external (@huggingface/transformers, onnxruntime-node, sharp), pinned to
// the versions in this checkout; onnxruntime-node's binaries for other platforms are removed.
// The dist entries and runtime packages are listed in tools/vsix-contents.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stage = path.join(root, '.cache', 'vsix-stage');
const target = process.env.VSIX_TARGET ?? 'linux-x64';
const [targetOs, targetArch] = target.split('-');
const out = path.join(root, `prompt-lens-${target}.vsix`);
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' } });

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contents = JSON.parse(fs.readFileSync(path.join(root, 'tools', 'vsix-contents.json'), 'utf8'));
const version = (name) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(path.join(stage, 'dist'), { recursive: true });
fs.mkdirSync(path.join(stage, 'media'), { recursive: true });
for (const f of contents.dist) {
  const src = path.join(root, 'dist', f);
  if (!fs.existsSync(src)) throw new Error(`dist/${f} is missing: run the build first`);
  fs.cpSync(src, path.join(stage, 'dist', f), { recursive: true });
}
for (const f of ['icon.png', 'panel.css']) fs.copyFileSync(path.join(root, 'media', f), path.join(stage, 'media', f));
fs.cpSync(path.join(root, 'media', 'walkthrough'), path.join(stage, 'media', 'walkthrough'), { recursive: true });
for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));
const docsImages = path.join(root, 'docs', 'images');
if (fs.existsSync(docsImages)) fs.cpSync(docsImages, path.join(stage, 'docs', 'images'), { recursive: true });
let demo = true;
for (const m of ['demo-base', 'demo-instruct']) {
  const src = path.join(root, 'models', m);
  if (fs.existsSync(path.join(src, 'config.json'))) fs.cpSync(src, path.join(stage, 'models', m), { recursive: true });
  else { demo = false; console.warn(`[package] models/${m} is missing: the VSIX will not contain the bundled demo pair`); }
}

const manifest = { ...pkg };
delete manifest.devDependencies;
delete manifest.bin;
manifest.scripts = {};
manifest.dependencies = Object.fromEntries(contents.runtimePackages.map((n) => [n, version(n)]));
manifest.overrides = { 'onnxruntime-node': version('onnxruntime-node') };
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fs.writeFileSync(path.join(stage, '.vscodeignore'), ['**/*.map', '**/*.d.ts', '**/*.md', '!README.md', '**/test/**', '**/tests/**', 'node_modules/onnxruntime-web/**', 'node_modules/@huggingface/transformers/dist/*.web*', 'node_modules/@huggingface/transformers/src/**', 'package-lock.json'].join('\n') + '\n');

// Runtime packages (their install scripts would download CUDA files; the CPU binaries ship in the package).
run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', `--os=${targetOs}`, `--cpu=${targetArch}`], stage);

// onnxruntime-node ships CPU binaries for every platform: keep only the target's.
const ortBin = path.join(stage, 'node_modules', 'onnxruntime-node', 'bin');
for (const napi of fs.existsSync(ortBin) ? fs.readdirSync(ortBin) : []) {
  for (const os of fs.readdirSync(path.join(ortBin, napi))) {
    if (os !== targetOs) { fs.rmSync(path.join(ortBin, napi, os), { recursive: true, force: true }); continue; }
    for (const arch of fs.readdirSync(path.join(ortBin, napi, os))) if (arch !== targetArch) fs.rmSync(path.join(ortBin, napi, os, arch), { recursive: true, force: true });
  }
}

run(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--target', target, '--allow-missing-repository', '--skip-license', '--allow-star-activation', '--no-rewrite-relative-links', '-o', out], stage);
fs.rmSync(stage, { recursive: true, force: true }); // ~260 MB of staged dependencies
const mb = (fs.statSync(out).size / 1024 / 1024).toFixed(1);
console.log(`[package] ${path.relative(root, out)}: ${mb} MB${demo ? '' : ' (without the demo pair)'}`);
