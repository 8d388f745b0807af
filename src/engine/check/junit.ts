/**
 * Check results as JUnit XML (the format CI systems read test results in): one test suite per
 * prompt file, one test case per assertion, a <failure> for each assertion that did not hold.
 */
import type { AssertionResult } from './evaluate.ts';

export interface PromptOutcome {
  /** The prompt file as the config names it. */
  file: string;
  results: AssertionResult[];
}

const escapeXml = (s: string) =>
  // Characters XML 1.0 cannot hold at all are dropped; markup characters are escaped.
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function renderJunit(outcomes: PromptOutcome[], seconds: number): string {
  const count = (list: AssertionResult[]) => ({ tests: list.length, failures: list.filter((r) => !r.passed).length });
  const all = count(outcomes.flatMap((o) => o.results));
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="prompt-lens check" tests="${all.tests}" failures="${all.failures}" errors="0" time="${seconds.toFixed(3)}">`];
  for (const outcome of outcomes) {
    const c = count(outcome.results);
    lines.push(`  <testsuite name="${escapeXml(outcome.file)}" tests="${c.tests}" failures="${c.failures}" errors="0">`);
    for (const r of outcome.results) {
      const name = escapeXml(`${r.model}: ${r.label} ${r.expected}`);
      const open = `    <testcase classname="${escapeXml(outcome.file)}" name="${name}"`;
      if (r.passed) {
        lines.push(`${open}>`, `      <system-out>${escapeXml(r.actual)}</system-out>`, '    </testcase>');
      } else {
        lines.push(`${open}>`, `      <failure message="${escapeXml(r.message ?? 'failed')}" type="assertion">${escapeXml(`${r.label}: ${r.actual}, expected ${r.expected}`)}</failure>`, '    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
