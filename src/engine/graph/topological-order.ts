/**
 * Nodes in an order where every value is produced before it is read. onnxruntime sorts a model's
 * main graph itself but runs an If branch's nodes as listed, and some exports (the ONNX Runtime
 * GenAI builder's) list their nodes out of order; the prepared graph moves every node into If
 * branches (jvp/tangents.ts), so it sorts them. A node with subgraphs depends on the values its
 * subgraphs read from outside. Stable: among nodes ready together, the earlier listed goes first.
 */
import type { GraphProto, NodeProto } from './onnx-model.ts';

export function topologicalOrder(nodes: NodeProto[]): NodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => node.output.forEach((name) => name && producer.set(name, i)));
  const waiting = new Array<number>(nodes.length).fill(0);
  const readers: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    const sources = new Set<number>();
    for (const name of readNames(node)) {
      const from = producer.get(name);
      if (from !== undefined && from !== i) sources.add(from);
    }
    waiting[i] = sources.size;
    for (const from of sources) readers[from].push(i);
  });
  const ready = new MinHeap();
  waiting.forEach((count, i) => count === 0 && ready.push(i));
  const order: NodeProto[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(nodes[i]);
    for (const reader of readers[i]) if (--waiting[reader] === 0) ready.push(reader);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => waiting[i] > 0)!;
    throw new Error(`the graph has a cycle through node ${stuck.name || stuck.output[0]} (${stuck.op_type})`);
  }
  return order;
}

/** The values `node` reads: its inputs and, through its subgraphs, outer-scope values. */
function readNames(node: NodeProto): Set<string> {
  const names = new Set(node.input.filter(Boolean));
  for (const attribute of node.attribute ?? []) for (const graph of [attribute.g, ...(attribute.graphs ?? [])]) if (graph) for (const name of outerReads(graph)) names.add(name);
  return names;
}

function outerReads(graph: GraphProto): Set<string> {
  const defined = new Set([...graph.input.map((i) => i.name), ...graph.initializer.map((t) => t.name), ...graph.node.flatMap((n) => n.output)]);
  const reads = new Set<string>();
  for (const node of graph.node) for (const name of readNames(node)) if (!defined.has(name)) reads.add(name);
  return reads;
}

/** Node indices, smallest first. */
class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= value) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const child = left + 1 < items.length && items[left + 1] < items[left] ? left + 1 : left;
        if (items[child] >= last) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
