/** What every attribution method receives and returns (METHODS.md §1.2). */
import type { AttributionMethod, WorkInfo } from '../analysis.ts';
import type { AttributionTarget } from '../options.ts';
import type { DecoderSession } from '../runtime/session.ts';

export interface AttributionInput {
  session: DecoderSession;
  /** x_1..x_N: everything the model sees before the response (BOS, template, the user's text). */
  promptIds: number[];
  /** y_1..y_M. */
  responseIds: number[];
  /**
   * The units of the chosen granularity: for each, its prompt positions (consecutive, every
   * position in exactly one unit). Methods with `perUnit` return one row per unit.
   */
  units?: number[][];
  /** The quantity explained for each response token: p_m (when absent) or log p_m (contrastive attribution's default). */
  target?: AttributionTarget;
  /** Perturbed sequences per forward pass. */
  batchSize: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface AttributionResult {
  /** I[n][m] of the input's target, rows = prompt positions (or units, for a `perUnit` method), columns = response tokens. */
  importance: number[][];
  /** p_m of the unperturbed input. */
  responseProbabilities: number[];
  work: WorkInfo;
}

export interface Attributor {
  name: AttributionMethod;
  /** Attributes whole units (input.units) rather than single positions. */
  perUnit?: boolean;
  /** One sentence for users: what the number means. */
  measures: string;
  attribute(input: AttributionInput): Promise<AttributionResult>;
}
