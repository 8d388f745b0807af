/** A one-line progress bar with ETA on stderr (only when stderr is a terminal). */
import type { Progress } from '../engine/progress.ts';
import { showControls } from '../engine/report/visible-controls.ts';

export function progressPrinter(rawLabel: string, stream: NodeJS.WriteStream = process.stderr): { update: (p: Progress) => void; done: () => void } {
  // A model reference or a file name in a message could hold control characters.
  const label = showControls(rawLabel);
  const interactive = stream.isTTY === true;
  let stage = '';
  let stageStart = performance.now();
  let lastDraw = 0;
  return {
    update(p: Progress) {
      if (p.stage !== stage) {
        stage = p.stage;
        stageStart = performance.now();
        if (!interactive) stream.write(`${label}: ${p.stage}${p.message ? ` (${showControls(p.message)})` : ''}\n`);
      }
      const now = performance.now();
      if (!interactive || now - lastDraw < 100) return;
      lastDraw = now;
      let line = `${label}: ${p.stage}`;
      if (p.total && p.done !== undefined) {
        const fraction = Math.min(1, p.done / p.total);
        const width = 24;
        const filled = Math.round(fraction * width);
        const elapsed = (now - stageStart) / 1000;
        const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : NaN;
        line += ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}${Number.isFinite(eta) ? ` ETA ${eta.toFixed(0)} s` : ''}`;
      } else if (p.message) {
        line += ` ${showControls(p.message)}`;
      }
      stream.write(`\r\x1b[2K${line}`);
    },
    done() {
      if (interactive) stream.write('\r\x1b[2K');
    },
  };
}
