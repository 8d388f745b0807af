/** The PyTorch reference attributions committed beside each test model (tools/models/make_goldens.py). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface GoldenCase {
  name: string;
  prompt: string;
  promptIds: number[];
  teacherForced: boolean;
  responseText: string;
  responseIds: number[];
  p: number[];
  gradient: number[][];
  occlusion: number[][];
  /** Fixed consecutive units of prompt positions, and their occlusion (all of a unit zeroed at once). */
  units: number[][];
  unitOcclusion: number[][];
  /** Given cases: an alternative reply with as many tokens, and the attribution of p_m(response) − p_m(contrast) … */
  contrastText?: string;
  contrastIds?: number[];
  contrastGradient?: number[][];
  contrastOcclusion?: number[][];
  contrastUnitOcclusion?: number[][];
  /** … and of log p_m(response) − log p_m(contrast). */
  contrastLogGradient?: number[][];
  contrastLogOcclusion?: number[][];
  contrastLogUnitOcclusion?: number[][];
}

export interface Golden {
  model: string;
  maxNewTokens: number;
  eosTokenId: number;
  cases: GoldenCase[];
}

export function readGolden(modelDir: string): Golden {
  return JSON.parse(readFileSync(path.join(modelDir, 'golden.json'), 'utf8')) as Golden;
}

export function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function columnArgmax(matrix: number[][], m: number): number {
  let best = 0;
  for (let n = 1; n < matrix.length; n++) if (matrix[n][m] > matrix[best][m]) best = n;
  return best;
}

/** max over entries of |ours − reference| / max_n |reference[n][m]| of the entry's column. */
export function maxRelativeToColumnMax(ours: number[][], reference: number[][]): number {
  let worst = 0;
  const columns = reference[0]?.length ?? 0;
  for (let m = 0; m < columns; m++) {
    const scale = Math.max(...reference.map((row) => Math.abs(row[m])));
    if (scale === 0) continue;
    for (let n = 0; n < reference.length; n++) worst = Math.max(worst, Math.abs(ours[n][m] - reference[n][m]) / scale);
  }
  return worst;
}
