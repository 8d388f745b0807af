/**
 * Check assertions against analyses: pure, shared by `prompt-lens check` and the editor.
 * Each result says what was measured, what was expected, and whether it held.
 */
import type { Analysis } from '../analysis.ts';
import type { Assertion, Role } from './config.ts';
import { rolesOf } from './config.ts';
import { findPhrase, measurePhrase, specialShare } from './measures.ts';

export interface AssertionResult {
  assertion: Assertion;
  /** The models it read ("tuned", "base", or "tuned − base"). */
  model: string;
  /** What it measures, e.g. 'instruction score' or 'phrase "reverse"'. */
  label: string;
  /** The measured value, for people ("2.59", "rank 3 of 20, density 0.81"). */
  actual: string;
  /** The condition, for people (">= 1", "rank <= 5"). */
  expected: string;
  passed: boolean;
  /** Why it failed, in a sentence (also when it could not be measured). */
  message?: string;
}

const fmt = (x: number) => String(Number(x.toFixed(3)));

export function evaluateAssertion(assertion: Assertion, analyses: Partial<Record<Role, Analysis>>): AssertionResult {
  const missing = rolesOf(assertion).filter((role) => analyses[role] === undefined);
  const model = assertion.kind === 'shift' ? 'tuned − base' : (assertion.model ?? 'tuned');
  const label = labelOf(assertion);
  if (missing.length > 0) {
    return { assertion, model, label, actual: '—', expected: expectedOf(assertion), passed: false, message: `needs the ${missing.join(' and ')} model, which the config does not name` };
  }
  switch (assertion.kind) {
    case 'instruction-score': {
      const score = analyses[assertion.model ?? 'tuned']!.instructionScore;
      return threshold(assertion, model, label, score, assertion.min, 'min');
    }
    case 'shift': {
      const base = analyses.base!.instructionScore;
      const tuned = analyses.tuned!.instructionScore;
      return threshold(assertion, model, label, base === undefined || tuned === undefined ? undefined : tuned - base, assertion.min, 'min');
    }
    case 'special-share':
      return threshold(assertion, model, label, specialShare(analyses[assertion.model ?? 'tuned']!), assertion.max, 'max');
    case 'phrase':
      return phrase(assertion, model, label, analyses[assertion.model ?? 'tuned']!);
  }
}

function phrase(assertion: Extract<Assertion, { kind: 'phrase' }>, model: string, label: string, analysis: Analysis): AssertionResult {
  const expected = expectedOf(assertion);
  const span = findPhrase(analysis.prompt, assertion.phrase);
  const measured = span && measurePhrase(analysis, span);
  if (!measured) {
    const message = span ? `no token of the prompt lies in the phrase "${assertion.phrase}"` : `the prompt does not contain the phrase "${assertion.phrase}"`;
    return { assertion, model, label, actual: '—', expected, passed: false, message };
  }
  const actual = `rank ${measured.rank} of ${measured.of}, density ${fmt(measured.density)}`;
  const failures: string[] = [];
  if (assertion.maxRank !== undefined && measured.rank > assertion.maxRank) failures.push(`ranks ${measured.rank}, below the top ${assertion.maxRank}`);
  if (assertion.minDensity !== undefined && measured.density < assertion.minDensity) failures.push(`has density ${fmt(measured.density)}, under ${fmt(assertion.minDensity)}`);
  const passed = failures.length === 0;
  return { assertion, model, label, actual, expected, passed, ...(passed ? {} : { message: `the phrase "${assertion.phrase}" ${failures.join(' and ')}` }) };
}

function threshold(assertion: Assertion, model: string, label: string, value: number | undefined, bound: number, side: 'min' | 'max'): AssertionResult {
  const expected = expectedOf(assertion);
  if (value === undefined) return { assertion, model, label, actual: '—', expected, passed: false, message: `the analysis has no ${label} (no instruction span in the prompt)` };
  const passed = side === 'min' ? value >= bound : value <= bound;
  const result: AssertionResult = { assertion, model, label, actual: fmt(value), expected, passed };
  if (!passed) result.message = `${label} is ${fmt(value)}, ${side === 'min' ? 'under' : 'over'} the ${side === 'min' ? 'minimum' : 'maximum'} ${fmt(bound)}`;
  return result;
}

function labelOf(assertion: Assertion): string {
  switch (assertion.kind) {
    case 'instruction-score':
      return 'instruction score';
    case 'shift':
      return 'instruction score shift';
    case 'special-share':
      return 'special-token share';
    case 'phrase':
      return `phrase "${assertion.phrase}"`;
  }
}

function expectedOf(assertion: Assertion): string {
  switch (assertion.kind) {
    case 'instruction-score':
    case 'shift':
      return `>= ${fmt(assertion.min)}`;
    case 'special-share':
      return `<= ${fmt(assertion.max)}`;
    case 'phrase':
      return [assertion.maxRank !== undefined ? `rank <= ${assertion.maxRank}` : '', assertion.minDensity !== undefined ? `density >= ${fmt(assertion.minDensity)}` : ''].filter(Boolean).join(', ');
  }
}
