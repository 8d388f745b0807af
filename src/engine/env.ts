/**
 * Engine-wide settings, in one place (as transformers.js has its `env`).
 * The CLI and the extension set these once at start-up.
 */
import os from 'node:os';
import path from 'node:path';
import type { GradientMode, PrecisionOption } from './options.ts';

function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.length > 0 ? xdg : path.join(os.homedir(), '.cache'), 'prompt-lens');
}

export const env = {
  /** Prepared (split) graphs and downloaded Hub models live here. */
  cacheDir: process.env.PROMPT_LENS_CACHE ?? defaultCacheDir(),
  /** Hub ids may be downloaded. Set to false to forbid any network access. */
  allowRemoteModels: process.env.PROMPT_LENS_OFFLINE !== '1',
  /** The Hugging Face Hub's address (a mirror may stand in). Empty: transformers.js's default. */
  hubUrl: process.env.PROMPT_LENS_HUB_URL ?? '',
  /** Threads for onnxruntime's intra-op pool (0 = onnxruntime's default). */
  intraOpThreads: Number(process.env.PROMPT_LENS_THREADS ?? 0),
  /** Perturbed sequences evaluated per forward pass during attribution. */
  attributionBatchSize: 4,
  /**
   * Relative step of the central difference used by the gradient method. Against float64
   * autograd on the demo pair (float64 graphs), 1e-3 balanced truncation and rounding best
   * (1e-4 and 3e-4 were worse on the tuned model).
   */
  gradientStep: 1e-3,
  /**
   * How the gradient method differentiates: 'forward' (the graph's forward-mode derivative,
   * graph/jvp, exact up to rounding) or 'central' (central differences with `gradientStep`).
   */
  gradientMode: (process.env.PROMPT_LENS_GRADIENT ?? 'forward') as GradientMode,
  /**
   * The float type attribution computes in: 'float64' (within ~2e-5 of a column's maximum,
   * about 2× slower on a 135M model, twice the memory), 'float32', or 'auto' (float64 when the graph can be
   * converted and its weights would take at most `float64MaxWeightBytes` as float64).
   */
  precision: (process.env.PROMPT_LENS_PRECISION ?? 'auto') as PrecisionOption,
  float64MaxWeightBytes: 1.5 * 1024 ** 3,
  /**
   * Bounds on rendering a model's chat template (a program from its tokenizer_config.json; real
   * ones take milliseconds): time, heap of the process that renders it, and the text it may add
   * around the messages (the model input may be at most the messages' length plus this).
   */
  templateTimeoutMs: 5000,
  templateMemoryMb: 256,
  templateMaxAddedChars: 1_000_000,
};

export type EngineEnv = typeof env;
