/**
 * The unit of dataset statistics: one prompt explained by one model, reduced to what the
 * statistics need, with scores recomputed under the chosen L, b, p.
 */
import type { ScoreSettings } from '../analysis.ts';
import { instructionScore, normalizeDensity, normalizeImportance, positionProfile, tokenDensity } from '../scores/index.ts';

export type Role = 'base' | 'tuned';

/** An attribution matrix as stored: raw I, or S already normalized at `levels` with b = 0. */
export type StoredMatrix = { kind: 'importance'; rows: number[][] } | { kind: 'normalized'; rows: number[][]; levels: number };

export interface AttributionItem {
  id: string;
  source: string;
  role: Role;
  model: string;
  /** The attribution method that made the matrix, when known. */
  method?: string;
  followed?: boolean;
  responseLength: number;
  matrix: StoredMatrix;
  /** Per prompt row: 1 inside the instruction. */
  instructionMask?: number[];
  /** Per prompt row: false for BOS/template rows (not the user's text). */
  rowIncluded?: boolean[];
}

/** What the statistics keep of an item: its labels, and its scores under the chosen settings. */
export type ScoredItem = Pick<AttributionItem, 'id' | 'source' | 'role' | 'model' | 'followed' | 'responseLength'> & {
  instructionScore?: number;
  profile: number[] | null;
};

export function scoreItem(item: AttributionItem, settings: ScoreSettings): ScoredItem {
  const S = normalizedAt(item.matrix, settings, item.rowIncluded);
  const densityNormalized = normalizeDensity(tokenDensity(S, settings.p));
  const user = item.rowIncluded ? densityNormalized.filter((_, n) => item.rowIncluded![n]) : densityNormalized;
  return {
    id: item.id,
    source: item.source,
    role: item.role,
    model: item.model,
    followed: item.followed,
    responseLength: item.responseLength,
    instructionScore: item.instructionMask ? instructionScore(densityNormalized, item.instructionMask) : undefined,
    profile: positionProfile(user),
  };
}

function normalizedAt(matrix: StoredMatrix, settings: ScoreSettings, rowIncluded?: boolean[]): number[][] {
  if (matrix.kind === 'importance') return normalizeImportance(matrix.rows, settings, rowIncluded);
  if (matrix.levels !== settings.levels) {
    throw new Error(`these attributions were stored normalized with L = ${matrix.levels}; statistics can change b and p but not L (asked for L = ${settings.levels})`);
  }
  return matrix.rows.map((row, n) => row.map((v) => (rowIncluded?.[n] === false || v <= settings.threshold ? 0 : v)));
}
