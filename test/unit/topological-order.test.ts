/** graph/topological-order.ts: If branches need their nodes listed producers first. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topologicalOrder } from '../../src/engine/graph/topological-order.ts';
import type { GraphProto, NodeProto } from '../../src/engine/graph/onnx-model.ts';

const node = (name: string, input: string[], output: string[], attribute: NodeProto['attribute'] = []): NodeProto => ({ name, op_type: 'Op', domain: '', input, output, attribute });
const names = (nodes: NodeProto[]) => nodes.map((n) => n.name);

test('producers go before readers; graph inputs and weights (produced by no node) are ready from the start', () => {
  // As the ONNX Runtime GenAI builder lists them: a reader before its producer.
  const nodes = [node('c', ['b_out', 'weight'], ['c_out']), node('b', ['a_out'], ['b_out']), node('a', ['input_ids'], ['a_out']), node('d', ['input_ids'], ['d_out'])];
  assert.deepEqual(names(topologicalOrder(nodes)), ['a', 'b', 'c', 'd']);
});

test('stable: an ordered list stays as it is, and nodes ready together keep their listed order', () => {
  const nodes = [node('x', ['in'], ['x_out']), node('y', ['in'], ['y_out']), node('z', ['x_out', 'y_out'], ['z_out']), node('w', ['in'], ['w_out'])];
  assert.deepEqual(names(topologicalOrder(nodes)), ['x', 'y', 'z', 'w']);
  assert.deepEqual(names(topologicalOrder([nodes[1], nodes[0], nodes[3], nodes[2]])), ['y', 'x', 'w', 'z']);
});

test('a node with a subgraph waits for the outer values its subgraph reads; the subgraph\'s own values are not dependencies', () => {
  const body: GraphProto = { name: 'body', node: [node('inner', ['late_out', 'own'], ['inner_out']), node('own', [], ['own'])], initializer: [], input: [], output: [{ name: 'inner_out' }] };
  const nodes = [node('if', ['cond'], ['if_out'], [{ name: 'then_branch', type: 5, g: body }]), node('late', ['in'], ['late_out'])];
  assert.deepEqual(names(topologicalOrder(nodes)), ['late', 'if']);
});

test('a cycle is an error naming a node on it', () => {
  assert.throws(() => topologicalOrder([node('p', ['q_out'], ['p_out']), node('q', ['p_out'], ['q_out'])]), /cycle through node p/);
});
