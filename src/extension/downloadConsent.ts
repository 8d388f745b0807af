/**
 * Asking before a Hub download: once per model (remembered in the global state), unless
 * `promptLens.askBeforeDownload` is off; the alternative offered is the bundled demo pair.
 */
import * as vscode from 'vscode';
import type { ResolvedModel } from './modelRef.ts';

const CONSENT_KEY = 'promptLens.hubConsent';

export async function consentToDownload(state: vscode.Memento, models: ResolvedModel[], askBeforeDownload: boolean): Promise<'ok' | 'demo' | 'cancel'> {
  const consented = new Set(state.get<string[]>(CONSENT_KEY, []));
  const need = models.filter((m) => m.kind === 'hub' && !consented.has(m.ref));
  if (!need.length || !askBeforeDownload) return 'ok';
  const pick = await vscode.window.showInformationMessage(
    `Prompt Lens needs to download ${need.map((m) => m.ref).join(' and ')} from the Hugging Face Hub (about 0.3–0.6 GB each, once; cached afterwards).`,
    { modal: true, detail: 'Or use the small demo pair bundled with the extension, which works offline.' },
    'Download', 'Use Bundled Demo Pair',
  );
  if (pick === 'Download') {
    await state.update(CONSENT_KEY, [...consented, ...need.map((m) => m.ref)]);
    return 'ok';
  }
  if (pick === 'Use Bundled Demo Pair') return 'demo';
  return 'cancel';
}
