/**
 * The terminal view of an analysis: the prompt coloured by density, and the top tokens. Control
 * characters of the prompt, the response and the model's name are shown, not sent raw
 * (visible-controls.ts); the only escape sequences written are the colours added here.
 */
import type { Analysis } from '../analysis.ts';
import { contrastQuantity } from '../options.ts';
import { describePrecision, modelName } from './labels.ts';
import { showControls } from './visible-controls.ts';

const RESET = '\x1b[0m';
// Background colours from pale to strong (256-colour palette, oranges).
const SHADES = [230, 223, 222, 215, 214, 208, 202];

export function renderTerminal(a: Analysis, colour: boolean, topCount = 8): string {
  const lines: string[] = [];
  lines.push(`${showControls(modelName(a.model.ref))}  (${a.model.architecture}, ${a.model.dtype}, ${describePrecision(a)}, ${a.settings.method}, template ${a.settings.template})`);
  lines.push('prompt:');
  lines.push(indent(highlight(a, colour)));
  lines.push('response:');
  lines.push(indent(showControls(a.response)));
  if (a.contrast) {
    lines.push(`rather than (contrastive: importance explains ${contrastQuantity(a.contrast.kind, 'response token', 'contrast token')} per step):`);
    lines.push(indent(showControls(a.contrast.response)));
  }
  if (a.instructionScore !== undefined) lines.push(`instruction score: ${a.instructionScore.toFixed(4)}`);
  const top = a.promptTokens
    .map((t, n) => ({ t, d: a.densityNormalized[n] }))
    .filter((x) => !x.t.special && x.d > 0)
    .sort((x, y) => y.d - x.d)
    .slice(0, topCount);
  lines.push(`top tokens: ${top.map((x) => `${showControls(JSON.stringify(x.t.text))} ${x.d.toFixed(2)}`).join(', ')}`);
  lines.push(`time: ${(a.timings.totalMs / 1000).toFixed(2)} s (generate ${(a.timings.generateMs / 1000).toFixed(2)} s, attribute ${(a.timings.attributeMs / 1000).toFixed(2)} s); parity ${a.parity.maxAbsLogitDiff.toExponential(1)}`);
  return lines.join('\n');
}

function highlight(a: Analysis, colour: boolean): string {
  if (!colour) return showControls(a.prompt);
  let out = '';
  let at = 0;
  a.promptTokens.forEach((t, n) => {
    if (t.special || t.end <= at) return;
    const start = Math.max(t.start, at);
    out += showControls(a.prompt.slice(at, start));
    const d = a.densityNormalized[n];
    const text = showControls(a.prompt.slice(start, t.end));
    out += d > 0 ? `\x1b[48;5;${SHADES[Math.min(SHADES.length - 1, Math.floor(d * SHADES.length))]}m\x1b[38;5;16m${text}${RESET}` : text;
    at = t.end;
  });
  return out + showControls(a.prompt.slice(at));
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
