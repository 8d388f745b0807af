/**
 * `prompt-lens.config.json`: which prompt files to check, with which models and settings, and
 * what must hold of their analyses. Read and checked against the shipped JSON Schema
 * (config.schema.json); a bad file gives one message naming the file, the JSON pointer of the
 * first mistake and what was expected.
 */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import { EngineError } from '../errors.ts';
import type { AttributionMethod, Granularity, PrecisionOption, TemplateMode } from '../options.ts';
import schema from './config.schema.json';

export const CHECK_CONFIG_FILE = 'prompt-lens.config.json';

export type Role = 'base' | 'tuned';

export interface CheckSettings {
  method?: AttributionMethod;
  template?: TemplateMode;
  system?: string;
  maxNewTokens?: number;
  levels?: number;
  threshold?: number;
  p?: number;
  granularity?: Granularity;
  dtype?: string;
  precision?: PrecisionOption;
}

export type Assertion =
  | { kind: 'instruction-score'; model?: Role; min: number }
  | { kind: 'phrase'; model?: Role; phrase: string; maxRank?: number; minDensity?: number }
  | { kind: 'shift'; min: number }
  | { kind: 'special-share'; model?: Role; max: number };

export interface PromptCheck {
  /** The prompt file, relative to the config file's folder. */
  file: string;
  response?: string;
  /** The instruction as phrases of the prompt; absent: detected. */
  instructions?: string[];
  settings?: CheckSettings;
  assertions: Assertion[];
}

export interface CheckConfig {
  models: Partial<Record<Role, string>>;
  settings?: CheckSettings;
  prompts: PromptCheck[];
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;

function validate(data: unknown): ErrorObject[] {
  validator ??= new Ajv2020({ allErrors: false, strict: false }).compile(schema);
  return validator(data) ? [] : (validator.errors ?? []);
}

/** `text` (the contents of `file`) as a CheckConfig, or an EngineError naming the mistake. */
export function parseCheckConfig(text: string, file: string): CheckConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new EngineError('invalid-config', `${file} is not valid JSON: ${(error as Error).message}`, 'fix the JSON syntax (an editor with the schema shows the place)');
  }
  const errors = validate(data);
  if (errors.length > 0) {
    const error = mostSpecific(errors);
    throw new EngineError('invalid-config', `${file}: ${describe(error)}`, `see the schema, src/engine/check/config.schema.json (set "$schema" in the file for completion in an editor)`);
  }
  return data as CheckConfig;
}

/** The settings a prompt is analyzed with: its own over the file's. */
export function settingsOf(config: CheckConfig, prompt: PromptCheck): CheckSettings {
  return { ...config.settings, ...prompt.settings };
}

/** The models an assertion reads. */
export function rolesOf(assertion: Assertion): Role[] {
  return assertion.kind === 'shift' ? ['base', 'tuned'] : [assertion.model ?? 'tuned'];
}

/** The error deepest in the document (an if/then branch's error rather than its "if" wrapper). */
function mostSpecific(errors: ErrorObject[]): ErrorObject {
  const real = errors.filter((e) => e.keyword !== 'if');
  const pool = real.length > 0 ? real : errors;
  return pool.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best));
}

function describe(error: ErrorObject): string {
  const at = error.instancePath === '' ? 'the top level' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at} has an unknown property "${String(params.additionalProperty)}"`;
    case 'required':
      return `${at} needs the property "${String(params.missingProperty)}"`;
    case 'enum':
      return `${at} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'anyOf':
      return `${at} ${error.message ?? 'is not valid'} (give at least one of the alternatives the schema lists)`;
    default:
      return `${at} ${error.message ?? 'is not valid'}`;
  }
}
