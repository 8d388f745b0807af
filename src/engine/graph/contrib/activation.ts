/**
 * com.microsoft.FastGelu in standard operators: the tanh approximation of GELU (GPT-2's
 * "gelu_new") of x [+ bias], 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
import type { Rule } from './rewrite.ts';

export const fastGelu: Rule = async (ctx) => {
  const { emit, node } = ctx;
  const [input, bias] = node.input;
  const x = bias ? emit.op('Add', [input, bias]) : input;
  const cube = emit.op('Mul', [emit.op('Mul', [x, x]), x]);
  const inner = emit.op('Mul', [emit.op('Add', [x, emit.op('Mul', [cube, emit.double([0.044715], [])])]), emit.double([Math.sqrt(2 / Math.PI)], [])]);
  const half = emit.op('Mul', [x, emit.double([0.5], [])]);
  emit.op('Mul', [half, emit.op('Add', [emit.op('Tanh', [inner]), emit.double([1], [])])], {}, [node.output[0]]);
  return true;
};
