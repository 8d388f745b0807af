/**
 * Graph preparation: the original decoder graph gets one extra input, `embedding_scale`
 * [batch, sequence, 1], multiplied into the token-embedding output before anything else sees
 * it. Scale 1 is the original model; 0 zeroes e_n (occlusion); 1 ± h scales it (gradient by
 * central differences). This is the embed | body split of the design done inside one graph,
 * so the weights exist once, in one session. A float16 graph is made float32 first (float32.ts);
 * a float64 copy may be made of it (float64.ts). The prepared graph's own weights are written
 * to a file beside it (write-graph.ts), the source's external data is linked.
 * Prepared graphs are cached on disk, keyed by the sha256 of the source graph and its weights
 * (models/graph-hashes.ts) and the precision.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComputePrecision, Precision } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { EXTERNAL_DATA_STORE, HASH_STORE, isFile } from '../models/files.ts';
import { removeStaleTemporaries, writeAtomically } from '../temp-files.ts';
import { checkExternalData, linkExternalData } from './external-data.ts';
import { convertHalfToFloat32, hasHalfTensors } from './float32.ts';
import { nodeRewriter } from './contrib/rewrite.ts';
import { adaptOptimizedGraph } from './optimized-graph.ts';
import { convertToFloat64 } from './float64.ts';
import { insertTangents, UnsupportedTangent, type TangentGraph } from './jvp/tangents.ts';
import { locateEmbedding } from './locate-embedding.ts';
import { externalDataFileOf, writeGraph, WeightsFile } from './write-graph.ts';
import { dimsOf, elemTypeOf, readOnnxModel, tensorValueInfo, TensorDataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './onnx-model.ts';

export const EMBEDDING_SCALE_INPUT = 'embedding_scale';
/** Optional input: the first sequence position whose logits are computed (the LM head runs from there). */
export const LOGITS_START_INPUT = 'logits_start';
export const PREPARED_FORMAT_VERSION = 8;

export interface KvCacheLayout {
  /** `past_key_values.{i}.key|value` input names, layer by layer, key then value. */
  pastInputs: string[];
  /** `present.{i}.key|value` output names, same order. */
  presentOutputs: string[];
  kvHeads: number;
  headDim: number;
  /** ONNX element type of the cache tensors. */
  elemType: number;
}

export interface PreparedMeta {
  formatVersion: number;
  sourceFile: string;
  sourceSha256: string;
  precision: ComputePrecision;
  embedding: { op: string; output: string; elemType: number; table: string };
  inputs: string[];
  logitsOutput: string;
  /** Whether the graph takes `logits_start` (when its LM head could be located). */
  logitsStart: boolean;
  cache: KvCacheLayout;
  parity?: { maxAbsLogitDiff: number; probeTokens: number };
  /** The forward-mode derivative the graph computes (jvp/tangents.ts), or why it cannot. */
  tangent: TangentGraph | { unsupported: string };
  /** How perturbed sequences can be run (runtime/batching.ts); absent: both ways. */
  batching?: Batching;
}

export interface Batching {
  /** Several sequences per forward pass. */
  batches: boolean;
  /** Several new positions after a cached prefix. */
  reusesPrefix: boolean;
  /** Why not, when one of them is false. */
  reason?: string;
}

export interface PreparedGraph {
  file: string;
  metaFile: string;
  meta: PreparedMeta;
}

/**
 * The prepared graph of `sourceFile`, from the cache or made now. `sourceSha256` must identify
 * the graph and every external-data file it reads (models/graph-hashes.ts key).
 */
export async function loadOrPrepareGraph(
  sourceFile: string,
  sourceSha256: string,
  cacheDir: string,
  precision: Precision = 'float32',
): Promise<{ prepared: PreparedGraph; fresh: boolean }> {
  const dir = preparedDir(cacheDir, sourceSha256, precision);
  const key = path.basename(dir);
  // onnxruntime reads external data only from the graph's own folder (it resolves links), so a
  // graph with external data goes to the cache with hard links to the data, or else beside its
  // source (another file system).
  const inCache = { file: path.join(dir, 'model.onnx'), metaFile: path.join(dir, 'meta.json') };
  const stem = path.join(path.dirname(sourceFile), `${path.basename(sourceFile, '.onnx')}.prompt-lens-${key.slice(0, 12)}${precision === 'float64' ? '-float64' : ''}`);
  const besideSource = { file: `${stem}.onnx`, metaFile: `${stem}.json` };
  await removeAbandonedWrites(cacheDir, sourceFile);
  for (const place of [inCache, besideSource]) {
    const cached = await readMeta(place.metaFile);
    if (cached && cached.formatVersion === PREPARED_FORMAT_VERSION && cached.sourceSha256 === sourceSha256 && (cached.precision === 'float64') === (precision === 'float64') && (await isFile(place.file)) && (await isFile(externalDataFileOf(place.file)))) {
      return { prepared: { ...place, meta: cached }, fresh: false };
    }
  }
  const sourceDir = path.dirname(sourceFile);
  const model = await readOnnxModel(sourceFile);
  await checkExternalData(model, sourceDir);
  if (hasHalfTensors(model.graph)) await convertHalfToFloat32(model, sourceDir);
  await adaptOptimizedGraph(model, sourceDir);
  const meta = insertEmbeddingScale(model, sourceFile, sourceSha256);
  await mkdir(dir, { recursive: true });
  // A float64 graph goes to the cache folder, its weights written there as they are converted.
  const weights = precision === 'float64' ? await WeightsFile.create(inCache.file) : undefined;
  try {
    if (weights) {
      await convertToFloat64(model, sourceDir, weights);
      meta.precision = 'float64';
    }
    meta.tangent = await differentiate(model, meta, sourceDir);
  } catch (error) {
    await weights?.discard();
    throw error;
  }
  const place = weights || (await linkExternalData(model, sourceDir, dir)) ? inCache : besideSource;
  const prepared = { ...place, meta };
  await writeGraph(model, prepared.file, weights);
  await saveMeta(prepared);
  return { prepared, fresh: true };
}

/** The cache folder of a prepared graph. */
export function preparedDir(cacheDir: string, sourceSha256: string, precision: Precision): string {
  return path.join(cacheDir, 'prepared', `${sourceSha256.slice(0, 32)}${precision === 'float64' ? '-float64' : ''}`);
}

export async function saveMeta(prepared: PreparedGraph): Promise<void> {
  await writeAtomically(prepared.metaFile, JSON.stringify(prepared.meta, null, 2));
}

/** Rewrites the graph in place and describes what the runtime needs to drive it. */
export function insertEmbeddingScale(model: ModelProto, sourceFile: string, sourceSha256: string): PreparedMeta {
  const graph = model.graph;
  const inputNames = graph.input.map((i) => i.name);
  if (!inputNames.includes('input_ids')) {
    throw new EngineError('unsupported-graph', 'The model graph has no "input_ids" input.', 'Use a decoder-only causal LM export (optimum / transformers.js layout).');
  }
  if (inputNames.includes(EMBEDDING_SCALE_INPUT)) {
    throw new EngineError('unsupported-graph', `The graph already has an input named "${EMBEDDING_SCALE_INPUT}".`, 'Point Prompt Lens at the original export, not at a prepared graph.');
  }
  const lookup = locateEmbedding(graph);
  const cache = kvCacheLayout(graph);
  const logitsOutput = graph.output.find((o) => o.name === 'logits')?.name;
  if (!logitsOutput) {
    throw new EngineError('unsupported-graph', 'The model graph has no "logits" output.', 'Use a causal-LM export (with the LM head), not a base-model export.');
  }

  const scaled = `${lookup.output}/prompt_lens_scaled`;
  let scaleName = EMBEDDING_SCALE_INPUT;
  const added = [];
  if (lookup.elemType !== TensorDataType.FLOAT) {
    scaleName = `${EMBEDDING_SCALE_INPUT}/cast`;
    added.push({ name: 'prompt_lens_scale_cast', op_type: 'Cast', domain: '', input: [EMBEDDING_SCALE_INPUT], output: [scaleName], attribute: [{ name: 'to', type: 2, i: lookup.elemType }] });
  }
  added.push({ name: 'prompt_lens_embedding_scale', op_type: 'Mul', domain: '', input: [lookup.output, scaleName], output: [scaled], attribute: [] });

  for (const node of graph.node) {
    node.input = node.input.map((name) => (name === lookup.output ? scaled : name));
  }
  for (const output of graph.output) if (output.name === lookup.output) output.name = scaled;
  const at = graph.node.indexOf(lookup.node);
  graph.node.splice(at + 1, 0, ...added);
  graph.input.push(tensorValueInfo(EMBEDDING_SCALE_INPUT, TensorDataType.FLOAT, ['batch_size', 'sequence_length', 1]));
  const logitsStart = insertLogitsStart(graph, logitsOutput);

  return {
    formatVersion: PREPARED_FORMAT_VERSION,
    sourceFile,
    sourceSha256,
    precision: 'float32', // float16 graphs were widened (float32.ts)
    embedding: { op: lookup.node.op_type, output: lookup.output, elemType: lookup.elemType, table: lookup.table },
    inputs: [...inputNames, EMBEDDING_SCALE_INPUT],
    logitsOutput,
    logitsStart,
    cache,
    tangent: { unsupported: 'not yet differentiated' },
  };
}

/**
 * Adds the tangent input and output (jvp/tangents.ts), or says why the graph has none. A float32
 * graph keeps its contrib operators (fast fused kernels); their tangents go through their rewrites.
 */
async function differentiate(model: ModelProto, meta: PreparedMeta, sourceDir: string): Promise<PreparedMeta['tangent']> {
  try {
    const double = meta.precision === 'float64';
    return await insertTangents(model, EMBEDDING_SCALE_INPUT, meta.logitsOutput, double ? TensorDataType.DOUBLE : TensorDataType.FLOAT, double ? undefined : nodeRewriter(model, sourceDir));
  } catch (error) {
    if (error instanceof UnsupportedTangent) return { unsupported: error.message };
    throw error;
  }
}

const LM_HEAD_OPS = new Set(['MatMul', 'MatMulNBits', 'MatMulInteger', 'DynamicQuantizeMatMul']);

/**
 * Lets the LM head run only from `logits_start` on: attribution needs the logits of the
 * response positions only, and the head over a large vocabulary is a big share of the work and
 * of the memory. The hidden states entering the head (a MatMul-like node producing the logits,
 * possibly through a bias Add and a final Cast or Identity) are sliced along the sequence axis.
 * Returns false, leaving the graph as it is, when the head has another form.
 */
function insertLogitsStart(graph: GraphProto, logitsOutput: string): boolean {
  const producers = new Map<string, NodeProto>();
  for (const node of graph.node) for (const out of node.output) producers.set(out, node);
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const throughCasts = (node: NodeProto | undefined) => {
    while (node && (node.op_type === 'Cast' || node.op_type === 'Identity')) node = producers.get(node.input[0]);
    return node;
  };
  let head = throughCasts(producers.get(logitsOutput));
  if (head?.op_type === 'Add') {
    const [a, b] = head.input;
    head = initializers.has(b) ? producers.get(a) : initializers.has(a) ? producers.get(b) : undefined;
  }
  if (!head || !LM_HEAD_OPS.has(head.op_type) || initializers.has(head.input[0])) return false;
  const hidden = head.input[0];
  const sliced = `${hidden}/prompt_lens_from_logits_start`;
  graph.initializer.push(int64Initializer('prompt_lens_slice_end', [Number.MAX_SAFE_INTEGER]), int64Initializer('prompt_lens_slice_axis', [1]));
  const slice: NodeProto = { name: 'prompt_lens_logits_start', op_type: 'Slice', domain: '', input: [hidden, LOGITS_START_INPUT, 'prompt_lens_slice_end', 'prompt_lens_slice_axis'], output: [sliced], attribute: [] };
  head.input[0] = sliced;
  graph.node.splice(graph.node.indexOf(head), 0, slice);
  graph.input.push(tensorValueInfo(LOGITS_START_INPUT, TensorDataType.INT64, [1]));
  return true;
}

function int64Initializer(name: string, values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: TensorDataType.INT64, raw_data: raw };
}

function kvCacheLayout(graph: GraphProto): KvCacheLayout {
  const pastInputs = graph.input.map((i) => i.name).filter((n) => /^past_key_values\.\d+\.(key|value)$/.test(n));
  pastInputs.sort(byLayerThenKind);
  const presentOutputs = graph.output.map((o) => o.name).filter((n) => /^present\.\d+\.(key|value)$/.test(n));
  presentOutputs.sort(byLayerThenKind);
  if (pastInputs.length === 0 || pastInputs.length !== presentOutputs.length) {
    throw new EngineError(
      'unsupported-graph',
      `The model graph has no usable KV cache (${pastInputs.length} past inputs, ${presentOutputs.length} present outputs).`,
      'Export the model "with past" (optimum: --task text-generation-with-past), as transformers.js models are.',
    );
  }
  const first = graph.input.find((i) => i.name === pastInputs[0])!;
  const dims = dimsOf(first);
  const [, kvHeads, , headDim] = dims;
  if (dims.length !== 4 || typeof kvHeads !== 'number' || typeof headDim !== 'number' || kvHeads <= 0 || headDim <= 0) {
    throw new EngineError('unsupported-graph', `Unexpected KV-cache shape [${dims.join(', ')}] on ${pastInputs[0]}.`, 'Expected [batch, kv_heads, past_sequence, head_dim] with fixed heads and head size.');
  }
  return { pastInputs, presentOutputs, kvHeads, headDim, elemType: elemTypeOf(first) ?? TensorDataType.FLOAT };
}

function byLayerThenKind(a: string, b: string): number {
  const la = Number(a.split('.')[1]);
  const lb = Number(b.split('.')[1]);
  return la - lb || (a.endsWith('key') ? 0 : 1) - (b.endsWith('key') ? 0 : 1);
}

/**
 * Removes what killed preparations left: temporaries in every prepared folder, and elsewhere
 * only those of the engine's own files (its stores in the cache folder, this graph's prepared
 * copies beside it), as the cache folder may be one the user shares with other files.
 */
async function removeAbandonedWrites(cacheDir: string, sourceFile: string): Promise<void> {
  const prepared = path.join(cacheDir, 'prepared');
  for (const folder of await readdir(prepared).catch(() => [] as string[])) await removeStaleTemporaries(path.join(prepared, folder));
  for (const store of [HASH_STORE, EXTERNAL_DATA_STORE]) await removeStaleTemporaries(cacheDir, `${store}.`);
  await removeStaleTemporaries(path.dirname(sourceFile), `${path.basename(sourceFile, '.onnx')}.prompt-lens-`);
}

async function readMeta(file: string): Promise<PreparedMeta | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PreparedMeta;
  } catch {
    return undefined;
  }
}
