/**
 * The weights of a decoder model the global analyses read, straight from the ONNX graph's
 * initializers (METHODS.md §2–3): per layer the FFN down projection and the attention query
 * and key projections with the input-norm gain, and the input and output embeddings. Which
 * node holds which weight comes from weight-roles.ts (node names) and the config (head counts).
 */
import path from 'node:path';
import { env } from '../env.ts';
import { EngineError } from '../errors.ts';
import { locateEmbedding } from '../graph/locate-embedding.ts';
import { readOnnxModel, type NodeProto } from '../graph/onnx-model.ts';
import { isDtype, type Dtype } from '../models/dtypes.ts';
import { cachedSha256, checkRequiredFiles, chooseGraphFile, readJsonFile } from '../models/files.ts';
import { hashGraphFiles } from '../models/graph-hashes.ts';
import { resolveModelFolder } from '../models/resolve.ts';
import { GraphTensors } from './tensors.ts';
import { CONFIG_KEYS, configNumber, WEIGHT_ROLES, type WeightRoles } from './weight-roles.ts';

/** A row-major float64 matrix. */
export interface Matrix64 {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface AttentionWeights {
  /** d × (heads · headDim), each input row scaled by the input-norm gain. */
  query: Matrix64;
  /** d × (kvHeads · headDim), scaled the same way. */
  key: Matrix64;
  heads: number;
  kvHeads: number;
  headDim: number;
}

export interface ModelIdentity {
  ref: string;
  folder: string;
  graphFile: string;
  dtype: Dtype;
  /** sha256 of the graph file and of config.json and tokenizer.json. */
  sha256: { graph: string; config: string; tokenizer: string };
}

type LayerNodes = Map<keyof WeightRoles, Map<number, NodeProto>>;

export class ModelWeights {
  private constructor(
    readonly identity: ModelIdentity,
    readonly config: Record<string, unknown>,
    private readonly tensors: GraphTensors,
    private readonly nodes: LayerNodes,
    readonly layers: number,
  ) {}

  static async open(ref: string, opts: { dtype?: Dtype | 'auto'; signal?: AbortSignal } = {}): Promise<ModelWeights> {
    const dtypeOption = opts.dtype ?? 'auto';
    if (dtypeOption !== 'auto' && !isDtype(dtypeOption)) {
      throw new EngineError('bad-argument', `Unknown dtype "${String(dtypeOption)}".`, 'Use one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4 or auto.');
    }
    const folder = await resolveModelFolder(ref, { dtype: dtypeOption === 'auto' ? 'fp32' : dtypeOption, signal: opts.signal });
    await checkRequiredFiles(folder);
    const { file, dtype } = await chooseGraphFile(folder, dtypeOption);
    const graphPath = path.join(folder, file);
    const config = await readJsonFile(path.join(folder, 'config.json'));
    const sha256 = {
      // The graph and every external-data file it names (a base and a tuned export may share a graph file).
      graph: (await hashGraphFiles(folder, file, env.cacheDir)).key,
      config: await cachedSha256(path.join(folder, 'config.json'), env.cacheDir),
      tokenizer: await cachedSha256(path.join(folder, 'tokenizer.json'), env.cacheDir),
    };
    const model = await readOnnxModel(graphPath);
    const tensors = new GraphTensors(model.graph, path.dirname(graphPath));
    const nodes = layerNodes(model.graph.node);
    const layers = nodes.get('down')!.size;
    if (layers === 0) {
      throw new EngineError(
        'unsupported-graph',
        `No feed-forward down projection found in ${graphPath}: no node name matches ${WEIGHT_ROLES.down.map(String).join(' or ')}.`,
        'Use an export from optimum or transformers.js (they keep the module paths in the node names), or report the model so its layout can be added to src/engine/internals/weight-roles.ts.',
      );
    }
    return new ModelWeights({ ref, folder, graphFile: file, dtype, sha256 }, config, tensors, nodes, layers);
  }

  /** The FFN down projection of a layer, one row per neuron (d_ff × d). */
  async downProjection(layer: number): Promise<Matrix64> {
    return this.matmulWeight('down', layer);
  }

  /** The token-embedding table (vocab × d). */
  async inputEmbedding(): Promise<Matrix64> {
    const lookup = locateEmbedding(this.tensors.graph);
    if (lookup.node.op_type === 'GatherBlockQuantized') return asMatrix(await this.tensors.gatherBlockQuantizedTable(lookup.node));
    if (lookup.node.op_type !== 'Gather') {
      throw new EngineError(
        'unsupported-graph',
        `The token embedding is looked up by a ${lookup.node.domain ? `${lookup.node.domain}.` : ''}${lookup.node.op_type} node ("${lookup.table}"), which Prompt Lens cannot read as a float table.`,
        'Use the fp32, fp16, q8 or q4 export of the model for the attention-head analysis, or report the model.',
      );
    }
    return this.matrix(lookup.table, 'the token-embedding table');
  }

  private output?: Promise<Matrix64>;

  /** The output embedding (LM head) as vocab × d rows, tied or not. */
  outputEmbedding(): Promise<Matrix64> {
    this.output ??= this.readOutputEmbedding();
    return this.output;
  }

  private async readOutputEmbedding(): Promise<Matrix64> {
    const graph = this.tensors.graph;
    let head = graph.node.find((n) => n.output.includes('logits'));
    if (head?.op_type === 'Add') head = graph.node.find((n) => head!.input.some((i) => !this.tensors.isWeight(i) && n.output.includes(i)));
    if (head?.op_type === 'MatMulNBits') return transpose(asMatrix(await this.tensors.matMulNBitsWeight(head)));
    if (!head || head.op_type !== 'MatMul') {
      throw new EngineError(
        'unsupported-graph',
        `The LM head (the MatMul producing "logits") was not found${head ? `: "logits" comes from a ${head.op_type} node` : ''}.`,
        'Use a causal-LM export with a MatMul or MatMulNBits head, or report the model.',
      );
    }
    const weight = head.input.find((i) => this.tensors.isWeight(i));
    if (!weight) throw new EngineError('unsupported-graph', `The LM head "${head.name ?? head.op_type}" has no weight input.`, 'Report the model so its layout can be added.');
    const m = await this.matrix(weight, 'the LM head weight');
    return head.input[1] === weight ? transpose(m) : m;
  }

  async attention(layer: number): Promise<AttentionWeights> {
    const hidden = configNumber(this.config, CONFIG_KEYS.hidden);
    const heads = configNumber(this.config, CONFIG_KEYS.heads);
    if (!hidden || !heads) {
      throw new EngineError('unsupported-graph', `config.json names no ${!hidden ? CONFIG_KEYS.hidden.join('/') : CONFIG_KEYS.heads.join('/')}.`, 'Use the config.json that came with the model.');
    }
    const kvHeads = configNumber(this.config, CONFIG_KEYS.kvHeads) ?? heads;
    const headDim = configNumber(this.config, CONFIG_KEYS.headDim) ?? hidden / heads;
    let query: Matrix64;
    let key: Matrix64;
    if (this.nodes.get('query')!.has(layer)) {
      query = await this.matmulWeight('query', layer);
      key = await this.matmulWeight('key', layer);
    } else {
      const fused = await this.matmulWeight('fusedQkv', layer);
      query = columns(fused, 0, heads * headDim);
      key = columns(fused, heads * headDim, kvHeads * headDim);
    }
    if (query.cols !== heads * headDim || key.cols !== kvHeads * headDim) {
      throw new EngineError(
        'unsupported-graph',
        `Layer ${layer}'s query/key projections have ${query.cols}/${key.cols} outputs, but the config says ${heads}×${headDim} and ${kvHeads}×${headDim}.`,
        'Check that config.json belongs to this graph.',
      );
    }
    const gain = await this.inputNormGain(layer, query.rows);
    return { query: scaleRows(query, gain), key: scaleRows(key, gain), heads, kvHeads, headDim };
  }

  private async inputNormGain(layer: number, size: number): Promise<Float64Array> {
    for (const node of this.tensors.graph.node) {
      if (!NORM_OPS.has(node.op_type) || !WEIGHT_ROLES.inputNorm.some((p) => Number(p.exec(node.name ?? '')?.[1] ?? -1) === layer)) continue;
      const weight = node.input.find((i) => this.tensors.isWeight(i));
      if (!weight) continue;
      const t = await this.tensors.read(weight);
      if (t.data.length === size) return t.data;
    }
    throw new EngineError(
      'unsupported-graph',
      `Layer ${layer}'s input-norm gain (a Mul or (Skip)SimplifiedLayerNormalization with a weight of ${size} values in a node named like ${WEIGHT_ROLES.inputNorm.map(String).join(' or ')}) was not found.`,
      'Use an export from optimum or transformers.js, or report the model so its layout can be added to src/engine/internals/weight-roles.ts.',
    );
  }

  private async matmulWeight(role: keyof WeightRoles, layer: number): Promise<Matrix64> {
    const node = this.nodes.get(role)!.get(layer);
    if (!node) {
      throw new EngineError(
        'unsupported-graph',
        `Layer ${layer} has no ${ROLE_NAMES[role]}: no node name matches ${WEIGHT_ROLES[role].map(String).join(' or ')}.`,
        'Use an export from optimum or transformers.js (they keep module paths in node names), or report the model so its layout can be added to src/engine/internals/weight-roles.ts.',
      );
    }
    if (node.op_type === 'MatMulNBits') return asMatrix(await this.tensors.matMulNBitsWeight(node));
    if (node.op_type !== 'MatMul') {
      throw new EngineError(
        'unsupported-graph',
        `Layer ${layer}'s ${ROLE_NAMES[role]} is a ${node.domain ? `${node.domain}.` : ''}${node.op_type} node ("${node.name}"), which Prompt Lens cannot read as a weight matrix.`,
        'Use the fp32, fp16, q8 or q4 export of the model, or report the model.',
      );
    }
    return this.matrix(node.input[1], `layer ${layer}'s ${ROLE_NAMES[role]}`);
  }

  private async matrix(name: string, what: string): Promise<Matrix64> {
    const t = await this.tensors.read(name);
    if (t.dims.length !== 2) throw new EngineError('unsupported-graph', `${what} ("${name}") has shape [${t.dims.join(', ')}], not a matrix.`, 'Report the model so its layout can be added.');
    return { rows: t.dims[0], cols: t.dims[1], data: t.data };
  }
}

/** Where a layer's input-norm gain is a weight input: an explicit Mul, or onnxruntime's fused RMS norms. */
const NORM_OPS = new Set(['Mul', 'SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization']);

function asMatrix(t: { dims: number[]; data: Float64Array }): Matrix64 {
  return { rows: t.dims[0], cols: t.dims[1], data: t.data };
}

const ROLE_NAMES: Record<keyof WeightRoles, string> = {
  down: 'FFN down projection',
  query: 'query projection',
  key: 'key projection',
  fusedQkv: 'query/key projection (separate q_proj/k_proj or a fused qkv_proj)',
  inputNorm: 'input-norm gain',
};

function layerNodes(nodes: NodeProto[]): LayerNodes {
  const out: LayerNodes = new Map();
  for (const role of Object.keys(WEIGHT_ROLES) as (keyof WeightRoles)[]) {
    const byLayer = new Map<number, NodeProto>();
    for (const node of nodes) {
      if (!/^(MatMul|MatMulNBits|MatMulInteger|Gemm)$/.test(node.op_type)) continue;
      for (const pattern of WEIGHT_ROLES[role]) {
        const match = pattern.exec(node.name ?? '');
        if (match && !byLayer.has(Number(match[1]))) byLayer.set(Number(match[1]), node);
      }
    }
    out.set(role, byLayer);
  }
  return out;
}

export function transpose(m: Matrix64): Matrix64 {
  const out = new Float64Array(m.data.length);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) out[c * m.rows + r] = m.data[r * m.cols + c];
  return { rows: m.cols, cols: m.rows, data: out };
}

function columns(m: Matrix64, start: number, count: number): Matrix64 {
  const out = new Float64Array(m.rows * count);
  for (let r = 0; r < m.rows; r++) out.set(m.data.subarray(r * m.cols + start, r * m.cols + start + count), r * count);
  return { rows: m.rows, cols: count, data: out };
}

function scaleRows(m: Matrix64, gain: Float64Array): Matrix64 {
  const out = new Float64Array(m.data.length);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) out[r * m.cols + c] = m.data[r * m.cols + c] * gain[r];
  return { rows: m.rows, cols: m.cols, data: out };
}
