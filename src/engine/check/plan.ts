/**
 * From a checked config to the analyses it needs: for each prompt file its text, the models
 * its assertions read, and the request to analyze it with. Every reference the config makes
 * (prompt files, phrases, models, settings) is checked here, before any model loads, and a
 * mistake names the config file and the JSON pointer of the entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnalyzeRequest } from '../analyze.ts';
import type { Span } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { env } from '../env.ts';
import { DTYPES, type Dtype } from '../models/dtypes.ts';
import { ANALYSIS_DEFAULTS, HUB_ID_PATTERN, type PrecisionOption } from '../options.ts';
import { rolesOf, settingsOf, type CheckConfig, type PromptCheck, type Role } from './config.ts';
import { findPhrase } from './measures.ts';

export interface PlannedPrompt {
  check: PromptCheck;
  /** The prompt file's absolute path. */
  path: string;
  request: AnalyzeRequest;
  load: { dtype: Dtype | 'auto'; precision: PrecisionOption };
  /** The models its assertions read. */
  roles: Role[];
}

export interface CheckPlan {
  /** Each role's model: an absolute folder, or a Hub id as given. */
  models: Partial<Record<Role, string>>;
  prompts: PlannedPrompt[];
}

/** `configFile` is where the config was read from: relative paths start from its folder. */
export function planChecks(config: CheckConfig, configFile: string): CheckPlan {
  const dir = path.dirname(path.resolve(configFile));
  const bad = (pointer: string, message: string, hint: string) => new EngineError('invalid-config', `${configFile}: ${pointer} ${message}`, hint);
  const models: Partial<Record<Role, string>> = {};
  for (const role of ['base', 'tuned'] as const) {
    const ref = config.models[role];
    if (ref === undefined) continue;
    // A folder relative to the config when one is there; otherwise a Hub id.
    if (existsSync(path.resolve(dir, ref))) models[role] = path.resolve(dir, ref);
    else if (HUB_ID_PATTERN.test(ref) && !ref.split('/').some((part) => part.startsWith('.'))) models[role] = ref;
    else throw bad(`/models/${role}`, `"${ref}" is neither a folder (${path.resolve(dir, ref)} does not exist) nor a Hub id (org/name)`, 'give the model folder relative to the config file, or a Hub id such as HuggingFaceTB/SmolLM-135M');
  }
  const prompts = config.prompts.map((check, i): PlannedPrompt => {
    const at = `/prompts/${i}`;
    const file = path.resolve(dir, check.file);
    let prompt: string;
    try {
      prompt = readFileSync(file, 'utf8');
    } catch (error) {
      throw bad(`${at}/file`, `names ${check.file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)} at ${file})`, 'give the prompt file relative to the config file\'s folder');
    }
    if (prompt.trim().length === 0) throw bad(`${at}/file`, `names ${check.file}, which holds no text`, 'write the prompt in the file, or remove the entry');
    const roles = [...new Set(check.assertions.flatMap(rolesOf))].sort();
    check.assertions.forEach((assertion, j) => {
      for (const role of rolesOf(assertion)) {
        if (models[role] === undefined) throw bad(`${at}/assertions/${j}`, `reads the ${role} model, but "models" names no ${role}`, `add "${role}" to "models", or ${assertion.kind === 'shift' ? 'remove the assertion' : `set its "model" to "${role === 'base' ? 'tuned' : 'base'}"`}`);
      }
      if (assertion.kind === 'phrase' && findPhrase(prompt, assertion.phrase) === undefined) throw bad(`${at}/assertions/${j}/phrase`, `"${assertion.phrase}" does not occur in ${check.file}`, 'give a phrase copied from the prompt (case and spaces count)');
    });
    const spans = check.instructions?.map((phrase, j): Span => {
      const span = findPhrase(prompt, phrase);
      if (!span) throw bad(`${at}/instructions/${j}`, `"${phrase}" does not occur in ${check.file}`, 'give the instruction as it is written in the prompt (case and spaces count)');
      return span;
    });
    const s = { ...ANALYSIS_DEFAULTS, ...settingsOf(config, check) };
    if (s.threshold >= s.levels) throw bad(check.settings?.threshold !== undefined ? `${at}/settings/threshold` : '/settings/threshold', `is ${s.threshold}, but must be below levels (${s.levels})`, `give a threshold from 0 to ${s.levels - 1}`);
    const dtype = s.dtype ?? 'auto';
    if (dtype !== 'auto' && !(DTYPES as readonly string[]).includes(dtype)) throw bad(check.settings?.dtype !== undefined ? `${at}/settings/dtype` : '/settings/dtype', `is "${dtype}", which is no ONNX export's dtype`, `give auto or one of ${DTYPES.join(', ')}`);
    const request: AnalyzeRequest = {
      prompt,
      method: s.method,
      template: s.template,
      maxNewTokens: s.maxNewTokens,
      levels: s.levels,
      threshold: s.threshold,
      p: s.p,
      granularity: s.granularity,
      instructionSpans: spans,
    };
    if (s.system !== undefined) request.system = s.system;
    if (check.response !== undefined) request.response = check.response;
    return { check, path: file, request, roles, load: { dtype: dtype as Dtype | 'auto', precision: s.precision ?? env.precision } };
  });
  return { models, prompts };
}
