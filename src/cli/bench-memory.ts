/**
 * Peak memory per phase of `npm run bench`. On Linux the kernel's high-water mark of the resident
 * set (VmHWM in /proc/self/status) can be reset to the current resident set (writing 5 to
 * /proc/self/clear_refs; getrusage's maxRSS is reset with it), so each phase's own peak is read
 * at its end; elsewhere, or when the
 * reset is refused, a phase's peak is the process's peak so far (getrusage's maxRSS), as marked.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface PhasePeak {
  phase: string;
  /** Highest resident set during the phase, in bytes. */
  peakBytes: number;
  /** Whether `peakBytes` is the phase's own (false: the process's peak up to the phase's end). */
  own: boolean;
}

export class PhasePeaks {
  readonly phases: PhasePeak[] = [];
  private current: string | undefined;
  private resettable = resetHighWaterMark();

  /** Ends the current phase (if any) and starts `phase`. */
  start(phase: string): void {
    this.end();
    this.current = phase;
    this.resettable = resetHighWaterMark();
  }

  /** Ends the current phase, recording its peak. */
  end(): void {
    if (this.current === undefined) return;
    const own = this.resettable ? highWaterMark() : undefined;
    this.phases.push({ phase: this.current, peakBytes: own ?? process.resourceUsage().maxRSS * 1024, own: own !== undefined });
    this.current = undefined;
  }

  /** The largest peak among `phases` (all when omitted). */
  peak(phases?: (p: PhasePeak) => boolean): number {
    return Math.max(0, ...this.phases.filter(phases ?? (() => true)).map((p) => p.peakBytes));
  }
}

function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function highWaterMark(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
