/**
 * The on-disk cache of `prompt-lens check`: one analysis per model, prompt and the settings that
 * change the raw importance, under env.cacheDir/check/. An entry is used only while the model's
 * files (those its fileHashes name) have the size and time they had when it was made; L, b, p
 * and the instruction spans are applied afresh by rescoring, so changing them needs no model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { env, rescore, TOOL_VERSION, type Analysis, type AnalyzeRequest, type LoadOptions } from '../engine/index.ts';
import { runKey } from '../shared/cacheKey.ts';
import { modelFilesStamp } from '../shared/modelStamp.ts';
import { writeFileAtomically } from './output.ts';

interface Entry {
  stamp: string;
  analysis: Analysis;
}

export function checkCacheKey(modelRef: string, load: Pick<LoadOptions, 'dtype' | 'precision'>, req: AnalyzeRequest): string {
  return runKey({
    prompt: req.prompt,
    system: req.system,
    model: { ref: modelRef, dtype: String(load.dtype ?? 'auto'), precision: load.precision, fingerprint: `check ${TOOL_VERSION}` },
    method: req.method ?? 'gradient',
    template: req.template ?? 'none',
    maxNewTokens: req.maxNewTokens ?? 0,
    granularity: req.granularity ?? 'token',
    response: req.response,
  });
}

const entryFile = (key: string) => path.join(env.cacheDir, 'check', `${key}.json`);

/** The cached analysis, rescored with the request's L, b, p and spans; undefined when none or stale. */
export async function readCached(key: string, req: AnalyzeRequest): Promise<Analysis | undefined> {
  let entry: Entry;
  try {
    entry = JSON.parse(await readFile(entryFile(key), 'utf8')) as Entry;
  } catch {
    return undefined; // missing or unreadable: analyzed again, and written anew
  }
  if (entry.analysis?.model === undefined || modelFilesStamp(entry.analysis.model) !== entry.stamp) return undefined;
  return rescore(entry.analysis, { levels: req.levels, threshold: req.threshold, p: req.p, instructionSpans: req.instructionSpans });
}

export async function writeCached(key: string, analysis: Analysis): Promise<void> {
  const entry: Entry = { stamp: modelFilesStamp(analysis.model), analysis };
  await writeFileAtomically(entryFile(key), JSON.stringify(entry));
}
