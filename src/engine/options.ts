/**
 * The values of every option Prompt Lens takes, and their defaults: the one source for the engine
 * (which checks requests against it), the CLI, the extension's settings (package.json's enums and
 * defaults are tested against it, test/unit/option-values.test.ts) and the comparison panel.
 * Pure data, no imports: the webview bundles it.
 */

/** ONNX exports by transformers.js' dtype names (the files: models/dtypes.ts); fp32 first. */
export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type Dtype = (typeof DTYPES)[number];

/** The exports the extension's `promptLens.dtype` setting offers (the CLI takes every dtype, and 'auto'). */
export const SETTINGS_DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const satisfies readonly Dtype[];
export type SettingsDtype = (typeof SETTINGS_DTYPES)[number];

/** The float type attribution computes in ('auto': float64 when the model allows, see graph/float64.ts). */
export const PRECISION_OPTIONS = ['auto', 'float64', 'float32'] as const;
export type PrecisionOption = (typeof PRECISION_OPTIONS)[number];

/** 'unit-occlusion': occlusion of whole units of the granularity (at token granularity it is occlusion). */
export const ATTRIBUTION_METHODS = ['gradient', 'occlusion', 'unit-occlusion'] as const;
export type AttributionMethod = (typeof ATTRIBUTION_METHODS)[number];

/** Why the two methods disagree, in one line (README "What the numbers mean" says more). */
export const METHODS_DIFFER = 'Pre-norm models normalize each token\'s vector first, so scaling an embedding only moves the residual path, while zeroing it removes the token.';

/** How the gradient method differentiates: the graph's forward-mode derivative, or central differences (a cross-check). */
export const GRADIENT_MODES = ['forward', 'central'] as const;
export type GradientMode = (typeof GRADIENT_MODES)[number];

/** What each method is called and what it measures, for people (settings, panel). */
export const METHOD_TEXT: Record<AttributionMethod, { label: string; summary: string; note: string }> = {
  gradient: {
    label: 'gradient × input (the paper\'s estimator)',
    summary: `Gradient × input of each response token's probability: the paper's estimator of occlusion, which it can disagree with. ${METHODS_DIFFER}`,
    note: `Gradient × input: the derivative of each response token’s probability along the prompt token’s own embedding (the paper’s estimator; describes an infinitesimal change). It can disagree with occlusion: ${METHODS_DIFFER}`,
  },
  occlusion: {
    label: 'occlusion (the definition)',
    summary: 'Drop in each response token\'s probability when the prompt token\'s embedding is zeroed: the paper\'s definition of importance, computed exactly.',
    note: 'Occlusion: how much each response token’s probability drops when the prompt token’s embedding is zeroed (the paper’s definition of importance, computed exactly; gradient × input is its estimator).',
  },
  'unit-occlusion': {
    label: 'unit occlusion',
    summary: 'Drop in each response token\'s probability when all embeddings of a unit (word, sentence, section) are zeroed at once.',
    note: 'Unit occlusion: how much each response token’s probability drops when every embedding of the unit (word, sentence, section) is zeroed at once (one pass per unit; not the sum of its tokens’ occlusions).',
  },
};

/** What an attribution explains for each response token: its probability p_m (the paper's quantity), or log p_m. */
export type AttributionTarget = 'probability' | 'log-probability';

/**
 * What contrastive attribution explains at each step m: log p_m(response) − log p_m(contrast)
 * (the default, the log-ratio of the two replies' tokens, as Inseq's log-probability contrast), or
 * p_m(response) − p_m(contrast) (Inseq's contrast_prob_diff).
 */
export const CONTRAST_KINDS = ['log-probability', 'probability'] as const satisfies readonly AttributionTarget[];
export type ContrastKind = (typeof CONTRAST_KINDS)[number];
export const DEFAULT_CONTRAST_KIND: ContrastKind = 'log-probability';

/** The contrast's quantity as people read it, with the two replies' names: "log p(A) − log p(B)". */
export function contrastQuantity(kind: ContrastKind, a: string, b: string): string {
  return kind === 'probability' ? `p(${a}) − p(${b})` : `log p(${a}) − log p(${b})`;
}

/** 'none': the raw prompt (as the paper did); 'auto': the tokenizer's chat template when it has one. */
export const TEMPLATE_MODES = ['none', 'auto'] as const;
export type TemplateMode = (typeof TEMPLATE_MODES)[number];

/** The units views show (tokens/units.ts): raw importance is summed per unit, then normalized. */
export const GRANULARITIES = ['token', 'word', 'sentence', 'section'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** What the editor highlights show (and which model(s) the extension's Analyze runs). */
export const HIGHLIGHT_MODES = ['tuned', 'base', 'difference'] as const;
export type HighlightMode = (typeof HIGHLIGHT_MODES)[number];

/** Compare: 'none', each model explains its own response; else both explain this model's. */
export const SAME_RESPONSE_MODES = ['none', 'tuned', 'base'] as const;
export type SameResponseMode = (typeof SAME_RESPONSE_MODES)[number];

/** A Hugging Face Hub id, `organisation/name` (callers also refuse leading dots and `..`). */
export const HUB_ID_PATTERN = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** The analysis settings a request may leave out (the engine's and the CLI's defaults). */
export const ANALYSIS_DEFAULTS = {
  method: 'gradient' as AttributionMethod,
  template: 'none' as TemplateMode,
  maxNewTokens: 64,
  levels: 10,
  threshold: 0,
  p: 4,
  granularity: 'token' as Granularity,
};

/**
 * Each face's defaults. They differ where the faces do: the CLI writes reports and reads 64 new
 * tokens, the extension answers while one waits and reads 32 and loads the fp32 export; the
 * extension and the demo explain by occlusion, the CLI's analyses by gradient × input as the paper did.
 */
export const DEFAULTS = {
  cli: { ...ANALYSIS_DEFAULTS, dtype: 'auto' as Dtype | 'auto' },
  // The demo and the extension show occlusion, the paper's definition of importance (exact; on
  // the bundled pair the tuned model then scores higher, 0.912 vs 0.544); gradient × input, the
  // paper's estimator, is one setting away.
  demo: { method: 'occlusion' as AttributionMethod },
  extension: {
    ...ANALYSIS_DEFAULTS,
    method: 'occlusion' as AttributionMethod,
    maxNewTokens: 32,
    dtype: 'fp32' as SettingsDtype,
    precision: 'auto' as PrecisionOption,
    highlight: 'tuned' as HighlightMode,
    sameResponse: 'none' as SameResponseMode,
    askBeforeDownload: true,
    analyzeOnSave: false,
    maxLoadedModels: 2,
    overviewRulerMarks: 5,
    /** An instruction span whose importance (its best token's â) is below this is a Warning in the Problems panel (0: never). */
    diagnosticsWarningBelow: 0.1,
    /** … below this, an Information (0: never). */
    diagnosticsInformationBelow: 0.25,
    /** Editor highlights hide â at or below this; the hover and the panel show every token. */
    highlightFloor: 0.5,
    /** A CodeLens above each rule (list item, else line) of an analyzed prompt: its mean â per model. */
    ruleCodeLens: true,
  },
};

/** The ranges of the extension's integer settings (the panel's number fields use the same). */
export const SETTING_LIMITS = {
  maxNewTokens: { min: 1, max: 1024 },
  levels: { min: 1, max: 100 },
  threshold: { min: 0, max: 99 },
  maxLoadedModels: { min: 1, max: 8 },
  overviewRulerMarks: { min: 0, max: 100 },
};
