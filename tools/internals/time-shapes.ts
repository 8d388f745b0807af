/**
 * Dev-time timing of the global analyses on random weights of a real model's shapes (one layer
 * each), to project a whole model: `node --import tsx tools/internals/time-shapes.ts smollm2-135m|llama-1b`.
 * Uses the engine's own functions; CPU time counts all threads (onnxruntime's too) (internals/concepts.ts layerConcepts, internals/heads.ts headPairs).
 */
import { layerConcepts } from '../../src/engine/internals/concepts.ts';
import { headPairs } from '../../src/engine/internals/heads.ts';
import { rowPca } from '../../src/engine/internals/linalg.ts';
import { matmul } from '../../src/engine/internals/matmul.ts';
import { allThresholds, FREQUENT_WORDS, vectorRelatedness } from '../../src/engine/internals/relatedness.ts';
import { DEFAULT_VOCABULARY_SIZE } from '../../src/engine/internals/vocabulary.ts';
import type { Matrix64 } from '../../src/engine/internals/weights.ts';

const SHAPES: Record<string, { hidden: number; ffn: number; heads: number; kvHeads: number; headDim: number; layers: number }> = {
  'smollm2-135m': { hidden: 576, ffn: 1536, heads: 9, kvHeads: 3, headDim: 64, layers: 30 },
  'llama-1b': { hidden: 2048, ffn: 8192, heads: 32, kvHeads: 8, headDim: 64, layers: 16 },
};

/** Seconds of this process's CPU time since `start` (the machine may be shared: wall time would say little). */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function random(rows: number, cols: number): Matrix64 {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() - 0.5;
  return { rows, cols, data };
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'smollm2-135m';
  const only = process.argv[3];
  const s = SHAPES[name];
  const words = DEFAULT_VOCABULARY_SIZE;
  const vocabulary = Array.from({ length: words }, (_, i) => `w${i}`);
  if (only !== 'heads') {
    const unit = random(words, s.hidden);
    const down = random(s.ffn, s.hidden);
    const t = process.cpuUsage();
    await layerConcepts(down, unit, vocabulary, 0, 300, 50);
    const sec = cpuSeconds(t);
    const t2 = process.cpuUsage();
    await rowPca(down, 300);
    const pca = cpuSeconds(t2);
    console.log(`${name} concepts, one layer (${s.ffn}x${s.hidden}, 300 components, ${words} words): ${sec.toFixed(1)} s CPU (PCA ${pca.toFixed(1)} s, word scores ${(sec - pca).toFixed(1)} s); all ${s.layers} layers ≈ ${((sec * s.layers) / 60).toFixed(1)} min`);
  }
  if (only !== 'concepts') {
    const vectors = Array.from({ length: words }, () => {
      const v = random(1, 100).data;
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    // Each word's relatedness threshold is computed once per vocabulary and shared by all layers.
    let t = process.cpuUsage();
    const relatedness = vectorRelatedness('random', vectors, FREQUENT_WORDS, await allThresholds(vectors, FREQUENT_WORDS));
    const once = cpuSeconds(t);
    const x = random(words, s.hidden);
    t = process.cpuUsage();
    const q = await matmul(x, random(s.hidden, s.heads * s.headDim));
    const k = await matmul(x, random(s.hidden, s.kvHeads * s.headDim));
    const project = cpuSeconds(t);
    t = process.cpuUsage();
    for (let h = 0; h < s.heads; h++) headPairs(q, h * s.headDim, k, Math.floor(h / (s.heads / s.kvHeads)) * s.headDim, s.headDim, 100, relatedness, vocabulary);
    const pairs = cpuSeconds(t);
    const layer = project + pairs;
    console.log(
      `${name} heads (${s.heads} heads x ${s.headDim} dims, top 100 words, ${words} words): thresholds once ${once.toFixed(1)} s CPU; per layer ${layer.toFixed(1)} s CPU ` +
        `(Q/K ${project.toFixed(1)} s, pairs ${pairs.toFixed(1)} s); all ${s.layers} layers ≈ ${((once + layer * s.layers) / 60).toFixed(1)} min`,
    );
  }
}

void main();
