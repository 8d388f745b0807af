/**
 * The assertions a workspace's prompt-lens.config.json makes about a prompt file, evaluated on
 * the document's current analyses (no `vscode` import): the same evaluation as `prompt-lens
 * check` (src/engine/check), with the config's instruction phrases applied by rescoring. The
 * editor's analyses use the editor's settings, which may differ from the config's.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../engine/analysis.ts';
import { CHECK_CONFIG_FILE, evaluateAssertion, findPhrase, parseCheckConfig, type AssertionResult, type CheckConfig, type PromptCheck } from '../engine/check/index.ts';
import { EngineError } from '../engine/errors.ts';
import { rescore } from '../engine/scoring.ts';
import type { DocResult } from './docState.ts';

export type ConfigEntry = { check: PromptCheck; configFile: string } | { error: string; configFile: string };

const parsed = new Map<string, { mtimeMs: number; config?: CheckConfig; error?: string }>();

function readConfig(file: string): { config?: CheckConfig; error?: string } | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined; // no config in this folder
  }
  const known = parsed.get(file);
  if (known?.mtimeMs === mtimeMs) return known;
  let entry: { mtimeMs: number; config?: CheckConfig; error?: string };
  try {
    entry = { mtimeMs, config: parseCheckConfig(readFileSync(file, 'utf8'), file) };
  } catch (e) {
    entry = { mtimeMs, error: e instanceof EngineError ? e.message : String(e) };
  }
  parsed.set(file, entry);
  return entry;
}

/** The config entry for the prompt file at `fsPath`, from the first of `folders` whose config names it. */
export function checkEntryFor(fsPath: string, folders: readonly string[]): ConfigEntry | undefined {
  for (const folder of folders) {
    const configFile = path.join(folder, CHECK_CONFIG_FILE);
    const found = readConfig(configFile);
    if (!found) continue;
    if (found.error !== undefined) return { error: found.error, configFile };
    const check = found.config!.prompts.find((p) => path.resolve(folder, p.file) === path.resolve(fsPath));
    if (check) return { check, configFile };
  }
  return undefined;
}

/** The check's assertions on the document's analyses (undefined when it has none yet). */
export function evaluateOnResult(check: PromptCheck, r: DocResult | undefined): AssertionResult[] | undefined {
  if (!r || (!r.base && !r.tuned)) return undefined;
  const withSpans = (a: Analysis | undefined): Analysis | undefined => {
    if (!a || !check.instructions) return a;
    const spans = check.instructions.map((phrase) => findPhrase(a.prompt, phrase)).filter((s) => s !== undefined);
    return spans.length > 0 ? rescore(a, { instructionSpans: spans }) : a;
  };
  const analyses = { base: withSpans(r.base), tuned: withSpans(r.tuned) };
  return check.assertions.map((assertion) => evaluateAssertion(assertion, analyses));
}
