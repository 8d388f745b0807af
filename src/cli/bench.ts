/**
 * `npm run bench`: speed and memory of both attribution methods on a random-weight model with
 * SmolLM2-135M's exact configuration, for a 128-token prompt and a 64-token response.
 * Each method is reported as a ratio to its floor: the token positions it must process divided
 * by the tokens/second of one full-sequence forward pass measured in the same run.
 * Memory: peak resident set above the process baseline, as a multiple of the weight bytes in the
 * precision measured (float64 weights take twice the file's float32 bytes).
 * `npm run bench -- [MODEL_DIR] [float64|float32]`: float64 (the default precision) also reports
 * how much slower its forward pass is than float32's, measured in the same run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { env } from '../engine/env.ts';
import type { Precision } from '../engine/analysis.ts';
import { loadOrPrepareGraph } from '../engine/graph/prepare.ts';
import { cachedSha256, weightFileBytes } from '../engine/models/files.ts';
import { DecoderSession } from '../engine/runtime/session.ts';
import { attributorFor } from '../engine/attribution/registry.ts';

const PROMPT_TOKENS = 128;
const RESPONSE_TOKENS = 64;

async function main(): Promise<number> {
  const modelDir = path.resolve(process.argv[2] ?? '.cache/bench-model');
  const graphFile = path.join(modelDir, 'onnx/model.onnx');
  if (!existsSync(graphFile)) {
    process.stderr.write(
      `bench: no benchmark model at ${modelDir}.\n  fix: generate it once with /usr/bin/python3 tools/models/make_bench_model.py (needs Debian's python3-torch and python3-onnx), or pass a model folder.\n`,
    );
    return 1;
  }
  const precision = (process.argv[3] ?? 'float64') as Precision;
  if (precision !== 'float64' && precision !== 'float32') {
    process.stderr.write(`bench: precision must be float64 or float32, not "${precision}".\n`);
    return 1;
  }
  const sha256 = await cachedSha256(graphFile, env.cacheDir);
  const weightBytes = (await weightFileBytes(graphFile)) * (precision === 'float64' ? 2 : 1);
  const baselineRss = process.memoryUsage().rss;
  const { prepared } = await loadOrPrepareGraph(graphFile, sha256, env.cacheDir, precision);
  const session = await DecoderSession.create(prepared.file, prepared.meta);
  const vocab = 49152;
  const ids = Array.from({ length: PROMPT_TOKENS + RESPONSE_TOKENS }, (_, i) => (i * 7919 + 11) % vocab);
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

  for (const method of ['occlusion', 'gradient'] as const) {
    for (const batchSize of [1, env.attributionBatchSize]) {
      const before = await fullPass();
      const t0 = performance.now();
      const result = await attributorFor(method).attribute({ session, promptIds, responseIds, batchSize });
      const seconds = (performance.now() - t0) / 1000;
      const after = await fullPass();
      const tokensPerSecond = sequence.length / ((before + after) / 2 / 1000);
      const floorSeconds = result.work.positionsProcessed / tokensPerSecond;
      console.log(
        `${method.padEnd(9)} batch ${batchSize}: ${seconds.toFixed(2)} s for ${result.work.positionsProcessed} positions in ${result.work.forwardPasses} passes; ` +
          `floor ${floorSeconds.toFixed(2)} s at ${tokensPerSecond.toFixed(0)} positions/s (full pass ${before.toFixed(0)}/${after.toFixed(0)} ms before/after); ` +
          `ratio ${(seconds / floorSeconds).toFixed(2)}× (target ≤ 1.5×); without prefix reuse: ${result.work.positionsWithoutCacheReuse} positions`,
      );
    }
  }
  const float64Pass = await fullPass();
  await session.dispose();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const used = peakRss - baselineRss;
  console.log(`memory: peak RSS ${(peakRss / 1e6).toFixed(0)} MB, ${(used / 1e6).toFixed(0)} MB above the ${(baselineRss / 1e6).toFixed(0)} MB baseline = ${(used / weightBytes).toFixed(2)}× the ${precision} weight bytes (target ≤ 2×)`);
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

main().then((code) => process.exit(code));
