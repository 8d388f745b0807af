/**
 * `npm run bench`: speed and memory of both attribution methods on a random-weight model with
 * SmolLM2-135M's exact configuration, for a 128-token prompt and a 64-token response.
 * Each method is reported as a ratio to its floor: the token positions it must process divided
 * by the tokens/second of one full-sequence forward pass measured in the same run.
 * Memory: peak resident set above the process baseline, as a multiple of the weight bytes in the
 * precision measured (float64 weights take twice the file's float32 bytes). The model is opened
 * as `analyze` opens it the first time (a fresh cache folder: preparation, parity check, batching
 * probe), so the peak includes first-run preparation.
 * The gradient runs both ways (forward mode, the default, and central differences); the default
 * is reported against occlusion and against the paper's own method in PyTorch on the same weights
 * (tools/paper_gradient.py: one backward per response token, float32), all in the same run.
 * `npm run bench -- [MODEL_DIR] [float64|float32] [--no-central] [--no-pytorch]`: float64 (the
 * default precision) also reports how much slower its forward pass is than float32's, measured in
 * the same run; --no-central skips the central-difference gradient (the longest run, a cross-check
 * only); --no-pytorch skips the paper's method in PyTorch (about 10 minutes; for quick iterations).
 * `npm run bench -- MODEL_DIR float32 --projection`: instead, times occlusion and the default
 * gradient on a short prompt and projects them to Llama-3.2-1B at 256 + 128 tokens
 * (bench-projection.ts); MODEL_DIR is the largest model this machine holds, e.g. one of
 * Llama-3.2-1B's width with fewer layers (tools/models/make_bench_model.py --config).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env } from '../engine/env.ts';
import type { Precision } from '../engine/analysis.ts';
import { loadOrPrepareGraph } from '../engine/graph/prepare.ts';
import { openGraph } from '../engine/models/precision.ts';
import { cachedSha256, weightFileBytes } from '../engine/models/files.ts';
import { DecoderSession } from '../engine/runtime/session.ts';
import { attributorFor } from '../engine/attribution/registry.ts';
import { attributionWork, LLAMA_3_2_1B, parameters, shapeOf, type BatchRows } from './bench-projection.ts';
import { PhasePeaks } from './bench-memory.ts';
import { parityProcess } from '../engine/models/parity.ts';

const PROMPT_TOKENS = 128;
const RESPONSE_TOKENS = 64;

async function main(): Promise<number> {
  const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => f !== '--no-central' && f !== '--no-pytorch' && f !== '--projection');
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown option ${unknown[0]}.\n  fix: the options are [MODEL_DIR] [float64|float32] [--no-central] [--no-pytorch] | --projection.\n`);
    return 1;
  }
  const modelDir = path.resolve(args[0] ?? '.cache/bench-model');
  const graphFile = path.join(modelDir, 'onnx/model.onnx');
  if (!existsSync(graphFile)) {
    process.stderr.write(
      `bench: no benchmark model at ${modelDir}.\n  fix: generate it once with /usr/bin/python3 tools/models/make_bench_model.py (needs Debian's python3-torch and python3-onnx), or pass a model folder.\n`,
    );
    return 1;
  }
  const precision = (args[1] ?? 'float64') as Precision;
  if (precision !== 'float64' && precision !== 'float32') {
    process.stderr.write(`bench: precision must be float64 or float32, not "${precision}".\n`);
    return 1;
  }
  env.cacheDir = mkdtempSync(path.join(os.tmpdir(), 'prompt-lens-bench-cache-'));
  process.on('exit', () => rmSync(env.cacheDir, { recursive: true, force: true }));
  const sha256 = await cachedSha256(graphFile, env.cacheDir);
  const weightBytes = (await weightFileBytes(graphFile)) * (precision === 'float64' ? 2 : 1);
  const vocab = 49152;
  const ids = Array.from({ length: PROMPT_TOKENS + RESPONSE_TOKENS }, (_, i) => (i * 7919 + 11) % vocab);
  const baselineRss = process.memoryUsage().rss;
  const loadStart = performance.now();
  const peaks = new PhasePeaks();
  peaks.start('preparation');
  const phaseOf = (message = '') => (/parity/.test(message) ? 'parity check' : /^loading/.test(message) ? 'session load' : /batches/.test(message) ? 'batching probe' : undefined);
  const { session } = await openGraph({ file: graphFile, sha256, probe: ids.slice(0, 12) }, precision, (p) => {
    const phase = phaseOf(p.message);
    if (phase) peaks.start(phase);
  });
  peaks.start('warm-up');
  console.log(`first-run preparation and load (fresh cache): ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
  if (flags.has('--projection')) return project(session, modelDir, precision);
  const promptIds = ids.slice(0, PROMPT_TOKENS);
  const responseIds = ids.slice(PROMPT_TOKENS);
  const sequence = [...promptIds, ...responseIds.slice(0, -1)];

  // Floor: throughput of one full-sequence forward pass, measured right before and after each
  // method so that both see the same machine load (best of 2 on each side).
  const fullPass = async (): Promise<number> => {
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      await session.forward({ ids: [sequence] });
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  await session.forward({ ids: [sequence] }); // warm-up
  console.log(`model: ${modelDir} (${(weightBytes / 1e6).toFixed(1)} MB of ${precision} weights), threads: ${env.intraOpThreads || 'onnxruntime default'}`);
  console.log(`prompt ${PROMPT_TOKENS} tokens, response ${RESPONSE_TOKENS} tokens: a full forward pass covers ${sequence.length} positions`);

  const defaultMode = env.gradientMode;
  const seconds: Record<string, number> = {};
  let defaultImportance: number[][] = [];
  // The default batch only: batch 1 (what batching gains) took minutes more on the shared machine.
  // The forward gradient also at twice it: its batch shares one primal row, so a larger one costs less per position.
  const runs = [
    { method: 'occlusion', mode: defaultMode, batchSizes: [env.attributionBatchSize] },
    { method: 'gradient', mode: 'forward', batchSizes: [env.attributionBatchSize, 2 * env.attributionBatchSize] },
    { method: 'gradient', mode: 'central', batchSizes: flags.has('--no-central') ? [] : [env.attributionBatchSize] },
  ] as const;
  for (const { method, mode, batchSizes } of runs) {
    env.gradientMode = mode;
    const label = method === 'gradient' ? `gradient ${mode}` : method;
    for (const batchSize of batchSizes) {
      const before = await fullPass();
      peaks.start(`${label} batch ${batchSize}`);
      const tangentsBefore = session.tangentPositionsProcessed;
      const t0 = performance.now();
      const result = await attributorFor(method).attribute({ session, promptIds, responseIds, batchSize });
      const elapsed = (performance.now() - t0) / 1000;
      peaks.start('floor passes');
      // The forward gradient's floor counts its tangent positions too (one primal row, a direction per position).
      const tangentPositions = session.tangentPositionsProcessed - tangentsBefore;
      if (batchSize === env.attributionBatchSize) seconds[label] = elapsed;
      if (batchSize === env.attributionBatchSize && method === 'gradient' && mode === defaultMode) defaultImportance = result.importance;
      const after = await fullPass();
      const tokensPerSecond = sequence.length / ((before + after) / 2 / 1000);
      const floorSeconds = (result.work.positionsProcessed + tangentPositions) / tokensPerSecond;
      const tangents = tangentPositions > 0 ? ` + ${tangentPositions} tangent positions` : '';
      console.log(
        `${label.padEnd(16)} batch ${batchSize}: ${elapsed.toFixed(2)} s for ${result.work.positionsProcessed} positions${tangents} in ${result.work.forwardPasses} passes; ` +
          `floor ${floorSeconds.toFixed(2)} s at ${tokensPerSecond.toFixed(0)} positions/s (full pass ${before.toFixed(0)}/${after.toFixed(0)} ms before/after); ` +
          `ratio ${(elapsed / floorSeconds).toFixed(2)}× (target ≤ 1.5×); without prefix reuse: ${result.work.positionsWithoutCacheReuse} positions`,
      );
    }
  }
  env.gradientMode = defaultMode;
  const gradientSeconds = seconds[`gradient ${defaultMode}`];
  console.log(`gradient (default, ${defaultMode}) / occlusion: ${(gradientSeconds / seconds.occlusion).toFixed(2)}× (target ≤ 1.3×), batch ${env.attributionBatchSize}`);
  const paper = flags.has('--no-pytorch') ? undefined : paperMethod(modelDir);
  if (paper) {
    console.log(
      `gradient (default, ${defaultMode}, ${precision}) / the paper's method in PyTorch (float32, one backward per response token, ${paper.seconds.toFixed(2)} s): ` +
        `${(gradientSeconds / paper.seconds).toFixed(2)}× (target ≤ 0.33×); Pearson with it ${pearson(defaultImportance.flat(), paper.importance.flat()).toFixed(6)}`,
    );
  }
  const float64Pass = await fullPass();
  await session.dispose();
  peaks.end();
  const multiple = (bytes: number) => `${((bytes - baselineRss) / weightBytes).toFixed(2)}×`;
  console.log(`memory per phase (peak RSS above the ${(baselineRss / 1e6).toFixed(0)} MB baseline, in ${precision} weight bytes):`);
  for (const { phase, peakBytes, own } of peaks.phases) console.log(`  ${phase.padEnd(28)} ${multiple(peakBytes).padStart(6)} (${(peakBytes / 1e6).toFixed(0)} MB${own ? '' : ', peak so far'})`);
  // Default settings: what `analyze` does on a first run, before the bench's extra runs (a larger batch, central differences).
  const extra = (phase: string) => phase.includes(`batch ${2 * env.attributionBatchSize}`) || (phase.startsWith('gradient central') && defaultMode !== 'central');
  const firstExtra = peaks.phases.findIndex((p) => extra(p.phase));
  const defaultPeak = peaks.peak((p) => firstExtra < 0 || peaks.phases.indexOf(p) < firstExtra);
  console.log(`memory at default settings (first run, preparation included): peak RSS ${(defaultPeak / 1e6).toFixed(0)} MB = ${multiple(defaultPeak)} the ${precision} weight bytes (target ≤ 2×)`);
  if (parityProcess.peakRssBytes > 0) console.log(`memory of the parity check's own process (the original graph, run while this one waits): peak RSS ${(parityProcess.peakRssBytes / 1e6).toFixed(0)} MB = ${(parityProcess.peakRssBytes / weightBytes).toFixed(2)}× the ${precision} weight bytes`);
  // The phases' peaks, not getrusage's maxRSS: resetting the high-water mark per phase resets that too.
  const peakRss = peaks.peak();
  const used = peakRss - baselineRss;
  console.log(`memory over the whole run: peak RSS ${(peakRss / 1e6).toFixed(0)} MB, ${(used / 1e6).toFixed(0)} MB above the ${(baselineRss / 1e6).toFixed(0)} MB baseline = ${(used / weightBytes).toFixed(2)}× the ${precision} weight bytes`);
  if (precision === 'float64') {
    const { prepared: float32Graph } = await loadOrPrepareGraph(graphFile, sha256, env.cacheDir);
    const float32 = await DecoderSession.create(float32Graph.file, float32Graph.meta);
    let float32Pass = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await float32.forward({ ids: [sequence] });
      float32Pass = Math.min(float32Pass, performance.now() - t0);
    }
    await float32.dispose();
    console.log(`precision: a float64 forward pass takes ${float64Pass.toFixed(0)} ms, ${(float64Pass / float32Pass).toFixed(2)}× the float32 pass (${float32Pass.toFixed(0)} ms) of the same graph`);
  }
  return 0;
}

const PROJECTION_PROMPT_TOKENS = 32;
const PROJECTION_RESPONSE_TOKENS = 16;
const TARGET_PROMPT_TOKENS = 256;
const TARGET_RESPONSE_TOKENS = 128;

/** Times occlusion and the default gradient on `session` (a short prompt) and projects them to Llama-3.2-1B at 256 + 128 tokens. */
async function project(session: DecoderSession, modelDir: string, precision: Precision): Promise<number> {
  const shape = shapeOf(modelDir);
  const ids = Array.from({ length: PROJECTION_PROMPT_TOKENS + PROJECTION_RESPONSE_TOKENS }, (_, i) => (i * 7919 + 11) % shape.vocab);
  const promptIds = ids.slice(0, PROJECTION_PROMPT_TOKENS);
  const responseIds = ids.slice(PROJECTION_PROMPT_TOKENS);
  const batchSize = env.attributionBatchSize;
  await session.forward({ ids: [[...promptIds, ...responseIds.slice(0, -1)]] }); // warm-up
  // Occlusion runs a row per position; the forward gradient one primal row with a tangent direction per position.
  const rowsOf = (method: 'occlusion' | 'gradient'): BatchRows => (method === 'gradient' && env.gradientMode === 'forward' ? 'one primal row' : 'a row each');
  const work = (method: 'occlusion' | 'gradient') => ({
    measured: attributionWork(shape, PROJECTION_PROMPT_TOKENS, PROJECTION_RESPONSE_TOKENS, batchSize, rowsOf(method)),
    target: attributionWork(LLAMA_3_2_1B, TARGET_PROMPT_TOKENS, TARGET_RESPONSE_TOKENS, batchSize, rowsOf(method)),
  });
  console.log(
    `model: ${modelDir} (${(parameters(shape) / 1e9).toFixed(2)}B parameters: ${shape.layers} layers, hidden ${shape.hidden}, vocab ${shape.vocab}; ${precision}), threads: ${env.intraOpThreads || 'onnxruntime default'}; ` +
      `prompt ${PROJECTION_PROMPT_TOKENS} + response ${PROJECTION_RESPONSE_TOKENS} tokens, batch ${batchSize}`,
  );
  console.log(`target: Llama-3.2-1B (${(parameters(LLAMA_3_2_1B) / 1e9).toFixed(2)}B parameters), prompt ${TARGET_PROMPT_TOKENS} + response ${TARGET_RESPONSE_TOKENS} tokens`);
  const seconds: Record<string, number> = {};
  for (const method of ['occlusion', 'gradient'] as const) {
    const { measured, target } = work(method);
    const t0 = performance.now();
    const result = await attributorFor(method).attribute({ session, promptIds, responseIds, batchSize });
    const elapsed = (performance.now() - t0) / 1000;
    if (result.work.positionsProcessed !== measured.positions) throw new Error(`bench: ${method} processed ${result.work.positionsProcessed} positions, the projection counts ${measured.positions}`);
    const label = method === 'gradient' ? `gradient ${env.gradientMode}` : method;
    seconds[label] = elapsed;
    const rate = measured.macs / elapsed;
    const projected = target.macs / rate;
    console.log(
      `${label.padEnd(16)}: ${elapsed.toFixed(1)} s for ${result.work.positionsProcessed} positions, ${(measured.macs / 1e9).toFixed(0)} G multiply-adds = ${(rate / 1e9).toFixed(1)} G multiply-adds/s; ` +
        `projected for Llama-3.2-1B at ${TARGET_PROMPT_TOKENS}+${TARGET_RESPONSE_TOKENS} (${(target.macs / 1e12).toFixed(1)} T multiply-adds): ${(projected / 60).toFixed(1)} min (${target.positions} positions)`,
    );
  }
  await session.dispose();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(`gradient / occlusion: ${(seconds[`gradient ${env.gradientMode}`] / seconds.occlusion).toFixed(2)}×; peak RSS ${(peakRss / 1e9).toFixed(2)} GB`);
  return 0;
}

/** The paper's method timed in PyTorch on the same weights (tools/paper_gradient.py), or undefined (with a note) when PyTorch is not there. */
function paperMethod(modelDir: string): { seconds: number; importance: number[][] } | undefined {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'prompt-lens-bench-')), 'paper.json');
  const threads = env.intraOpThreads || os.availableParallelism();
  const run = spawnSync('/usr/bin/python3', [path.resolve('tools/paper_gradient.py'), modelDir, String(PROMPT_TOKENS), String(RESPONSE_TOKENS), String(threads), out], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.log(`paper's method in PyTorch: not measured (${(run.stderr || run.error?.message || '').trim().split('\n').pop()}); it needs /usr/bin/python3 with python3-torch`);
    return undefined;
  }
  const result = JSON.parse(readFileSync(out, 'utf8')) as { seconds: number; importance: number[][] };
  rmSync(path.dirname(out), { recursive: true, force: true });
  return result;
}

function pearson(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((v, i) => {
    ab += (v - ma) * (b[i] - mb);
    aa += (v - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

main().then((code) => process.exit(code));
