/**
 * `prompt-lens check [--config F] [--junit OUT] [--html OUT]`: prompt regression tests for CI.
 * Analyzes each prompt file of prompt-lens.config.json with the models its assertions read
 * (each model loaded once; analyses cached on disk), prints a table of the assertions, and
 * exits 1 when one fails, 2 when the call or the config is wrong.
 */
import { existsSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { analyze, EngineError, loadModel, renderHtmlReport, type Analysis } from '../../engine/index.ts';
import { CHECK_CONFIG_FILE, evaluateAssertion, parseCheckConfig, planChecks, renderJunit, renderTable, summarize, type CheckPlan, type PromptOutcome, type Role } from '../../engine/check/index.ts';
import { checkCacheKey, readCached, writeCached } from '../check-cache.ts';
import { checkOutputFile, writeFilesAtomically } from '../output.ts';
import { parseOptions } from '../parse-options.ts';
import { progressPrinter } from '../progress-bar.ts';
import { readTextFile } from '../read-text-file.ts';
import { guarded, UsageError } from '../run-guard.ts';

export const OPTIONS = {
  config: { type: 'string', default: CHECK_CONFIG_FILE },
  junit: { type: 'string' },
  html: { type: 'string' },
} satisfies ParseArgsConfig['options'];

export async function run(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const started = performance.now();
    const { values } = parseOptions('check', argv, OPTIONS);
    const configFile = values.config as string;
    if (!existsSync(configFile)) {
      const fix = values.config === CHECK_CONFIG_FILE ? `run it where ${CHECK_CONFIG_FILE} is, or give --config FILE` : 'check the path of --config';
      throw new UsageError(`no check configuration at ${configFile}`, fix);
    }
    if (typeof values.junit === 'string') checkOutputFile(values.junit, '--junit', 'prompt-lens.junit.xml');
    if (typeof values.html === 'string') checkOutputFile(values.html, '--html', 'prompt-lens-check.html');
    const plan = configErrorsAsUsage(() => planChecks(parseCheckConfig(readTextFile(configFile, '--config'), configFile), configFile));

    const analyses = await analyzeAll(plan, signal);
    const outcomes: PromptOutcome[] = plan.prompts.map((p, i) => ({ file: p.check.file, results: p.check.assertions.map((a) => evaluateAssertion(a, analyses[i])) }));
    const failed = outcomes.some((o) => o.results.some((r) => !r.passed));

    const files: Array<{ file: string; data: string }> = [];
    if (typeof values.junit === 'string') files.push({ file: values.junit, data: renderJunit(outcomes, (performance.now() - started) / 1000) });
    if (typeof values.html === 'string') {
      const all = analyses.flatMap((byRole) => [byRole.base, byRole.tuned].filter((a): a is Analysis => a !== undefined));
      files.push({ file: values.html, data: renderHtmlReport(all, 'prompt-lens check', summarize(outcomes)) });
    }
    await writeFilesAtomically(files);
    process.stdout.write(renderTable(outcomes));
    return failed ? 1 : 0;
  });
}

/** A mistake in the config is a usage error (exit 2), like a mistake on the command line. */
function configErrorsAsUsage<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof EngineError && error.code === 'invalid-config') throw new UsageError(error.message, error.hint);
    throw error;
  }
}

/** Each prompt's analyses by role: from the cache, or made with each model loaded once. */
async function analyzeAll(plan: CheckPlan, signal: AbortSignal): Promise<Array<Partial<Record<Role, Analysis>>>> {
  const results: Array<Partial<Record<Role, Analysis>>> = plan.prompts.map(() => ({}));
  let fromCache = 0;
  let made = 0;
  for (const role of ['tuned', 'base'] as const) {
    const ref = plan.models[role];
    if (ref === undefined) continue;
    // Prompts analyzed with the same load options share one loaded model.
    const misses = new Map<string, Array<{ index: number; key: string }>>();
    for (const [index, p] of plan.prompts.entries()) {
      if (!p.roles.includes(role)) continue;
      const key = checkCacheKey(ref, p.load, p.request);
      const cached = await readCached(key, p.request);
      if (cached) {
        results[index][role] = cached;
        fromCache++;
      } else {
        const loadKey = `${p.load.dtype} ${p.load.precision}`;
        misses.set(loadKey, [...(misses.get(loadKey) ?? []), { index, key }]);
      }
    }
    for (const jobs of misses.values()) {
      const load = plan.prompts[jobs[0].index].load;
      const progress = progressPrinter(`${role} ${ref}`);
      try {
        const model = await loadModel(ref, { ...load, signal, onProgress: progress.update });
        try {
          for (const { index, key } of jobs) {
            const analysis = await analyze(model, plan.prompts[index].request, { signal, onProgress: progress.update });
            await writeCached(key, analysis);
            results[index][role] = analysis;
            made++;
          }
        } finally {
          await model.dispose();
        }
      } finally {
        progress.done();
      }
    }
  }
  process.stderr.write(`analyses: ${made} made, ${fromCache} from the cache\n`);
  return results;
}
