/**
 * The linear algebra of the global analyses, in float64: PCA of a matrix's rows by an
 * eigen-decomposition of the d × d covariance (the product by onnxruntime, the decomposition by
 * ml-matrix), per-word mean embeddings, top-k selection and principal angles between subspaces.
 */
import { EigenvalueDecomposition, Matrix, SVD } from 'ml-matrix';
import { matmul } from './matmul.ts';
import { transpose, type Matrix64 } from './weights.ts';

export interface Pca {
  /** Explained-variance ratio of every component, largest first (sums to 1). */
  varianceRatios: number[];
  /** The first `keep` components as unit row vectors (keep × d, row-major). */
  components: Matrix64;
}

/** PCA of the rows of `m` (rows centred): the covariance's eigenvectors, largest eigenvalue first. */
export async function rowPca(m: Matrix64, keep: number): Promise<Pca> {
  const { rows, cols, data } = m;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += data[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  const centred = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) centred[r * cols + c] = data[r * cols + c] - mean[c];
  // Covariance (up to the common 1/(rows-1) factor, which cancels in the ratios): centredᵀ · centred.
  const centredT = transpose({ rows, cols, data: centred });
  const cov = (await matmul(centredT, { rows, cols, data: centred })).data;
  const square: number[][] = [];
  for (let i = 0; i < cols; i++) {
    const line = new Array<number>(cols);
    // Symmetrised from the upper triangle, so rounding cannot make it asymmetric.
    for (let j = 0; j < cols; j++) line[j] = j >= i ? cov[i * cols + j] : cov[j * cols + i];
    square.push(line);
  }
  const evd = new EigenvalueDecomposition(new Matrix(square), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const varianceRatios = order.map((i) => (total > 0 ? Math.max(values[i], 0) / total : 0));
  const count = Math.min(keep, cols);
  const components = new Float64Array(count * cols);
  for (let k = 0; k < count; k++) {
    const column = vectors.getColumn(order[k]);
    for (let c = 0; c < cols; c++) components[k * cols + c] = column[c];
  }
  return { varianceRatios, components: { rows: count, cols, data: components } };
}

/** Each word's mean over the rows of its tokens (words × d), optionally L2-normalised. */
export function wordRows(table: Matrix64, tokenIds: number[][], normalise: boolean): Matrix64 {
  const { cols } = table;
  const out = new Float64Array(tokenIds.length * cols);
  tokenIds.forEach((ids, w) => {
    const target = out.subarray(w * cols, (w + 1) * cols);
    for (const id of ids) for (let c = 0; c < cols; c++) target[c] += table.data[id * cols + c];
    for (let c = 0; c < cols; c++) target[c] /= ids.length;
    if (normalise) {
      const norm = Math.hypot(...target);
      if (norm > 0) for (let c = 0; c < cols; c++) target[c] /= norm;
    }
  });
  return { rows: tokenIds.length, cols, data: out };
}

/** `a · bᵀ` for row-major a (n × d) and b (m × d): n × m. */
export function multiplyTransposed(a: Matrix64, b: Matrix64): Matrix64 {
  const out = new Float64Array(a.rows * b.rows);
  const d = a.cols;
  for (let i = 0; i < a.rows; i++) {
    const ai = a.data.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      const off = j * d;
      for (let c = 0; c < d; c++) s += ai[c] * b.data[off + c];
      out[i * b.rows + j] = s;
    }
  }
  return { rows: a.rows, cols: b.rows, data: out };
}

/**
 * Indices of the `k` largest values of `score(i)` for i < n, largest first; ties go to the
 * smaller index.
 */
export function topIndices(n: number, k: number, score: (i: number) => number): number[] {
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = score(i);
    if (idx.length === k && !(s > val[k - 1])) continue;
    let at = idx.length === k ? k - 1 : idx.length;
    while (at > 0 && s > val[at - 1]) at--;
    idx.splice(at, 0, i);
    val.splice(at, 0, s);
    if (idx.length > k) {
      idx.pop();
      val.pop();
    }
  }
  return idx;
}

/** Principal angles (radians, smallest first) between the row spaces of two orthonormal k × d bases. */
export function principalAngles(a: Matrix64, b: Matrix64): number[] {
  const overlap = multiplyTransposed(a, b);
  const rows: number[][] = [];
  for (let i = 0; i < overlap.rows; i++) rows.push(Array.from(overlap.data.subarray(i * overlap.cols, (i + 1) * overlap.cols)));
  const cosines = new SVD(new Matrix(rows), { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  return cosines.map((c) => Math.acos(Math.min(1, Math.max(-1, c)))).sort((x, y) => x - y);
}
