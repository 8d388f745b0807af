/**
 * Ranks of a graph's values known without running it, for the tangent rules (rules.ts): a rule
 * that aligns an operand's tangent for broadcasting needs the ranks involved, and when they are
 * known here it emits nothing or a fixed Unsqueeze instead of shape arithmetic at run time (which
 * would also keep primal values alive until the tangent branch runs). Sources: declared inputs
 * and values, initializers, Constant nodes; then, node by node (`infer`, in graph order), the
 * operators whose output rank follows from their inputs' ranks and constant attributes (a
 * Reshape's from the length of its target shape, often computed: lengths are followed too).
 */
import { dimsOf, type GraphProto, type NodeProto } from '../onnx-model.ts';

/** Output rank = the largest input rank (broadcasting). */
const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'And', 'Or', 'Xor', 'Max', 'Min', 'Mod', 'PRelu', 'BitShift']);
/** Output ranks = input 0's rank. */
const SAME_RANK = new Set([
  'Identity', 'Neg', 'Cast', 'CastLike', 'Sqrt', 'Exp', 'Log', 'Tanh', 'Sigmoid', 'Erf', 'Sin', 'Cos', 'Reciprocal', 'Softmax', 'LogSoftmax', 'LayerNormalization',
  'Relu', 'Abs', 'Not', 'Floor', 'Ceil', 'Round', 'Sign', 'IsNaN', 'IsInf', 'Transpose', 'Slice', 'Tile', 'Concat', 'Split', 'GatherElements', 'Trilu', 'Clip', 'Softplus',
]);

/** onnxruntime contrib operators whose first output has input 0's rank. */
const CONTRIB_SAME_RANK = new Set(['MatMulNBits', 'SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization', 'SkipLayerNormalization', 'RotaryEmbedding', 'FastGelu', 'Gelu', 'QuickGelu', 'BiasGelu', 'MultiHeadAttention', 'GroupQueryAttention', 'Attention']);

export class Ranks {
  private readonly ranks = new Map<string, number>();
  /** Lengths of 1-D tensors (shapes and axes given as inputs). */
  private readonly lengths = new Map<string, number>();
  /** Shape(x) outputs and their x. */
  private readonly shapeSources = new Map<string, string>();

  constructor(graph: GraphProto) {
    for (const info of [...graph.input, ...(graph.value_info ?? [])]) if (info.type?.tensor_type?.shape) this.ranks.set(info.name, dimsOf(info).length);
    for (const tensor of graph.initializer) this.constant(tensor.name, (tensor.dims ?? []).map(Number));
    for (const node of graph.node) {
      const value = node.op_type === 'Constant' ? node.attribute?.find((a) => a.name === 'value')?.t : undefined;
      if (value) this.constant(node.output[0], (value.dims ?? []).map(Number));
    }
  }

  get(name: string): number | undefined {
    return this.ranks.get(name);
  }

  /** Records the output ranks of `node` that follow from what is known (and the length of a computed shape). */
  infer(node: NodeProto): void {
    if (node.op_type === 'Shape') this.shapeSources.set(node.output[0], node.input[0]);
    if (node.domain === 'com.microsoft') {
      const [data, indices] = [this.ranks.get(node.input[0]), this.ranks.get(node.input[1])];
      const gathered = node.op_type === 'GatherBlockQuantized' && data !== undefined && indices !== undefined ? data - 1 + indices : undefined;
      const rank = CONTRIB_SAME_RANK.has(node.op_type) ? data : gathered;
      if (rank !== undefined && !this.ranks.has(node.output[0])) this.ranks.set(node.output[0], rank);
      return;
    }
    const rank = this.outputRank(node);
    if (rank === undefined) return;
    for (const output of node.output) if (output && !this.ranks.has(output)) this.ranks.set(output, rank);
    const length = rank === 1 ? this.outputLength(node) : undefined;
    if (length !== undefined) this.lengths.set(node.output[0], length);
  }

  /**
   * The length of a 1-D int64 result as exporters build target shapes: Shape of a value of known
   * rank, Concat of pieces of known length, a scalar unsqueezed, Cast.
   */
  private outputLength(node: NodeProto): number | undefined {
    const [first] = node.input;
    const hasAttribute = (name: string) => node.attribute?.some((a) => a.name === name) ?? false;
    if (BROADCASTING.has(node.op_type)) {
      // 1-D operands (and scalars) broadcast to the longest.
      const lengths = node.input.map((name) => (this.ranks.get(name) === 0 ? 1 : this.lengths.get(name)));
      return lengths.every((l) => l !== undefined) ? Math.max(...(lengths as number[])) : undefined;
    }
    switch (node.op_type) {
      case 'Shape':
        return hasAttribute('start') || hasAttribute('end') ? undefined : this.ranks.get(first);
      case 'ConstantOfShape':
        // Filled to the shape of x when its shape input is Shape(x).
        return this.shapeSources.has(first) ? this.lengths.get(this.shapeSources.get(first)!) : undefined;
      case 'Reshape':
        // A 1-D value reshaped to [n] or [-1] keeps its length.
        return this.lengths.get(node.input[1]) === 1 && this.ranks.get(first) === 1 ? this.lengths.get(first) : undefined;
      case 'Concat': {
        const lengths = node.input.map((name) => (this.ranks.get(name) === 0 ? undefined : this.lengths.get(name)));
        return lengths.every((l) => l !== undefined) ? (lengths as number[]).reduce((a, b) => a + b, 0) : undefined;
      }
      case 'Unsqueeze':
        return this.ranks.get(first) === 0 ? 1 : undefined;
      case 'Cast':
      case 'Identity':
        return this.lengths.get(first);
      default:
        return undefined;
    }
  }

  /** Records that `name` has the rank of `like` (when known): a fused node's output and its rewrite's. */
  alias(name: string, like: string): void {
    const rank = this.ranks.get(like);
    if (rank !== undefined && !this.ranks.has(name)) this.ranks.set(name, rank);
  }

  /** Records a constant added to the graph. */
  constant(name: string, dims: number[]): void {
    this.ranks.set(name, dims.length);
    if (dims.length === 1) this.lengths.set(name, dims[0]);
  }

  private outputRank(node: NodeProto): number | undefined {
    const op = node.domain && node.domain !== 'ai.onnx' ? undefined : node.op_type;
    const input = (i: number) => (node.input[i] ? this.ranks.get(node.input[i]) : undefined);
    const inputs = node.input.filter(Boolean).map((name) => this.ranks.get(name));
    const axesCount = () => node.attribute?.find((a) => a.name === 'axes')?.ints?.length ?? (node.input[1] ? this.lengths.get(node.input[1]) : undefined);
    const r = input(0);
    if (op === undefined) return undefined;
    if (BROADCASTING.has(op)) return inputs.every((x) => x !== undefined) ? Math.max(...(inputs as number[])) : undefined;
    if (SAME_RANK.has(op)) return r;
    if (op === 'Shape') return 1;
    if (op === 'Size') return 0;
    if (op === 'Flatten' || op === 'Gemm') return 2;
    if (op === 'ConstantOfShape') return this.lengths.get(node.input[0]);
    if (op === 'Reshape') return this.lengths.get(node.input[1]);
    if (r === undefined) return undefined;
    const axes = axesCount();
    switch (op) {
      case 'MatMul': {
        const b = input(1);
        return b !== undefined && r >= 2 && b >= 2 ? Math.max(r, b) : undefined;
      }
      case 'Gather': {
        const indices = input(1);
        return indices === undefined ? undefined : r - 1 + indices;
      }
      case 'Unsqueeze':
        return axes === undefined ? undefined : r + axes;
      case 'Squeeze':
        return axes === undefined ? undefined : r - axes;
      case 'Expand': {
        const length = this.lengths.get(node.input[1]);
        return length === undefined ? undefined : Math.max(r, length);
      }
      case 'ReduceMean':
      case 'ReduceSum':
      case 'ReduceMax':
        return Number(node.attribute?.find((a) => a.name === 'keepdims')?.i ?? 1) === 1 ? r : axes === undefined ? undefined : r - axes;
      default:
        return undefined;
    }
  }
}
