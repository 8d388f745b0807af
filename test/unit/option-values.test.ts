// package.json's settings and the Analysis schema offer exactly the option values of the one
// source (src/engine/options.ts), with its defaults and limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.ts';
import {
  ATTRIBUTION_METHODS, CONTRAST_KINDS, DEFAULTS, GRANULARITIES, HIGHLIGHT_MODES, METHOD_TEXT, METHODS_DIFFER, PRECISION_OPTIONS, SAME_RESPONSE_MODES,
  SETTING_LIMITS, SETTINGS_DTYPES, TEMPLATE_MODES, DTYPES,
} from '../../src/engine/options.ts';
import { DEFAULT_COLORS } from '../../src/shared/highlightColors.ts';
import { HUB_BASE, HUB_TUNED } from '../../src/extension/modelRef.ts';
import { OPTIONS as DEMO_OPTIONS } from '../../src/cli/commands/demo.ts';

interface SettingSchema {
  default?: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, SettingSchema> } } };
const settings = manifest.contributes.configuration.properties;
const setting = (name: string): SettingSchema => {
  const s = settings[`promptLens.${name}`];
  assert.ok(s, `package.json declares promptLens.${name}`);
  return s;
};

test('package.json: every enum setting offers the one source\'s values, in its order', () => {
  const enums: Record<string, readonly string[]> = {
    dtype: SETTINGS_DTYPES,
    precision: PRECISION_OPTIONS,
    method: ATTRIBUTION_METHODS,
    template: TEMPLATE_MODES,
    granularity: GRANULARITIES,
    highlight: HIGHLIGHT_MODES,
    sameResponse: SAME_RESPONSE_MODES,
  };
  for (const [name, values] of Object.entries(enums)) assert.deepEqual(setting(name).enum, [...values], name);
  const declared = Object.entries(settings).filter(([, s]) => s.enum).map(([k]) => k.replace('promptLens.', ''));
  assert.deepEqual(declared.sort(), Object.keys(enums).sort(), 'no enum setting is left out of this test');
  assert.deepEqual(setting('method').enumDescriptions, ATTRIBUTION_METHODS.map((m) => METHOD_TEXT[m].summary));
  for (const d of SETTINGS_DTYPES) assert.ok((DTYPES as readonly string[]).includes(d), `${d} is an engine dtype`);
});

test('package.json: every default and integer range is the one source\'s', () => {
  const d = DEFAULTS.extension;
  const defaults: Record<string, unknown> = {
    baseModel: HUB_BASE,
    tunedModel: HUB_TUNED,
    askBeforeDownload: d.askBeforeDownload,
    dtype: d.dtype,
    precision: d.precision,
    method: d.method,
    maxNewTokens: d.maxNewTokens,
    template: d.template,
    levels: d.levels,
    threshold: d.threshold,
    p: d.p,
    granularity: d.granularity,
    highlight: d.highlight,
    sameResponse: d.sameResponse,
    colors: DEFAULT_COLORS,
    analyzeOnSave: d.analyzeOnSave,
    maxLoadedModels: d.maxLoadedModels,
    overviewRulerMarks: d.overviewRulerMarks,
    diagnosticsWarningBelow: d.diagnosticsWarningBelow,
    diagnosticsInformationBelow: d.diagnosticsInformationBelow,
    highlightFloor: d.highlightFloor,
    ruleCodeLens: d.ruleCodeLens,
  };
  for (const [name, value] of Object.entries(defaults)) assert.deepEqual(setting(name).default, value, name);
  assert.deepEqual(Object.keys(settings).sort(), Object.keys(defaults).map((k) => `promptLens.${k}`).sort(), 'every setting has its default checked');
  for (const [name, { min, max }] of Object.entries(SETTING_LIMITS)) {
    assert.equal(setting(name).minimum, min, `${name} minimum`);
    assert.equal(setting(name).maximum, max, `${name} maximum`);
  }
  const integers = Object.entries(settings).filter(([, s]) => (s as { type?: string }).type === 'integer').map(([k]) => k.replace('promptLens.', ''));
  assert.deepEqual(integers.sort(), Object.keys(SETTING_LIMITS).sort(), 'every integer setting has its range checked');
});

test('faces keep their own maxNewTokens default: 64 in the CLI (and the engine), 32 in the extension', () => {
  assert.equal(DEFAULTS.cli.maxNewTokens, 64);
  assert.equal(DEFAULTS.extension.maxNewTokens, 32);
  assert.equal(DEFAULTS.cli.dtype, 'auto');
});

test('the extension and the demo default to occlusion; gradient is labelled the paper\'s estimator, with why the two differ', () => {
  assert.equal(DEFAULTS.extension.method, 'occlusion');
  assert.equal(setting('method').default, 'occlusion');
  assert.equal(DEMO_OPTIONS.method.default, 'occlusion');
  assert.equal(DEFAULTS.cli.method, 'gradient', 'the CLI\'s analyses keep the paper\'s estimator');
  assert.match(METHOD_TEXT.gradient.label, /the paper's estimator/);
  assert.match(METHOD_TEXT.occlusion.label, /the definition/);
  for (const text of [METHOD_TEXT.gradient.summary, METHOD_TEXT.gradient.note, setting('method').enumDescriptions![0]]) {
    assert.ok(text.includes(METHODS_DIFFER), `the reason they differ: ${text}`);
  }
  assert.match(setting('method').enumDescriptions![1], /definition of importance/);
});

test('the Analysis schema records the one source\'s methods, templates, granularities and contrast kinds', () => {
  type Props = Record<string, { enum?: string[] }>;
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'src/engine/analysis.schema.json'), 'utf8')) as { properties: { settings: { properties: Props }; contrast: { properties: Props } } };
  const p = schema.properties.settings.properties;
  assert.deepEqual(schema.properties.contrast.properties.kind.enum, [...CONTRAST_KINDS]);
  assert.deepEqual([...p.method.enum!].sort(), [...ATTRIBUTION_METHODS].sort());
  assert.deepEqual([...p.template.enum!].sort(), [...TEMPLATE_MODES].sort());
  assert.deepEqual([...p.granularity.enum!].sort(), [...GRANULARITIES].sort());
});
