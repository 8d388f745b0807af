/** Short labels the reports share. */
import path from 'node:path';
import type { Analysis } from '../analysis.ts';

/** A Hub id as it is; a folder by its last component (the full path is in `model.path`). */
export function modelName(ref: string): string {
  return path.isAbsolute(ref) || ref.startsWith('.') ? path.basename(path.resolve(ref)) : ref;
}

/** "float64", or "float32" with the reason when float64 was not possible. */
export function describePrecision(a: Analysis): string {
  const precision = a.model.precision ?? 'float32';
  return a.model.precisionNote ? `${precision} (${a.model.precisionNote.replace(/^float(16|32), /, '')})` : precision;
}
